"""The audit collection's indexes are created at start-up, the TTL index among them (SecantusDB
creates it without enforcing it; real MongoDB deletes expired entries), and each entry expires
after the configured retention."""

from __future__ import annotations

from datetime import datetime, timedelta

import httpx

from atrium.audit.documents import COLLECTION
from atrium.audit.settings import AuditSettings
from atrium.core.state import AppState
from tests.support.admin import API, Actor
from tests.support.audit import raw_entries


async def test_the_ttl_and_filter_indexes_exist(state: AppState) -> None:
    indexes = await state.mongo.database[COLLECTION].index_information()
    by_keys = {tuple(key for key, _ in index["key"]): index for index in indexes.values()}
    assert by_keys[("expires_at",)]["expireAfterSeconds"] == 0
    for keys in (("at", "_id"), ("actor_id", "at"), ("code", "at"), ("target_ids", "at")):
        assert keys in by_keys, keys


async def test_an_entry_expires_after_the_retention(
    client: httpx.AsyncClient, state: AppState, admin: Actor
) -> None:
    await client.post(f"{API}/roles", json={"name": "Team", "code": "team"}, headers=admin.headers)
    [entry] = [e for e in await raw_entries(state) if e["code"] == "POST:/api/v1/roles"]
    at: datetime = entry["at"]
    days = state.settings.group(AuditSettings).retention_days
    assert entry["expires_at"] - at == timedelta(days=days)
