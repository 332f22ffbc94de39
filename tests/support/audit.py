"""The audit log in tests: wait for the writer, read the entries back through the API."""

from __future__ import annotations

from typing import Any

import httpx

from atrium.audit.documents import COLLECTION
from atrium.audit.runtime import AUDIT
from atrium.core.state import AppState

ENTRIES = "/api/v1/audit/entries"


async def drained(state: AppState) -> None:
    """Every entry recorded so far is in MongoDB."""
    await state.get(AUDIT).writer.drain()


async def audit_entries(
    client: httpx.AsyncClient, state: AppState, headers: dict[str, str], **params: Any
) -> list[dict[str, Any]]:
    """Every matching entry (all pages), newest first, once the writer has written them."""
    await drained(state)
    found: list[dict[str, Any]] = []
    cursor: str | None = None
    while True:
        query = {**params, "limit": 100, **({"cursor": cursor} if cursor else {})}
        response = await client.get(ENTRIES, params=query, headers=headers)
        assert response.status_code == 200, response.text
        page = response.json()["data"]
        found.extend(page["items"])
        cursor = page["nextCursor"]
        if cursor is None:
            return found


async def raw_entries(state: AppState) -> list[dict[str, Any]]:
    """The audit collection's documents as MongoDB holds them."""
    await drained(state)
    collection = state.mongo.database[COLLECTION]
    return [document async for document in collection.find({})]
