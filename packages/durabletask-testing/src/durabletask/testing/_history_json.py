"""Histories as JSON text: export one from a backend, keep it in a file, replay it against new code.

The format (version 1) is an object naming itself, with the events in history order::

    {
      "format": "durabletask-history",
      "version": 1,
      "events": [
        {"type": "OrchestratorStarted", "event_id": -1, "timestamp": "2024-05-01T12:00:00.000000Z"},
        {"type": "ExecutionStarted", "event_id": -1, "timestamp": "2024-05-01T12:00:00.000000Z",
         "name": "greet", "instance_id": "abc", "input": "\\"Tokyo\\"", "execution_id": null,
         "version": null, "parent": null, "scheduled_start_time": null, "tags": {}},
        {"type": "TaskScheduled", "event_id": 1, ..., "name": "say_hello", "input": "\\"Tokyo\\"", ...},
        ...
      ]
    }

Rules, for every event kind of :mod:`durabletask.history`:

* ``type`` is the event's class name (``TaskCompleted``, ``TimerFired``...); the other keys are its
  fields, with the same names. Every field is written, ``null`` when empty.
* Timestamps (``timestamp``, ``fire_at``, ``scheduled_start_time``) are ISO 8601 text in UTC with
  microseconds and a ``Z``: ``"2024-05-01T12:00:00.000000Z"``. Reading accepts any ISO 8601
  offset and takes a time without one as UTC; times come back timezone-aware, in UTC.
* Payloads (``input``, ``result``, ``data``) stay the JSON *text* the history stored, so a payload
  written by another SDK or another data converter comes back byte for byte.
* ``failure_details`` is ``{"message", "error_type", "stack_trace", "inner_failure",
  "is_non_retriable"}``, ``inner_failure`` being another such object or ``null``; ``parent`` is
  ``{"name", "instance_id", "task_scheduled_id"}``; ``status`` is an ``OrchestrationStatus`` name
  (``"COMPLETED"``); ``tags`` is an object of strings.
* Reading is forward compatible: unknown keys are ignored, a missing key with a default takes it,
  and an unknown ``type`` becomes an :class:`~durabletask.history.UnknownEvent` of that kind.
"""

from __future__ import annotations

import dataclasses
import json
import typing
from collections.abc import Callable, Iterable
from datetime import datetime, timezone
from typing import Any

from durabletask.client import OrchestrationStatus
from durabletask.history import HistoryEvent, ParentInstance, UnknownEvent
from durabletask.task import FailureDetails

FORMAT_NAME = "durabletask-history"
FORMAT_VERSION = 1

_EVENT_TYPES: dict[str, type] = {cls.__name__: cls for cls in typing.get_args(HistoryEvent)}


def history_to_json(events: Iterable[HistoryEvent], *, indent: int | None = 2) -> str:
    """The history ``events`` as JSON text in the format described in this module.

    ``indent=None`` writes it on one line. Keys are written in field order, so the same history
    always gives the same text::

        text = history_to_json(backend.get_history(instance_id))
        Path("order-42.history.json").write_text(text)
    """
    document = {
        "format": FORMAT_NAME,
        "version": FORMAT_VERSION,
        "events": [_encode_event(event) for event in events],
    }
    return json.dumps(document, indent=indent, ensure_ascii=False)


def history_from_json(text: str) -> list[HistoryEvent]:
    """The events of a history written by :func:`history_to_json`.

    Raises:
        ValueError: the text is not JSON, not this format, or an event is malformed (the message
            says which event and which field).
    """
    try:
        document = json.loads(text)
    except json.JSONDecodeError as error:
        raise ValueError(f"A history must be JSON text: {error}") from error
    if not isinstance(document, dict) or document.get("format") != FORMAT_NAME:
        raise ValueError(f'Not a history: expected a JSON object with "format": "{FORMAT_NAME}".')
    version = document.get("version")
    if version != FORMAT_VERSION:
        raise ValueError(f"Unsupported history format version {version!r}; this reader knows {FORMAT_VERSION}.")
    events = document.get("events")
    if not isinstance(events, list):
        raise ValueError('A history needs an "events" list.')
    return [_decode_event(index, raw) for index, raw in enumerate(events)]


# -- writing -------------------------------------------------------------------------------------


def _encode_event(event: HistoryEvent) -> dict[str, Any]:
    encoded: dict[str, Any] = {"type": type(event).__name__}
    for item in dataclasses.fields(event):
        encoded[item.name] = _encode_value(getattr(event, item.name))
    return encoded


def _encode_value(value: Any) -> Any:
    if isinstance(value, datetime):
        return _format_time(value)
    if isinstance(value, OrchestrationStatus):
        return value.name
    if isinstance(value, FailureDetails | ParentInstance):
        return {item.name: _encode_value(getattr(value, item.name)) for item in dataclasses.fields(value)}
    if isinstance(value, dict):
        return dict(value)
    return value


def _format_time(value: datetime) -> str:
    if value.tzinfo is None:
        value = value.replace(tzinfo=timezone.utc)  # history times are UTC even when naive
    return value.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


# -- reading -------------------------------------------------------------------------------------


class _FieldError(ValueError):
    pass


def _decode_event(index: int, raw: Any) -> HistoryEvent:
    if not isinstance(raw, dict):
        raise ValueError(f"History event {index} must be a JSON object, got {type(raw).__name__}.")
    kind = raw.get("type")
    if not isinstance(kind, str):
        raise ValueError(f'History event {index} has no "type".')
    cls = _EVENT_TYPES.get(kind)
    try:
        if cls is None:  # a newer kind: keep it, as the executor keeps kinds it does not know
            return UnknownEvent(_integer(raw.get("event_id", -1)), _time(raw.get("timestamp")), kind)
        event: HistoryEvent = cls(**_decode_fields(cls, raw))
        return event
    except _FieldError as error:
        raise ValueError(f"History event {index} ({kind}): {error}") from None


def _decode_fields(cls: type, raw: dict[str, Any]) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for item in dataclasses.fields(cls):
        if item.name not in raw:
            if item.default is dataclasses.MISSING and item.default_factory is dataclasses.MISSING:
                raise _FieldError(f"field '{item.name}' is missing.")
            continue
        value = raw[item.name]
        if value is None and item.default is None:
            values[item.name] = None
            continue
        decode: Callable[[Any], Any] = _DECODERS.get(item.name, _text)
        try:
            values[item.name] = decode(value)
        except _FieldError as error:
            raise _FieldError(f"field '{item.name}': {error}") from None
    return values


def _text(value: Any) -> str:
    if not isinstance(value, str):
        raise _FieldError(f"expected text, got {json.dumps(value)}.")
    return value


def _integer(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise _FieldError(f"expected an integer, got {json.dumps(value)}.")
    return value


def _boolean(value: Any) -> bool:
    if not isinstance(value, bool):
        raise _FieldError(f"expected true or false, got {json.dumps(value)}.")
    return value


def _time(value: Any) -> datetime:
    text = _text(value)
    try:
        parsed = datetime.fromisoformat(text[:-1] + "+00:00" if text.endswith(("Z", "z")) else text)
    except ValueError:
        raise _FieldError(f"expected an ISO 8601 time, got {json.dumps(value)}.") from None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=timezone.utc)
    return parsed.astimezone(timezone.utc)


def _status(value: Any) -> OrchestrationStatus:
    try:
        return OrchestrationStatus[_text(value)]
    except KeyError:
        names = ", ".join(status.name for status in OrchestrationStatus)
        raise _FieldError(f"expected one of {names}, got {json.dumps(value)}.") from None


def _tags(value: Any) -> dict[str, str]:
    if not isinstance(value, dict) or not all(isinstance(item, str) for item in value.values()):
        raise _FieldError(f"expected an object of strings, got {json.dumps(value)}.")
    return dict(value)


def _object(value: Any) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise _FieldError(f"expected an object, got {json.dumps(value)}.")
    return value


def _failure(value: Any) -> FailureDetails:
    fields = _object(value)
    inner = fields.get("inner_failure")
    return FailureDetails(
        message=_text(fields.get("message")),
        error_type=_text(fields.get("error_type")),
        stack_trace=None if fields.get("stack_trace") is None else _text(fields["stack_trace"]),
        inner_failure=None if inner is None else _failure(inner),
        is_non_retriable=_boolean(fields.get("is_non_retriable", False)),
    )


def _parent(value: Any) -> ParentInstance:
    fields = _object(value)
    return ParentInstance(
        name=None if fields.get("name") is None else _text(fields["name"]),
        instance_id=_text(fields.get("instance_id")),
        task_scheduled_id=_integer(fields.get("task_scheduled_id")),
    )


# How each field is read, by field name; every other field is text.
_DECODERS: dict[str, Callable[[Any], Any]] = {
    "event_id": _integer,
    "task_scheduled_id": _integer,
    "timer_id": _integer,
    "timestamp": _time,
    "fire_at": _time,
    "scheduled_start_time": _time,
    "status": _status,
    "failure_details": _failure,
    "parent": _parent,
    "tags": _tags,
    "recurse": _boolean,
}
