"""The beat section: the lease holder and its time left, and the next due tasks from the run
state beat stores (both SQL backends)."""

from __future__ import annotations

from datetime import timedelta

import httpx
from sqlalchemy import update
from sqlmodel import col

from atrium.core.clock import utcnow
from atrium.core.state import AppState
from atrium.scheduler.lease import LeaderLease, lease_key
from atrium.scheduler.models import PeriodicTask
from tests.support.users import superuser

BASE = "/api/v1/monitor"


async def test_the_leader_and_the_next_due_tasks(
    state: AppState, client: httpx.AsyncClient
) -> None:
    root = await superuser(state, client)
    lease = LeaderLease(state.redis, lease_key(state.settings), "beat-a:42", ttl_seconds=30)
    assert await lease.refresh()
    names = ("later", "soon", "disabled")
    for name in names:
        schedule = {"kind": "interval", "every": 60}
        body = {"name": name, "task": "scheduler.ping", "schedule": schedule}
        created = await client.post("/api/v1/scheduler/tasks", json=body, headers=root.headers)
        assert created.status_code == 201, created.text
    now = utcnow()
    async with state.db.session() as session:
        for offset, name in enumerate(names):
            at = now + timedelta(minutes=10 - offset * 5)
            query = update(PeriodicTask).where(col(PeriodicTask.name) == name)
            await session.execute(query.values(next_run_at=at, enabled=name != "disabled"))
        await session.commit()
    beat = (await client.get(BASE, headers=root.headers)).json()["data"]["beat"]
    assert beat["leader"] == "beat-a:42"
    assert 25_000 < beat["leaseExpiresInMs"] <= 30_000
    assert [task["name"] for task in beat["nextDue"]] == ["soon", "later"]
