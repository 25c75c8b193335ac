"""How functions are named in history."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any


def get_name(fn: Callable[..., Any]) -> str:
    """The name under which ``fn`` is registered and recorded in history: its ``__name__``.

    Lambdas have no usable name; register them with an explicit name instead.
    """
    name = getattr(fn, "__name__", None)
    if not isinstance(name, str):
        raise ValueError(f"Cannot infer a name from {fn!r}; register it with an explicit name.")
    if name == "<lambda>":
        raise ValueError("Cannot infer a name from a lambda function. Please provide a name explicitly.")
    return name


def resolve_name(target: Callable[..., Any] | str) -> str:
    """A registered name given either the name itself or the function."""
    return target if isinstance(target, str) else get_name(target)
