"""The typed task decorator keeps the app's configured defaults and sends what Celery sends."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from celery import signals

from atrium.config import get_settings
from atrium.core.errors import TaskQueueUnavailable
from atrium.core.worker.app import create_celery
from atrium.core.worker.typed import SendOptions
from tests.support.celery import celery_app
from tests.worker.sample_domain import tasks


@pytest.fixture
def published(process_redis_url: str) -> Iterator[list[dict[str, Any]]]:
    """Messages as the broker receives them (real publishes to the test Redis)."""
    seen: list[dict[str, Any]] = []

    def capture(
        headers: dict[str, Any], routing_key: str, properties: dict[str, Any], **_: Any
    ) -> None:
        seen.append({"headers": headers, "routing_key": routing_key, **properties})

    previous = celery_app().conf.broker_url
    celery_app().conf.update(broker_url=process_redis_url)
    signals.before_task_publish.connect(capture, weak=False)
    try:
        yield seen
    finally:
        signals.before_task_publish.disconnect(capture)
        celery_app().conf.update(broker_url=previous)


def test_decorator_keeps_the_apps_defaults() -> None:
    task = tasks.record.task
    conf = celery_app().conf
    assert task.acks_late is conf.task_acks_late is True
    assert task.track_started is conf.task_track_started is True
    assert task.priority == conf.task_default_priority
    assert getattr(task, "queue", None) is None  # routed by the app's default queue
    # Options given to the decorator are the only ones set.
    assert tasks.flaky.task.max_retries == 3
    assert tasks.sleepy.task.soft_time_limit == 1


def test_sends_to_the_default_queue_with_aware_eta(published: list[dict[str, Any]]) -> None:
    eta = datetime(2030, 3, 10, 9, 30, tzinfo=ZoneInfo("America/New_York"))
    tasks.record.apply_async(SendOptions(eta=eta, priority=7), "tag")
    tasks.record.delay("now")
    first, second = published
    assert first["routing_key"] == second["routing_key"] == celery_app().conf.task_default_queue
    assert datetime.fromisoformat(first["headers"]["eta"]) == eta  # same instant, offset kept
    assert first["priority"] == 7
    assert second["headers"]["eta"] is None


def test_async_task_runs_in_process_with_its_request() -> None:
    result = tasks.request_id.task.apply(task_id="in-process-id")
    assert result.get() == "in-process-id"
    caller = threading.current_thread().name
    assert caller != "atrium-loop"
    assert tasks.thread_name() == caller  # a sync task runs where it is called
    assert tasks.async_thread_name() == "atrium-loop"  # an async one on the process loop


def test_celery_argument_check_still_applies() -> None:
    with pytest.raises(TypeError):
        tasks.record.task.delay(1, 2, 3)  # celery checks arguments against the function


def test_a_task_opts_in_to_scheduling_and_may_name_a_permission() -> None:
    from atrium.core.worker.typed import ScheduleDeclaration, schedule_declaration, task
    from atrium.notifications import tasks as notification_tasks

    assert schedule_declaration(tasks.record.task) == ScheduleDeclaration(permission=None)
    assert schedule_declaration(tasks.unschedulable.task) is None  # the default: not scheduled
    send = schedule_declaration(notification_tasks.send.task)
    assert send == ScheduleDeclaration(permission="POST:/api/v1/notifications/send")
    with pytest.raises(ValueError, match="permission code"):
        task(name="tests.blank_permission", schedule_permission=" ")


async def test_send_publishes_from_async_code(published: list[dict[str, Any]]) -> None:
    result = await tasks.record.send("from-a-request")
    assert [message["headers"]["id"] for message in published] == [result.id]


async def test_send_to_a_broker_that_does_not_answer_is_a_503_within_seconds() -> None:
    down = create_celery(get_settings())  # current: the shared task sends through it
    down.conf.update(broker_url="redis://127.0.0.1:1/0")
    started = time.monotonic()
    try:
        with pytest.raises(TaskQueueUnavailable) as caught:
            await tasks.record.send("lost")
    finally:
        celery_app()  # the suite's app is current again
    assert caught.value.status_code == 503
    assert time.monotonic() - started < 10
