"""Every state-changing API call is recorded once, after it completes, with what it changed."""

from __future__ import annotations

import httpx

from atrium.core.state import AppState
from tests.support.admin import API, Actor, data
from tests.support.audit import audit_entries


async def test_a_role_created_is_one_entry_with_its_fields(
    client: httpx.AsyncClient, state: AppState, admin: Actor
) -> None:
    body = {"name": "Auditors", "code": "auditors", "description": "They read"}
    role = data(await client.post(f"{API}/roles", json=body, headers=admin.headers), 201)
    [entry] = await audit_entries(client, state, admin.headers, targetId=role["id"])
    assert entry["code"] == "POST:/api/v1/roles"
    assert (entry["actorKind"], entry["actorId"], entry["status"]) == ("user", str(admin.id), 201)
    assert entry["requestId"] and entry["userAgent"] and entry["durationMs"] > 0
    fields = {c["field"]: (c["old"], c["new"]) for c in entry["changes"] if c["entity"] == "roles"}
    assert fields["code"] == (None, "auditors")
    assert fields["description"] == (None, "They read")
