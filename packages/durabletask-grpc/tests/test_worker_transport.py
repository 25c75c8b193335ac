"""Which gRPC client a worker uses: the built-in HTTP/2 channel whenever it can serve the settings.

The built-in channel serves plain-text ``host:port`` addresses without interceptors or channel
options; grpcio serves everything else. Asking for the built-in channel where it cannot serve is
an error at construction, naming what it cannot serve, not a surprise at the first call.
"""

from __future__ import annotations

from typing import Any

import grpc
import pytest

from durabletask.grpc import TaskHubGrpcWorker
from durabletask.grpc._channel import TRANSPORT_VARIABLE


class _PassThrough(grpc.UnaryUnaryClientInterceptor):  # type: ignore[misc]
    def intercept_unary_unary(self, continuation: Any, details: Any, request: Any) -> Any:
        return continuation(details, request)


@pytest.fixture(autouse=True)
def _no_transport_override(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(TRANSPORT_VARIABLE, raising=False)


@pytest.mark.parametrize(
    "address", ["localhost:4001", "127.0.0.1:50001", "http://sidecar.internal:4001", "[::1]:4001", None]
)
def test_plain_text_host_and_port_use_the_built_in_channel(address: str | None) -> None:
    assert TaskHubGrpcWorker(host_address=address).transport == "builtin"


@pytest.mark.parametrize(
    "options",
    [
        {"secure_channel": True},
        {"host_address": "https://sidecar.example"},
        {"root_certificates": b"-----BEGIN CERTIFICATE-----"},
        {"interceptors": [_PassThrough()]},
        {"channel_options": [("grpc.max_send_message_length", 1 << 20)]},
        {"host_address": "unix:/run/sidecar.sock"},
        {"host_address": "dns:///sidecar:4001"},
        {"transport": "grpcio"},
    ],
)
def test_everything_else_uses_grpcio(options: dict[str, Any]) -> None:
    assert TaskHubGrpcWorker(**options).transport == "grpcio"


@pytest.mark.parametrize(
    ("options", "named"),
    [
        ({"secure_channel": True}, "TLS"),
        ({"interceptors": [_PassThrough()]}, "interceptors"),
        ({"channel_options": [("grpc.enable_retries", 0)]}, "channel options"),
        ({"host_address": "unix:/run/sidecar.sock"}, "unix:/run/sidecar.sock"),
    ],
)
def test_insisting_on_the_built_in_channel_where_it_cannot_serve_is_an_error(
    options: dict[str, Any], named: str
) -> None:
    with pytest.raises(ValueError, match=named):
        TaskHubGrpcWorker(transport="builtin", **options)


def test_the_environment_variable_overrides_auto(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(TRANSPORT_VARIABLE, "grpcio")
    assert TaskHubGrpcWorker().transport == "grpcio"
    assert TaskHubGrpcWorker(transport="builtin").transport == "builtin", "an explicit choice wins"


def test_unknown_transports_are_rejected_by_name(monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(ValueError, match="'h3'"):
        TaskHubGrpcWorker(transport="h3")  # type: ignore[arg-type]
    monkeypatch.setenv(TRANSPORT_VARIABLE, "quic")
    with pytest.raises(ValueError, match=f"{TRANSPORT_VARIABLE}.*'quic'"):
        TaskHubGrpcWorker()
