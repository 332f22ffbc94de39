"""Every account route manages identity: an API key is refused on each that acts for a user
(public ones act for nobody: a key there is just ignored), even a key scoped to everything,
while the same user's session gets through to the route's own checks."""

from __future__ import annotations

import httpx
from fastapi import FastAPI

from atrium.core.routing import Access, RouteCatalogue
from atrium.core.state import AppState
from tests.support.apikeys import create_key, with_key
from tests.support.users import superuser


async def test_api_keys_are_refused_on_every_account_route(
    app: FastAPI, client: httpx.AsyncClient, state: AppState
) -> None:
    catalogue: RouteCatalogue = app.state.catalogue
    routes = catalogue.under("/api/v1/accounts")
    assert len(routes) == 11
    assert all(info.identity for info in routes)
    assert {info.path for info in routes if info.access is not Access.PUBLIC} == {
        "/api/v1/accounts/email",
        "/api/v1/accounts/invitations",
        "/api/v1/accounts/invitations/{invitation_id}",
    }
    root = await superuser(state, client)
    key = (await create_key(client, root.headers, ["*:/api/v1/**"]))["key"]
    for info in [info for info in routes if info.access is not Access.PUBLIC]:
        refused = await client.request(info.method, info.path, json={}, headers=with_key(key))
        assert refused.json()["code"] == "AUTH_KEY_IDENTITY_ROUTE", info.code
        assert refused.status_code == 403
        session = await client.request(info.method, info.path, json={}, headers=root.headers)
        # The body or the path is checked next; the list has neither to check.
        expected = 200 if info.method == "GET" else 422
        assert session.status_code == expected, (info.code, session.text)
