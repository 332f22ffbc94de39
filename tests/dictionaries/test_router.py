"""The dictionaries API on both SQL backends: admins manage types and items, every logged-in
user reads the enabled ones, and bad input gets its own 4xx."""

from __future__ import annotations

from typing import Any
from uuid import uuid4

import httpx
from fastapi import FastAPI

from atrium.core.routing import Access, RouteCatalogue
from atrium.core.state import AppState
from atrium.dictionaries.seed import seed_database
from tests.support.admin import API, Actor, actor, data

TYPES = f"{API}/dictionaries"
DATA = f"{API}/dictionary-data"


async def _type(client: httpx.AsyncClient, admin: Actor, code: str = "ticket_state") -> Any:
    body = {"code": code, "name": "Ticket state", "description": "Where a ticket is"}
    return data(await client.post(TYPES, json=body, headers=admin.headers), 201)


async def _item(client: httpx.AsyncClient, admin: Actor, type_id: str, **body: Any) -> Any:
    url = f"{TYPES}/{type_id}/items"
    return data(await client.post(url, json=body, headers=admin.headers), 201)


async def test_an_admin_builds_a_dictionary_that_every_user_reads(
    client: httpx.AsyncClient, state: AppState
) -> None:
    root = await actor(client, state, "root", superuser=True)
    bob = await actor(client, state, "bob")  # no role at all
    made = await _type(client, root)
    assert (made["code"], made["enabled"], made["source"]) == ("ticket_state", True, None)
    await _item(client, root, made["id"], value="closed", label="Closed", sortOrder=2)
    await _item(client, root, made["id"], value="open", label="Open", color="#1677ff")
    await _item(client, root, made["id"], value="hidden", label="Hidden", enabled=False)
    read = data(await client.get(f"{DATA}/ticket_state", headers=bob.headers))
    assert read == {
        "code": "ticket_state",
        "name": "Ticket state",
        "items": [
            {"value": "open", "label": "Open", "color": "#1677ff", "sortOrder": 0},
            {"value": "closed", "label": "Closed", "color": "", "sortOrder": 2},
        ],
    }
    every = data(await client.get(f"{TYPES}/{made['id']}/items", headers=root.headers))
    assert [item["value"] for item in every] == ["hidden", "open", "closed"]


async def test_several_dictionaries_in_one_read_unknown_and_disabled_left_out(
    client: httpx.AsyncClient, state: AppState
) -> None:
    root = await actor(client, state, "root", superuser=True)
    first, second = await _type(client, root, "first"), await _type(client, root, "second")
    await _item(client, root, first["id"], value="a", label="A")
    url = f"{TYPES}/{second['id']}"
    data(await client.patch(url, json={"enabled": False}, headers=root.headers))
    query = {"codes": ["first", "second", "nope"]}
    found = data(await client.get(DATA, params=query, headers=root.headers))
    assert list(found) == ["first"]
    missing = await client.get(f"{DATA}/second", headers=root.headers)
    assert (missing.status_code, missing.json()["code"]) == (404, "DICTIONARY_NOT_FOUND")
    many = {"codes": [f"code_{n}" for n in range(51)]}
    too_many = await client.get(DATA, params=many, headers=root.headers)
    assert (too_many.status_code, too_many.json()["code"]) == (422, "VALIDATION_ERROR")


async def test_codes_and_values_are_unique_and_never_change(
    client: httpx.AsyncClient, state: AppState
) -> None:
    root = await actor(client, state, "root", superuser=True)
    made = await _type(client, root)
    again = await client.post(
        TYPES, json={"code": "ticket_state", "name": "X"}, headers=root.headers
    )
    assert (again.status_code, again.json()["code"]) == (409, "DICTIONARY_CODE_TAKEN")
    item = await _item(client, root, made["id"], value="open", label="Open")
    url = f"{TYPES}/{made['id']}/items"
    twice = await client.post(url, json={"value": "open", "label": "Y"}, headers=root.headers)
    assert (twice.status_code, twice.json()["code"]) == (409, "DICTIONARY_VALUE_TAKEN")
    renamed = await client.patch(
        f"{url}/{item['id']}", json={"value": "shut", "label": "Shut"}, headers=root.headers
    )
    assert (renamed.status_code, renamed.json()["code"]) == (422, "VALIDATION_ERROR")
    assert renamed.json()["details"][0]["loc"] == ["body", "value"]
    kept = data(await client.get(f"{url}/{item['id']}", headers=root.headers))
    assert (kept["value"], kept["label"]) == ("open", "Open")


async def test_bad_input_and_unknown_ids_get_their_own_errors(
    client: httpx.AsyncClient, state: AppState
) -> None:
    root = await actor(client, state, "root", superuser=True)
    for body in (
        {"code": "Bad Code", "name": "x"},
        {"code": "x", "name": "too short a code"},
        {"code": "ok_code", "name": ""},
        {"code": "ok_code", "name": "n" * 129},
    ):
        response = await client.post(TYPES, json=body, headers=root.headers)
        assert response.status_code == 422, body
    made = await _type(client, root)
    url = f"{TYPES}/{made['id']}/items"
    for item_body in (
        {"value": "", "label": "x"},
        {"value": "x", "label": "x", "color": "red; background: url(x)"},
        {"value": "x", "label": "x", "sortOrder": 10**9},
    ):
        answer = await client.post(url, json=item_body, headers=root.headers)
        assert answer.status_code == 422, item_body
    unknown = await client.get(f"{TYPES}/{uuid4()}", headers=root.headers)
    assert (unknown.status_code, unknown.json()["code"]) == (404, "DICTIONARY_NOT_FOUND")
    other = await _type(client, root, "other")
    item = await _item(client, root, other["id"], value="v", label="V")
    elsewhere = await client.get(f"{url}/{item['id']}", headers=root.headers)
    assert (elsewhere.status_code, elsewhere.json()["code"]) == (404, "DICTIONARY_ITEM_NOT_FOUND")
    bad_code = await client.get(f"{DATA}/Not-A-Code", headers=root.headers)
    assert bad_code.status_code == 422


async def test_deleting_a_type_takes_its_items_and_a_domains_type_is_kept(
    client: httpx.AsyncClient, state: AppState
) -> None:
    root = await actor(client, state, "root", superuser=True)
    made = await _type(client, root)
    item = await _item(client, root, made["id"], value="open", label="Open")
    data(await client.delete(f"{TYPES}/{made['id']}", headers=root.headers))
    await seed_database(state.settings)
    gone = await client.get(f"{TYPES}/{made['id']}/items/{item['id']}", headers=root.headers)
    assert gone.status_code == 404
    seeded = data(await client.get(TYPES, params={"source": "users"}, headers=root.headers))
    assert [found["code"] for found in seeded["items"]] == ["user_status"]
    refused = await client.delete(f"{TYPES}/{seeded['items'][0]['id']}", headers=root.headers)
    assert (refused.status_code, refused.json()["code"]) == (409, "DICTIONARY_SEEDED")


async def test_admin_routes_need_their_codes_and_the_read_needs_a_login(
    app: FastAPI, client: httpx.AsyncClient, state: AppState
) -> None:
    bob = await actor(client, state, "bob")
    catalogue: RouteCatalogue = app.state.catalogue
    routes = [info for info in catalogue.under(API) if "/dictionar" in info.path]
    assert {info.access for info in routes if info.path.startswith(TYPES)} == {Access.PERMISSION}
    assert {info.access for info in routes if info.path.startswith(DATA)} == {Access.AUTHENTICATED}
    for info in routes:
        url = info.path.replace("{type_id}", str(uuid4())).replace("{item_id}", str(uuid4()))
        url = url.replace("{code}", "user_status")
        query = {"codes": "user_status"}
        assert (await client.request(info.method, url, json={})).status_code == 401, info.code
        answer = await client.request(info.method, url, params=query, json={}, headers=bob.headers)
        if info.access is Access.PERMISSION:
            assert answer.status_code == 403, info.code
            assert answer.json()["details"][0]["message"] == info.code
        else:
            assert answer.status_code in (200, 404), (info.code, answer.text)
