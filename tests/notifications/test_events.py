"""The socket events of notifications and messages need their codes; the seeded ``user`` role
holds them, so a user of a stock install (``atrium initdb``) keeps using them."""

from __future__ import annotations

import httpx

from atrium.core.state import AppState
from atrium.rbac import repository
from atrium.rbac.cli import seed_database
from tests.support.live import LiveServer, probe
from tests.support.users import new_user


async def test_the_seeded_user_role_holds_the_everyday_events(
    live: LiveServer, http: httpx.AsyncClient
) -> None:
    state: AppState = live.app.state.atrium
    await seed_database(state.settings)
    alice = await new_user(state, http, "alice")
    bob = await new_user(state, http, "bob")
    async with state.db.session() as session:
        role = await repository.role_by(session, code="user")
        assert role is not None
        await repository.add_user_role(session, alice.user_id, role.id)
    send = {"recipientId": str(bob.user_id), "body": "hi"}
    read = {"peerId": str(bob.user_id)}
    async with probe(live.url, alice.access) as a, probe(live.url, bob.access) as b:
        assert (await a.call("messages:send", send))["code"] == "OK"
        assert (await a.call("messages:read", read))["code"] == "OK"
        missing = await a.call("notifications:read", {"id": "0" * 24})
        assert missing["code"] == "NOTIFICATION_NOT_FOUND"  # allowed: the handler ran
        for event, payload in (("messages:send", send), ("messages:read", read)):
            refused = await b.call(event, payload)  # bob holds no role
            assert refused["code"] == "PERMISSION_DENIED", event
            assert refused["details"][0]["message"] == f"EVENT:{event}"
