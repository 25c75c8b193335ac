# ruff: noqa
from google.protobuf import empty_pb2 as _empty_pb2
from google.protobuf import timestamp_pb2 as _timestamp_pb2
from google.protobuf import wrappers_pb2 as _wrappers_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from typing import ClassVar as _ClassVar, Iterable as _Iterable, Mapping as _Mapping, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class OrchestrationStatus(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    ORCHESTRATION_STATUS_RUNNING: _ClassVar[OrchestrationStatus]
    ORCHESTRATION_STATUS_COMPLETED: _ClassVar[OrchestrationStatus]
    ORCHESTRATION_STATUS_CONTINUED_AS_NEW: _ClassVar[OrchestrationStatus]
    ORCHESTRATION_STATUS_FAILED: _ClassVar[OrchestrationStatus]
    ORCHESTRATION_STATUS_CANCELED: _ClassVar[OrchestrationStatus]
    ORCHESTRATION_STATUS_TERMINATED: _ClassVar[OrchestrationStatus]
    ORCHESTRATION_STATUS_PENDING: _ClassVar[OrchestrationStatus]
    ORCHESTRATION_STATUS_SUSPENDED: _ClassVar[OrchestrationStatus]
ORCHESTRATION_STATUS_RUNNING: OrchestrationStatus
ORCHESTRATION_STATUS_COMPLETED: OrchestrationStatus
ORCHESTRATION_STATUS_CONTINUED_AS_NEW: OrchestrationStatus
ORCHESTRATION_STATUS_FAILED: OrchestrationStatus
ORCHESTRATION_STATUS_CANCELED: OrchestrationStatus
ORCHESTRATION_STATUS_TERMINATED: OrchestrationStatus
ORCHESTRATION_STATUS_PENDING: OrchestrationStatus
ORCHESTRATION_STATUS_SUSPENDED: OrchestrationStatus

class OrchestrationInstance(_message.Message):
    __slots__ = ("instance_id", "execution_id")
    INSTANCE_ID_FIELD_NUMBER: _ClassVar[int]
    EXECUTION_ID_FIELD_NUMBER: _ClassVar[int]
    instance_id: str
    execution_id: _wrappers_pb2.StringValue
    def __init__(self, instance_id: _Optional[str] = ..., execution_id: _Optional[_Union[_wrappers_pb2.StringValue, _Mapping]] = ...) -> None: ...

class TaskFailureDetails(_message.Message):
    __slots__ = ("error_type", "error_message", "stack_trace", "inner_failure", "is_non_retriable")
    ERROR_TYPE_FIELD_NUMBER: _ClassVar[int]
    ERROR_MESSAGE_FIELD_NUMBER: _ClassVar[int]
    STACK_TRACE_FIELD_NUMBER: _ClassVar[int]
    INNER_FAILURE_FIELD_NUMBER: _ClassVar[int]
    IS_NON_RETRIABLE_FIELD_NUMBER: _ClassVar[int]
    error_type: str
    error_message: str
    stack_trace: _wrappers_pb2.StringValue
    inner_failure: TaskFailureDetails
    is_non_retriable: bool
    def __init__(self, error_type: _Optional[str] = ..., error_message: _Optional[str] = ..., stack_trace: _Optional[_Union[_wrappers_pb2.StringValue, _Mapping]] = ..., inner_failure: _Optional[_Union[TaskFailureDetails, _Mapping]] = ..., is_non_retriable: bool = ...) -> None: ...

class TraceContext(_message.Message):
    __slots__ = ("trace_parent", "span_id", "trace_state")
    TRACE_PARENT_FIELD_NUMBER: _ClassVar[int]
    SPAN_ID_FIELD_NUMBER: _ClassVar[int]
    TRACE_STATE_FIELD_NUMBER: _ClassVar[int]
    trace_parent: str
    span_id: str
    trace_state: _wrappers_pb2.StringValue
    def __init__(self, trace_parent: _Optional[str] = ..., span_id: _Optional[str] = ..., trace_state: _Optional[_Union[_wrappers_pb2.StringValue, _Mapping]] = ...) -> None: ...

class ParentInstanceInfo(_message.Message):
    __slots__ = ("task_scheduled_id", "name", "version", "orchestration_instance")
    TASK_SCHEDULED_ID_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    VERSION_FIELD_NUMBER: _ClassVar[int]
    ORCHESTRATION_INSTANCE_FIELD_NUMBER: _ClassVar[int]
    task_scheduled_id: int
    name: _wrappers_pb2.StringValue
    version: _wrappers_pb2.StringValue
    orchestration_instance: OrchestrationInstance
    def __init__(self, task_scheduled_id: _Optional[int] = ..., name: _Optional[_Union[_wrappers_pb2.StringValue, _Mapping]] = ..., version: _Optional[_Union[_wrappers_pb2.StringValue, _Mapping]] = ..., orchestration_instance: _Optional[_Union[OrchestrationInstance, _Mapping]] = ...) -> None: ...

class OrchestrationState(_message.Message):
    __slots__ = ("instance_id", "name", "version", "orchestration_status", "scheduled_start_timestamp", "created_timestamp", "last_updated_timestamp", "input", "output", "custom_status", "failure_details", "execution_id", "completed_timestamp", "parent_instance_id", "tags")
    class TagsEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: str
        def __init__(self, key: _Optional[str] = ..., value: _Optional[str] = ...) -> None: ...
    INSTANCE_ID_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    VERSION_FIELD_NUMBER: _ClassVar[int]
    ORCHESTRATION_STATUS_FIELD_NUMBER: _ClassVar[int]
    SCHEDULED_START_TIMESTAMP_FIELD_NUMBER: _ClassVar[int]
    CREATED_TIMESTAMP_FIELD_NUMBER: _ClassVar[int]
    LAST_UPDATED_TIMESTAMP_FIELD_NUMBER: _ClassVar[int]
    INPUT_FIELD_NUMBER: _ClassVar[int]
    OUTPUT_FIELD_NUMBER: _ClassVar[int]
    CUSTOM_STATUS_FIELD_NUMBER: _ClassVar[int]
    FAILURE_DETAILS_FIELD_NUMBER: _ClassVar[int]
    EXECUTION_ID_FIELD_NUMBER: _ClassVar[int]
    COMPLETED_TIMESTAMP_FIELD_NUMBER: _ClassVar[int]
    PARENT_INSTANCE_ID_FIELD_NUMBER: _ClassVar[int]
    TAGS_FIELD_NUMBER: _ClassVar[int]
    instance_id: str
    name: str
    version: _wrappers_pb2.StringValue
    orchestration_status: OrchestrationStatus
    scheduled_start_timestamp: _timestamp_pb2.Timestamp
    created_timestamp: _timestamp_pb2.Timestamp
    last_updated_timestamp: _timestamp_pb2.Timestamp
    input: _wrappers_pb2.StringValue
    output: _wrappers_pb2.StringValue
    custom_status: _wrappers_pb2.StringValue
    failure_details: TaskFailureDetails
    execution_id: _wrappers_pb2.StringValue
    completed_timestamp: _timestamp_pb2.Timestamp
    parent_instance_id: _wrappers_pb2.StringValue
    tags: _containers.ScalarMap[str, str]
    def __init__(self, instance_id: _Optional[str] = ..., name: _Optional[str] = ..., version: _Optional[_Union[_wrappers_pb2.StringValue, _Mapping]] = ..., orchestration_status: _Optional[_Union[OrchestrationStatus, str]] = ..., scheduled_start_timestamp: _Optional[_Union[_timestamp_pb2.Timestamp, _Mapping]] = ..., created_timestamp: _Optional[_Union[_timestamp_pb2.Timestamp, _Mapping]] = ..., last_updated_timestamp: _Optional[_Union[_timestamp_pb2.Timestamp, _Mapping]] = ..., input: _Optional[_Union[_wrappers_pb2.StringValue, _Mapping]] = ..., output: _Optional[_Union[_wrappers_pb2.StringValue, _Mapping]] = ..., custom_status: _Optional[_Union[_wrappers_pb2.StringValue, _Mapping]] = ..., failure_details: _Optional[_Union[TaskFailureDetails, _Mapping]] = ..., execution_id: _Optional[_Union[_wrappers_pb2.StringValue, _Mapping]] = ..., completed_timestamp: _Optional[_Union[_timestamp_pb2.Timestamp, _Mapping]] = ..., parent_instance_id: _Optional[_Union[_wrappers_pb2.StringValue, _Mapping]] = ..., tags: _Optional[_Mapping[str, str]] = ...) -> None: ...

class ExecutionStartedEvent(_message.Message):
    __slots__ = ("name", "version", "input", "orchestration_instance", "parent_instance", "scheduled_start_timestamp", "parent_trace_context", "orchestration_span_id", "tags")
    class TagsEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: str
        def __init__(self, key: _Optional[str] = ..., value: _Optional[str] = ...) -> None: ...
    NAME_FIELD_NUMBER: _ClassVar[int]
    VERSION_FIELD_NUMBER: _ClassVar[int]
    INPUT_FIELD_NUMBER: _ClassVar[int]
    ORCHESTRATION_INSTANCE_FIELD_NUMBER: _ClassVar[int]
    PARENT_INSTANCE_FIELD_NUMBER: _ClassVar[int]
    SCHEDULED_START_TIMESTAMP_FIELD_NUMBER: _ClassVar[int]
    PARENT_TRACE_CONTEXT_FIELD_NUMBER: _ClassVar[int]
    ORCHESTRATION_SPAN_ID_FIELD_NUMBER: _ClassVar[int]
    TAGS_FIELD_NUMBER: _ClassVar[int]
    name: str
    version: _wrappers_pb2.StringValue
    input: _wrappers_pb2.StringValue
    orchestration_instance: OrchestrationInstance
    parent_instance: ParentInstanceInfo
    scheduled_start_timestamp: _timestamp_pb2.Timestamp
    parent_trace_context: TraceContext
    orchestration_span_id: _wrappers_pb2.StringValue
    tags: _containers.ScalarMap[str, str]
    def __init__(self, name: _Optional[str] = ..., version: _Optional[_Union[_wrappers_pb2.StringValue, _Mapping]] = ..., input: _Optional[_Union[_wrappers_pb2.StringValue, _Mapping]] = ..., orchestration_instance: _Optional[_Union[OrchestrationInstance, _Mapping]] = ..., parent_instance: _Optional[_Union[ParentInstanceInfo, _Mapping]] = ..., scheduled_start_timestamp: _Optional[_Union[_timestamp_pb2.Timestamp, _Mapping]] = ..., parent_trace_context: _Optional[_Union[TraceContext, _Mapping]] = ..., orchestration_span_id: _Optional[_Union[_wrappers_pb2.StringValue, _Mapping]] = ..., tags: _Optional[_Mapping[str, str]] = ...) -> None: ...

class ExecutionCompletedEvent(_message.Message):
    __slots__ = ("orchestration_status", "result", "failure_details")
    ORCHESTRATION_STATUS_FIELD_NUMBER: _ClassVar[int]
    RESULT_FIELD_NUMBER: _ClassVar[int]
    FAILURE_DETAILS_FIELD_NUMBER: _ClassVar[int]
    orchestration_status: OrchestrationStatus
    result: _wrappers_pb2.StringValue
    failure_details: TaskFailureDetails
    def __init__(self, orchestration_status: _Optional[_Union[OrchestrationStatus, str]] = ..., result: _Optional[_Union[_wrappers_pb2.StringValue, _Mapping]] = ..., failure_details: _Optional[_Union[TaskFailureDetails, _Mapping]] = ...) -> None: ...

class ExecutionTerminatedEvent(_message.Message):
    __slots__ = ("input", "recurse")
    INPUT_FIELD_NUMBER: _ClassVar[int]
    RECURSE_FIELD_NUMBER: _ClassVar[int]
    input: _wrappers_pb2.StringValue
    recurse: bool
    def __init__(self, input: _Optional[_Union[_wrappers_pb2.StringValue, _Mapping]] = ..., recurse: bool = ...) -> None: ...

class TaskScheduledEvent(_message.Message):
    __slots__ = ("name", "version", "input", "parent_trace_context")
    NAME_FIELD_NUMBER: _ClassVar[int]
    VERSION_FIELD_NUMBER: _ClassVar[int]
    INPUT_FIELD_NUMBER: _ClassVar[int]
    PARENT_TRACE_CONTEXT_FIELD_NUMBER: _ClassVar[int]
    name: str
    version: _wrappers_pb2.StringValue
    input: _wrappers_pb2.StringValue
    parent_trace_context: TraceContext
    def __init__(self, name: _Optional[str] = ..., version: _Optional[_Union[_wrappers_pb2.StringValue, _Mapping]] = ..., input: _Optional[_Union[_wrappers_pb2.StringValue, _Mapping]] = ..., parent_trace_context: _Optional[_Union[TraceContext, _Mapping]] = ...) -> None: ...

class TaskCompletedEvent(_message.Message):
    __slots__ = ("task_scheduled_id", "result")
    TASK_SCHEDULED_ID_FIELD_NUMBER: _ClassVar[int]
    RESULT_FIELD_NUMBER: _ClassVar[int]
    task_scheduled_id: int
    result: _wrappers_pb2.StringValue
    def __init__(self, task_scheduled_id: _Optional[int] = ..., result: _Optional[_Union[_wrappers_pb2.StringValue, _Mapping]] = ...) -> None: ...

class TaskFailedEvent(_message.Message):
    __slots__ = ("task_scheduled_id", "failure_details")
    TASK_SCHEDULED_ID_FIELD_NUMBER: _ClassVar[int]
    FAILURE_DETAILS_FIELD_NUMBER: _ClassVar[int]
    task_scheduled_id: int
    failure_details: TaskFailureDetails
    def __init__(self, task_scheduled_id: _Optional[int] = ..., failure_details: _Optional[_Union[TaskFailureDetails, _Mapping]] = ...) -> None: ...

class SubOrchestrationInstanceCreatedEvent(_message.Message):
    __slots__ = ("instance_id", "name", "version", "input", "parent_trace_context")
    INSTANCE_ID_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    VERSION_FIELD_NUMBER: _ClassVar[int]
    INPUT_FIELD_NUMBER: _ClassVar[int]
    PARENT_TRACE_CONTEXT_FIELD_NUMBER: _ClassVar[int]
    instance_id: str
    name: str
    version: _wrappers_pb2.StringValue
    input: _wrappers_pb2.StringValue
    parent_trace_context: TraceContext
    def __init__(self, instance_id: _Optional[str] = ..., name: _Optional[str] = ..., version: _Optional[_Union[_wrappers_pb2.StringValue, _Mapping]] = ..., input: _Optional[_Union[_wrappers_pb2.StringValue, _Mapping]] = ..., parent_trace_context: _Optional[_Union[TraceContext, _Mapping]] = ...) -> None: ...

class SubOrchestrationInstanceCompletedEvent(_message.Message):
    __slots__ = ("task_scheduled_id", "result")
    TASK_SCHEDULED_ID_FIELD_NUMBER: _ClassVar[int]
    RESULT_FIELD_NUMBER: _ClassVar[int]
    task_scheduled_id: int
    result: _wrappers_pb2.StringValue
    def __init__(self, task_scheduled_id: _Optional[int] = ..., result: _Optional[_Union[_wrappers_pb2.StringValue, _Mapping]] = ...) -> None: ...

class SubOrchestrationInstanceFailedEvent(_message.Message):
    __slots__ = ("task_scheduled_id", "failure_details")
    TASK_SCHEDULED_ID_FIELD_NUMBER: _ClassVar[int]
    FAILURE_DETAILS_FIELD_NUMBER: _ClassVar[int]
    task_scheduled_id: int
    failure_details: TaskFailureDetails
    def __init__(self, task_scheduled_id: _Optional[int] = ..., failure_details: _Optional[_Union[TaskFailureDetails, _Mapping]] = ...) -> None: ...

class TimerCreatedEvent(_message.Message):
    __slots__ = ("fire_at",)
    FIRE_AT_FIELD_NUMBER: _ClassVar[int]
    fire_at: _timestamp_pb2.Timestamp
    def __init__(self, fire_at: _Optional[_Union[_timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class TimerFiredEvent(_message.Message):
    __slots__ = ("fire_at", "timer_id")
    FIRE_AT_FIELD_NUMBER: _ClassVar[int]
    TIMER_ID_FIELD_NUMBER: _ClassVar[int]
    fire_at: _timestamp_pb2.Timestamp
    timer_id: int
    def __init__(self, fire_at: _Optional[_Union[_timestamp_pb2.Timestamp, _Mapping]] = ..., timer_id: _Optional[int] = ...) -> None: ...

class OrchestratorStartedEvent(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class OrchestratorCompletedEvent(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class EventSentEvent(_message.Message):
    __slots__ = ("instance_id", "name", "input")
    INSTANCE_ID_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    INPUT_FIELD_NUMBER: _ClassVar[int]
    instance_id: str
    name: str
    input: _wrappers_pb2.StringValue
    def __init__(self, instance_id: _Optional[str] = ..., name: _Optional[str] = ..., input: _Optional[_Union[_wrappers_pb2.StringValue, _Mapping]] = ...) -> None: ...

class EventRaisedEvent(_message.Message):
    __slots__ = ("name", "input")
    NAME_FIELD_NUMBER: _ClassVar[int]
    INPUT_FIELD_NUMBER: _ClassVar[int]
    name: str
    input: _wrappers_pb2.StringValue
    def __init__(self, name: _Optional[str] = ..., input: _Optional[_Union[_wrappers_pb2.StringValue, _Mapping]] = ...) -> None: ...

class GenericEvent(_message.Message):
    __slots__ = ("data",)
    DATA_FIELD_NUMBER: _ClassVar[int]
    data: _wrappers_pb2.StringValue
    def __init__(self, data: _Optional[_Union[_wrappers_pb2.StringValue, _Mapping]] = ...) -> None: ...

class HistoryStateEvent(_message.Message):
    __slots__ = ("orchestration_state",)
    ORCHESTRATION_STATE_FIELD_NUMBER: _ClassVar[int]
    orchestration_state: OrchestrationState
    def __init__(self, orchestration_state: _Optional[_Union[OrchestrationState, _Mapping]] = ...) -> None: ...

class ContinueAsNewEvent(_message.Message):
    __slots__ = ("input",)
    INPUT_FIELD_NUMBER: _ClassVar[int]
    input: _wrappers_pb2.StringValue
    def __init__(self, input: _Optional[_Union[_wrappers_pb2.StringValue, _Mapping]] = ...) -> None: ...

class ExecutionSuspendedEvent(_message.Message):
    __slots__ = ("input",)
    INPUT_FIELD_NUMBER: _ClassVar[int]
    input: _wrappers_pb2.StringValue
    def __init__(self, input: _Optional[_Union[_wrappers_pb2.StringValue, _Mapping]] = ...) -> None: ...

class ExecutionResumedEvent(_message.Message):
    __slots__ = ("input",)
    INPUT_FIELD_NUMBER: _ClassVar[int]
    input: _wrappers_pb2.StringValue
    def __init__(self, input: _Optional[_Union[_wrappers_pb2.StringValue, _Mapping]] = ...) -> None: ...

class HistoryEvent(_message.Message):
    __slots__ = ("event_id", "timestamp", "execution_started", "execution_completed", "execution_terminated", "task_scheduled", "task_completed", "task_failed", "sub_orchestration_instance_created", "sub_orchestration_instance_completed", "sub_orchestration_instance_failed", "timer_created", "timer_fired", "orchestrator_started", "orchestrator_completed", "event_sent", "event_raised", "generic_event", "history_state", "continue_as_new", "execution_suspended", "execution_resumed")
    EVENT_ID_FIELD_NUMBER: _ClassVar[int]
    TIMESTAMP_FIELD_NUMBER: _ClassVar[int]
    EXECUTION_STARTED_FIELD_NUMBER: _ClassVar[int]
    EXECUTION_COMPLETED_FIELD_NUMBER: _ClassVar[int]
    EXECUTION_TERMINATED_FIELD_NUMBER: _ClassVar[int]
    TASK_SCHEDULED_FIELD_NUMBER: _ClassVar[int]
    TASK_COMPLETED_FIELD_NUMBER: _ClassVar[int]
    TASK_FAILED_FIELD_NUMBER: _ClassVar[int]
    SUB_ORCHESTRATION_INSTANCE_CREATED_FIELD_NUMBER: _ClassVar[int]
    SUB_ORCHESTRATION_INSTANCE_COMPLETED_FIELD_NUMBER: _ClassVar[int]
    SUB_ORCHESTRATION_INSTANCE_FAILED_FIELD_NUMBER: _ClassVar[int]
    TIMER_CREATED_FIELD_NUMBER: _ClassVar[int]
    TIMER_FIRED_FIELD_NUMBER: _ClassVar[int]
    ORCHESTRATOR_STARTED_FIELD_NUMBER: _ClassVar[int]
    ORCHESTRATOR_COMPLETED_FIELD_NUMBER: _ClassVar[int]
    EVENT_SENT_FIELD_NUMBER: _ClassVar[int]
    EVENT_RAISED_FIELD_NUMBER: _ClassVar[int]
    GENERIC_EVENT_FIELD_NUMBER: _ClassVar[int]
    HISTORY_STATE_FIELD_NUMBER: _ClassVar[int]
    CONTINUE_AS_NEW_FIELD_NUMBER: _ClassVar[int]
    EXECUTION_SUSPENDED_FIELD_NUMBER: _ClassVar[int]
    EXECUTION_RESUMED_FIELD_NUMBER: _ClassVar[int]
    event_id: int
    timestamp: _timestamp_pb2.Timestamp
    execution_started: ExecutionStartedEvent
    execution_completed: ExecutionCompletedEvent
    execution_terminated: ExecutionTerminatedEvent
    task_scheduled: TaskScheduledEvent
    task_completed: TaskCompletedEvent
    task_failed: TaskFailedEvent
    sub_orchestration_instance_created: SubOrchestrationInstanceCreatedEvent
    sub_orchestration_instance_completed: SubOrchestrationInstanceCompletedEvent
    sub_orchestration_instance_failed: SubOrchestrationInstanceFailedEvent
    timer_created: TimerCreatedEvent
    timer_fired: TimerFiredEvent
    orchestrator_started: OrchestratorStartedEvent
    orchestrator_completed: OrchestratorCompletedEvent
    event_sent: EventSentEvent
    event_raised: EventRaisedEvent
    generic_event: GenericEvent
    history_state: HistoryStateEvent
    continue_as_new: ContinueAsNewEvent
    execution_suspended: ExecutionSuspendedEvent
    execution_resumed: ExecutionResumedEvent
    def __init__(self, event_id: _Optional[int] = ..., timestamp: _Optional[_Union[_timestamp_pb2.Timestamp, _Mapping]] = ..., execution_started: _Optional[_Union[ExecutionStartedEvent, _Mapping]] = ..., execution_completed: _Optional[_Union[ExecutionCompletedEvent, _Mapping]] = ..., execution_terminated: _Optional[_Union[ExecutionTerminatedEvent, _Mapping]] = ..., task_scheduled: _Optional[_Union[TaskScheduledEvent, _Mapping]] = ..., task_completed: _Optional[_Union[TaskCompletedEvent, _Mapping]] = ..., task_failed: _Optional[_Union[TaskFailedEvent, _Mapping]] = ..., sub_orchestration_instance_created: _Optional[_Union[SubOrchestrationInstanceCreatedEvent, _Mapping]] = ..., sub_orchestration_instance_completed: _Optional[_Union[SubOrchestrationInstanceCompletedEvent, _Mapping]] = ..., sub_orchestration_instance_failed: _Optional[_Union[SubOrchestrationInstanceFailedEvent, _Mapping]] = ..., timer_created: _Optional[_Union[TimerCreatedEvent, _Mapping]] = ..., timer_fired: _Optional[_Union[TimerFiredEvent, _Mapping]] = ..., orchestrator_started: _Optional[_Union[OrchestratorStartedEvent, _Mapping]] = ..., orchestrator_completed: _Optional[_Union[OrchestratorCompletedEvent, _Mapping]] = ..., event_sent: _Optional[_Union[EventSentEvent, _Mapping]] = ..., event_raised: _Optional[_Union[EventRaisedEvent, _Mapping]] = ..., generic_event: _Optional[_Union[GenericEvent, _Mapping]] = ..., history_state: _Optional[_Union[HistoryStateEvent, _Mapping]] = ..., continue_as_new: _Optional[_Union[ContinueAsNewEvent, _Mapping]] = ..., execution_suspended: _Optional[_Union[ExecutionSuspendedEvent, _Mapping]] = ..., execution_resumed: _Optional[_Union[ExecutionResumedEvent, _Mapping]] = ...) -> None: ...

class ScheduleTaskAction(_message.Message):
    __slots__ = ("name", "version", "input")
    NAME_FIELD_NUMBER: _ClassVar[int]
    VERSION_FIELD_NUMBER: _ClassVar[int]
    INPUT_FIELD_NUMBER: _ClassVar[int]
    name: str
    version: _wrappers_pb2.StringValue
    input: _wrappers_pb2.StringValue
    def __init__(self, name: _Optional[str] = ..., version: _Optional[_Union[_wrappers_pb2.StringValue, _Mapping]] = ..., input: _Optional[_Union[_wrappers_pb2.StringValue, _Mapping]] = ...) -> None: ...

class CreateSubOrchestrationAction(_message.Message):
    __slots__ = ("instance_id", "name", "version", "input", "parent_trace_context")
    INSTANCE_ID_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    VERSION_FIELD_NUMBER: _ClassVar[int]
    INPUT_FIELD_NUMBER: _ClassVar[int]
    PARENT_TRACE_CONTEXT_FIELD_NUMBER: _ClassVar[int]
    instance_id: str
    name: str
    version: _wrappers_pb2.StringValue
    input: _wrappers_pb2.StringValue
    parent_trace_context: TraceContext
    def __init__(self, instance_id: _Optional[str] = ..., name: _Optional[str] = ..., version: _Optional[_Union[_wrappers_pb2.StringValue, _Mapping]] = ..., input: _Optional[_Union[_wrappers_pb2.StringValue, _Mapping]] = ..., parent_trace_context: _Optional[_Union[TraceContext, _Mapping]] = ...) -> None: ...

class CreateTimerAction(_message.Message):
    __slots__ = ("fire_at",)
    FIRE_AT_FIELD_NUMBER: _ClassVar[int]
    fire_at: _timestamp_pb2.Timestamp
    def __init__(self, fire_at: _Optional[_Union[_timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class SendEventAction(_message.Message):
    __slots__ = ("instance", "name", "data")
    INSTANCE_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    DATA_FIELD_NUMBER: _ClassVar[int]
    instance: OrchestrationInstance
    name: str
    data: _wrappers_pb2.StringValue
    def __init__(self, instance: _Optional[_Union[OrchestrationInstance, _Mapping]] = ..., name: _Optional[str] = ..., data: _Optional[_Union[_wrappers_pb2.StringValue, _Mapping]] = ...) -> None: ...

class CompleteOrchestrationAction(_message.Message):
    __slots__ = ("orchestration_status", "result", "details", "new_version", "carryover_events", "failure_details")
    ORCHESTRATION_STATUS_FIELD_NUMBER: _ClassVar[int]
    RESULT_FIELD_NUMBER: _ClassVar[int]
    DETAILS_FIELD_NUMBER: _ClassVar[int]
    NEW_VERSION_FIELD_NUMBER: _ClassVar[int]
    CARRYOVER_EVENTS_FIELD_NUMBER: _ClassVar[int]
    FAILURE_DETAILS_FIELD_NUMBER: _ClassVar[int]
    orchestration_status: OrchestrationStatus
    result: _wrappers_pb2.StringValue
    details: _wrappers_pb2.StringValue
    new_version: _wrappers_pb2.StringValue
    carryover_events: _containers.RepeatedCompositeFieldContainer[HistoryEvent]
    failure_details: TaskFailureDetails
    def __init__(self, orchestration_status: _Optional[_Union[OrchestrationStatus, str]] = ..., result: _Optional[_Union[_wrappers_pb2.StringValue, _Mapping]] = ..., details: _Optional[_Union[_wrappers_pb2.StringValue, _Mapping]] = ..., new_version: _Optional[_Union[_wrappers_pb2.StringValue, _Mapping]] = ..., carryover_events: _Optional[_Iterable[_Union[HistoryEvent, _Mapping]]] = ..., failure_details: _Optional[_Union[TaskFailureDetails, _Mapping]] = ...) -> None: ...

class TerminateOrchestrationAction(_message.Message):
    __slots__ = ("instance_id", "reason", "recurse")
    INSTANCE_ID_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    RECURSE_FIELD_NUMBER: _ClassVar[int]
    instance_id: str
    reason: _wrappers_pb2.StringValue
    recurse: bool
    def __init__(self, instance_id: _Optional[str] = ..., reason: _Optional[_Union[_wrappers_pb2.StringValue, _Mapping]] = ..., recurse: bool = ...) -> None: ...

class OrchestratorAction(_message.Message):
    __slots__ = ("id", "schedule_task", "create_sub_orchestration", "create_timer", "send_event", "complete_orchestration", "terminate_orchestration")
    ID_FIELD_NUMBER: _ClassVar[int]
    SCHEDULE_TASK_FIELD_NUMBER: _ClassVar[int]
    CREATE_SUB_ORCHESTRATION_FIELD_NUMBER: _ClassVar[int]
    CREATE_TIMER_FIELD_NUMBER: _ClassVar[int]
    SEND_EVENT_FIELD_NUMBER: _ClassVar[int]
    COMPLETE_ORCHESTRATION_FIELD_NUMBER: _ClassVar[int]
    TERMINATE_ORCHESTRATION_FIELD_NUMBER: _ClassVar[int]
    id: int
    schedule_task: ScheduleTaskAction
    create_sub_orchestration: CreateSubOrchestrationAction
    create_timer: CreateTimerAction
    send_event: SendEventAction
    complete_orchestration: CompleteOrchestrationAction
    terminate_orchestration: TerminateOrchestrationAction
    def __init__(self, id: _Optional[int] = ..., schedule_task: _Optional[_Union[ScheduleTaskAction, _Mapping]] = ..., create_sub_orchestration: _Optional[_Union[CreateSubOrchestrationAction, _Mapping]] = ..., create_timer: _Optional[_Union[CreateTimerAction, _Mapping]] = ..., send_event: _Optional[_Union[SendEventAction, _Mapping]] = ..., complete_orchestration: _Optional[_Union[CompleteOrchestrationAction, _Mapping]] = ..., terminate_orchestration: _Optional[_Union[TerminateOrchestrationAction, _Mapping]] = ...) -> None: ...

class GetWorkItemsRequest(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class OrchestratorRequest(_message.Message):
    __slots__ = ("instance_id", "execution_id", "past_events", "new_events")
    INSTANCE_ID_FIELD_NUMBER: _ClassVar[int]
    EXECUTION_ID_FIELD_NUMBER: _ClassVar[int]
    PAST_EVENTS_FIELD_NUMBER: _ClassVar[int]
    NEW_EVENTS_FIELD_NUMBER: _ClassVar[int]
    instance_id: str
    execution_id: _wrappers_pb2.StringValue
    past_events: _containers.RepeatedCompositeFieldContainer[HistoryEvent]
    new_events: _containers.RepeatedCompositeFieldContainer[HistoryEvent]
    def __init__(self, instance_id: _Optional[str] = ..., execution_id: _Optional[_Union[_wrappers_pb2.StringValue, _Mapping]] = ..., past_events: _Optional[_Iterable[_Union[HistoryEvent, _Mapping]]] = ..., new_events: _Optional[_Iterable[_Union[HistoryEvent, _Mapping]]] = ...) -> None: ...

class ActivityRequest(_message.Message):
    __slots__ = ("name", "version", "input", "orchestration_instance", "task_id")
    NAME_FIELD_NUMBER: _ClassVar[int]
    VERSION_FIELD_NUMBER: _ClassVar[int]
    INPUT_FIELD_NUMBER: _ClassVar[int]
    ORCHESTRATION_INSTANCE_FIELD_NUMBER: _ClassVar[int]
    TASK_ID_FIELD_NUMBER: _ClassVar[int]
    name: str
    version: _wrappers_pb2.StringValue
    input: _wrappers_pb2.StringValue
    orchestration_instance: OrchestrationInstance
    task_id: int
    def __init__(self, name: _Optional[str] = ..., version: _Optional[_Union[_wrappers_pb2.StringValue, _Mapping]] = ..., input: _Optional[_Union[_wrappers_pb2.StringValue, _Mapping]] = ..., orchestration_instance: _Optional[_Union[OrchestrationInstance, _Mapping]] = ..., task_id: _Optional[int] = ...) -> None: ...

class WorkItem(_message.Message):
    __slots__ = ("orchestrator_request", "activity_request", "completion_token")
    ORCHESTRATOR_REQUEST_FIELD_NUMBER: _ClassVar[int]
    ACTIVITY_REQUEST_FIELD_NUMBER: _ClassVar[int]
    COMPLETION_TOKEN_FIELD_NUMBER: _ClassVar[int]
    orchestrator_request: OrchestratorRequest
    activity_request: ActivityRequest
    completion_token: str
    def __init__(self, orchestrator_request: _Optional[_Union[OrchestratorRequest, _Mapping]] = ..., activity_request: _Optional[_Union[ActivityRequest, _Mapping]] = ..., completion_token: _Optional[str] = ...) -> None: ...

class OrchestratorResponse(_message.Message):
    __slots__ = ("instance_id", "actions", "custom_status", "completion_token")
    INSTANCE_ID_FIELD_NUMBER: _ClassVar[int]
    ACTIONS_FIELD_NUMBER: _ClassVar[int]
    CUSTOM_STATUS_FIELD_NUMBER: _ClassVar[int]
    COMPLETION_TOKEN_FIELD_NUMBER: _ClassVar[int]
    instance_id: str
    actions: _containers.RepeatedCompositeFieldContainer[OrchestratorAction]
    custom_status: _wrappers_pb2.StringValue
    completion_token: str
    def __init__(self, instance_id: _Optional[str] = ..., actions: _Optional[_Iterable[_Union[OrchestratorAction, _Mapping]]] = ..., custom_status: _Optional[_Union[_wrappers_pb2.StringValue, _Mapping]] = ..., completion_token: _Optional[str] = ...) -> None: ...

class ActivityResponse(_message.Message):
    __slots__ = ("instance_id", "task_id", "result", "failure_details", "completion_token")
    INSTANCE_ID_FIELD_NUMBER: _ClassVar[int]
    TASK_ID_FIELD_NUMBER: _ClassVar[int]
    RESULT_FIELD_NUMBER: _ClassVar[int]
    FAILURE_DETAILS_FIELD_NUMBER: _ClassVar[int]
    COMPLETION_TOKEN_FIELD_NUMBER: _ClassVar[int]
    instance_id: str
    task_id: int
    result: _wrappers_pb2.StringValue
    failure_details: TaskFailureDetails
    completion_token: str
    def __init__(self, instance_id: _Optional[str] = ..., task_id: _Optional[int] = ..., result: _Optional[_Union[_wrappers_pb2.StringValue, _Mapping]] = ..., failure_details: _Optional[_Union[TaskFailureDetails, _Mapping]] = ..., completion_token: _Optional[str] = ...) -> None: ...

class CompleteTaskResponse(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class CreateInstanceRequest(_message.Message):
    __slots__ = ("instance_id", "name", "version", "input", "scheduled_start_timestamp", "execution_id", "tags", "parent_trace_context")
    class TagsEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: str
        def __init__(self, key: _Optional[str] = ..., value: _Optional[str] = ...) -> None: ...
    INSTANCE_ID_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    VERSION_FIELD_NUMBER: _ClassVar[int]
    INPUT_FIELD_NUMBER: _ClassVar[int]
    SCHEDULED_START_TIMESTAMP_FIELD_NUMBER: _ClassVar[int]
    EXECUTION_ID_FIELD_NUMBER: _ClassVar[int]
    TAGS_FIELD_NUMBER: _ClassVar[int]
    PARENT_TRACE_CONTEXT_FIELD_NUMBER: _ClassVar[int]
    instance_id: str
    name: str
    version: _wrappers_pb2.StringValue
    input: _wrappers_pb2.StringValue
    scheduled_start_timestamp: _timestamp_pb2.Timestamp
    execution_id: _wrappers_pb2.StringValue
    tags: _containers.ScalarMap[str, str]
    parent_trace_context: TraceContext
    def __init__(self, instance_id: _Optional[str] = ..., name: _Optional[str] = ..., version: _Optional[_Union[_wrappers_pb2.StringValue, _Mapping]] = ..., input: _Optional[_Union[_wrappers_pb2.StringValue, _Mapping]] = ..., scheduled_start_timestamp: _Optional[_Union[_timestamp_pb2.Timestamp, _Mapping]] = ..., execution_id: _Optional[_Union[_wrappers_pb2.StringValue, _Mapping]] = ..., tags: _Optional[_Mapping[str, str]] = ..., parent_trace_context: _Optional[_Union[TraceContext, _Mapping]] = ...) -> None: ...

class CreateInstanceResponse(_message.Message):
    __slots__ = ("instance_id",)
    INSTANCE_ID_FIELD_NUMBER: _ClassVar[int]
    instance_id: str
    def __init__(self, instance_id: _Optional[str] = ...) -> None: ...

class GetInstanceRequest(_message.Message):
    __slots__ = ("instance_id", "get_inputs_and_outputs")
    INSTANCE_ID_FIELD_NUMBER: _ClassVar[int]
    GET_INPUTS_AND_OUTPUTS_FIELD_NUMBER: _ClassVar[int]
    instance_id: str
    get_inputs_and_outputs: bool
    def __init__(self, instance_id: _Optional[str] = ..., get_inputs_and_outputs: bool = ...) -> None: ...

class GetInstanceResponse(_message.Message):
    __slots__ = ("exists", "orchestration_state")
    EXISTS_FIELD_NUMBER: _ClassVar[int]
    ORCHESTRATION_STATE_FIELD_NUMBER: _ClassVar[int]
    exists: bool
    orchestration_state: OrchestrationState
    def __init__(self, exists: bool = ..., orchestration_state: _Optional[_Union[OrchestrationState, _Mapping]] = ...) -> None: ...

class RaiseEventRequest(_message.Message):
    __slots__ = ("instance_id", "name", "input")
    INSTANCE_ID_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    INPUT_FIELD_NUMBER: _ClassVar[int]
    instance_id: str
    name: str
    input: _wrappers_pb2.StringValue
    def __init__(self, instance_id: _Optional[str] = ..., name: _Optional[str] = ..., input: _Optional[_Union[_wrappers_pb2.StringValue, _Mapping]] = ...) -> None: ...

class RaiseEventResponse(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class TerminateRequest(_message.Message):
    __slots__ = ("instance_id", "output", "recursive")
    INSTANCE_ID_FIELD_NUMBER: _ClassVar[int]
    OUTPUT_FIELD_NUMBER: _ClassVar[int]
    RECURSIVE_FIELD_NUMBER: _ClassVar[int]
    instance_id: str
    output: _wrappers_pb2.StringValue
    recursive: bool
    def __init__(self, instance_id: _Optional[str] = ..., output: _Optional[_Union[_wrappers_pb2.StringValue, _Mapping]] = ..., recursive: bool = ...) -> None: ...

class TerminateResponse(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class SuspendRequest(_message.Message):
    __slots__ = ("instance_id", "reason")
    INSTANCE_ID_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    instance_id: str
    reason: _wrappers_pb2.StringValue
    def __init__(self, instance_id: _Optional[str] = ..., reason: _Optional[_Union[_wrappers_pb2.StringValue, _Mapping]] = ...) -> None: ...

class SuspendResponse(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class ResumeRequest(_message.Message):
    __slots__ = ("instance_id", "reason")
    INSTANCE_ID_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    instance_id: str
    reason: _wrappers_pb2.StringValue
    def __init__(self, instance_id: _Optional[str] = ..., reason: _Optional[_Union[_wrappers_pb2.StringValue, _Mapping]] = ...) -> None: ...

class ResumeResponse(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class PurgeInstanceFilter(_message.Message):
    __slots__ = ("created_time_from", "created_time_to", "runtime_status")
    CREATED_TIME_FROM_FIELD_NUMBER: _ClassVar[int]
    CREATED_TIME_TO_FIELD_NUMBER: _ClassVar[int]
    RUNTIME_STATUS_FIELD_NUMBER: _ClassVar[int]
    created_time_from: _timestamp_pb2.Timestamp
    created_time_to: _timestamp_pb2.Timestamp
    runtime_status: _containers.RepeatedScalarFieldContainer[OrchestrationStatus]
    def __init__(self, created_time_from: _Optional[_Union[_timestamp_pb2.Timestamp, _Mapping]] = ..., created_time_to: _Optional[_Union[_timestamp_pb2.Timestamp, _Mapping]] = ..., runtime_status: _Optional[_Iterable[_Union[OrchestrationStatus, str]]] = ...) -> None: ...

class PurgeInstancesRequest(_message.Message):
    __slots__ = ("instance_id", "purge_instance_filter", "recursive")
    INSTANCE_ID_FIELD_NUMBER: _ClassVar[int]
    PURGE_INSTANCE_FILTER_FIELD_NUMBER: _ClassVar[int]
    RECURSIVE_FIELD_NUMBER: _ClassVar[int]
    instance_id: str
    purge_instance_filter: PurgeInstanceFilter
    recursive: bool
    def __init__(self, instance_id: _Optional[str] = ..., purge_instance_filter: _Optional[_Union[PurgeInstanceFilter, _Mapping]] = ..., recursive: bool = ...) -> None: ...

class PurgeInstancesResponse(_message.Message):
    __slots__ = ("deleted_instance_count", "is_complete")
    DELETED_INSTANCE_COUNT_FIELD_NUMBER: _ClassVar[int]
    IS_COMPLETE_FIELD_NUMBER: _ClassVar[int]
    deleted_instance_count: int
    is_complete: _wrappers_pb2.BoolValue
    def __init__(self, deleted_instance_count: _Optional[int] = ..., is_complete: _Optional[_Union[_wrappers_pb2.BoolValue, _Mapping]] = ...) -> None: ...

class ListInstanceIDsRequest(_message.Message):
    __slots__ = ("continuation_token", "page_size")
    CONTINUATION_TOKEN_FIELD_NUMBER: _ClassVar[int]
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    continuation_token: str
    page_size: int
    def __init__(self, continuation_token: _Optional[str] = ..., page_size: _Optional[int] = ...) -> None: ...

class ListInstanceIDsResponse(_message.Message):
    __slots__ = ("instance_ids", "continuation_token")
    INSTANCE_IDS_FIELD_NUMBER: _ClassVar[int]
    CONTINUATION_TOKEN_FIELD_NUMBER: _ClassVar[int]
    instance_ids: _containers.RepeatedScalarFieldContainer[str]
    continuation_token: str
    def __init__(self, instance_ids: _Optional[_Iterable[str]] = ..., continuation_token: _Optional[str] = ...) -> None: ...

class GetInstanceHistoryRequest(_message.Message):
    __slots__ = ("instance_id",)
    INSTANCE_ID_FIELD_NUMBER: _ClassVar[int]
    instance_id: str
    def __init__(self, instance_id: _Optional[str] = ...) -> None: ...

class GetInstanceHistoryResponse(_message.Message):
    __slots__ = ("events",)
    EVENTS_FIELD_NUMBER: _ClassVar[int]
    events: _containers.RepeatedCompositeFieldContainer[HistoryEvent]
    def __init__(self, events: _Optional[_Iterable[_Union[HistoryEvent, _Mapping]]] = ...) -> None: ...
