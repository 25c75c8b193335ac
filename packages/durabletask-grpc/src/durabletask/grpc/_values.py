"""The small value types every message shares: payloads, timestamps, failures and statuses.

Converting them in one place keeps the wire's quirks in one place too:

* payloads travel as optional ``StringValue`` wrappers; sidecars sometimes send an empty string
  where there is no payload, and since an empty string is never valid JSON it reads as ``None``;
* timestamps are seconds and nanoseconds since the Unix epoch; core wants timezone-aware UTC
  ``datetime`` values (naive ones we are given are taken to be UTC already);
* statuses share their numbers with core's :class:`OrchestrationStatus`, but a newer sidecar may
  report one this SDK does not know.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import cast

from google.protobuf import timestamp_pb2, wrappers_pb2

from durabletask._internal.failures import FailureDetails
from durabletask._internal.status import OrchestrationStatus
from durabletask.grpc._proto import orchestrator_service_pb2 as pb

EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)


def read_payload(wrapper: wrappers_pb2.StringValue, present: bool) -> str | None:
    """The payload in ``wrapper`` (``present`` tells whether the field was set), or ``None``."""
    if not present or wrapper.value == "":
        return None
    return wrapper.value


def write_payload(value: str | None) -> wrappers_pb2.StringValue | None:
    """A wrapper for ``value``; ``None`` stays unset on the wire."""
    return None if value is None else wrappers_pb2.StringValue(value=value)


def read_timestamp(stamp: timestamp_pb2.Timestamp) -> datetime:
    """A timezone-aware UTC datetime (microsecond precision, as Python keeps)."""
    # Positional (days, seconds, microseconds): every event has a timestamp, and keywords make
    # this a third slower. Flooring the nanoseconds keeps the exact microseconds the wire says.
    return EPOCH + timedelta(0, stamp.seconds, stamp.nanos // 1000)


def read_optional_timestamp(stamp: timestamp_pb2.Timestamp, present: bool) -> datetime | None:
    """Like :func:`read_timestamp`, but ``None`` when the field was not set."""
    return read_timestamp(stamp) if present else None


def write_timestamp(moment: datetime) -> timestamp_pb2.Timestamp:
    """The wire form of ``moment``; a naive datetime is taken to be UTC."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    elapsed = moment - EPOCH
    # timedelta normalises to days + seconds + microseconds, all but days non-negative, so this
    # floors correctly for moments before the epoch too.
    seconds = elapsed.days * 86_400 + elapsed.seconds
    return timestamp_pb2.Timestamp(seconds=seconds, nanos=elapsed.microseconds * 1000)


def read_failure(details: pb.TaskFailureDetails) -> FailureDetails:
    """Core's description of a failure (and of its inner failures)."""
    return FailureDetails(
        message=details.error_message,
        error_type=details.error_type,
        stack_trace=read_payload(details.stack_trace, details.HasField("stack_trace")),
        inner_failure=read_optional_failure(details.inner_failure, details.HasField("inner_failure")),
        is_non_retriable=details.is_non_retriable,
    )


def read_optional_failure(details: pb.TaskFailureDetails, present: bool) -> FailureDetails | None:
    """Like :func:`read_failure`, but ``None`` when the field was not set."""
    return read_failure(details) if present else None


def write_failure(failure: FailureDetails) -> pb.TaskFailureDetails:
    """The wire form of ``failure``: type, message, stack trace and inner failures."""
    return pb.TaskFailureDetails(
        error_type=failure.error_type,
        error_message=failure.message,
        stack_trace=write_payload(failure.stack_trace),
        inner_failure=write_failure(failure.inner_failure) if failure.inner_failure is not None else None,
        is_non_retriable=failure.is_non_retriable,
    )


def read_status(value: int) -> OrchestrationStatus:
    """Core's status for a wire value.

    A value this SDK does not know (a newer sidecar's state) describes an instance that exists
    and has not finished, which is what RUNNING tells a caller.
    """
    try:
        return OrchestrationStatus(value)
    except ValueError:
        return OrchestrationStatus.RUNNING


def write_status(status: OrchestrationStatus) -> pb.OrchestrationStatus:
    """The wire value of ``status`` (the numbers are the same)."""
    return cast(pb.OrchestrationStatus, status.value)
