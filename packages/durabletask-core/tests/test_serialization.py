"""Payloads are plain JSON; business objects round-trip, typed when a hint is given."""

from __future__ import annotations

import dataclasses
import enum
import json
from datetime import datetime, timezone
from typing import Any, NamedTuple, Optional

import pytest

from durabletask.serialization import JsonDataConverter, JsonObject

converter = JsonDataConverter()


class Order(NamedTuple):
    cost: float
    product: str
    quantity: int


@dataclasses.dataclass
class Address:
    city: str
    zip_code: str


@dataclasses.dataclass
class Customer:
    name: str
    address: Address
    tags: list[str] = dataclasses.field(default_factory=list)
    previous: Optional[Address] = None  # noqa: UP045 - typing.Optional must keep working


class Color(enum.Enum):
    RED = "red"


class Approval:
    def __init__(self, approver: str, level: int) -> None:
        self.approver = approver
        self.level = level


def test_none_means_no_payload() -> None:
    assert converter.serialize(None) is None
    assert converter.deserialize(None) is None


def test_named_tuples_are_written_as_objects_with_their_field_names() -> None:
    text = converter.serialize(Order(1200.0, "laptop", 2))
    assert json.loads(text or "") == {"cost": 1200.0, "product": "laptop", "quantity": 2}


def test_without_a_hint_objects_read_by_attribute_and_by_key() -> None:
    value = converter.deserialize(converter.serialize(Order(5.0, "pen", 1)))
    assert isinstance(value, JsonObject)
    assert value.product == value["product"] == "pen"
    assert value == {"cost": 5.0, "product": "pen", "quantity": 1}
    with pytest.raises(AttributeError, match="no field 'price'"):
        _ = value.price


def test_with_a_hint_values_come_back_typed_recursively() -> None:
    customer = Customer("Ada", Address("Paris", "75001"), ["vip"], Address("Lyon", "69001"))
    assert converter.deserialize(converter.serialize(customer), Customer) == customer
    assert converter.deserialize(converter.serialize(Order(1.5, "x", 3)), Order) == Order(1.5, "x", 3)
    assert converter.deserialize(converter.serialize([Address("a", "1")]), list[Address]) == [Address("a", "1")]
    assert converter.deserialize('{"a": {"city": "c", "zip_code": "z"}}', dict[str, Address]) == {
        "a": Address("c", "z")
    }


def test_plain_classes_round_trip_through_their_attributes() -> None:
    text = converter.serialize(Approval("Ada", 2))
    assert json.loads(text or "") == {"approver": "Ada", "level": 2}
    back = converter.deserialize(text, Approval)
    assert isinstance(back, Approval) and (back.approver, back.level) == ("Ada", 2)
    assert converter.deserialize(text).approver == "Ada"


def test_enums_datetimes_tuples_and_sets_have_json_forms() -> None:
    moment = datetime(2024, 1, 2, 3, 4, 5, tzinfo=timezone.utc)
    text = converter.serialize({"color": Color.RED, "at": moment, "pair": (1, 2), "ids": {7}})
    assert json.loads(text or "") == {"color": "red", "at": "2024-01-02T03:04:05+00:00", "pair": [1, 2], "ids": [7]}
    assert converter.deserialize('"red"', Color) is Color.RED
    assert converter.deserialize('"2024-01-02T03:04:05+00:00"', datetime) == moment


def test_values_that_cannot_be_serialized_raise_type_error_naming_the_type() -> None:
    with pytest.raises(TypeError, match="function"):
        converter.serialize({"callback": print})
    with pytest.raises(TypeError, match="float"):
        converter.serialize(float("nan"))


def test_scalars_and_nested_containers_are_ordinary_json() -> None:
    for value in ["text", 3, 2.5, True, [1, "a", None], {"k": [1, {"x": 2}]}]:
        assert converter.deserialize(converter.serialize(value), Any) == value
