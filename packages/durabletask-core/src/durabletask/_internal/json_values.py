"""Converting Python values to JSON-ready values, and JSON values back into typed objects."""

from __future__ import annotations

import dataclasses
import datetime as dt
import enum
import types
import typing
import uuid
from collections.abc import Mapping
from functools import lru_cache
from typing import Any, Union


class JsonObject(dict):  # type: ignore[type-arg]
    """A decoded JSON object whose keys also read (and write) as attributes.

    ``JsonObject({"approver": "Ada"}).approver == "Ada"``; it is still a ``dict`` in every other
    way, so it compares equal to one and serializes back to the same JSON.
    """

    __slots__ = ()

    def __getattr__(self, name: str) -> Any:
        try:
            return self[name]
        except KeyError:
            raise AttributeError(f"This JSON object has no field {name!r}; its fields are {sorted(self)}.") from None

    def __setattr__(self, name: str, value: Any) -> None:
        self[name] = value

    def __delattr__(self, name: str) -> None:
        try:
            del self[name]
        except KeyError:
            raise AttributeError(name) from None

    def __dir__(self) -> list[str]:
        return sorted(set(super().__dir__()) | {key for key in self if isinstance(key, str)})


_PLAIN = (str, int, bool, type(None))


def to_json_value(value: Any) -> Any:
    """``value`` with every non-JSON type replaced by its JSON form (see ``serialization``)."""
    kind = type(value)
    if kind in _PLAIN or kind is float:
        return value
    if kind is list:
        return [to_json_value(item) for item in value]
    if isinstance(value, Mapping):
        return {_json_key(key): to_json_value(item) for key, item in value.items()}
    if isinstance(value, tuple):
        fields = getattr(kind, "_fields", None)
        if fields is not None:  # a named tuple: an object, so other languages see field names
            return {name: to_json_value(item) for name, item in zip(fields, value, strict=False)}
        return [to_json_value(item) for item in value]
    if isinstance(value, (list, set, frozenset)):
        return [to_json_value(item) for item in value]
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {field.name: to_json_value(getattr(value, field.name)) for field in dataclasses.fields(value)}
    if isinstance(value, enum.Enum):
        return to_json_value(value.value)
    if isinstance(value, (dt.datetime, dt.date, dt.time)):
        return value.isoformat()
    if isinstance(value, uuid.UUID):
        return str(value)
    to_json = getattr(value, "to_json", None)
    if callable(to_json):
        return to_json_value(to_json())
    attributes = getattr(value, "__dict__", None)
    if attributes is not None and not isinstance(value, type) and not callable(value):
        return {name: to_json_value(item) for name, item in attributes.items() if not name.startswith("_")}
    raise TypeError(f"Object of type {kind.__name__} is not JSON serializable")


def _json_key(key: Any) -> str:
    if isinstance(key, str):
        return key
    if isinstance(key, (int, float, bool)) or key is None:
        return json_scalar_text(key)
    if isinstance(key, enum.Enum):
        return str(key.value)
    raise TypeError(f"Dictionary keys must be strings or numbers to serialize as JSON, got {type(key).__name__}")


def json_scalar_text(value: Any) -> str:
    """How JSON writes a scalar used as an object key (``True`` -> ``"true"``)."""
    if value is True:
        return "true"
    if value is False:
        return "false"
    if value is None:
        return "null"
    return str(value)


_JSON_SCALARS = (str, int, float, bool)


def coerce(value: Any, hint: Any) -> Any:
    """Turn the decoded JSON ``value`` into an instance of the type ``hint`` describes."""
    if type(value) is hint and hint in _JSON_SCALARS:  # the common case, decided before the generic checks
        return value
    if hint is None or hint is Any or hint is object:
        return _objects_as_json_objects(value)
    if isinstance(hint, str):  # an unresolved forward reference: nothing to go on
        return _objects_as_json_objects(value)
    if value is None:
        return None
    origin = typing.get_origin(hint)
    if origin is not None:
        return _coerce_generic(value, hint, origin)
    if not isinstance(hint, type):
        return _objects_as_json_objects(value)
    if isinstance(value, hint) and not isinstance(value, (dict, list)):
        return value
    if hint is float and isinstance(value, int):
        return float(value)
    if hint in (str, int, bool, float):
        return value
    from_json = getattr(hint, "from_json", None)
    if callable(from_json):
        return from_json(value)
    if issubclass(hint, enum.Enum):
        return hint(value)
    if hint is dt.datetime:
        return dt.datetime.fromisoformat(value)
    if hint is dt.date:
        return dt.date.fromisoformat(value)
    if hint is uuid.UUID:
        return uuid.UUID(value)
    if dataclasses.is_dataclass(hint) and isinstance(value, Mapping):
        return _build_dataclass(hint, value)
    if issubclass(hint, tuple) and hasattr(hint, "_fields"):
        return _build_named_tuple(hint, value)
    if hint in (dict, list, tuple, set, frozenset):
        return hint(_objects_as_json_objects(value))
    if isinstance(value, Mapping):
        return _build_plain_object(hint, value)
    return value


def _coerce_generic(value: Any, hint: Any, origin: Any) -> Any:
    args = typing.get_args(hint)
    if origin is Union or origin is types.UnionType:
        members = [arg for arg in args if arg is not type(None)]
        for member in members:
            try:
                return coerce(value, member)
            except (TypeError, ValueError, KeyError):
                continue
        return _objects_as_json_objects(value)
    if origin is typing.Literal:
        return value
    if origin in (list, set, frozenset) or origin is typing.get_origin(typing.Sequence[int]):
        item_hint = args[0] if args else None
        items = [coerce(item, item_hint) for item in value]
        return items if origin not in (set, frozenset) else origin(items)
    if origin is tuple:
        if len(args) == 2 and args[1] is Ellipsis:
            return tuple(coerce(item, args[0]) for item in value)
        if args:
            return tuple(coerce(item, arg) for item, arg in zip(value, args, strict=False))
        return tuple(value)
    if origin is dict or origin is typing.get_origin(typing.Mapping[str, int]):
        value_hint = args[1] if len(args) == 2 else None
        return {key: coerce(item, value_hint) for key, item in value.items()}
    if isinstance(origin, type):
        return coerce(value, origin)
    return _objects_as_json_objects(value)


@lru_cache(maxsize=512)
def _field_hints(cls: type) -> dict[str, Any]:
    try:
        return typing.get_type_hints(cls)
    except Exception:  # unresolvable annotations: fall back to untyped fields
        return {}


def _build_dataclass(cls: type, value: Mapping[str, Any]) -> Any:
    hints = _field_hints(cls)
    init_args: dict[str, Any] = {}
    late: dict[str, Any] = {}
    for field in dataclasses.fields(cls):
        if field.name not in value:
            continue
        converted = coerce(value[field.name], hints.get(field.name))
        if field.init:
            init_args[field.name] = converted
        else:
            late[field.name] = converted
    instance = cls(**init_args)
    for name, converted in late.items():
        object.__setattr__(instance, name, converted)
    return instance


def _build_named_tuple(cls: type, value: Any) -> Any:
    hints = _field_hints(cls)
    fields: tuple[str, ...] = cls._fields  # type: ignore[attr-defined]
    if isinstance(value, Mapping):
        return cls(**{name: coerce(value[name], hints.get(name)) for name in fields if name in value})
    return cls(*(coerce(item, hints.get(name)) for name, item in zip(fields, value, strict=False)))


def _build_plain_object(cls: type, value: Mapping[str, Any]) -> Any:
    hints = _field_hints(cls)
    converted = {key: coerce(item, hints.get(key)) for key, item in value.items()}
    try:
        return cls(**converted)
    except TypeError:
        # The constructor does not take the fields by name: rebuild the instance's state directly.
        instance: Any = object.__new__(cls)
        instance.__dict__.update(converted)
        return instance


def _objects_as_json_objects(value: Any) -> Any:
    if type(value) is dict:
        return JsonObject((key, _objects_as_json_objects(item)) for key, item in value.items())
    if type(value) is list:
        return [_objects_as_json_objects(item) for item in value]
    return value
