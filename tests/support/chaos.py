"""The fault-injection harness: the cluster on stores of its own, under steady load, and the
checks of what a fault cost.

:class:`Store` runs one store process of the stack's own (Redis with an append-only file,
fsynced on every write, as a deployment that keeps sessions runs it) on a fixed port, so that it
can be killed and started again without touching anybody else's. :class:`ChaosStack` starts the
cluster on those stores, logs in through the proxy, creates a periodic task firing every second
and keeps a Socket.IO client connected over websocket. :class:`Load` sends logins, authorised
GETs, GETs with a revoked and with a forged token, and notifications through the API, and records
every request's time and status, every notification the API acknowledged and every one the socket
received. :func:`verdict` then says what was lost: an acknowledged notification neither delivered
nor fetchable, a periodic slot dispatched twice or skipped outside the missed-run policy, a run
never executed, a 200 answered without valid auth, a 500.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import os
import shutil
import signal
import socket
import subprocess
import time
from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any
from uuid import uuid4

import httpx
import jwt
import redis.asyncio as aioredis
import socketio

from atrium.cluster import Cluster
from atrium.core.worker.redelivery import restore_every
from tests.support.live import free_port
from tests.support.users import PASSWORD, bearer, login

HOST = "127.0.0.1"
ADMIN = "admin"
STORE_READY = 30.0
PING_EVERY = 1.0  # the periodic task's interval, seconds
# The chaos stack's settings (beside the stores'): short timeouts, so that a fault shows and
# heals within a scenario.
VISIBILITY_TIMEOUT = 6.0  # a killed worker's unacknowledged message is delivered again after it
RESTORE_CHECK = restore_every(VISIBILITY_TIMEOUT)  # each worker looks for them this often
LEASE_SECONDS = 3  # the beat leader lease's time to live
CHAOS_ENV = {
    "ATRIUM_CELERY__BROKER_VISIBILITY_TIMEOUT": str(VISIBILITY_TIMEOUT),
    "ATRIUM_CELERY__BEAT_LEASE_SECONDS": str(LEASE_SECONDS),
    "ATRIUM_CELERY__WORKER_PREFETCH_MULTIPLIER": "1",
    "ATRIUM_AUTH__LOGIN_RATE_PER_USERNAME": "100000/minute",
    "ATRIUM_AUTH__LOGIN_RATE_PER_ADDRESS": "100000/minute",
    "ATRIUM_NOTIFICATIONS__SEND_RATE_PER_SENDER": "100000/minute",
    "ATRIUM_AUTH__FIRST_SUPERUSER_USERNAME": ADMIN,
    "ATRIUM_AUTH__FIRST_SUPERUSER_PASSWORD": PASSWORD,
    "ATRIUM_PROXY__TRUSTED_ADDRESSES": '["127.0.0.1"]',
}
CHAOS_DOMAIN = "tests.chaos.sample"
OK = range(200, 300)


def _accepts(port: int) -> bool:
    with contextlib.suppress(OSError), socket.create_connection((HOST, port), timeout=0.5):
        return True
    return False


class Store:
    """One store process of the stack's own on a fixed port: started, SIGKILLed, restarted."""

    def __init__(self, name: str, command: Callable[[int], list[str]], directory: Path) -> None:
        self.name, self._command = name, command
        self.directory = directory / name
        self.port = free_port()
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def alive(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def start(self) -> None:
        self.directory.mkdir(parents=True, exist_ok=True)
        log = (self.directory / f"{self.name}.log").open("ab")
        self.process = subprocess.Popen(
            self._command(self.port),
            cwd=self.directory,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        log.close()
        deadline = time.monotonic() + STORE_READY
        while not _accepts(self.port):
            if not self.alive or time.monotonic() > deadline:
                raise RuntimeError(f"{self.name} did not start on port {self.port}: see its log")
            time.sleep(0.02)

    def signal(self, sig: int) -> None:
        if self.process is not None and self.alive:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, sig)
            try:
                self.process.wait(15)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(5)

    def kill(self) -> None:
        """SIGKILL: no shutdown at all."""
        self.signal(signal.SIGKILL)

    def stop(self) -> None:
        self.signal(signal.SIGTERM)


def redis_store(directory: Path) -> Store:
    """Redis with an append-only file fsynced on every write: a SIGKILL loses nothing."""
    binary = shutil.which("redis-server")
    if binary is None:
        raise RuntimeError("no redis-server on PATH for the chaos stack's own Redis")

    def command(port: int) -> list[str]:
        return [
            binary,
            *("--port", str(port), "--bind", HOST, "--dir", "."),
            *("--appendonly", "yes", "--appendfsync", "always", "--save", ""),
        ]

    return Store("redis", command, directory)


# --- what the load saw -------------------------------------------------------------------------


@dataclass(frozen=True)
class Outcome:
    """One request: when it was answered (monotonic), what it was, its status (0: no answer)."""

    at: float
    kind: str
    status: int


@dataclass
class Record:
    outcomes: list[Outcome] = field(default_factory=list)
    acknowledged: dict[str, float] = field(default_factory=dict)  # notification title -> when
    received: dict[str, float] = field(default_factory=dict)

    def add(self, kind: str, status: int) -> None:
        self.outcomes.append(Outcome(time.monotonic(), kind, status))


class Listener:
    """A Socket.IO client over websocket through the proxy, reconnecting on its own."""

    def __init__(self, record: Record) -> None:
        self.record = record
        self.client = socketio.AsyncClient(
            reconnection=True,
            reconnection_delay=0.2,
            reconnection_delay_max=1.0,
            randomization_factor=0.0,
        )
        self.client.on("notification", self._notification)

    async def _notification(self, data: dict[str, Any]) -> None:
        self.record.received.setdefault(str(data.get("title")), time.monotonic())

    async def connect(self, url: str, token: str) -> None:
        await self.client.connect(
            url, auth={"token": token}, transports=["websocket"], wait_timeout=10
        )

    async def close(self) -> None:
        with contextlib.suppress(Exception):
            await self.client.disconnect()
        with contextlib.suppress(Exception):
            await self.client.shutdown()


# --- the stack ---------------------------------------------------------------------------------


class ChaosStack:
    """The cluster on ``stores``, logged in, with the periodic ping and a connected socket."""

    def __init__(self, cluster: Cluster, stores: dict[str, Store]) -> None:
        self.cluster, self.stores = cluster, stores
        self.http = httpx.AsyncClient(base_url=cluster.proxy_url, timeout=10)
        self.record = Record()
        self.listener = Listener(self.record)
        self.headers: dict[str, str] = {}
        self.user_id = ""
        self.revoked: dict[str, str] = {}
        self.ping_id = ""

    async def open(self) -> None:
        pair = await self.login()
        self.headers = bearer(pair["accessToken"])
        self.user_id = jwt.decode(pair["accessToken"], options={"verify_signature": False})["sub"]
        gone = await self.login()
        self.revoked = bearer(gone["accessToken"])
        response = await self.http.post("/api/v1/auth/logout", headers=self.revoked)
        assert response.status_code in OK, f"logout: {response.status_code} {response.text}"
        self.ping_id = await self.periodic("chaos ping", "scheduler.ping", PING_EVERY)
        await self.listener.connect(self.cluster.proxy_url, pair["accessToken"])

    def reset(self) -> None:
        """A fresh record for the next scenario."""
        self.record = self.listener.record = Record()

    async def close(self) -> None:
        await self.listener.close()
        await self.http.aclose()

    async def login(self) -> dict[str, Any]:
        response = await login(self.http, ADMIN)
        assert response.status_code == 200, f"login: {response.status_code} {response.text}"
        data: dict[str, Any] = response.json()["data"]
        return data

    async def periodic(
        self, name: str, task: str, every: float, kwargs: dict[str, Any] | None = None
    ) -> str:
        body = {
            "name": f"{name} {uuid4().hex[:6]}",
            "task": task,
            "schedule": {"kind": "interval", "every": every},
            "kwargs": kwargs or {},
        }
        response = await self.http.post("/api/v1/scheduler/tasks", json=body, headers=self.headers)
        assert response.status_code == 201, f"periodic task: {response.text}"
        return str(response.json()["data"]["id"])

    async def run_now(self, periodic_task_id: str) -> str:
        """Run a periodic task once through the API (202 with the run): its Celery task id."""
        path = f"/api/v1/scheduler/tasks/{periodic_task_id}/run"
        response = await self.http.post(path, headers=self.headers)
        assert response.status_code == 202, f"run now: {response.status_code} {response.text}"
        return str(response.json()["data"]["taskId"])

    async def runs(self, **query: str) -> list[dict[str, Any]]:
        """The run ledger's entries matching ``query``, through the API, every page."""
        found: list[dict[str, Any]] = []
        params: dict[str, str] = {**query, "limit": "100"}
        while True:
            response = await self.http.get(
                "/api/v1/scheduler/runs", params=params, headers=self.headers
            )
            assert response.status_code == 200, f"runs: {response.status_code} {response.text}"
            page = response.json()["data"]
            found += page["items"]
            if not page.get("nextCursor"):
                return found
            params["cursor"] = page["nextCursor"]

    async def notifications(self) -> set[str]:
        """Titles of every notification the user can fetch (the catch-up a client does)."""
        titles: set[str] = set()
        params = {"limit": "100"}
        while True:
            response = await self.http.get(
                "/api/v1/notifications", params=params, headers=self.headers
            )
            assert response.status_code == 200, f"feed: {response.status_code} {response.text}"
            page = response.json()["data"]
            titles |= {item["title"] for item in page["items"]}
            if not page.get("nextCursor"):
                return titles
            params["cursor"] = page["nextCursor"]

    def redis(self) -> aioredis.Redis:
        client: aioredis.Redis = aioredis.Redis.from_url(self.cluster.env["ATRIUM_REDIS__URL"])
        return client

    async def beat_leader(self) -> str | None:
        """The beat node holding the leader lease (its identity carries the pid), if any."""
        from atrium.scheduler.lease import current_leader

        lease = self.cluster.env.get("ATRIUM_REDIS__KEY_PREFIX", "") + "scheduler:beat:leader"
        client = self.redis()
        try:
            holder, _ = await current_leader(client, lease)
        finally:
            await client.aclose()
        if holder is None:
            return None
        pid = holder.split(":")[1]
        for node in self.cluster.role("beat"):
            if node.pid is not None and str(node.pid) == pid:
                return node.name
        return None

    async def send_notification(self) -> None:
        title = f"chaos {uuid4().hex}"
        body = {"userIds": [self.user_id], "title": title, "type": "chaos"}
        status = await self._request("notify", "POST", "/api/v1/notifications/send", body)
        if status == 201:
            self.record.acknowledged[title] = time.monotonic()

    async def _request(
        self,
        kind: str,
        method: str,
        path: str,
        body: dict[str, Any] | None = None,
        headers: dict[str, str] | None = None,
    ) -> int:
        try:
            response = await self.http.request(
                method, path, json=body, headers=headers or self.headers
            )
            status = response.status_code
        except httpx.HTTPError:
            status = 0
        self.record.add(kind, status)
        return status

    async def probe_login(self) -> int:
        try:
            status = (await login(self.http, ADMIN)).status_code
        except httpx.HTTPError:
            status = 0
        self.record.add("login", status)
        return status


FORGED = bearer(
    jwt.encode(
        {"sub": str(uuid4()), "sid": "x", "jti": "x", "type": "access"},
        "not-this-deployments-signing-key-" * 2,
    )
)


class Load:
    """Steady load through the proxy until stopped: each loop records its outcomes."""

    def __init__(self, stack: ChaosStack) -> None:
        self.stack = stack
        self._stop = asyncio.Event()
        self._tasks: list[asyncio.Task[None]] = []

    def start(self) -> None:
        s = self.stack
        loops: list[tuple[float, Callable[[], Awaitable[Any]]]] = [
            (0.02, lambda: s._request("get", "GET", "/api/v1/auth/sessions")),
            (0.02, lambda: s._request("get", "GET", "/api/v1/notifications/unread-count")),
            (0.5, s.probe_login),
            (0.25, s.send_notification),
            (0.25, lambda: s._request("revoked", "GET", "/api/v1/auth/sessions", None, s.revoked)),
            (0.25, lambda: s._request("forged", "GET", "/api/v1/auth/sessions", None, FORGED)),
        ]
        self._tasks = [asyncio.create_task(self._loop(pause, call)) for pause, call in loops]

    async def _loop(self, pause: float, call: Callable[[], Awaitable[Any]]) -> None:
        while not self._stop.is_set():
            await call()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._stop.wait(), pause)

    async def stop(self) -> None:
        self._stop.set()
        await asyncio.gather(*self._tasks)


# --- recovery and the verdict ------------------------------------------------------------------


async def wait_for(
    check: Callable[[], Awaitable[bool]], within: float, what: str, pause: float = 0.1
) -> float:
    """Seconds until ``check`` holds; fails with ``what`` after ``within`` seconds."""
    started = time.monotonic()
    while not await check():
        if time.monotonic() - started > within:
            raise AssertionError(f"{what}: not within {within:.0f}s")
        await asyncio.sleep(pause)
    return time.monotonic() - started


async def recovered(stack: ChaosStack, since: float, within: float = 90.0) -> dict[str, float]:
    """Seconds from ``since`` until each part works again with no manual action: logins and
    authorised GETs, a notification delivered live to the socket, a periodic run executed."""

    async def api() -> bool:
        if await stack.probe_login() != 200:
            return False
        return await stack._request("get", "GET", "/api/v1/auth/sessions") == 200

    async def live() -> bool:
        if not stack.listener.client.connected:
            return False
        before = set(stack.record.acknowledged)
        await stack.send_notification()
        sent = set(stack.record.acknowledged) - before
        deadline = time.monotonic() + 2.0
        while sent and time.monotonic() < deadline:
            if sent <= set(stack.record.received):
                return True
            await asyncio.sleep(0.05)
        return False

    parts: dict[str, float] = {}
    checks: list[tuple[str, Callable[[], Awaitable[bool]]]] = [
        ("api", api),
        ("socket", live),
        ("beat", lambda: ping_ran_after(stack, since, None)),
        ("worker", lambda: ping_ran_after(stack, since, "success")),
    ]
    for name, check in checks:
        left = within - (time.monotonic() - since)
        await wait_for(check, left, f"{name} did not recover after the fault", pause=0.2)
        parts[name] = time.monotonic() - since
    return parts


async def ping_ran_after(stack: ChaosStack, since: float, status: str | None) -> bool:
    """Whether a periodic run was dispatched (and reached ``status``) after ``since``."""
    wall = time.time() - (time.monotonic() - since)
    query = {"periodicTaskId": stack.ping_id, **({"status": status} if status else {})}
    runs = await stack.runs(**query)
    return any(_ts(run["dispatchedAt"]) > wall for run in runs)


def _ts(value: str) -> float:
    return datetime.fromisoformat(value.replace("Z", "+00:00")).timestamp()


@dataclass
class Verdict:
    """What a scenario cost: failed requests by kind and status during the fault, time to full
    recovery, and what was lost (empty when every promise held)."""

    scenario: str
    requests: int
    failed: Counter[str]
    recovery_s: float
    lost: list[str]
    notes: list[str] = field(default_factory=list)

    def failed_text(self) -> str:
        if not self.failed:
            return "0"
        return ", ".join(f"{n} {what}" for what, n in sorted(self.failed.items()))

    def row(self) -> str:
        lost = "; ".join(self.lost) if self.lost else "nothing"
        notes = "; ".join(self.notes)
        return (
            f"| {self.scenario} | {self.requests:,} | {self.failed_text()} | "
            f"{self.recovery_s:.1f} s | {lost} | {notes} |"
        )


TABLE_HEAD = (
    "| scenario | requests | failed during the fault (kind status) | recovery | lost | notes |\n"
    "|---|---|---|---|---|---|"
)


async def slots_lost(stack: ChaosStack, since_wall: float, settle: float = 30.0) -> list[str]:
    """The periodic ping's ledger since ``since_wall``: every slot once, every run executed,
    a gap only where the missed-run policy puts one (one late run keyed by the first missed
    slot, the schedule going on from its dispatch time)."""
    horizon = time.time() - 2 * PING_EVERY

    async def settled() -> bool:
        runs = [r for r in await stack.runs(periodicTaskId=stack.ping_id) if _in(r, since_wall)]
        return all(r["status"] in ("success", "failure") for r in runs if _sched(r) < horizon)

    with contextlib.suppress(AssertionError):
        await wait_for(settled, settle, "runs settled", pause=0.5)
    runs = sorted(
        (r for r in await stack.runs(periodicTaskId=stack.ping_id) if _in(r, since_wall)),
        key=_sched,
    )
    lost: list[str] = []
    slots = Counter(r["scheduledAt"] for r in runs)
    lost += [f"slot {slot} dispatched {n} times" for slot, n in slots.items() if n > 1]
    for run in runs:
        if _sched(run) < horizon and run["status"] != "success":
            lost.append(f"slot {run['scheduledAt']} {run['status']}, not executed")
    for before, after in itertools.pairwise(runs):
        gap = _sched(after) - _sched(before)
        if gap <= PING_EVERY * 1.5:
            continue
        late = _ts(before["dispatchedAt"]) - _sched(before) > PING_EVERY / 2
        resumed = _sched(after) - _ts(before["dispatchedAt"]) <= PING_EVERY * 1.5
        if not (late and resumed):
            lost.append(f"{gap / PING_EVERY - 1:.0f} slots skipped after {before['scheduledAt']}")
    return lost


def _sched(run: dict[str, Any]) -> float:
    return _ts(run["scheduledAt"])


def _in(run: dict[str, Any], since_wall: float) -> bool:
    return bool(run.get("scheduledAt")) and _sched(run) >= since_wall


async def verdict(
    stack: ChaosStack,
    scenario: str,
    window: tuple[float, float],
    since_wall: float,
    recovery_s: float,
) -> Verdict:
    """Judge the record between ``window`` (monotonic: fault injected, stack recovered)."""
    record = stack.record
    start, end = window
    inside = [o for o in record.outcomes if start <= o.at <= end]
    valid = [o for o in inside if o.kind not in ("revoked", "forged")]
    failed = Counter(f"{o.kind} {o.status}" for o in valid if o.status not in OK)
    lost: list[str] = []
    allowed = [o for o in record.outcomes if o.kind in ("revoked", "forged") and o.status in OK]
    if allowed:
        lost.append(f"{len(allowed)} requests allowed without valid auth")
    errors = Counter(f"{o.kind} {o.status}" for o in record.outcomes if o.status >= 500)
    unexpected = {k: n for k, n in errors.items() if not k.endswith((" 503", " 502", " 504"))}
    if unexpected:
        lost.append(f"server errors {unexpected}")
    after = [o for o in record.outcomes if o.at > end and o.status not in OK]
    after = [o for o in after if o.kind not in ("revoked", "forged")]
    if after:
        kinds = Counter(f"{o.kind} {o.status}" for o in after)
        lost.append(f"requests failed after recovery: {dict(kinds)}")
    missing = set(record.acknowledged) - set(record.received)
    if missing:
        missing -= await stack.notifications()
    if missing:
        lost.append(f"{len(missing)} acknowledged notifications neither delivered nor stored")
    lost += await slots_lost(stack, since_wall)
    notes = [f"{len(record.acknowledged)} notifications acknowledged"]
    notes.append(f"{len(set(record.acknowledged) - set(record.received))} fetched, not live")
    return Verdict(scenario, len(record.outcomes), failed, recovery_s, lost, notes)


# --- the scenarios -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Pace:
    """How long a scenario holds: healthy load before and after, and the outage itself."""

    steady: float = 2.0
    outage: float = 3.0


NAP_SECONDS = 2.0
# A killed worker's task: delivered again once its visibility timeout passed, at the next
# check, then run for its own duration (and some slack for a loaded machine).
REDELIVERY_BOUND = VISIBILITY_TIMEOUT + RESTORE_CHECK + NAP_SECONDS + 20.0
TAKEOVER_BOUND = LEASE_SECONDS + 15.0


class Scenario:
    """One fault under load: :meth:`run` injects it and judges what it cost."""

    def __init__(self, stack: ChaosStack, pace: Pace) -> None:
        self.stack, self.pace = stack, pace
        self.load = Load(stack)

    async def begin(self) -> float:
        self.stack.reset()
        self.since_wall = time.time()
        self.load.start()
        await asyncio.sleep(self.pace.steady)
        return time.monotonic()

    async def finish(self, name: str, fault: float, healed: float, notes: list[str]) -> Verdict:
        parts = await recovered(self.stack, healed)
        recovery = max(parts.values())
        end = time.monotonic()
        notes = [*notes, "recovered: " + ", ".join(f"{k} {v:.1f} s" for k, v in parts.items())]
        await asyncio.sleep(self.pace.steady)  # healthy again: nothing may fail from here on
        await self.load.stop()
        result = await verdict(self.stack, name, (fault, end), self.since_wall, recovery)
        result.notes = notes + result.notes
        return result


async def redis_restart(stack: ChaosStack, pace: Pace) -> Verdict:
    """(a) Redis SIGKILLed, started again after ``pace.outage`` seconds."""
    scenario = Scenario(stack, pace)
    fault = await scenario.begin()
    await asyncio.to_thread(stack.stores["redis"].kill)
    await asyncio.sleep(pace.outage)
    await asyncio.to_thread(stack.stores["redis"].start)
    healed = time.monotonic()
    return await scenario.finish(f"Redis SIGKILLed, down {pace.outage:.0f} s", fault, healed, [])


async def worker_kill(stack: ChaosStack, pace: Pace) -> Verdict:
    """(b) The worker running a task (acks_late) SIGKILLed: another worker runs it again."""
    nap = await stack.periodic("chaos nap", "chaos.nap", 86_400, {"seconds": NAP_SECONDS})
    scenario = Scenario(stack, pace)
    await scenario.begin()
    task_id = await stack.run_now(nap)

    async def started() -> dict[str, Any] | None:
        for run in await stack.runs(periodicTaskId=nap):
            if run["taskId"] == task_id and run["status"] == "started" and run["worker"]:
                return run
        return None

    await wait_for(lambda: _some(started()), 30, "the slow task never started")
    run = await started()
    assert run is not None
    victim = str(run["worker"]).split("@")[0]
    fault = time.monotonic()
    await asyncio.to_thread(stack.cluster.kill, victim)

    async def finished() -> dict[str, Any] | None:
        for again in await stack.runs(periodicTaskId=nap):
            if again["taskId"] == task_id and again["status"] == "success":
                return again
        return None

    redelivered = await wait_for(
        lambda: _some(finished()),
        REDELIVERY_BOUND,
        f"the task of the killed {victim} was not run again (visibility {VISIBILITY_TIMEOUT} s)",
        pause=0.5,
    )
    done = await finished()
    assert done is not None
    healed = time.monotonic()
    await asyncio.to_thread(stack.cluster.start_node, victim)
    notes = [
        f"{victim} SIGKILLed {NAP_SECONDS:.0f} s task; run again by "
        f"{str(done['worker']).split('@')[0]} {redelivered:.1f} s after the kill "
        f"(visibility timeout {VISIBILITY_TIMEOUT:.0f} s, checked every {RESTORE_CHECK:.1f} s)"
    ]
    result = await scenario.finish("worker SIGKILLed mid-task", fault, healed, notes)
    if done["worker"] == run["worker"]:
        result.lost.append("the task was finished by the killed worker's name")
    return result


async def _some(value: Awaitable[Any]) -> bool:
    return (await value) is not None


async def beat_leader_kill(stack: ChaosStack, pace: Pace) -> Verdict:
    """(c) The beat holding the lease SIGKILLed: the other takes over within the lease TTL."""
    scenario = Scenario(stack, pace)
    await scenario.begin()
    await wait_for(lambda: _some(stack.beat_leader()), 30, "no beat holds the lease")
    leader = await stack.beat_leader()
    assert leader is not None
    fault = time.monotonic()
    await asyncio.to_thread(stack.cluster.kill, leader)

    async def other() -> str | None:
        now = await stack.beat_leader()
        return now if now not in (None, leader) else None

    takeover = await wait_for(
        lambda: _some(other()), TAKEOVER_BOUND, f"no beat took over from {leader}", pause=0.1
    )
    healed = time.monotonic()
    new = await other()
    await asyncio.to_thread(stack.cluster.start_node, leader)
    notes = [
        f"{leader} SIGKILLed; {new} took the lease {takeover:.1f} s later (TTL {LEASE_SECONDS} s)"
    ]
    return await scenario.finish("beat leader SIGKILLed", fault, healed, notes)


async def api_node_kill(stack: ChaosStack, pace: Pace) -> Verdict:
    """(d) One API node SIGKILLed under load, started again after ``pace.outage``."""
    scenario = Scenario(stack, pace)
    fault = await scenario.begin()
    await asyncio.to_thread(stack.cluster.kill, "api-1")
    await asyncio.sleep(pace.outage)
    await asyncio.to_thread(stack.cluster.start_node, "api-1")
    healed = time.monotonic()
    return await scenario.finish("API node SIGKILLed", fault, healed, [])


# The proxy keeps a node that refused a connection out of rotation for its fail_timeout
# (deploy/nginx: max_fails=1 fail_timeout=5s), even once the node is back. Stopping the next node
# sooner leaves none in rotation: nginx answers 502 "no live upstreams" (seen: 19 requests).
PROXY_FAIL_TIMEOUT = 5.0


async def rolling_restart(stack: ChaosStack, pace: Pace) -> Verdict:
    """(e) Every API node stopped gracefully (SIGTERM) and started again, one at a time, the
    next one only once the proxy sends requests to the restarted one again."""
    scenario = Scenario(stack, pace)
    fault = await scenario.begin()
    for node in stack.cluster.role("api"):
        await asyncio.to_thread(stack.cluster.restart, node.name)
        await asyncio.sleep(PROXY_FAIL_TIMEOUT + 1.0)
    healed = time.monotonic()
    return await scenario.finish("rolling restart of every API node", fault, healed, [])


SCENARIOS: dict[str, Callable[[ChaosStack, Pace], Awaitable[Verdict]]] = {
    "redis": redis_restart,
    "worker": worker_kill,
    "beat": beat_leader_kill,
    "api": api_node_kill,
    "rolling": rolling_restart,
}
