"""How addresses are read and how a sidecar's gRPC errors reach the caller."""

from __future__ import annotations

import grpc
import pytest

from durabletask.grpc import OrchestrationAlreadyExistsError, OrchestrationNotFoundError, SidecarUnavailableError
from durabletask.grpc._channel import SidecarAddress, merged_options
from durabletask.grpc._errors import NotSupportedBySidecarError, translate_rpc_error


@pytest.mark.parametrize(
    ("given", "secure_channel", "target", "secure"),
    [
        (None, False, "localhost:4001", False),
        ("", False, "localhost:4001", False),
        ("sidecar:5000", False, "sidecar:5000", False),
        ("sidecar:5000", True, "sidecar:5000", True),
        ("http://sidecar:5000", True, "sidecar:5000", False),
        ("HTTP://sidecar:5000/", False, "sidecar:5000", False),
        ("https://sidecar.example.com", False, "sidecar.example.com:443", True),
        ("grpcs://sidecar:8443", False, "sidecar:8443", True),
        ("grpc://sidecar", False, "sidecar:80", False),
        ("http://[::1]:4001", False, "[::1]:4001", False),
        ("unix:/run/sidecar.sock", False, "unix:/run/sidecar.sock", False),
    ],
)
def test_addresses_are_read_like_the_other_sdks_read_them(
    given: str | None, secure_channel: bool, target: str, secure: bool
) -> None:
    assert SidecarAddress.parse(given, secure_channel) == SidecarAddress(target, secure)


def test_callers_channel_options_win_over_our_defaults() -> None:
    assert ("grpc.max_receive_message_length", -1) in merged_options(None)
    chosen = merged_options([("grpc.max_receive_message_length", 1024), ("grpc.enable_retries", 0)])
    assert chosen[-2:] == [("grpc.max_receive_message_length", 1024), ("grpc.enable_retries", 0)]
    assert [value for name, value in chosen if name == "grpc.max_receive_message_length"] == [1024]


def test_a_lost_sidecar_is_retried_at_least_every_five_seconds() -> None:
    assert ("grpc.max_reconnect_backoff_ms", 5000) in merged_options(None)


class FakeRpcError(grpc.RpcError):
    def __init__(self, code: grpc.StatusCode, details: str) -> None:
        super().__init__(details)
        self._code, self._details = code, details

    def code(self) -> grpc.StatusCode:
        return self._code

    def details(self) -> str:
        return self._details


def test_an_unreachable_sidecar_is_named_in_the_error() -> None:
    error = translate_rpc_error(FakeRpcError(grpc.StatusCode.UNAVAILABLE, "connection refused"), "host:1")
    assert isinstance(error, SidecarUnavailableError) and isinstance(error, ConnectionError)
    assert "host:1" in str(error) and "connection refused" in str(error)


@pytest.mark.parametrize(
    "raised",
    [
        FakeRpcError(grpc.StatusCode.UNKNOWN, "orchestration instance already exists"),  # Microsoft's sidecar
        FakeRpcError(grpc.StatusCode.ALREADY_EXISTS, "an instance with ID 'x' already exists"),  # Dapr's
    ],
)
def test_duplicate_instances_read_the_same_from_every_sidecar(raised: FakeRpcError) -> None:
    error = translate_rpc_error(raised, "host:1", "order-7")
    assert isinstance(error, OrchestrationAlreadyExistsError)
    assert error.instance_id == "order-7"


def test_missing_instances_are_recognised_by_code_or_by_text() -> None:
    for raised in (
        FakeRpcError(grpc.StatusCode.UNKNOWN, "failed to purge orchestration state: no such instance exists"),
        FakeRpcError(grpc.StatusCode.NOT_FOUND, "gone"),
    ):
        assert isinstance(translate_rpc_error(raised, "host:1", "x"), OrchestrationNotFoundError)


def test_text_is_not_trusted_when_the_code_is_precise() -> None:
    unimplemented = FakeRpcError(grpc.StatusCode.UNIMPLEMENTED, "method not found")
    translated = translate_rpc_error(unimplemented, "host:1", "x", "GetInstanceHistory")
    assert not isinstance(translated, OrchestrationNotFoundError)
    assert isinstance(translated, NotSupportedBySidecarError)


def test_an_unimplemented_method_is_named_as_not_supported_by_that_sidecar() -> None:
    error = translate_rpc_error(FakeRpcError(grpc.StatusCode.UNIMPLEMENTED, "unknown method"), "host:1", None, "Rewind")
    assert isinstance(error, NotSupportedBySidecarError) and isinstance(error, NotImplementedError)
    assert str(error).startswith("The Durable Task sidecar at 'host:1' does not support Rewind: unknown method")
    assert (error.address, error.operation) == ("host:1", "Rewind")


def test_deadlines_become_timeout_errors_and_the_rest_passes_through() -> None:
    assert isinstance(translate_rpc_error(FakeRpcError(grpc.StatusCode.DEADLINE_EXCEEDED, "late"), "h"), TimeoutError)
    other = FakeRpcError(grpc.StatusCode.INTERNAL, "already exists")
    assert translate_rpc_error(other, "host:1") is other


def test_instance_errors_are_cores_so_every_backend_raises_the_same_ones() -> None:
    import durabletask.grpc
    from durabletask import client

    assert durabletask.grpc.OrchestrationAlreadyExistsError is client.OrchestrationAlreadyExistsError
    assert durabletask.grpc.OrchestrationNotFoundError is client.OrchestrationNotFoundError
