"""Errors the gRPC client raises, and how a sidecar's gRPC errors become them.

Sidecars are not precise about status codes: Microsoft's answers most failures with ``UNKNOWN``
and a sentence ("orchestration instance already exists", "no such instance exists"), Dapr's uses
``ALREADY_EXISTS`` and friends. :func:`translate_rpc_error` reads both and raises core's errors
(``durabletask.client.OrchestrationAlreadyExistsError`` and friends), the ones every backend raises;
only :class:`SidecarUnavailableError` is particular to this transport.
"""

from __future__ import annotations

import re
import time

import grpc

from durabletask._internal.client_base import OrchestrationAlreadyExistsError, OrchestrationNotFoundError


class SidecarUnavailableError(ConnectionError):
    """The Durable Task sidecar could not be reached at ``address``.

    Raised by client calls when the sidecar is not running, not listening on that address, or
    went away during the call. Workers do not raise it: they keep reconnecting.
    """

    def __init__(self, address: str, details: str) -> None:
        super().__init__(f"Could not reach the Durable Task sidecar at '{address}': {details}")
        self.address = address


class NotSupportedBySidecarError(NotImplementedError):
    """The connected sidecar does not serve ``operation``.

    Sidecars differ in what they serve: listing instance ids and reading an instance's history
    work on Dapr's sidecar, while microsoft/durabletask-go v0.6.0 answers ``UNIMPLEMENTED``. The
    call reached the sidecar and changed nothing; another sidecar may serve it.
    """

    def __init__(self, address: str, operation: str, details: str) -> None:
        super().__init__(
            f"The Durable Task sidecar at '{address}' does not support {operation}: {details}. "
            "It is served by some sidecars only (for example Dapr's)."
        )
        self.address = address
        self.operation = operation


class MessageTooLargeError(ValueError):
    """A request was larger than the sidecar accepts (4 MB unless the sidecar was told otherwise).

    ``size`` and ``limit`` are in bytes (``None`` when the sidecar did not say). Nothing was
    stored. Large data belongs elsewhere (a blob store, a database); pass a reference to it.
    """

    def __init__(self, address: str, details: str, size: int | None, limit: int | None) -> None:
        measured = (
            f"is {size:,} bytes, over its limit of {limit:,} bytes"
            if size is not None and limit is not None
            else f"is over its size limit ({details})"
        )
        super().__init__(
            f"The request to the Durable Task sidecar at '{address}' {measured}. Keep payloads "
            "smaller: store large data elsewhere and pass a reference to it."
        )
        self.address = address
        self.size = size
        self.limit = limit


# grpc-go's wording, which both sidecars use: "received message larger than max (5242929 vs. 4194304)".
_SIZES = re.compile(r"\((\d+) vs\. (\d+)\)")


def _too_large(address: str, details: str) -> MessageTooLargeError:
    sizes = _SIZES.search(details)
    if sizes is None:
        return MessageTooLargeError(address, details, None, None)
    return MessageTooLargeError(address, details, int(sizes.group(1)), int(sizes.group(2)))


_ALREADY_EXISTS_TEXT = "already exists"
_NOT_FOUND_TEXTS = ("no such instance", "not found")


def translate_rpc_error(
    error: grpc.RpcError, address: str, instance_id: str | None = None, operation: str | None = None
) -> Exception:
    """The error a caller should see for a failed call, or ``error`` itself when nothing fits.

    ``DEADLINE_EXCEEDED`` becomes ``TimeoutError``; an unreachable sidecar a
    :class:`SidecarUnavailableError` naming ``address``; ``UNIMPLEMENTED`` a
    :class:`NotSupportedBySidecarError` naming ``operation`` (the RPC's name when given); a
    request over the sidecar's size limit a :class:`MessageTooLargeError` naming both sizes;
    duplicate and missing instances (when the call named one) core's errors for them.
    """
    unchanged: Exception = error  # typed here, whether or not grpc's type stubs are installed
    code = rpc_code(error)
    details = rpc_details(error) or str(error)
    text = details.lower()
    if code == grpc.StatusCode.DEADLINE_EXCEEDED:
        return TimeoutError(f"The Durable Task sidecar at '{address}' did not answer in time: {details}")
    if code == grpc.StatusCode.UNAVAILABLE:
        return SidecarUnavailableError(address, details)
    if code == grpc.StatusCode.UNIMPLEMENTED:
        return NotSupportedBySidecarError(address, operation or "this operation", details)
    if code == grpc.StatusCode.RESOURCE_EXHAUSTED and "larger than max" in text:
        return _too_large(address, details)
    if instance_id is None:
        return unchanged
    # Text is only trusted when the code says nothing more precise.
    vague = code in (grpc.StatusCode.UNKNOWN, grpc.StatusCode.FAILED_PRECONDITION, grpc.StatusCode.INTERNAL)
    if code == grpc.StatusCode.ALREADY_EXISTS or (vague and _ALREADY_EXISTS_TEXT in text):
        return OrchestrationAlreadyExistsError(instance_id, details)
    if code == grpc.StatusCode.NOT_FOUND or (vague and any(fragment in text for fragment in _NOT_FOUND_TEXTS)):
        return OrchestrationNotFoundError(instance_id, details)
    return unchanged


def describe_rpc_error(error: grpc.RpcError) -> str:
    """``CODE: details`` for logs."""
    code = rpc_code(error)
    return f"{code.name if code is not None else 'error'}: {rpc_details(error)}"


def rpc_code(error: grpc.RpcError) -> grpc.StatusCode | None:
    """The call's status code; ``None`` for an ``RpcError`` that is not a call (grpcio raises some)."""
    return error.code() if callable(getattr(error, "code", None)) else None


def rpc_details(error: grpc.RpcError) -> str:
    """The call's status message, or the error's text for an ``RpcError`` that is not a call."""
    return error.details() if callable(getattr(error, "details", None)) else str(error)


# A wait that ends this close to its deadline ended because of it.
_DEADLINE_SLACK_SECONDS = 0.05


def wait_timeout_error(
    error: BaseException, deadline: float, instance_id: str, goal: str, timeout: float
) -> TimeoutError | None:
    """The ``TimeoutError`` a failed Wait* call raises, or ``None`` if ``error`` stands as it is.

    Sidecars notice the deadline first and answer CANCELLED rather than DEADLINE_EXCEEDED, so any
    error that arrives at the deadline (``deadline`` is a ``time.monotonic()`` value) is a timeout.
    """
    if isinstance(error, grpc.RpcError) and time.monotonic() < deadline - _DEADLINE_SLACK_SECONDS:
        return None
    return TimeoutError(f"Orchestration '{instance_id}' did not {goal} within {timeout} seconds.")
