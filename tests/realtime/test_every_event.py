"""Every socket event of the full app (every domain) has a code in the catalogue and is enforced:
a protected event refuses a user without its code and serves one holding only that code; an
event open to every logged-in user serves anyone. The walk is over the app's own router, so a
new domain's events are checked as soon as they exist."""

from __future__ import annotations

import httpx
from sqlalchemy import select

from atrium.core.codes import CodeKind
from atrium.core.routing import Access
from atrium.core.state import AppState
from atrium.rbac.models import Permission
from atrium.realtime.server import RealtimeServer
from tests.support.live import LiveServer, probe
from tests.support.users import give_role, new_user

REFUSED = {"PERMISSION_DENIED", "AUTH_REQUIRED", "UNKNOWN_EVENT"}


async def test_every_event_is_catalogued_and_enforced(
    live: LiveServer, state: AppState, http: httpx.AsyncClient
) -> None:
    server: RealtimeServer = live.app.state.realtime
    handlers = server.router.handlers
    assert {"ping", "auth:refresh", "messages:send", "notifications:read"} <= set(handlers)
    async with state.db.session() as session:
        rows = (await session.execute(select(Permission))).scalars().all()
    catalogued = {row.code: row for row in rows if row.kind == CodeKind.EVENT}
    assert set(catalogued) == {handler.code for handler in handlers.values()}
    for index, (event, handler) in enumerate(sorted(handlers.items())):
        assert handler.code == f"EVENT:{event}"
        assert catalogued[handler.code].access.value == handler.access.value
        nobody = await new_user(state, http, f"nobody{index}")
        async with probe(live.url, nobody.access) as client:
            ack = await client.call(event, {})
        if handler.access is Access.AUTHENTICATED:
            assert ack["code"] not in REFUSED, (event, ack)
            continue
        assert ack["code"] == "PERMISSION_DENIED", (event, ack)
        assert ack["details"][0]["message"] == handler.code
        holder = await new_user(state, http, f"holder{index}")
        await give_role(state, holder.user_id, f"only{index}", [handler.code])
        async with probe(live.url, holder.access) as client:
            ack = await client.call(event, {})
        assert ack["code"] not in REFUSED, (event, ack)
