"""FieldMap: every wire field of every create/update lands somewhere (or is mapped by hand)."""

from __future__ import annotations

import importlib
import pkgutil

import pytest
from pydantic import BaseModel
from sqlmodel import Field, SQLModel

import atrium
from atrium.core import mapping
from atrium.core.schemas import Schema

# Importing this one builds the app from the environment's settings.
NOT_IMPORTED = {"atrium.asgi"}


class Row(SQLModel):
    id: int | None = Field(default=None)
    routing_key: str | None = None
    one_off: bool = False


class RowIn(Schema):
    routing_key: str | None = None
    one_off: bool = False


class RowInWithExtra(RowIn):
    start_at: str | None = None


class Other(BaseModel):
    pass


def _import_everything() -> None:
    for module in pkgutil.walk_packages(atrium.__path__, "atrium."):
        if module.name not in NOT_IMPORTED:
            importlib.import_module(module.name)


def test_every_declared_map_gives_each_wire_field_a_destination() -> None:
    _import_everything()
    maps = mapping.registered()
    names = {(m.source.__name__, m.target.__name__) for m in maps}
    assert {("PeriodicTaskCreate", "PeriodicTask"), ("PeriodicTaskUpdate", "PeriodicTask")} <= names
    assert {("MenuCreate", "Menu"), ("RoleUpdate", "Role"), ("UserCreate", "User")} <= names
    unmapped = {
        f"{m.source.__name__} -> {m.target.__name__}": m.unmapped() for m in maps if m.unmapped()
    }
    assert unmapped == {}


def test_a_wire_field_without_a_destination_is_reported_and_refused() -> None:
    broken = mapping.FieldMap(RowInWithExtra, Row)
    try:
        assert broken.unmapped() == ["start_at"]
        with pytest.raises(mapping.UnmappedFieldError, match="start_at"):
            broken.values(RowInWithExtra(start_at="x"))
    finally:
        mapping._REGISTRY.remove(broken)


def test_camel_case_input_lands_by_field_name() -> None:
    rows = mapping.FieldMap(RowIn, Row)
    try:
        created = rows.create(RowIn.model_validate({"routingKey": "rk", "oneOff": True}))
        assert (created.routing_key, created.one_off) == ("rk", True)
        applied = rows.apply(created, RowIn.model_validate({"routingKey": None}))
        assert applied == {}
        assert created.routing_key == "rk"
        applied = rows.apply(
            created, RowIn.model_validate({"routingKey": None}), clearable={"routing_key"}
        )
        assert applied == {"routing_key": None}
        assert created.routing_key is None
    finally:
        mapping._REGISTRY.remove(rows)


def test_a_map_refuses_another_model() -> None:
    rows = mapping.FieldMap(RowIn, Row)
    try:
        with pytest.raises(TypeError):
            rows.values(Other())
    finally:
        mapping._REGISTRY.remove(rows)
