"""Errors the gRPC client raises, and how a sidecar's gRPC errors become them.

Sidecars are not precise about status codes: Microsoft's answers most failures with ``UNKNOWN``
and a sentence ("orchestration instance already exists", "no such instance exists"), Dapr's uses
``ALREADY_EXISTS`` and friends. :func:`translate_rpc_error` reads both and raises core's errors
(``durabletask.client.OrchestrationAlreadyExistsError`` and friends), the ones every backend raises;
only :class:`SidecarUnavailableError` is particular to this transport.
"""

from __future__ import annotations

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


_ALREADY_EXISTS_TEXT = "already exists"
_NOT_FOUND_TEXTS = ("no such instance", "not found")


def translate_rpc_error(error: grpc.RpcError, address: str, instance_id: str | None = None) -> Exception:
    """The error a caller should see for a failed call, or ``error`` itself when nothing fits.

    ``DEADLINE_EXCEEDED`` becomes ``TimeoutError``; an unreachable sidecar a
    :class:`SidecarUnavailableError` naming ``address``; duplicate and missing instances (when
    the call named one) core's errors for them.
    """
    unchanged: Exception = error  # typed here, whether or not grpc's type stubs are installed
    code = error.code() if callable(getattr(error, "code", None)) else None
    details = (error.details() if callable(getattr(error, "details", None)) else None) or str(error)
    text = details.lower()
    if code == grpc.StatusCode.DEADLINE_EXCEEDED:
        return TimeoutError(f"The Durable Task sidecar at '{address}' did not answer in time: {details}")
    if code == grpc.StatusCode.UNAVAILABLE:
        return SidecarUnavailableError(address, details)
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
    code = error.code() if callable(getattr(error, "code", None)) else None
    details = error.details() if callable(getattr(error, "details", None)) else str(error)
    return f"{code.name if code is not None else 'error'}: {details}"
