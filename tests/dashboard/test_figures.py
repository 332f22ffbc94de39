"""Each figure against a small known data set written through the owning domains' own write
paths (logins over HTTP, the run ledger's steps, uploads and deletes, stored notifications), and
``atrium dashboard rebuild`` recomputing the same figures from the records (both SQL backends)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import uuid4

import httpx
from beanie import PydanticObjectId

from atrium.auth.documents import LoginLog, LoginOutcome
from atrium.core.clock import utcnow
from atrium.core.state import AppState
from atrium.dashboard import cli
from atrium.dashboard.runtime import DASHBOARD
from atrium.notifications import repository as notifications
from atrium.notifications.documents import Audience, Notification
from atrium.scheduler import ledger
from atrium.scheduler.documents import TaskRun
from tests.support.users import create_user, login, superuser

BASE = "/api/v1/dashboard"
FIGURES = ("users", "logins", "requests", "runs", "files", "notifications")


async def _figure(
    client: httpx.AsyncClient, headers: dict[str, str], name: str, **query: str
) -> dict[str, Any]:
    response = await client.get(f"{BASE}/{name}", params=query, headers=headers)
    assert response.status_code == 200, response.text
    data: dict[str, Any] = response.json()["data"]
    return data


async def _runs() -> None:
    def run() -> TaskRun:
        return TaskRun(periodic_task_name="nightly", task="reports.build", task_id=uuid4().hex)

    runs = [run() for _ in range(4)]
    claimed = await ledger.RunLedger().claim(runs)
    assert len(claimed.ours) == 4
    await ledger.release([runs[3].task_id])  # never published: forgotten
    await ledger.mark_sent([r.task_id for r in runs[:3]])
    for found in runs[:2]:
        await ledger.record_start(found.task_id, "worker-1", utcnow())
    await ledger.record_retry(runs[1].task_id, "busy")
    await ledger.record_start(runs[1].task_id, "worker-1", utcnow())
    await ledger.record_finish(runs[0].task_id, success=True, duration_ms=5)
    await ledger.record_finish(runs[1].task_id, success=False, duration_ms=7, error="boom")


async def _files(client: httpx.AsyncClient, headers: dict[str, str]) -> None:
    ids = []
    for data, content_type in (
        (b"12345", "text/plain"),
        (b"1234567", "text/plain"),
        (b"png", "image/png"),
    ):
        files = {"file": ("f", data, content_type)}
        made = await client.post("/api/v1/files", files=files, headers=headers)
        assert made.status_code == 201, made.text
        ids.append(made.json()["data"]["id"])
    deleted = await client.delete(f"/api/v1/files/{ids[1]}", headers=headers)
    assert deleted.status_code == 200, deleted.text


async def _notifications(user_ids: list[Any]) -> None:
    now = utcnow()
    common = {"type": "note", "title": "hi", "created_at": now, "expires_at": now + timedelta(1)}
    await notifications.insert(
        [
            Notification(id=PydanticObjectId(), audience=Audience.USER, recipient_id=uid, **common)
            for uid in user_ids
        ]
    )
    await notifications.insert([Notification(audience=Audience.EVERYONE, **common)])


async def test_each_figure_counts_what_was_written(
    state: AppState, client: httpx.AsyncClient
) -> None:
    root = await superuser(state, client)  # one successful login
    bob = await create_user(state, "bob")
    for _ in range(2):
        assert (await login(client, "bob", "wrong-password")).status_code == 401
    await _runs()
    await _files(client, root.headers)
    await _notifications([root.user_id, bob.id])
    today = utcnow().date().isoformat()

    users = await _figure(client, root.headers, "users")
    assert (users["total"], users["new"], users["active"]) == (2, 2, 1)
    logins = await _figure(client, root.headers, "logins")
    assert (logins["successes"], logins["failures"]) == (1, 2)
    assert [d for d in logins["days"] if d["successes"] or d["failures"]] == [
        {"day": today, "successes": 1, "failures": 2}
    ]
    runs = await _figure(client, root.headers, "runs")
    assert runs["total"] == 3
    assert runs["byStatus"] == {
        "dispatching": 0,
        "sent": 1,
        "started": 0,
        "retry": 0,
        "success": 1,
        "failure": 1,
    }
    files = await _figure(client, root.headers, "files")
    assert (files["count"], files["bytes"]) == (2, 8)
    assert files["byType"] == [
        {"contentType": "text/plain", "count": 1, "bytes": 5},
        {"contentType": "image/png", "count": 1, "bytes": 3},
    ]
    sent = await _figure(client, root.headers, "notifications")
    assert (sent["count"], sent["byAudience"]) == (3, {"user": 2, "everyone": 1})
    assert [d for d in sent["days"] if d["count"]] == [{"day": today, "count": 3}]

    # The counters recomputed from the records give the very same figures.
    before = {name: await _figure(client, root.headers, name) for name in FIGURES[1:]}
    stored = await cli.rebuild_all()
    assert stored == {
        "logins": 3,
        "runs": 1,
        "files": 1,
        "notifications": 1,
    }  # a day (logins: + its members, the month's)
    after = {name: await _figure(client, root.headers, name) for name in FIGURES[1:]}
    del before["requests"], after["requests"]  # the reads themselves are requests
    assert after == before


async def test_a_rebuild_counts_records_written_before_the_counters(
    state: AppState, client: httpx.AsyncClient
) -> None:
    root = await superuser(state, client)
    old = datetime(2026, 1, 10, 12, tzinfo=UTC)
    await LoginLog.insert_many(
        [
            LoginLog(
                username="x",
                outcome=LoginOutcome.FAILURE,
                created_at=old + timedelta(hours=i),
                expires_at=old + timedelta(days=400),
            )
            for i in range(3)
        ]
    )
    query = {"from": "2026-01-01T00:00:00Z", "to": "2026-02-01T00:00:00Z"}
    assert (await _figure(client, root.headers, "logins", **query))["failures"] == 0
    await cli.rebuild_all()
    found = await _figure(client, root.headers, "logins", **query)
    assert found["failures"] == 3
    assert [d["day"] for d in found["days"] if d["failures"]] == ["2026-01-10"]


async def test_requests_per_day_count_every_api_call_with_its_errors(
    state: AppState, client: httpx.AsyncClient
) -> None:
    root = await superuser(state, client)
    rollups = state.get(DASHBOARD).rollups
    await rollups.flush()
    seen: list[int] = []

    async def note(response: httpx.Response) -> None:
        if response.url.path.startswith("/api/v1"):
            seen.append(response.status_code)

    client.event_hooks["response"].append(note)
    first = await _figure(client, root.headers, "requests")
    for path in ("/api/v1/no-such-route", "/api/v1/auth/me", "/api/v1/auth/me"):
        await client.get(path, headers=root.headers)
    await client.get("/api/v1/auth/me")  # 401
    await rollups.flush()
    second = await _figure(client, root.headers, "requests")
    assert second["count"] - first["count"] == len(seen) - 1  # the last read is not yet counted
    client_errors = sum(400 <= status < 500 for status in seen)
    assert second["clientErrors"] - first["clientErrors"] == client_errors == 2
    assert second["serverErrors"] == 0
    assert second["p95Ms"] is not None
    today = next(d for d in second["days"] if d["day"] == utcnow().date().isoformat())
    assert today["count"] == second["count"]
