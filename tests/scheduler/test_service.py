"""Creating and updating periodic tasks keeps every field sent (camelCase on the wire).

Each field is checked both ways: on create and on update, in the API's answer and in the row.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

import httpx
import pytest

from atrium.core.state import AppState
from atrium.scheduler import repository
from atrium.scheduler.models import PeriodicTask
from atrium.scheduler.schemas import PeriodicTaskCreate
from atrium.scheduler.service import TASK_CREATE, TASK_UPDATE

API = "/api/v1/scheduler/tasks"
BASE = {"name": "mapped", "task": "scheduler.ping", "schedule": {"kind": "interval", "every": 60}}
# wire name → (value sent on create, value sent on update, the column that must hold it)
FIELDS: dict[str, tuple[Any, Any, str]] = {
    "oneOff": (True, False, "one_off"),
    "startAt": ("2030-01-02T03:04:05Z", "2031-05-06T07:08:09Z", "start_at"),
    "expiresAt": ("2032-01-01T00:00:00Z", "2033-02-03T04:05:06Z", "expires_at"),
    "routingKey": ("rk.create", "rk.update", "routing_key"),
    "queue": ("q-create", "q-update", "queue"),
    "priority": (3, 7, "priority"),
    "headers": ({"x-team": "a"}, {"x-team": "b"}, "headers"),
    "description": ("made", "changed", "description"),
    "enabled": (False, True, "enabled"),
    "timezone": ("Europe/Paris", "Asia/Tokyo", "timezone"),
    "args": (["a"], ["b"], "args"),
    "kwargs": ({"message": "a"}, {"message": "b"}, "kwargs"),
    "name": ("mapped-created", "mapped-updated", "name"),
}
CLEARED = {"startAt": "start_at", "expiresAt": "expires_at", "routingKey": "routing_key"}
CLEARED |= {"queue": "queue", "priority": "priority"}


async def _row(state: AppState, task_id: str) -> PeriodicTask:
    async with state.db.session() as session:
        task = await repository.get(session, UUID(task_id))
    assert task is not None
    return task


def _stored(value: Any) -> Any:
    return value.replace(tzinfo=None).isoformat() if hasattr(value, "isoformat") else value


def _expected(wire: Any) -> Any:
    """How the row holds a wire value (UTC instants compared without their offset)."""
    return wire[:-1] if isinstance(wire, str) and wire.endswith("Z") else wire


def _same_instant(wire: Any, answer: Any) -> bool:
    if isinstance(wire, str) and wire.endswith("Z"):
        return str(answer).replace("+00:00", "Z") == wire
    return bool(answer == wire)


@pytest.mark.usefixtures("as_superuser")
@pytest.mark.parametrize("field", list(FIELDS))
async def test_every_field_is_kept_on_create_and_update(
    client: httpx.AsyncClient, state: AppState, field: str
) -> None:
    on_create, on_update, column = FIELDS[field]
    created = await client.post(API, json={**BASE, field: on_create})
    assert created.status_code == 201, created.text
    data = created.json()["data"]
    assert _same_instant(on_create, data[field]), (field, data[field])
    assert _stored(getattr(await _row(state, data["id"]), column)) == _expected(on_create)
    updated = await client.patch(f"{API}/{data['id']}", json={field: on_update})
    assert updated.status_code == 200, updated.text
    assert _same_instant(on_update, updated.json()["data"][field])
    assert _stored(getattr(await _row(state, data["id"]), column)) == _expected(on_update)


@pytest.mark.usefixtures("as_superuser")
@pytest.mark.parametrize("field", list(CLEARED))
async def test_a_null_clears_an_optional_field(
    client: httpx.AsyncClient, state: AppState, field: str
) -> None:
    created = await client.post(API, json={**BASE, field: FIELDS[field][0]})
    task_id = created.json()["data"]["id"]
    updated = await client.patch(f"{API}/{task_id}", json={field: None})
    assert updated.status_code == 200, updated.text
    assert updated.json()["data"][field] is None
    assert getattr(await _row(state, task_id), CLEARED[field]) is None


@pytest.mark.usefixtures("as_superuser")
async def test_one_off_with_a_start_is_stored_as_sent(
    client: httpx.AsyncClient, state: AppState
) -> None:
    sent = {**BASE, "oneOff": True, "startAt": "2030-06-01T00:00:00Z", "routingKey": "rk"}
    created = (await client.post(API, json=sent)).json()["data"]
    row = await _row(state, created["id"])
    assert (row.one_off, row.routing_key) == (True, "rk")
    assert _stored(row.start_at) == "2030-06-01T00:00:00"


def test_the_maps_cover_every_wire_field() -> None:
    assert TASK_CREATE.unmapped() == []
    assert TASK_UPDATE.unmapped() == []
    body = PeriodicTaskCreate.model_validate({**BASE, "oneOff": True, "routingKey": "rk"})
    values = TASK_CREATE.values(body)
    assert (values["one_off"], values["routing_key"]) == (True, "rk")
