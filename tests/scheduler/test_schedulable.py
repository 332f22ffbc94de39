"""Only tasks that opted in are scheduled, and only by callers holding the code each names."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from sqlalchemy import text

from atrium.core.state import AppState
from atrium.core.worker.typed import task
from atrium.scheduler import service
from atrium.scheduler.errors import SchedulePermissionDenied, TaskNotSchedulable
from atrium.scheduler.schedulable import SYSTEM
from atrium.scheduler.schemas import PeriodicTaskCreate
from tests.support.admin import Actor, actor, create_role, set_roles
from tests.support.celery import celery_app

API = "/api/v1/scheduler"
SEND = "POST:/api/v1/notifications/send"
INTERVAL = {"kind": "interval", "every": 60}


@task(name="tests.scheduler.plain")
def plain() -> None:
    """A task that never opted in to scheduling."""


def send_body(name: str, user_id: str = "0190d0b4-0000-7000-8000-000000000000") -> dict[str, Any]:
    return {
        "name": name,
        "task": "notifications.send",
        "args": [[user_id], "Hello from the scheduler"],
        "schedule": INTERVAL,
    }


class Team:
    """A superuser, a scheduler operator, and an operator who may also send notifications."""

    def __init__(self, root: Actor, ops: Actor, sender: Actor) -> None:
        self.root, self.ops, self.sender = root, ops, sender


@pytest.fixture
async def team(client: httpx.AsyncClient, state: AppState) -> Team:
    root = await actor(client, state, "root", superuser=True)
    ops = await actor(client, state, "ops")
    sender = await actor(client, state, "sender")
    scheduling = await create_role(client, root, "scheduling", ["*:/api/v1/scheduler/**"])
    sending = await create_role(client, root, "sending", [SEND])
    await set_roles(client, root, ops.id, [scheduling])
    await set_roles(client, root, sender.id, [scheduling, sending])
    return Team(root, ops, sender)


async def test_scheduling_a_send_needs_the_send_permission(
    client: httpx.AsyncClient, team: Team
) -> None:
    refused = await client.post(f"{API}/tasks", json=send_body("spam"), headers=team.ops.headers)
    assert refused.status_code == 403
    assert refused.json()["code"] == "SCHEDULER_PERMISSION_DENIED"
    assert SEND in refused.json()["message"]
    for who, name in ((team.sender, "digest"), (team.root, "root-digest")):
        created = await client.post(f"{API}/tasks", json=send_body(name), headers=who.headers)
        assert created.status_code == 201, created.text
        assert created.json()["data"]["schedulePermission"] == SEND
    # A schedulable task of its own cannot be turned into a send either.
    ping = {"name": "ping", "task": "scheduler.ping", "schedule": INTERVAL}
    mine = await client.post(f"{API}/tasks", json=ping, headers=team.ops.headers)
    assert mine.status_code == 201
    turned = await client.patch(
        f"{API}/tasks/{mine.json()['data']['id']}",
        json={"task": "notifications.send", "args": [[], "x"]},
        headers=team.ops.headers,
    )
    assert turned.json()["code"] == "SCHEDULER_PERMISSION_DENIED"


async def test_someone_elses_send_cannot_be_changed_enabled_or_run_without_it(
    client: httpx.AsyncClient, team: Team
) -> None:
    created = await client.post(f"{API}/tasks", json=send_body("digest"), headers=team.root.headers)
    url = f"{API}/tasks/{created.json()['data']['id']}"
    ops = team.ops.headers
    reworded = await client.patch(url, json={"args": [[], "Buy now"]}, headers=ops)
    assert (reworded.status_code, reworded.json()["code"]) == (403, "SCHEDULER_PERMISSION_DENIED")
    assert (await client.post(f"{url}/run", headers=ops)).status_code == 403
    assert (await client.post(f"{url}/disable", headers=ops)).status_code == 200
    assert (await client.post(f"{url}/enable", headers=ops)).status_code == 403
    assert (await client.post(f"{url}/enable", headers=team.sender.headers)).status_code == 200
    assert (await client.delete(url, headers=ops)).status_code == 200  # removing takes no power


async def test_tasks_that_did_not_opt_in_cannot_be_scheduled(
    client: httpx.AsyncClient, state: AppState, team: Team
) -> None:
    root = team.root.headers
    body = {"name": "plain", "task": "tests.scheduler.plain", "schedule": INTERVAL}
    refused = await client.post(f"{API}/tasks", json=body, headers=root)
    assert (refused.status_code, refused.json()["code"]) == (422, "TASK_NOT_SCHEDULABLE")
    listed = (await client.get(f"{API}/registered-tasks", headers=root)).json()["data"]
    assert "tests.scheduler.plain" not in listed["names"]
    assert {"name": "notifications.send", "permission": SEND} in listed["tasks"]
    assert {"name": "files.cleanup", "permission": None} in listed["tasks"]
    assert {"name": "scheduler.ping", "permission": None} in listed["tasks"]
    # A row written before tasks had to opt in (or in plain SQL): reported, never run.
    async with state.db.session() as session:
        await session.execute(
            text(
                "INSERT INTO scheduler_periodic_task (name, task, kind, interval_seconds)"
                " VALUES ('legacy', 'tests.scheduler.plain', 'interval', 60)"
            )
        )
        await session.commit()
    found = (await client.get(f"{API}/tasks", params={"search": "legacy"}, headers=root)).json()
    row = found["data"]["items"][0]
    assert (row["schedulable"], row["enabled"]) == (False, True)
    url = f"{API}/tasks/{row['id']}"
    assert (await client.get(url, headers=root)).json()["data"]["schedulable"] is False
    assert (await client.post(f"{url}/run", headers=root)).json()["code"] == "TASK_NOT_SCHEDULABLE"
    assert (await client.post(f"{url}/disable", headers=root)).status_code == 200
    assert (await client.patch(url, json={"description": "old"}, headers=root)).status_code == 200
    assert (await client.post(f"{url}/enable", headers=root)).status_code == 422
    unknown = await client.patch(url, json={"task": "no.such.task"}, headers=root)
    assert unknown.json()["code"] == "UNKNOWN_TASK"
    repaired = await client.patch(url, json={"task": "scheduler.ping"}, headers=root)
    assert repaired.json()["data"]["schedulable"] is True


async def test_the_cli_schedules_as_the_system(state: AppState) -> None:
    body = PeriodicTaskCreate.model_validate(send_body("from-cli"))
    async with state.db.session() as session:
        created = await service.create(session, celery_app(), body, SYSTEM)
        assert service.to_read(created, celery_app()).schedule_permission == SEND
        plain_body = PeriodicTaskCreate.model_validate(
            {"name": "plain", "task": "tests.scheduler.plain", "schedule": INTERVAL}
        )
        with pytest.raises(TaskNotSchedulable):
            await service.create(session, celery_app(), plain_body, SYSTEM)


class _Nobody:
    def allows(self, code: str) -> bool:
        return False


async def test_the_check_lives_in_the_service(state: AppState) -> None:
    body = PeriodicTaskCreate.model_validate(send_body("direct"))
    async with state.db.session() as session:
        with pytest.raises(SchedulePermissionDenied):
            await service.create(session, celery_app(), body, _Nobody())


@pytest.mark.parametrize(
    ("args", "kwargs", "field"),
    [
        ([["0190d0b4-0000-7000-8000-000000000000"], "x" * 5000], {}, "title"),
        ([["0190d0b4-0000-7000-8000-000000000000"], "Hi"], {"kind": "no spaces!"}, "type"),
        ([[], "Hi"], {}, "arguments"),
        ([["0190d0b4-0000-7000-8000-000000000000"], "Hi"], {"data": "not an object"}, "data"),
    ],
)
async def test_a_send_with_arguments_the_send_route_refuses_is_a_422(
    client: httpx.AsyncClient, team: Team, args: list[Any], kwargs: dict[str, Any], field: str
) -> None:
    body = {**send_body("bad"), "args": args, "kwargs": kwargs}
    refused = await client.post(f"{API}/tasks", json=body, headers=team.sender.headers)
    assert (refused.status_code, refused.json()["code"]) == (422, "TASK_ARGUMENTS_INVALID")
    assert field in refused.json()["message"]
    assert refused.json()["details"][0]["loc"][:2] == ["body", "arguments"]


async def test_changing_a_sends_arguments_is_checked_too(
    client: httpx.AsyncClient, team: Team
) -> None:
    created = await client.post(f"{API}/tasks", json=send_body("ok"), headers=team.sender.headers)
    assert created.status_code == 201, created.text
    url = f"{API}/tasks/{created.json()['data']['id']}"
    patch = {"kwargs": {"kind": "no spaces!"}}
    refused = await client.patch(url, json=patch, headers=team.sender.headers)
    assert (refused.status_code, refused.json()["code"]) == (422, "TASK_ARGUMENTS_INVALID")
    fine = await client.patch(url, json={"kwargs": {"kind": "digest"}}, headers=team.sender.headers)
    assert fine.status_code == 200, fine.text
    # A task without a declared check is only checked against its signature.
    ping = {"name": "ping", "task": "scheduler.ping", "schedule": INTERVAL}
    pinged = await client.post(f"{API}/tasks", json=ping, headers=team.root.headers)
    assert pinged.status_code == 201


def test_an_argument_check_needs_a_schedulable_task() -> None:
    def check(args: list[Any], kwargs: dict[str, Any]) -> None:
        """Accepts everything."""

    with pytest.raises(ValueError, match="schedulable"):
        task(name="tests.scheduler.unchecked", schedule_arguments=check)
