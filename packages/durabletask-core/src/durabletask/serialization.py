"""How payloads (inputs, outputs, event data, custom status) become JSON text and back.

Payloads are plain JSON so that other Durable Task SDKs can read them. The default
:class:`JsonDataConverter` handles, beyond JSON's own types:

* dataclasses, named tuples and plain classes (written as JSON objects of their fields);
* tuples and sets (as arrays), enums (as their value), datetimes, dates and UUIDs (as ISO text).

Reading back, a type hint (a function annotation, ``return_type=``, ``data_type=`` or
``expected_type=``) turns the JSON into that type, recursively through dataclass fields, named
tuple fields, ``list[...]``, ``dict[...]``, ``Optional[...]``. Without a hint, a JSON object comes
back as a :class:`JsonObject`: a ``dict`` whose keys also read as attributes, so both
``event["approver"]`` and ``event.approver`` work.

To change the format, pass any object with the :class:`DataConverter` methods to the worker and
client (``data_converter=``).
"""

from __future__ import annotations

import json
from json.encoder import encode_basestring_ascii
from typing import Any, Protocol, runtime_checkable

from durabletask._internal.json_values import JsonObject, coerce, to_json_value

__all__ = ["DataConverter", "JsonDataConverter", "JsonObject"]


@runtime_checkable
class DataConverter(Protocol):
    """Encodes payloads to text and decodes them, optionally into a given type."""

    def serialize(self, value: Any) -> str | None:
        """Text for ``value``; ``None`` (no payload) for ``None``. Raises ``TypeError`` if impossible."""
        ...

    def deserialize(self, data: str | None, type_hint: Any = None) -> Any:
        """The value encoded in ``data`` (``None`` for no payload), as ``type_hint`` when given."""
        ...


# Replay decodes every recorded result, so the common payloads take shortcuts straight into the
# C scanner and encoder; anything unusual (whitespace, errors, NaN) goes the standard way.
_plain_scan = json.JSONDecoder().scan_once  # type: ignore[attr-defined]
_object_scan = json.JSONDecoder(object_hook=JsonObject).scan_once  # type: ignore[attr-defined]


class JsonDataConverter:
    """The default converter: compact JSON, with the conversions described in this module."""

    def serialize(self, value: Any) -> str | None:
        kind = type(value)
        if kind is str:
            return encode_basestring_ascii(value)
        if kind is int:
            return int.__repr__(value)
        if value is None:
            return None
        if kind is bool:
            return "true" if value else "false"
        try:
            return json.dumps(to_json_value(value), separators=(",", ":"), allow_nan=False)
        except ValueError as error:
            raise TypeError(f"Cannot serialize {kind.__name__} as JSON: {error}") from error

    def deserialize(self, data: str | None, type_hint: Any = None) -> Any:
        if not data:
            return None
        untyped = type_hint is None or type_hint is Any or type_hint is object
        try:
            value, end = (_object_scan if untyped else _plain_scan)(data, 0)
        except StopIteration:
            end = -1
        if end != len(data):
            value = json.loads(data, object_hook=JsonObject) if untyped else json.loads(data)
        return value if untyped else coerce(value, type_hint)
