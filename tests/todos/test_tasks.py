"""The ``todos.count`` task: registered, schedulable, counting per owner."""

from __future__ import annotations

import httpx
from celery import Celery

from atrium.config import Settings
from atrium.core.state import AppState
from atrium.core.worker.app import celery_config, registered_task_names
from atrium.core.worker.typed import schedule_declaration
from atrium.todos.documents import TodoCount
from atrium.todos.tasks import count, record_counts

from .helpers import MakeUser, create_todo


def test_the_task_is_registered_and_schedulable(settings: Settings) -> None:
    worker = Celery("todos-tests", set_as_current=False)
    worker.conf.update(celery_config(settings))
    assert count.name in registered_task_names(worker)
    assert schedule_declaration(count.task) is not None


async def test_the_task_stores_each_owners_count(
    client: httpx.AsyncClient, state: AppState, member: MakeUser
) -> None:
    alice, bob = await member("alice"), await member("bob")
    for owner, titles in ((alice, ("a", "b")), (bob, ("c",))):
        for title in titles:
            await create_todo(client, owner, title)
    assert await record_counts(state.db) == 2
    stored = {doc.owner_id: doc.total for doc in await TodoCount.find_all().to_list()}
    assert stored == {alice.id: 2, bob.id: 1}
