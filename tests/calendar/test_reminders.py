"""Reminders of events, stored in MongoDB as notifications: one per reminder of each occurrence,
to the organiser and every attendee who has not declined, however many runs of
``calendar.send_reminders`` see it, two at once included; a run that comes late (within the
look-back) still sends it (both SQL backends)."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from uuid import UUID

import httpx
from celery import Celery

from atrium.calendar.settings import CalendarSettings
from atrium.calendar.tasks import send_reminders, send_reminders_task
from atrium.config import Settings
from atrium.core.clock import utcnow
from atrium.core.state import AppState
from atrium.core.worker.app import celery_config, registered_task_names
from atrium.core.worker.typed import schedule_declaration
from atrium.notifications.documents import Notification
from atrium.scheduler.beat import static_schedule
from tests.support.workspace import MakeUser

from .helpers import EVENTS, create_event


def _at(minutes: float) -> dict[str, str]:
    """A 30-minute UTC event starting ``minutes`` from now (whole seconds)."""
    start = (utcnow() + timedelta(minutes=minutes)).replace(microsecond=0, tzinfo=None)
    end = start + timedelta(minutes=30)
    return {"tz": "UTC", "start": start.isoformat(), "end": end.isoformat()}


async def reminded(kind: str = "calendar.reminder") -> list[tuple[UUID | None, str]]:
    found = await Notification.find({"type": kind}).sort("_id").to_list()
    return sorted((doc.recipient_id, doc.data["eventId"]) for doc in found)


async def test_a_due_reminder_is_sent_once_to_everyone_not_declined(
    client: httpx.AsyncClient, state: AppState, member: MakeUser
) -> None:
    alice, bob, carol = await member("alice"), await member("bob"), await member("carol")
    invited = [str(bob.id), str(carol.id)]
    due = await create_event(client, alice, reminders=[10], attendeeIds=invited, **_at(9.5))
    answer = {"response": "declined"}
    url = f"{EVENTS}/{due['id']}/response"
    assert (await client.put(url, json=answer, headers=carol.headers)).status_code == 200
    await create_event(client, alice, title="Later", reminders=[10], **_at(30))
    await create_event(client, alice, title="Silent", **_at(5))
    assert await send_reminders(state) == 1
    assert await send_reminders(state) == 0  # the ledger holds it
    assert await reminded() == sorted([(alice.id, due["id"]), (bob.id, due["id"])])
    stored = await Notification.find_one({"recipient_id": bob.id})
    assert stored is not None
    assert stored.title == "Soon: Planning"


async def test_two_runs_at_once_send_once(
    client: httpx.AsyncClient, state: AppState, member: MakeUser
) -> None:
    alice = await member("alice")
    for title in ("One", "Two", "Three"):
        await create_event(client, alice, title=title, reminders=[0, 5], **_at(4))
    counts = await asyncio.gather(*(send_reminders(state) for _ in range(4)))
    assert sum(counts) == 3
    assert len(await reminded()) == 3


async def test_each_occurrence_and_each_reminder_is_its_own(
    client: httpx.AsyncClient, state: AppState, member: MakeUser
) -> None:
    alice = await member("alice")
    fields = _at(-1440 + 0.5)  # yesterday, daily: today's occurrence is in 30 seconds
    event = await create_event(client, alice, rrule="FREQ=DAILY", reminders=[1, 0], **fields)
    assert await send_reminders(state) == 1  # the 1-minute reminder of today's occurrence
    found = await Notification.find({"type": "calendar.reminder"}).to_list()
    today = (utcnow() + timedelta(seconds=30)).date().isoformat()
    assert [doc.data["occurrenceStart"][:10] for doc in found] == [today]
    assert found[0].data["eventId"] == event["id"]


async def test_a_late_run_catches_up_within_the_look_back(
    client: httpx.AsyncClient, state: AppState, member: MakeUser
) -> None:
    alice = await member("alice")
    await create_event(client, alice, title="Missed", reminders=[15], **_at(10))  # 5 min ago
    await create_event(client, alice, title="Long gone", reminders=[60], **_at(10))  # 50 min ago
    assert await send_reminders(state) == 1
    state.settings.set_group(CalendarSettings(reminder_lookback_minutes=120))
    assert await send_reminders(state) == 1  # the older one, now within the look-back
    assert await send_reminders(state) == 0


async def test_a_deleted_event_is_not_reminded(
    client: httpx.AsyncClient, state: AppState, member: MakeUser
) -> None:
    alice = await member("alice")
    event = await create_event(client, alice, reminders=[10], **_at(9))
    removed = await client.delete(f"{EVENTS}/{event['id']}", headers=alice.headers)
    assert removed.status_code == 200
    assert await send_reminders(state) == 0


def test_the_task_is_registered_and_beat_runs_it(settings: Settings) -> None:
    worker = Celery("calendar-tests", set_as_current=False)
    worker.conf.update(celery_config(settings))
    assert send_reminders_task.name in registered_task_names(worker)
    assert schedule_declaration(send_reminders_task.task) is not None
    entry = static_schedule(settings, worker)["calendar.send_reminders"]
    assert (entry.task, entry.every) == ("calendar.send_reminders", 60)
