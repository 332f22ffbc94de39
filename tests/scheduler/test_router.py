"""The ops API, called by a logged-in superuser (permission refusals: test_schedulable.py)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy import text

from atrium.core.state import AppState
from atrium.scheduler.documents import RunTrigger, TaskRun

API = "/api/v1/scheduler"
INTERVAL = {"kind": "interval", "every": 60}


def body(name: str = "ping-every-minute", **extra: Any) -> dict[str, Any]:
    return {"name": name, "task": "scheduler.ping", "schedule": INTERVAL, **extra}


async def create(client: httpx.AsyncClient, **extra: Any) -> dict[str, Any]:
    response = await client.post(f"{API}/tasks", json=body(**extra))
    assert response.status_code == 201, response.text
    data: dict[str, Any] = response.json()["data"]
    return data


async def test_routes_need_a_permission_by_default(client: httpx.AsyncClient) -> None:
    response = await client.get(f"{API}/tasks")
    assert response.status_code == 401


@pytest.mark.usefixtures("as_superuser")
async def test_create_read_update_delete(client: httpx.AsyncClient) -> None:
    created = await create(client, args=["hi"], timezone="Europe/Paris")
    assert created["enabled"]
    assert created["totalRunCount"] == 0
    next_run = datetime.fromisoformat(created["nextRunAt"])
    assert timedelta(seconds=55) < next_run - datetime.now(UTC) <= timedelta(seconds=60)
    task_url = f"{API}/tasks/{created['id']}"
    crontab = {"kind": "crontab", "minute": "0", "hour": "9", "dayOfWeek": "7"}
    response = await client.patch(task_url, json={"schedule": crontab})
    assert response.status_code == 200
    assert response.json()["data"]["schedule"]["dayOfWeek"] == "7"
    assert datetime.fromisoformat(response.json()["data"]["nextRunAt"]).weekday() == 6
    listed = (await client.get(f"{API}/tasks", params={"kind": "crontab"})).json()["data"]
    assert [item["name"] for item in listed["items"]] == ["ping-every-minute"]
    assert (await client.delete(task_url)).status_code == 200
    assert (await client.get(task_url)).json()["code"] == "SCHEDULER_TASK_NOT_FOUND"


@pytest.mark.usefixtures("as_superuser")
async def test_bad_input_is_a_clear_4xx(client: httpx.AsyncClient) -> None:
    unknown = await client.post(f"{API}/tasks", json={**body(), "task": "no.such.task"})
    assert unknown.status_code == 422
    assert unknown.json()["code"] == "UNKNOWN_TASK"
    bad_cron = {"kind": "crontab", "minute": "61"}
    invalid = await client.post(f"{API}/tasks", json={**body(), "schedule": bad_cron})
    assert invalid.status_code == 422
    assert invalid.json()["code"] == "VALIDATION_ERROR"
    bad_zone = await client.post(f"{API}/tasks", json={**body(), "timezone": "Mars/Base"})
    assert bad_zone.status_code == 422
    await create(client)
    taken = await client.post(f"{API}/tasks", json=body())
    assert taken.status_code == 409
    assert taken.json()["code"] == "SCHEDULER_TASK_NAME_TAKEN"


@pytest.mark.usefixtures("as_superuser")
async def test_enable_disable_and_registered_names(client: httpx.AsyncClient) -> None:
    created = await create(client)
    disabled = (await client.post(f"{API}/tasks/{created['id']}/disable")).json()["data"]
    assert disabled["enabled"] is False
    assert disabled["nextRunAt"] is None
    enabled = (await client.post(f"{API}/tasks/{created['id']}/enable")).json()["data"]
    assert enabled["enabled"] is True
    assert datetime.fromisoformat(enabled["nextRunAt"]) > datetime.now(UTC) + timedelta(seconds=55)
    names = (await client.get(f"{API}/registered-tasks")).json()["data"]["names"]
    assert "scheduler.ping" in names
    assert not any(n.startswith("celery.") for n in names)


@pytest.mark.usefixtures("as_superuser")
async def test_preview_in_the_tasks_timezone(client: httpx.AsyncClient) -> None:
    schedule = {"kind": "crontab", "minute": "30", "hour": "2"}
    response = await client.post(
        f"{API}/preview",
        json={
            "schedule": schedule,
            "timezone": "America/New_York",
            "count": 3,
            "startAt": "2027-03-12T00:00:00-05:00",
        },
    )
    times = response.json()["data"]["fireTimes"]
    assert times == [
        "2027-03-12T02:30:00-05:00",
        "2027-03-13T02:30:00-05:00",
        "2027-03-14T03:00:00-04:00",  # 02:30 does not exist: when the clock jumps
    ]
    created = await create(
        client, schedule={"kind": "interval", "every": 3600}, timezone="Asia/Tokyo"
    )
    saved = (await client.get(f"{API}/tasks/{created['id']}/preview", params={"count": 2})).json()
    assert [t[-6:] for t in saved["data"]["fireTimes"]] == ["+09:00", "+09:00"]


@pytest.mark.usefixtures("as_superuser")
async def test_run_now_and_run_history(client: httpx.AsyncClient, state: AppState) -> None:
    created = await create(client)
    response = await client.post(f"{API}/tasks/{created['id']}/run")
    assert response.status_code == 202
    run = response.json()["data"]
    assert run["trigger"] == "manual"
    assert run["status"] == "sent"
    for i in range(4):
        await TaskRun(
            periodic_task_id=None,
            periodic_task_name="other",
            task="scheduler.ping",
            task_id=f"t{i}",
            trigger=RunTrigger.SCHEDULE,
            scheduled_at=datetime.now(UTC) + timedelta(seconds=i),
        ).insert()
    first = (await client.get(f"{API}/runs", params={"limit": 3})).json()["data"]
    assert len(first["items"]) == 3
    assert first["nextCursor"]
    rest = await client.get(f"{API}/runs", params={"limit": 3, "cursor": first["nextCursor"]})
    assert len(rest.json()["data"]["items"]) == 2
    assert rest.json()["data"]["nextCursor"] is None
    mine = (await client.get(f"{API}/runs", params={"periodicTaskId": created["id"]})).json()
    assert [r["taskId"] for r in mine["data"]["items"]] == [run["taskId"]]
    bad = await client.get(f"{API}/runs", params={"cursor": "not-a-cursor"})
    assert bad.status_code == 400


@pytest.mark.usefixtures("as_superuser")
@pytest.mark.parametrize(
    "headers",
    [
        {"task": "other.task"},
        {"id": "forged"},
        {"group_index": 1},
        {"stamps": {}},
        {"atrium_ledger": "0"},
        {"Task": "other.task"},
    ],
)
async def test_headers_cannot_override_the_messages_own(
    client: httpx.AsyncClient, headers: dict[str, Any]
) -> None:
    refused = await client.post(f"{API}/tasks", json=body(headers=headers))
    assert refused.status_code == 422
    assert refused.json()["code"] == "VALIDATION_ERROR"
    created = await create(client, headers={"trace": "kept"})
    patched = await client.patch(f"{API}/tasks/{created['id']}", json={"headers": headers})
    assert patched.status_code == 422


@pytest.mark.usefixtures("as_superuser")
async def test_arguments_must_fit_the_tasks_signature(client: httpx.AsyncClient) -> None:
    for extra in (
        {"args": ["a", "b"]},
        {"kwargs": {"nope": 1}},
        {"args": ["a"], "kwargs": {"message": "b"}},
    ):
        response = await client.post(f"{API}/tasks", json=body(**extra))
        assert response.status_code == 422, extra
        assert response.json()["code"] == "TASK_ARGUMENTS_MISMATCH"
    created = await create(client, kwargs={"message": "hello"})  # ping(message="pong")
    patched = await client.patch(f"{API}/tasks/{created['id']}", json={"args": ["x", "y"]})
    assert patched.status_code == 422
    assert (
        await client.patch(f"{API}/tasks/{created['id']}", json={"kwargs": {}})
    ).status_code == 200


@pytest.mark.usefixtures("as_superuser")
async def test_a_clocked_time_in_the_past_is_refused(client: httpx.AsyncClient) -> None:
    past = (datetime.now(UTC) - timedelta(minutes=5)).isoformat()
    response = await client.post(
        f"{API}/tasks", json=body(schedule={"kind": "clocked", "at": past})
    )
    assert response.status_code == 422
    assert response.json()["code"] == "CLOCKED_TIME_PASSED"
    soon = (datetime.now(UTC) + timedelta(minutes=5)).isoformat()
    created = await create(client, schedule={"kind": "clocked", "at": soon})
    assert created["nextRunAt"] is not None


@pytest.mark.usefixtures("as_superuser")
async def test_run_now_refuses_a_plain_sql_row_with_reserved_headers(
    client: httpx.AsyncClient, state: AppState
) -> None:
    created = await create(client)
    async with state.db.session() as session:
        await session.execute(
            text("UPDATE scheduler_periodic_task SET headers = :h"), {"h": '{"task": "other"}'}
        )
    response = await client.post(f"{API}/tasks/{created['id']}/run")
    assert response.status_code == 422
    assert response.json()["code"] == "RESERVED_HEADERS"
