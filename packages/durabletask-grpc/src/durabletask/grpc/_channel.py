"""Where the sidecar is and how to open a channel to it.

Addresses are accepted the way the other Durable Task SDKs accept them::

    "localhost:4001"            plain text (the default)
    "http://sidecar:4001"       plain text; the scheme is dropped
    "https://sidecar.example"   TLS (port 443 unless given)
    "grpc://..." / "grpcs://..." the same as http / https
    "unix:/run/sidecar.sock"    any other gRPC target is passed through unchanged
"""

from __future__ import annotations

import os
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal, get_args

import grpc
import grpc.aio

DEFAULT_HOST_ADDRESS = "localhost:4001"
"""Where a sidecar listens unless told otherwise (the port microsoft/durabletask-go uses)."""

ChannelOptions = Sequence[tuple[str, Any]]
"""gRPC channel arguments, e.g. ``[("grpc.max_send_message_length", 16 * 1024 * 1024)]``."""

Metadata = Sequence[tuple[str, str]]
"""Headers sent with every call, e.g. ``[("dapr-app-id", "orders")]``."""

Transport = Literal["auto", "builtin", "grpcio"]
"""Which gRPC client a worker calls its sidecar with.

``"builtin"`` is this package's own HTTP/2 channel (``durabletask.grpc._h2``), which costs a
fraction of grpcio's CPU per call but serves plain-text ``host:port`` addresses only; ``"grpcio"``
is grpcio, which serves everything (TLS, interceptors, channel options, ``unix:`` targets).
``"auto"`` (the default) picks the built-in channel whenever it can serve the worker's settings.
"""

TRANSPORT_VARIABLE = "DURABLETASK_GRPC_TRANSPORT"
"""Environment variable that chooses the transport of workers created with ``transport="auto"``."""

_SECURE_SCHEMES = ("https://", "grpcs://")
_PLAIN_SCHEMES = ("http://", "grpc://")
_HAS_PORT = re.compile(r"(:\d+|\]:\d+)$")
_HOST_AND_PORT = re.compile(r"^(?:\[(?P<ipv6>[0-9A-Fa-f:.]+)\]|(?P<host>[A-Za-z0-9._-]+)):(?P<port>\d{1,5})$")

# Histories grow with every event; gRPC's 4 MB default would make a long orchestration
# undeliverable to its own worker. Callers can still set their own limit.
# A channel whose sidecar went away fails every call at once until its next reconnect attempt,
# and gRPC spaces those attempts up to two minutes apart by default: a client would keep failing
# long after its sidecar is back. Capping the spacing at 5 s (the worker's own backoff) makes a
# client usable again within seconds of a sidecar restart.
_DEFAULT_OPTIONS: tuple[tuple[str, Any], ...] = (
    ("grpc.max_receive_message_length", -1),
    ("grpc.initial_reconnect_backoff_ms", 100),
    ("grpc.min_reconnect_backoff_ms", 100),
    ("grpc.max_reconnect_backoff_ms", 5000),
)


@dataclass(frozen=True)
class SidecarAddress:
    """A parsed address: the gRPC target and whether to use TLS."""

    target: str
    secure: bool

    @classmethod
    def parse(
        cls, host_address: str | None, secure_channel: bool = False, root_certificates: bytes | None = None
    ) -> SidecarAddress:
        """Read ``host_address`` (default ``localhost:4001``); a scheme overrides ``secure_channel``.

        Certificates to trust only make sense with TLS, so giving ``root_certificates`` asks for it.
        """
        address = (host_address or DEFAULT_HOST_ADDRESS).strip()
        lowered = address.lower()
        for schemes, secure, default_port in ((_SECURE_SCHEMES, True, 443), (_PLAIN_SCHEMES, False, 80)):
            for scheme in schemes:
                if lowered.startswith(scheme):
                    host = address[len(scheme) :].rstrip("/")
                    if not _HAS_PORT.search(host):
                        host = f"{host}:{default_port}"
                    return cls(target=host, secure=secure)
        return cls(target=address, secure=secure_channel or root_certificates is not None)


def merged_options(channel_options: ChannelOptions | None) -> list[tuple[str, Any]]:
    """Our defaults overlaid with the caller's options (the caller wins)."""
    given = list(channel_options or ())
    names = {name for name, _ in given}
    return [option for option in _DEFAULT_OPTIONS if option[0] not in names] + given


def open_channel(
    address: SidecarAddress,
    channel_options: ChannelOptions | None = None,
    interceptors: Sequence[Any] | None = None,
    root_certificates: bytes | None = None,
) -> grpc.Channel:
    """A blocking-API channel to the sidecar, wrapped in ``interceptors`` if any.

    A TLS channel trusts ``root_certificates`` (PEM) when given, else the system's roots.
    """
    options = merged_options(channel_options)
    if address.secure:
        credentials = grpc.ssl_channel_credentials(root_certificates=root_certificates)
        channel = grpc.secure_channel(address.target, credentials, options=options)
    else:
        channel = grpc.insecure_channel(address.target, options=options)
    if interceptors:
        channel = grpc.intercept_channel(channel, *interceptors)
    return channel


def open_aio_channel(
    address: SidecarAddress,
    channel_options: ChannelOptions | None = None,
    interceptors: Sequence[Any] | None = None,
    root_certificates: bytes | None = None,
) -> grpc.aio.Channel:
    """An asyncio channel to the sidecar (create it on the event loop that will use it)."""
    options = merged_options(channel_options)
    chosen = list(interceptors) if interceptors else None
    if address.secure:
        credentials = grpc.ssl_channel_credentials(root_certificates=root_certificates)
        return grpc.aio.secure_channel(address.target, credentials, options=options, interceptors=chosen)
    return grpc.aio.insecure_channel(address.target, options=options, interceptors=chosen)


def builtin_endpoint(
    address: SidecarAddress,
    transport: Transport,
    channel_options: ChannelOptions | None,
    interceptors: Sequence[Any] | None,
) -> tuple[str, int] | None:
    """The ``(host, port)`` the built-in channel should connect to, or ``None`` to use grpcio.

    With ``transport="auto"``, :data:`TRANSPORT_VARIABLE` may name another choice. Raises
    ``ValueError`` when the built-in channel is asked for but cannot serve these settings.
    """
    if transport not in get_args(Transport):
        raise ValueError(f"transport must be one of {get_args(Transport)}, not {transport!r}.")
    if transport == "auto":
        chosen = os.environ.get(TRANSPORT_VARIABLE, "auto").strip().lower() or "auto"
        if chosen not in get_args(Transport):
            raise ValueError(f"{TRANSPORT_VARIABLE} must be one of {get_args(Transport)}, not {chosen!r}.")
        transport = chosen  # type: ignore[assignment]  # checked just above
    if transport == "grpcio":
        return None
    match = _HOST_AND_PORT.match(address.target)
    reasons = [
        reason
        for reason, applies in (
            ("TLS", address.secure),
            ("interceptors", bool(interceptors)),
            ("channel options", bool(channel_options)),
            (f"the target '{address.target}' (only host:port)", match is None),
        )
        if applies
    ]
    if reasons:
        if transport == "builtin":
            raise ValueError(
                f"The built-in gRPC channel cannot serve {', '.join(reasons)}; use transport='grpcio' or 'auto'."
            )
        return None
    assert match is not None
    return match.group("ipv6") or match.group("host"), int(match.group("port"))
