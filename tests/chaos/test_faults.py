"""Faults injected into the running cluster under steady load: nothing acknowledged is lost.

Each test runs one scenario of :mod:`tests.support.chaos` on one stack (two API nodes behind
nginx, two workers, two beats, on a Redis of the stack's own): Redis SIGKILLed and restarted, the
worker running a task SIGKILLed, the beat holding the lease SIGKILLed. Each asserts what the
promise says (see docs/reliability.md, "Fault injection"): the stack recovers with no manual
action, requests fail during the fault only with a 503 (or a cut connection) and never pass
without valid auth, every acknowledged notification is delivered or fetchable, every periodic
slot is dispatched once and executed, and the killed worker's task runs again.

``make chaos`` runs these and the longer scenarios with ``CHAOS_FULL=1``: longer
outages, every scenario, and the table of results printed and written to
``var/chaos/results.md``.
"""

from __future__ import annotations

import asyncio
import os
import shutil
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from uuid import uuid4

import pytest
import pytest_asyncio

from atrium.cluster import Cluster, Topology
from atrium.config import RedisSettings
from atrium.syspackages import SystemPackageError, ensure_program
from tests.support import ROOT
from tests.support.chaos import (
    CHAOS_DOMAIN,
    CHAOS_ENV,
    SCENARIOS,
    TABLE_HEAD,
    ChaosStack,
    Pace,
    Verdict,
    redis_store,
)
from tests.support.nodes import process_env
from tests.support.postgres import postgres_database
from tests.support.settings import settings_for

FULL = os.environ.get("CHAOS_FULL") == "1"
PACE = Pace(steady=5.0, outage=10.0) if FULL else Pace(steady=1.5, outage=3.0)
RESULTS = ROOT / "var" / "chaos" / "results.md"
pytestmark = [pytest.mark.slow, pytest.mark.asyncio(loop_scope="module")]
verdicts: list[Verdict] = []


@pytest.fixture(scope="module")
def nginx() -> str:
    try:
        return ensure_program("nginx", "nginx", "for the fault-injection suite")
    except SystemPackageError as exc:
        pytest.skip(f"nginx is not installed and cannot be installed here: {exc}")


@pytest.fixture(scope="module")
def chaos_dir() -> Path:
    """Under var/chaos: the stack's logs stay there for a look after a failure."""
    directory = ROOT / "var" / "chaos" / ("full" if FULL else "short")
    shutil.rmtree(directory, ignore_errors=True)
    return directory


@pytest.fixture(scope="module")
def sql_database(services: dict[str, str]) -> Iterator[str]:
    with postgres_database(services["ATRIUM_TEST_POSTGRES_URL"], "atrium_chaos") as url:
        yield url


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def stack(
    services: dict[str, str], sql_database: str, nginx: str, chaos_dir: Path
) -> AsyncIterator[ChaosStack]:
    redis = redis_store(chaos_dir)
    await asyncio.to_thread(redis.start)
    settings = settings_for(services, sql_database, uuid4().hex[:12])
    settings.redis = RedisSettings(url=f"redis://127.0.0.1:{redis.port}/0")
    settings.domains = [*settings.domains, CHAOS_DOMAIN]
    env = {**process_env(settings), **CHAOS_ENV}
    pool = ("prefork", 2) if FULL else ("solo", 1)
    topology = Topology(2, 2, 2, worker_concurrency=pool[1], worker_pool=pool[0])
    cluster = Cluster(chaos_dir / "cluster", env, topology, nginx=nginx)
    opened = ChaosStack(cluster, {"redis": redis})
    try:
        await asyncio.to_thread(cluster.prepare)
        await asyncio.to_thread(cluster.start)
        await opened.open()
        yield opened
    finally:
        await opened.close()
        await asyncio.to_thread(cluster.stop)
        await asyncio.to_thread(redis.stop)
        _write_results()
    assert cluster.leftovers() == [], "processes of the cluster outlived it"


def _write_results() -> None:
    if not verdicts:
        return
    table = "\n".join([TABLE_HEAD, *(v.row() for v in verdicts)])
    if FULL:
        RESULTS.parent.mkdir(parents=True, exist_ok=True)
        RESULTS.write_text(table + "\n")
    print(f"\nfault injection ({'full' if FULL else 'short'} run):\n{table}\n")


async def scenario(stack: ChaosStack, name: str) -> Verdict:
    result = await SCENARIOS[name](stack, PACE)
    verdicts.append(result)
    return result


def only_unavailable(result: Verdict) -> None:
    """Requests failed during the fault only as a store outage should fail them."""
    statuses = {what.rsplit(" ", 1)[1] for what in result.failed}
    assert statuses <= {"503", "502", "0"}, f"unexpected statuses during the fault: {result.row()}"


async def test_redis_killed_and_restarted_loses_nothing_and_fails_closed(
    stack: ChaosStack,
) -> None:
    result = await scenario(stack, "redis")
    assert result.lost == [], result.row()
    only_unavailable(result)


async def test_a_worker_killed_mid_task_has_its_task_run_again_by_another(
    stack: ChaosStack,
) -> None:
    result = await scenario(stack, "worker")
    assert result.lost == [], result.row()
    assert not result.failed, f"the API should not notice a worker's death: {result.row()}"


async def test_the_beat_leader_killed_is_replaced_within_the_lease_and_no_slot_runs_twice(
    stack: ChaosStack,
) -> None:
    result = await scenario(stack, "beat")
    assert result.lost == [], result.row()
    assert not result.failed, f"the API should not notice a beat's death: {result.row()}"


@pytest.mark.skipif(not FULL, reason="make chaos only (CHAOS_FULL=1)")
async def test_an_api_node_killed_costs_at_most_its_requests_in_flight(
    stack: ChaosStack,
) -> None:
    result = await scenario(stack, "api")
    assert result.lost == [], result.row()


@pytest.mark.skipif(not FULL, reason="make chaos only (CHAOS_FULL=1)")
async def test_a_rolling_restart_of_every_api_node_fails_no_request(stack: ChaosStack) -> None:
    result = await scenario(stack, "rolling")
    assert result.lost == [], result.row()
    assert not result.failed, result.row()
