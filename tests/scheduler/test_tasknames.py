"""Beat learns the registered and the schedulable task names from a child process."""

from __future__ import annotations

from atrium.scheduler.tasknames import FromChild, InProcess, schedulable_tasks
from tests.support.celery import celery_app
from tests.support.workers import wait_for_async


async def test_the_child_lists_registered_and_schedulable_names() -> None:
    names = FromChild(timeout=60)
    assert names.known() is None  # asked in the background; nothing checked meanwhile
    await wait_for_async(lambda: names.known() is not None, within=60)
    known, schedulable = names.known(), names.schedulable()
    assert known is not None
    assert schedulable is not None
    assert {"scheduler.ping", "files.cleanup", "notifications.send"} <= schedulable <= known


def test_in_process_names_match_the_declarations() -> None:
    names = InProcess(celery_app())
    declared = schedulable_tasks(celery_app())
    assert names.schedulable() == frozenset(declared)
    assert declared["notifications.send"] == "POST:/api/v1/notifications/send"
    assert declared["files.cleanup"] is None
