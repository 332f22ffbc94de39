"""Run events pushed live (``scheduler:run``): a subscriber sees a real run through a real worker
dispatched, started and succeeded (or failed, with its error), and beat's dispatches; subscribing
needs the run history's code, and a subscriber who loses it stops receiving them."""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest

from atrium.config import Settings
from atrium.core.state import AppState
from atrium.scheduler.documents import RunStatus, TaskRun
from atrium.scheduler.live import RUN_EVENT, RUNS_READ, RunEvents
from tests.scheduler.engine_helpers import Clock, Engines, insert_interval, step, task_id
from tests.support.live import LiveServer, Probe, probe
from tests.support.users import give_role, new_user, superuser, user_with_grants
from tests.support.workers import DOMAINS, process_env, start_worker

API = "/api/v1/scheduler"
EVENTS = ["EVENT:scheduler:subscribe", "EVENT:scheduler:unsubscribe"]
WORKER_DOMAINS = [*DOMAINS, "atrium.realtime"]
FINAL = {"succeeded", "failed"}


@pytest.fixture
def settings(settings: Settings, process_redis_url: str) -> Settings:
    """The live server sends its Celery messages to the worker processes' Redis database (the
    Socket.IO channel is one for the whole Redis server) and knows the sample tasks."""
    settings.celery.broker_url = process_redis_url
    settings.celery.result_backend = process_redis_url
    settings.domains = [*settings.domains, "tests.worker.sample_domain"]
    return settings


@pytest.fixture
def state(live: LiveServer) -> AppState:
    found: AppState = live.app.state.atrium
    return found


async def _task(http: httpx.AsyncClient, headers: dict[str, str], name: str, task: str) -> str:
    body = {"name": name, "task": task, "schedule": {"kind": "interval", "every": 3600}}
    created = await http.post(f"{API}/tasks", json=body, headers=headers)
    assert created.status_code == 201, created.text
    task_id: str = created.json()["data"]["id"]
    return task_id


async def _run_events(socket: Probe, run_id: str, within: float = 30) -> list[dict[str, Any]]:
    """The events of one run, in the order they came, up to its final one."""
    seen: list[dict[str, Any]] = []
    async with asyncio.timeout(within):
        while not seen or seen[-1]["phase"] not in FINAL:
            event = await socket.next(RUN_EVENT, within=within)
            if event["id"] == run_id:
                seen.append(event)
    return seen


async def test_a_subscriber_sees_real_runs_dispatched_started_and_finished(
    live: LiveServer,
    state: AppState,
    http: httpx.AsyncClient,
    settings: Settings,
    services: dict[str, str],
    process_redis_url: str,
    tmp_path: Path,
) -> None:
    root = await superuser(state, http)
    ping = await _task(http, root.headers, "live-ping", "scheduler.ping")
    failing = await _task(http, root.headers, "live-fail", "tests.fail")
    env = process_env(
        services,
        sql_url=settings.sql.url,
        redis_url=process_redis_url,
        mongo_db=settings.mongo.database,
        ATRIUM_DOMAINS=json.dumps(WORKER_DOMAINS),
    )
    worker = await asyncio.to_thread(start_worker, env, tmp_path / "worker.log")
    try:
        async with probe(live.url, root.access) as socket:
            assert (await socket.call("scheduler:subscribe"))["code"] == "OK"
            ran = await http.post(f"{API}/tasks/{ping}/run", headers=root.headers)
            assert ran.status_code == 202, ran.text
            run = ran.json()["data"]
            seen = await _run_events(socket, run["id"])
            # Dispatched comes from this node and started from the worker: either may be first.
            assert sorted(e["phase"] for e in seen[:2]) == ["dispatched", "started"]
            assert [e["phase"] for e in seen[2:]] == ["succeeded"]
            done = seen[-1]
            assert (done["taskId"], done["periodicTaskId"], done["periodicTaskName"]) == (
                run["taskId"],
                ping,
                "live-ping",
            )
            assert (done["task"], done["trigger"], done["status"]) == (
                "scheduler.ping",
                "manual",
                "success",
            )
            assert done["startedAt"]
            assert done["finishedAt"]
            assert done["durationMs"] >= 0
            assert done["worker"]
            assert done["error"] is None
            assert "result" not in done
            assert "traceback" not in done
            history = await http.get(f"{API}/runs", headers=root.headers)
            assert history.json()["data"]["items"][0]["id"] == run["id"]

            ran = await http.post(f"{API}/tasks/{failing}/run", headers=root.headers)
            assert ran.status_code == 202, ran.text
            seen = await _run_events(socket, ran.json()["data"]["id"])
            assert seen[-1]["phase"] == "failed"
            assert seen[-1]["status"] == "failure"
            assert seen[-1]["error"] == "RuntimeError: failed on purpose"
    finally:
        await asyncio.to_thread(worker.stop)


async def _sample_run() -> TaskRun:
    run = TaskRun(periodic_task_name="probe", task="scheduler.ping", task_id="t-1")
    await run.insert()
    run.status = RunStatus.SENT
    return run


async def test_subscribing_needs_the_run_history_code_and_the_event_code(
    live: LiveServer, state: AppState, http: httpx.AsyncClient
) -> None:
    nobody = await new_user(state, http, "nobody")
    codes_only = await user_with_grants(state, http, "codes-only", EVENTS)
    runs_only = await user_with_grants(state, http, "runs-only", [RUNS_READ])
    watcher = await user_with_grants(state, http, "watcher", [*EVENTS, RUNS_READ])
    for who, code in (
        (nobody, "PERMISSION_DENIED"),
        (codes_only, "SCHEDULER_RUNS_READ_REQUIRED"),
        (runs_only, "PERMISSION_DENIED"),
    ):
        async with probe(live.url, who.access) as socket:
            assert (await socket.call("scheduler:subscribe"))["code"] == code, who.username
    async with (
        probe(live.url, watcher.access) as allowed,
        probe(live.url, codes_only.access) as refused,
    ):
        assert (await allowed.call("scheduler:subscribe"))["code"] == "OK"
        await refused.call("scheduler:subscribe")
        run = await _sample_run()
        await RunEvents(state).emit([run])
        event = await allowed.next(RUN_EVENT)
        assert (event["id"], event["phase"], event["status"]) == (str(run.id), "dispatched", "sent")
        with pytest.raises(TimeoutError):
            await refused.next(RUN_EVENT, within=1)
        assert (await allowed.call("scheduler:unsubscribe"))["code"] == "OK"
        await RunEvents(state).emit([run])
        with pytest.raises(TimeoutError):
            await allowed.next(RUN_EVENT, within=1)


async def test_a_subscriber_who_loses_the_code_stops_receiving_run_events(
    live: LiveServer, state: AppState, http: httpx.AsyncClient
) -> None:
    root = await superuser(state, http)
    watcher = await new_user(state, http, "watcher")
    role_id = await give_role(state, watcher.user_id, "watchers", [*EVENTS, RUNS_READ])
    async with probe(live.url, watcher.access) as socket, probe(live.url, root.access) as admin:
        assert (await socket.call("scheduler:subscribe"))["code"] == "OK"
        assert (await admin.call("scheduler:subscribe"))["code"] == "OK"
        run = await _sample_run()
        await RunEvents(state).emit([run])
        assert (await socket.next(RUN_EVENT))["id"] == str(run.id)
        await admin.next(RUN_EVENT)
        url = f"/api/v1/roles/{role_id}/permissions"
        taken = await http.put(url, json={"grants": EVENTS}, headers=root.headers)
        assert taken.status_code == 200, taken.text  # answered once every node applied it
        await RunEvents(state).emit([run])
        assert (await admin.next(RUN_EVENT))["id"] == str(run.id)
        with pytest.raises(TimeoutError):
            await socket.next(RUN_EVENT, within=1)
        assert socket.client.connected  # only the room is left


async def test_beat_tells_subscribers_of_each_run_it_dispatches(
    live: LiveServer, state: AppState, http: httpx.AsyncClient
) -> None:
    root = await superuser(state, http)
    t0 = datetime(2026, 6, 1, 12, tzinfo=UTC)
    await insert_interval(state, "every10", 10, t0)
    engines = Engines(state)
    engine, published = engines(Clock(t0 + timedelta(seconds=10, milliseconds=5)))
    engine.dispatcher.events = RunEvents(state)
    try:
        async with probe(live.url, root.access) as socket:
            assert (await socket.call("scheduler:subscribe"))["code"] == "OK"
            await step(engine)
            event = await socket.next(RUN_EVENT)
    finally:
        await engines.close()
    [run] = await TaskRun.find(TaskRun.periodic_task_name == "every10").to_list()
    assert [message.task_id for message in published.messages] == [run.task_id]
    assert (event["phase"], event["status"], event["trigger"]) == ("dispatched", "sent", "schedule")
    assert (event["id"], event["taskId"]) == (str(run.id), run.task_id)
    assert event["periodicTaskId"] == str(await task_id(state, "every10"))
    assert event["scheduledAt"].startswith("2026-06-01T12:00:10")
