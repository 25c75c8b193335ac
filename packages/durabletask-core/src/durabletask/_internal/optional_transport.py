"""Lazy access to the gRPC transport, which lives in a separate distribution."""

from __future__ import annotations

import importlib
from typing import Any


def load_transport_name(name: str) -> Any:
    """``durabletask.grpc.<name>``, or an ImportError that says which package to install."""
    try:
        module = importlib.import_module("durabletask.grpc")
    except ModuleNotFoundError as error:
        if error.name not in ("durabletask.grpc", "grpc", "google", "google.protobuf"):
            raise
        raise ImportError(
            f"{name} needs the gRPC transport: pip install durabletask-grpc (missing module: {error.name})."
        ) from error
    return getattr(module, name)
