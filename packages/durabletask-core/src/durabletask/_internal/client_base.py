"""What every client offers, whichever backend it talks to, and the state it reports."""

from __future__ import annotations

import uuid
from abc import ABC, abstractmethod
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, TypeVar, overload

from durabletask._internal.failures import FailureDetails
from durabletask._internal.naming import resolve_name
from durabletask._internal.outcome_payloads import OutcomePayloads
from durabletask._internal.status import OrchestrationStatus
from durabletask.serialization import DataConverter, JsonDataConverter

T = TypeVar("T")

_DEFAULT_CONVERTER = JsonDataConverter()


class OrchestrationFailedError(Exception):
    """Raised by :meth:`OrchestrationState.raise_if_failed` for a failed orchestration."""

    def __init__(self, message: str, failure_details: FailureDetails) -> None:
        super().__init__(message)
        self._failure_details = failure_details

    @property
    def failure_details(self) -> FailureDetails:
        """How the orchestration failed."""
        return self._failure_details


class OrchestrationAlreadyExistsError(Exception):
    """An orchestration with this instance id already exists.

    Backends refuse to reuse an instance id, finished or not; purge the old instance first::

        try:
            c.schedule_new_orchestration(sequence, instance_id="order-42")
        except client.OrchestrationAlreadyExistsError:
            ...
    """

    def __init__(self, instance_id: str, details: str = "") -> None:
        suffix = f" ({details})" if details else ""
        super().__init__(f"Orchestration instance '{instance_id}' already exists{suffix}.")
        self.instance_id = instance_id


class OrchestrationNotFoundError(Exception):
    """There is no orchestration with this instance id (it never existed, or was purged)."""

    def __init__(self, instance_id: str, details: str = "") -> None:
        suffix = f" ({details})" if details else ""
        super().__init__(f"No orchestration instance '{instance_id}' exists{suffix}.")
        self.instance_id = instance_id


@dataclass
class OrchestrationState(OutcomePayloads):
    """A snapshot of one orchestration instance, as a client reads it.

    Payloads are kept as the JSON text the backend stored; ``get_input``, ``get_output`` and
    ``get_custom_status`` decode them (into ``expected_type`` when given).
    """

    instance_id: str
    name: str
    runtime_status: OrchestrationStatus
    created_at: datetime
    last_updated_at: datetime
    serialized_input: str | None
    serialized_output: str | None
    serialized_custom_status: str | None
    failure_details: FailureDetails | None
    data_converter: DataConverter = field(default=_DEFAULT_CONVERTER, compare=False, repr=False)

    @overload
    def get_input(self, expected_type: type[T]) -> T | None: ...
    @overload
    def get_input(self, expected_type: None = ...) -> Any: ...
    def get_input(self, expected_type: type | None = None) -> Any:
        """The orchestration's input, decoded (``None`` when it had none)."""
        return self.data_converter.deserialize(self.serialized_input, expected_type)

    def raise_if_failed(self) -> None:
        """Raise :class:`OrchestrationFailedError` if the orchestration failed."""
        if self.failure_details is not None:
            raise OrchestrationFailedError(
                f"Orchestration '{self.instance_id}' failed: {self.failure_details.message}",
                self.failure_details,
            )


@dataclass(frozen=True)
class PurgeInstancesResult:
    """How many instances a purge removed."""

    deleted_instance_count: int
    is_complete: bool = True


class OrchestrationClient(ABC):
    """Starts, inspects and controls orchestrations; every backend's client implements it.

    The method names, parameters and defaults are those of the original SDK's
    ``TaskHubGrpcClient``, so a test body written against one client runs against any other.
    """

    data_converter: DataConverter = _DEFAULT_CONVERTER

    @abstractmethod
    def schedule_new_orchestration(
        self,
        orchestrator: Callable[..., Any] | str,
        *,
        input: Any = None,
        instance_id: str | None = None,
        start_at: datetime | None = None,
        tags: dict[str, str] | None = None,
        version: str | None = None,
    ) -> str:
        """Start an orchestration and return its instance id (a new random one if not given).

        The input is encoded before anything is sent: a value that cannot be serialized raises
        ``TypeError`` and nothing is stored.
        """

    @abstractmethod
    def get_orchestration_state(self, instance_id: str, *, fetch_payloads: bool = True) -> OrchestrationState | None:
        """The instance's current state, or ``None`` if there is no such instance."""

    @abstractmethod
    def wait_for_orchestration_start(
        self, instance_id: str, *, fetch_payloads: bool = False, timeout: float = 60
    ) -> OrchestrationState | None:
        """Wait until the instance has started running; raises ``TimeoutError`` after ``timeout`` s."""

    @abstractmethod
    def wait_for_orchestration_completion(
        self, instance_id: str, *, fetch_payloads: bool = True, timeout: float = 60
    ) -> OrchestrationState | None:
        """Wait until the instance completes, fails or is terminated (``TimeoutError`` after ``timeout`` s)."""

    @abstractmethod
    def raise_orchestration_event(self, instance_id: str, event_name: str, *, data: Any = None) -> None:
        """Send the external event ``event_name`` (case-insensitive) with ``data`` to the instance."""

    @abstractmethod
    def terminate_orchestration(self, instance_id: str, *, output: Any = None, recursive: bool = True) -> None:
        """Stop the instance (and, with ``recursive``, its sub-orchestrations); ``output`` becomes its output."""

    @abstractmethod
    def suspend_orchestration(self, instance_id: str, *, reason: str | None = None) -> None:
        """Pause the instance; events that arrive meanwhile are kept until it is resumed."""

    @abstractmethod
    def resume_orchestration(self, instance_id: str, *, reason: str | None = None) -> None:
        """Resume a suspended instance."""

    @abstractmethod
    def purge_orchestration(self, instance_id: str, recursive: bool = True) -> PurgeInstancesResult:
        """Delete a finished instance's state and history."""


def encode_start(
    data_converter: DataConverter, orchestrator: Callable[..., Any] | str, input: Any, instance_id: str | None
) -> tuple[str, str, str | None]:
    """Name, instance id and encoded input for a new orchestration (raises before any I/O)."""
    name = resolve_name(orchestrator)
    encoded = data_converter.serialize(input)
    resolved_id = instance_id if instance_id else uuid.uuid4().hex
    return name, resolved_id, encoded
