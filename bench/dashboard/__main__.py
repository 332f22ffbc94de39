"""``python -m bench.dashboard [--scale 1.0] [--repeat 50] [--sql sqlite|postgresql]``

Builds a year of a busy small company into a fresh MongoDB database on the test services' server
(SecantusDB) and a fresh SQL database: 500 users, 200,000 logins, 500,000 scheduler runs, 50,000
files, 1,000,000 notifications (the records themselves, then ``atrium dashboard rebuild``'s
counters computed from them) and 2,000,000 requests (the per-minute and per-day rollups a year
of flushes leaves). Then times each figure of ``/api/v1/dashboard`` for a one-year range
(``--repeat`` times, after one warm-up) through the service the routes call, and prints p50/p99
per figure with the build's size and duration. ``--scale`` shrinks every size (0.01 for a try).
"""

from __future__ import annotations

import argparse
import asyncio
import platform
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from uuid import UUID, uuid4

from bson import ObjectId
from sqlalchemy import insert
from tests.support.postgres import postgres_database

from atrium.auth import stats as logins
from atrium.config import Environment, MongoSettings, Settings, SQLSettings
from atrium.core import migrate
from atrium.core.dailycounts import Change, DailyCounters, day_of
from atrium.core.state import AppState, open_state
from atrium.dashboard import cli, service
from atrium.dashboard.documents import RequestDay, RequestMinute
from atrium.dashboard.rollups import RequestRollups, Tally
from atrium.dashboard.schemas import DayRange
from atrium.dashboard.settings import DashboardSettings
from atrium.files import stats as files
from atrium.notifications import stats as notifications
from atrium.scheduler import stats as runs
from atrium.users.models import User
from bench.common import services

SIZES = {
    "users": 500,
    "logins": 200_000,
    "runs": 500_000,
    "files": 50_000,
    "notifications": 1_000_000,
    "requests": 2_000_000,
}
YEAR = timedelta(days=365)
KEPT_SQLITE = Path(__file__).resolve().parents[2] / "var" / "bench-dashboard.db"
BATCH = 10_000
RUN_STATUSES = (
    ("success", 0.9),
    ("failure", 0.07),
    ("retry", 0.01),
    ("started", 0.01),
    ("sent", 0.01),
)
CONTENT_TYPES = ("application/pdf", "image/png", "image/jpeg", "text/csv", "application/zip")


def _at(rng: random.Random, start: datetime) -> datetime:
    return start + timedelta(seconds=rng.uniform(0, YEAR.total_seconds()))


async def _insert(state: AppState, name: str, documents: list[dict[str, Any]]) -> None:
    collection = state.mongo.database[name]
    for done in range(0, len(documents), BATCH):
        await collection.insert_many(documents[done : done + BATCH], ordered=False)


def _records(
    rng: random.Random, sizes: dict[str, int], start: datetime, user_ids: list[UUID]
) -> dict[str, list[dict[str, Any]]]:
    """A year of each kind of record, as each domain stores it."""

    def login() -> dict[str, Any]:
        at, ok = _at(rng, start), rng.random() < 0.9
        return {
            "username": "u",
            "user_id": rng.choice(user_ids) if ok else None,
            "outcome": "success" if ok else "failure",
            "method": "password",
            "created_at": at,
            "expires_at": at + YEAR,
        }

    def run() -> dict[str, Any]:
        status = rng.choices([s for s, _ in RUN_STATUSES], [w for _, w in RUN_STATUSES])[0]
        return {
            "periodic_task_name": "bench",
            "task": "bench.task",
            "task_id": uuid4().hex,
            "trigger": "schedule",
            "status": status,
            "dispatched_at": _at(rng, start),
        }

    def file() -> dict[str, Any]:
        return {
            "_id": uuid4(),
            "owner_id": rng.choice(user_ids),
            "key": uuid4().hex,
            "name": "f",
            "content_type": rng.choice(CONTENT_TYPES),
            "size": rng.randint(1_000, 5_000_000),
            "status": "complete",
            "created_at": _at(rng, start),
        }

    def notification() -> dict[str, Any]:
        at = _at(rng, start)
        return {
            "_id": ObjectId(),
            "audience": "user",
            "recipient_id": rng.choice(user_ids),
            "type": "bench",
            "title": "t",
            "created_at": at,
            "expires_at": at + YEAR,
        }

    makers = {"logins": login, "runs": run, "files": file, "notifications": notification}
    return {name: [make() for _ in range(sizes[name])] for name, make in makers.items()}


def _changes(name: str, records: list[dict[str, Any]]) -> list[Change]:
    """What each record's write adds to its domain's daily counters (the write-time path)."""
    if name == "logins":
        return [
            Change(
                r["created_at"],
                r["outcome"],
                member=str(r["user_id"]) if r["outcome"] == "success" else None,
            )
            for r in records
        ]
    if name == "runs":
        return [Change(r["dispatched_at"], r["status"]) for r in records]
    if name == "files":
        return [Change(r["created_at"], r["content_type"], 1, r["size"]) for r in records]
    return [Change(r["created_at"], r["audience"]) for r in records]


COUNTERS: dict[str, tuple[DailyCounters, str]] = {
    "logins": (logins.LOGIN_DAYS, "login_logs"),
    "runs": (runs.RUN_DAYS, "scheduler_task_runs"),
    "files": (files.FILE_DAYS, "files"),
    "notifications": (notifications.NOTIFICATION_DAYS, "notifications"),
}


async def build(
    state: AppState, sizes: dict[str, int], start: datetime, with_records: bool
) -> dict[str, float]:
    rng = random.Random(18)
    took: dict[str, float] = {}
    clock = time.perf_counter()
    user_ids = [uuid4() for _ in range(sizes["users"])]
    async with state.db.session() as session:
        rows = [
            {
                "id": uid,
                "username": f"user{i}",
                "username_key": f"user{i}",
                "email": f"user{i}@example.com",
                "email_key": f"user{i}@example.com",
                "password_hash": "x",
                "display_name": "",
                "status": "active",
                "is_superuser": False,
                "created_at": _at(rng, start - YEAR),
                "updated_at": start,
            }
            for i, uid in enumerate(user_ids)
        ]
        await session.execute(insert(User), rows)
    took["users"] = time.perf_counter() - clock
    records = _records(rng, sizes, start, user_ids)
    for name, (counters, collection) in COUNTERS.items():
        clock = time.perf_counter()
        changes = _changes(name, records[name])
        for done in range(0, len(changes), 100_000):
            await counters.add(changes[done : done + 100_000])
        if with_records:
            await _insert(state, collection, records[name])
        took[name] = time.perf_counter() - clock
        print(f"  {name}: {sizes[name]:,} records counted in {took[name]:.0f} s", flush=True)
    if with_records:
        clock = time.perf_counter()
        await cli.rebuild_all()
        took["rebuild"] = time.perf_counter() - clock
        print(f"  rebuilt the daily counters from the records in {took['rebuild']:.0f} s")
    clock = time.perf_counter()
    await _requests(rng, sizes["requests"], start)
    took["requests"] = time.perf_counter() - clock
    print(
        f"  requests: {sizes['requests']:,} counted into rollups in {took['requests']:.0f} s",
        flush=True,
    )
    return took


async def _requests(rng: random.Random, n: int, start: datetime) -> None:
    """What a year of flushes leaves: each request counted into its minute's tally."""
    tallies: dict[datetime, Tally] = {}
    for _ in range(n):
        minute = _at(rng, start).replace(second=0, microsecond=0)
        status = rng.choices((200, 404, 500), (0.95, 0.04, 0.01))[0]
        tallies.setdefault(minute, Tally()).add(status, rng.lognormvariate(3, 1))
    rollups = RequestRollups(DashboardSettings())
    minutes, days = rollups._updates(tallies)
    # The day rollups through the flush's own upserts; the minute rollups (half a million, read
    # by no figure) inserted as the documents those upserts create in an empty collection.
    await RequestDay.get_pymongo_collection().bulk_write(days, ordered=False)
    documents = [_document(update) for update in minutes]
    collection = RequestMinute.get_pymongo_collection()
    for done in range(0, len(documents), BATCH):
        await collection.insert_many(documents[done : done + BATCH], ordered=False)


def _document(update: Any) -> dict[str, Any]:
    doc = update._doc  # an upsert into an empty collection stores exactly this
    found: dict[str, Any] = {"_id": update._filter["_id"], **doc["$setOnInsert"]}
    latency: dict[str, int] = {}
    for key, value in doc["$inc"].items():
        if key.startswith("latency."):
            latency[key.removeprefix("latency.")] = value
        else:
            found[key] = value
    found["latency"] = latency
    return found


FIGURES: dict[str, Callable[[AppState, DayRange], Awaitable[object]]] = {}


async def _users(state: AppState, found: DayRange) -> object:
    async with state.db.session() as session:
        return await service.user_figures(session, found)


def _figures() -> dict[str, Callable[[AppState, DayRange], Awaitable[object]]]:
    return {
        "users": _users,
        "logins": lambda _s, r: service.login_figures(r),
        "requests": lambda _s, r: service.request_figures(r),
        "runs": lambda _s, r: service.run_figures(r),
        "files": lambda _s, r: service.file_figures(r),
        "notifications": lambda _s, r: service.notification_figures(r),
    }


async def measure(state: AppState, repeat: int, end: datetime) -> dict[str, tuple[float, float]]:
    found = service.day_range(DashboardSettings(), end - YEAR, end)
    results: dict[str, tuple[float, float]] = {}
    for name, figure in _figures().items():
        await figure(state, found)  # warm-up
        times = []
        for _ in range(repeat):
            clock = time.perf_counter()
            await figure(state, found)
            times.append((time.perf_counter() - clock) * 1000)
        times.sort()
        p99 = times[min(len(times) - 1, int(len(times) * 0.99))]
        results[name] = (statistics.median(times), p99)
        print(f"  {name:14} p50 {results[name][0]:7.1f} ms   p99 {p99:7.1f} ms", flush=True)
    return results


async def run(settings: Settings, sizes: dict[str, int], args: argparse.Namespace) -> None:
    state = await open_state(settings)
    try:
        from atrium.core.domain import load_domains

        await state.mongo.init_documents(load_domains(settings).document_models())
        end = day_of(datetime.now(UTC))
        if not args.reuse:
            clock = time.perf_counter()
            await build(state, sizes, end - YEAR, args.records)
            print(f"built in {time.perf_counter() - clock:.0f} s; sizes {sizes}", flush=True)
        sample = await service.login_figures(
            service.day_range(DashboardSettings(), end - YEAR, end)
        )
        print(f"  (check: {sample.successes + sample.failures:,} logins in the year)")
        for name in (
            "login_days",
            "scheduler_run_days",
            "file_days",
            "notification_days",
            "dashboard_request_days",
            "dashboard_request_minutes",
        ):
            stored = await state.mongo.database[name].count_documents({})
            print(f"  {name}: {stored:,} documents", flush=True)
        if args.build_only:
            print(f"kept: --reuse {settings.mongo.database}", flush=True)
            return
        await measure(state, args.repeat, end)
    finally:
        if not (args.build_only or args.reuse):
            await state.mongo.client.drop_database(settings.mongo.database)
        await state.close()


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.dashboard")
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--repeat", type=int, default=50)
    parser.add_argument("--sql", choices=("sqlite", "postgresql"), default="sqlite")
    # Also store the records themselves and rebuild the counters from them (slow on SecantusDB:
    # some hundreds of documents a second with the collections' indexes on a shared VM).
    parser.add_argument("--records", action="store_true")
    # Build and keep the data set (MongoDB database and var/bench-dashboard.db), then time it
    # later with --reuse NAME (on a shared machine, when it is quiet); the reuse drops nothing.
    parser.add_argument("--build-only", action="store_true")
    parser.add_argument("--reuse", metavar="DATABASE")
    args = parser.parse_args()
    sizes = {name: max(1, int(size * args.scale)) for name, size in SIZES.items()}
    env = services()
    print(f"bench.dashboard on {platform.node()}: {args.sql}, repeat {args.repeat}", flush=True)
    name = args.reuse or f"bench_dash_{uuid4().hex[:8]}"
    mongo = MongoSettings(url=env["ATRIUM_MONGO__URL"], database=name, timeout_ms=30_000)
    kept = args.build_only or args.reuse
    with tempfile.TemporaryDirectory() as tmp:
        if args.sql == "sqlite":
            path = KEPT_SQLITE if kept else Path(tmp) / "bench.db"
            if args.build_only:
                path.unlink(missing_ok=True)
            _go(f"sqlite+aiosqlite:///{path}", mongo, env, sizes, args)
        else:
            if kept:
                sys.exit("--build-only and --reuse keep a SQLite database: use --sql sqlite")
            with postgres_database(env["ATRIUM_TEST_POSTGRES_URL"]) as url:
                _go(url, mongo, env, sizes, args)


def _go(
    url: str,
    mongo: MongoSettings,
    env: dict[str, str],
    sizes: dict[str, int],
    args: argparse.Namespace,
) -> None:
    settings = Settings(environment=Environment.TESTING, sql=SQLSettings(url=url), mongo=mongo)
    settings.redis.url = env["ATRIUM_REDIS__URL"]
    if not args.reuse:
        migrate.upgrade(settings)
    asyncio.run(run(settings, sizes, args))


if __name__ == "__main__":
    main()
