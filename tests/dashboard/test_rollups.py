"""The request rollups: two processes counting the same minutes add up in the stored rollups, and
a MongoDB outage fails no request (counts are held, then dropped and counted past the limit)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from pymongo import UpdateOne

from atrium.core.state import AppState
from atrium.dashboard import service
from atrium.dashboard.documents import RequestDay, RequestMinute
from atrium.dashboard.metrics import REQUESTS_DROPPED
from atrium.dashboard.rollups import RequestRollups, mongo_store
from atrium.dashboard.runtime import DASHBOARD
from atrium.dashboard.settings import DashboardSettings
from tests.support.users import superuser

START = datetime(2026, 5, 4, 23, 58, 30, tzinfo=UTC)


class Clock:
    def __init__(self) -> None:
        self.now = START

    def __call__(self) -> datetime:
        return self.now


async def refused(_minutes: Sequence[UpdateOne], _days: Sequence[UpdateOne]) -> None:
    raise ConnectionError("MongoDB is down")


async def test_two_nodes_counting_the_same_minutes_add_up(state: AppState) -> None:
    clock = Clock()
    nodes = [RequestRollups(DashboardSettings(), clock=clock) for _ in range(2)]
    for node, (status, ms) in zip(nodes, ((200, 3.0), (404, 40.0)), strict=True):
        node.observe(status, ms)
        node.observe(503, ms)
    clock.now += timedelta(minutes=2)  # past midnight: a second day, too
    for node in nodes:
        node.observe(200, 700.0)
    assert all([await node.flush() for node in nodes])

    minutes = {m.id: m for m in await RequestMinute.find_all().to_list()}
    assert sorted(minutes) == ["2026-05-04T23:58", "2026-05-05T00:00"]
    first = minutes["2026-05-04T23:58"]
    assert (first.requests, first.client_errors, first.server_errors) == (4, 1, 2)
    assert first.latency == {"2": 2, "5": 2}  # <= 5 ms, <= 50 ms
    days = {d.id: d for d in await RequestDay.find_all().to_list()}
    assert (days["2026-05-04"].requests, days["2026-05-05"].requests) == (4, 2)
    found = await service.request_figures(
        service.day_range(DashboardSettings(), START - timedelta(days=1), START + timedelta(1))
    )
    assert (found.count, found.client_errors, found.server_errors) == (6, 1, 2)
    assert found.p95_ms == 1000  # 2 of 6 took 700 ms: the 95th percentile is in (500, 1000]


async def test_an_outage_holds_the_counts_then_drops_and_counts_the_rest(
    state: AppState,
) -> None:
    clock = Clock()
    rollups = RequestRollups(DashboardSettings(pending_minutes=2), store=refused, clock=clock)
    dropped_before = REQUESTS_DROPPED._value.get()
    for _ in range(3):  # three requests in each of three minutes; room for two minutes only
        rollups.observe(200, 1.0)
        rollups.observe(200, 1.0)
        rollups.observe(500, 1.0)
        assert await rollups.flush() is False
        clock.now += timedelta(minutes=1)
    assert (rollups.pending, rollups.dropped_total) == (6, 3)
    assert REQUESTS_DROPPED._value.get() - dropped_before == 3
    rollups.store = mongo_store  # MongoDB is back
    assert await rollups.flush() is True
    assert (rollups.pending, rollups.dropped) == (0, 0)
    stored = await RequestDay.find_all().to_list()
    assert [(d.requests, d.server_errors) for d in stored] == [(6, 2)]


async def test_a_flush_refused_halfway_stores_each_rollup_once(state: AppState) -> None:
    calls: list[tuple[int, int]] = []

    async def days_refused_once(minutes: Sequence[UpdateOne], days: Sequence[UpdateOne]) -> None:
        calls.append((len(minutes), len(days)))
        if days and len(calls) == 2:
            raise ConnectionError("MongoDB went away")
        await mongo_store(minutes, days)

    clock = Clock()
    rollups = RequestRollups(DashboardSettings(), store=days_refused_once, clock=clock)
    rollups.observe(200, 1.0)
    assert await rollups.flush() is False  # the minute stored, its day refused
    rollups.observe(404, 1.0)
    assert await rollups.flush() is True
    assert calls == [(1, 0), (0, 1), (1, 0), (0, 1)]
    (minute,) = await RequestMinute.find_all().to_list()
    (day,) = await RequestDay.find_all().to_list()
    assert (minute.requests, day.requests, day.client_errors) == (2, 2, 1)


@pytest.mark.usefixtures("state")
async def test_requests_succeed_while_the_rollups_cannot_be_stored(
    state: AppState, client: httpx.AsyncClient
) -> None:
    root = await superuser(state, client)
    rollups = state.get(DASHBOARD).rollups
    rollups.store = refused
    for _ in range(5):
        response = await client.get("/api/v1/auth/me", headers=root.headers)
        assert response.status_code == 200
        assert await rollups.flush() is False
    assert rollups.pending >= 5
