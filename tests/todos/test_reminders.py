"""Notifications of to-dos, stored in MongoDB: the assignee is told when assigned, and a to-do
due within the lead time gets one reminder (to the assignee, else the owner), however many runs
of ``todos.remind_due`` see it, until its due date changes (both SQL backends)."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import Any
from uuid import UUID

import httpx
from celery import Celery

from atrium.config import Settings
from atrium.core.clock import utcnow
from atrium.core.state import AppState
from atrium.core.worker.app import celery_config, registered_task_names
from atrium.core.worker.typed import schedule_declaration
from atrium.notifications.documents import Notification
from atrium.scheduler.beat import static_schedule
from atrium.todos.settings import TodoSettings
from atrium.todos.tasks import remind_due, send_reminders
from tests.support.workspace import MakeUser, User

from .helpers import BASE, create_todo


def _in(minutes: int) -> str:
    return (utcnow() + timedelta(minutes=minutes)).isoformat()


async def _notices(kind: str) -> list[tuple[UUID | None, str]]:
    found = await Notification.find({"type": kind}).sort("_id").to_list()
    return [(doc.recipient_id, doc.data["todoId"]) for doc in found]


async def test_a_due_to_do_is_reminded_once(
    client: httpx.AsyncClient, state: AppState, member: MakeUser
) -> None:
    alice, bob = await member("alice"), await member("bob")
    assigned = await create_todo(client, alice, "Assigned", dueAt=_in(30), assigneeId=str(bob.id))
    mine = await create_todo(client, alice, "Mine", dueAt=_in(59))
    for title, fields in (
        ("Later", {"dueAt": _in(120)}),
        ("Done", {"dueAt": _in(10), "status": "done"}),
        ("Undated", {}),
    ):
        await create_todo(client, alice, title, **fields)
    assert await send_reminders(state) == 2
    assert await send_reminders(state) == 0  # the second run finds them reminded
    assert await _notices("todos.due") == [(bob.id, assigned["id"]), (alice.id, mine["id"])]
    stored = await Notification.find_one({"type": "todos.due", "recipient_id": bob.id})
    assert stored is not None
    assert stored.title == "Due soon: Assigned"
    url = f"{BASE}/{assigned['id']}"
    assert (await client.get(url, headers=bob.headers)).json()["data"]["remindedAt"] is not None


async def test_two_runs_at_once_remind_once(
    client: httpx.AsyncClient, state: AppState, member: MakeUser
) -> None:
    alice = await member("alice")
    for index in range(5):
        await create_todo(client, alice, f"Due {index}", dueAt=_in(5 + index))
    sent = await asyncio.gather(send_reminders(state), send_reminders(state))
    assert sum(sent) == 5
    assert len(await _notices("todos.due")) == 5


async def test_a_new_due_date_gets_its_own_reminder(
    client: httpx.AsyncClient, state: AppState, member: MakeUser
) -> None:
    alice = await member("alice")
    todo = await create_todo(client, alice, "Moved", dueAt=_in(20))
    assert await send_reminders(state) == 1
    url = f"{BASE}/{todo['id']}"
    edited = await client.patch(url, json={"title": "Still moved"}, headers=alice.headers)
    assert edited.json()["data"]["remindedAt"] is not None  # no new date: no new reminder
    assert await send_reminders(state) == 0
    await client.patch(url, json={"dueAt": _in(40)}, headers=alice.headers)
    assert await send_reminders(state) == 1
    assert len(await _notices("todos.due")) == 2


async def test_the_lead_time_is_a_setting(
    client: httpx.AsyncClient, state: AppState, member: MakeUser
) -> None:
    alice = await member("alice")
    await create_todo(client, alice, "In two hours", dueAt=_in(120))
    assert await send_reminders(state) == 0
    state.settings.set_group(TodoSettings(reminder_lead_minutes=180))
    assert await send_reminders(state) == 1


async def test_the_assignee_is_told_when_assigned(
    client: httpx.AsyncClient, member: MakeUser
) -> None:
    alice, bob, carol = await member("alice"), await member("bob"), await member("carol")
    first = await create_todo(client, alice, "For Bob", assigneeId=str(bob.id))
    await create_todo(client, alice, "For myself", assigneeId=str(alice.id))  # nobody told
    url = f"{BASE}/{first['id']}/assignee"
    for who in (carol, carol, None):  # the same assignee twice: told once
        body: dict[str, Any] = {"assigneeId": str(who.id) if who else None}
        assert (await client.put(url, json=body, headers=alice.headers)).status_code == 200
    assert await _notices("todos.assigned") == [(bob.id, first["id"]), (carol.id, first["id"])]
    stored = await Notification.find_one({"recipient_id": carol.id})
    assert stored is not None
    assert (stored.title, stored.sender_id) == ("Assigned to you: For Bob", alice.id)


async def test_a_refused_assignment_tells_nobody(
    client: httpx.AsyncClient, member: MakeUser, admin: User
) -> None:
    alice, bob = await member("alice"), await member("bob")
    todo = await create_todo(client, alice, "Stays", assigneeId=str(bob.id))
    refused = await client.put(
        f"{BASE}/{todo['id']}/assignee", json={"assigneeId": str(alice.id)}, headers=bob.headers
    )
    assert refused.status_code == 403
    assert await _notices("todos.assigned") == [(bob.id, todo["id"])]


def test_the_task_is_registered_and_beat_runs_it(settings: Settings) -> None:
    worker = Celery("todos-tests", set_as_current=False)
    worker.conf.update(celery_config(settings))
    assert remind_due.name in registered_task_names(worker)
    assert schedule_declaration(remind_due.task) is not None
    entry = static_schedule(settings, worker)["todos.remind_due"]  # what beat merges
    assert (entry.task, entry.every) == ("todos.remind_due", 60)
