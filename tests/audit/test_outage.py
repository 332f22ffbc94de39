"""MongoDB down while requests run: no request waits or fails for the log; entries beyond the
buffer are dropped and counted; when the store is back, what was kept is written and the drops
are reported (the log line and the Prometheus counter)."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import AsyncIterator, Sequence
from typing import Any

import httpx
import pytest
from pymongo import AsyncMongoClient

from atrium.audit.documents import COLLECTION
from atrium.audit.metrics import AUDIT_DROPPED
from atrium.audit.runtime import AUDIT
from atrium.audit.writer import mongo_store
from atrium.core.state import AppState
from tests.support.admin import API, Actor
from tests.support.audit import audit_entries, drained

BUFFER = 3


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port


@pytest.fixture
async def down() -> AsyncIterator[Any]:
    """A store pointed at a closed port: every insert fails fast."""
    url = f"mongodb://127.0.0.1:{closed_port()}/?directConnection=true"
    client: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(
        url, serverSelectionTimeoutMS=200, connectTimeoutMS=200
    )

    async def store(documents: Sequence[dict[str, Any]]) -> None:
        await client["audit"][COLLECTION].insert_many(list(documents))

    yield store
    await client.close()


async def test_an_outage_loses_no_request_and_counts_the_entries_it_drops(
    client: httpx.AsyncClient,
    state: AppState,
    admin: Actor,
    down: Any,
    caplog: pytest.LogCaptureFixture,
) -> None:
    writer = state.get(AUDIT).writer
    await drained(state)
    writer.settings.buffer_size = BUFFER
    writer.store = down
    dropped_before = AUDIT_DROPPED._value.get()
    statuses = []
    for n in range(BUFFER + 4):
        body = {"name": f"Team {n}", "code": f"team-{n}"}
        response = await client.post(f"{API}/roles", json=body, headers=admin.headers)
        statuses.append(response.status_code)
    assert statuses == [201] * (BUFFER + 4)
    await asyncio.sleep(0.3)  # the writer tries, and fails
    assert (writer.pending, writer.dropped) == (BUFFER, 4)
    assert AUDIT_DROPPED._value.get() - dropped_before == 4
    writer.store = mongo_store
    await asyncio.wait_for(drained(state), 10)
    reports = [r for r in caplog.records if "4 audit entries dropped" in r.getMessage()]
    assert len(reports) == 1, caplog.text
    created = await audit_entries(client, state, admin.headers, code="POST:/api/v1/roles")
    assert len(created) == BUFFER
    assert writer.dropped == 0
