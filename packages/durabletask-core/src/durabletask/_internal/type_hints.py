"""Reading the types users annotate their functions with, to decode payloads into them."""

from __future__ import annotations

import collections.abc
import inspect
import typing
from collections.abc import Callable
from typing import Any

_NO_HINTS: dict[str, Any] = {}
_hints_by_function: dict[Any, dict[str, Any]] = {}
_positional_names: dict[Any, list[str]] = {}


def _hints(fn: Callable[..., Any]) -> dict[str, Any]:
    try:
        return _hints_by_function[fn]
    except KeyError:
        pass
    except TypeError:  # unhashable callables are not cached
        return _resolve_hints(fn)
    hints = _resolve_hints(fn)
    _hints_by_function[fn] = hints
    return hints


def _resolve_hints(fn: Callable[..., Any]) -> dict[str, Any]:
    try:
        return typing.get_type_hints(fn)
    except Exception:  # annotations that do not resolve are treated as absent
        return _NO_HINTS


def parameter_type(fn: Callable[..., Any], position: int) -> Any:
    """The annotation of ``fn``'s positional parameter at ``position``, or ``None``."""
    names = _positional_names.get(fn)
    if names is None:
        try:
            parameters = inspect.signature(fn).parameters.values()
        except (TypeError, ValueError):
            return None
        names = [p.name for p in parameters if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
        _positional_names[fn] = names
    if position >= len(names):
        return None
    return _hints(fn).get(names[position])


def return_type(fn: Callable[..., Any]) -> Any:
    """What ``fn`` produces: its return annotation, or ``R`` of ``Generator[Y, S, R]``."""
    hint = _hints(fn).get("return")
    origin = typing.get_origin(hint)
    if origin in (collections.abc.Generator, typing.Generator):
        args = typing.get_args(hint)
        return args[2] if len(args) == 3 else None
    if origin in (collections.abc.Coroutine,):
        args = typing.get_args(hint)
        return args[2] if len(args) == 3 else None
    if hint is type(None):
        return None
    return hint
