"""Reading the log: filters, cursor pages, the NDJSON and CSV export, the capability
``audit:read`` (besides the route codes), and no route that writes."""

from __future__ import annotations

import csv
import io
import json
from datetime import timedelta

import httpx
from fastapi import FastAPI

from atrium.audit.runtime import AUDIT
from atrium.core.clock import utcnow
from atrium.core.routing import RouteCatalogue
from atrium.core.state import AppState
from tests.support.admin import API, Actor, create_role, data
from tests.support.audit import ENTRIES, audit_entries, drained
from tests.support.users import user_with_grants

EXPORT = f"{ENTRIES}/export"
READ_ROUTES = [f"GET:{ENTRIES}", f"GET:{EXPORT}"]


async def _roles(client: httpx.AsyncClient, admin: Actor, count: int) -> list[str]:
    return [str(await create_role(client, admin, f"r{n}")) for n in range(count)]


async def test_filters_narrow_and_the_cursor_walks_every_entry_once(
    client: httpx.AsyncClient, state: AppState, admin: Actor
) -> None:
    role_ids = await _roles(client, admin, 5)
    await client.patch(
        f"{API}/roles/{role_ids[0]}", json={"description": "x"}, headers=admin.headers
    )
    await client.patch(f"{API}/roles/{role_ids[0]}", json={"name": ""}, headers=admin.headers)
    created = await audit_entries(client, state, admin.headers, code="POST:/api/v1/roles")
    assert sorted({e["targetIds"][0] for e in created}) == sorted(role_ids)
    one = await audit_entries(client, state, admin.headers, targetId=role_ids[0])
    assert [e["code"] for e in one] == [
        "PATCH:/api/v1/roles/{role_id}",
        "PATCH:/api/v1/roles/{role_id}",
        "POST:/api/v1/roles",
    ]
    failed = await audit_entries(client, state, admin.headers, statusMin=400, statusMax=499)
    assert [e["status"] for e in failed] == [422]
    mine = await audit_entries(
        client, state, admin.headers, actorId=str(admin.id), actorKind="user"
    )
    assert len(mine) == 7
    pages = 0
    cursor: str | None = None
    seen: list[str] = []
    while True:
        params: dict[str, str | int] = {"limit": 2, "actorId": str(admin.id)}
        if cursor:
            params["cursor"] = cursor
        page = data(await client.get(ENTRIES, params=params, headers=admin.headers))
        seen += [e["id"] for e in page["items"]]
        pages, cursor = pages + 1, page["nextCursor"]
        if cursor is None:
            break
    assert (pages, seen) == (4, [e["id"] for e in mine])


async def test_a_time_range_is_from_inclusive_to_exclusive(
    client: httpx.AsyncClient, state: AppState, admin: Actor
) -> None:
    await _roles(client, admin, 2)
    found = await audit_entries(client, state, admin.headers, code="POST:/api/v1/roles")
    newest, oldest = found[0]["at"], found[-1]["at"]
    within = await audit_entries(
        client, state, admin.headers, code="POST:/api/v1/roles", **{"from": oldest, "to": newest}
    )
    assert [e["at"] for e in within] == [oldest]
    later = (utcnow() + timedelta(hours=1)).isoformat()
    assert await audit_entries(client, state, admin.headers, **{"from": later}) == []


async def test_bad_filters_are_clear_4xx(client: httpx.AsyncClient, admin: Actor) -> None:
    for params, expected in (
        ({"statusMin": 500, "statusMax": 400}, (422, "AUDIT_RANGE_INVALID")),
        (
            {"from": "2026-02-01T00:00:00Z", "to": "2026-01-01T00:00:00Z"},
            (422, "AUDIT_RANGE_INVALID"),
        ),
        ({"from": "2026-02-01T00:00:00"}, (422, "VALIDATION_ERROR")),
        ({"cursor": "not-a-cursor"}, (400, "INVALID_CURSOR")),
        ({"actorKind": "robot"}, (422, "VALIDATION_ERROR")),
    ):
        response = await client.get(ENTRIES, params=params, headers=admin.headers)
        assert (response.status_code, response.json()["code"]) == expected, params
    export = await client.get(
        EXPORT, params={"statusMin": 500, "statusMax": 400}, headers=admin.headers
    )
    assert (export.status_code, export.json()["code"]) == (422, "AUDIT_RANGE_INVALID")


async def test_the_export_streams_ndjson_and_csv_of_a_filtered_range(
    client: httpx.AsyncClient, state: AppState, admin: Actor
) -> None:
    await _roles(client, admin, 3)
    await drained(state)
    params = {"code": "POST:/api/v1/roles"}
    ndjson = await client.get(EXPORT, params=params, headers=admin.headers)
    assert ndjson.status_code == 200
    assert ndjson.headers["content-type"].startswith("application/x-ndjson")
    lines = [json.loads(line) for line in ndjson.text.splitlines()]
    assert [line["code"] for line in lines] == ["POST:/api/v1/roles"] * 3
    listed = await audit_entries(client, state, admin.headers, **params)
    assert [line["id"] for line in lines] == [e["id"] for e in listed]
    response = await client.get(EXPORT, params={**params, "format": "csv"}, headers=admin.headers)
    assert response.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.text)))
    assert [row["id"] for row in rows] == [e["id"] for e in listed]
    assert rows[0]["status"] == "201"
    assert json.loads(rows[0]["changes"])[0]["entity"] == "roles"


async def test_the_export_is_bounded(
    client: httpx.AsyncClient, state: AppState, admin: Actor
) -> None:
    await _roles(client, admin, 3)
    await drained(state)
    state.get(AUDIT).settings.export_max_rows = 2
    response = await client.get(EXPORT, headers=admin.headers)
    assert len(response.text.splitlines()) == 2


async def test_reading_needs_the_capability_besides_the_route_codes(
    client: httpx.AsyncClient, state: AppState, admin: Actor
) -> None:
    await _roles(client, admin, 1)
    everything = await user_with_grants(state, client, "everything", ["*:/**"])
    reader = await user_with_grants(state, client, "reader", [*READ_ROUTES, "audit:read"])
    capability_only = await user_with_grants(state, client, "holder", ["audit:read"])
    for url in (ENTRIES, EXPORT):
        refused = await client.get(url, headers=everything.headers)
        assert (refused.status_code, refused.json()["code"]) == (403, "AUDIT_READ_DENIED")
        denied = await client.get(url, headers=capability_only.headers)
        assert (denied.status_code, denied.json()["code"]) == (403, "PERMISSION_DENIED")
        assert (await client.get(url, headers=reader.headers)).status_code == 200


async def test_no_route_changes_or_deletes_an_entry(
    app: FastAPI, client: httpx.AsyncClient, state: AppState, admin: Actor
) -> None:
    await _roles(client, admin, 1)
    [entry, *_] = await audit_entries(client, state, admin.headers)
    catalogue: RouteCatalogue = app.state.catalogue
    assert {(r.method, r.path) for r in catalogue.under(f"{API}/audit")} == {
        ("GET", ENTRIES),
        ("GET", EXPORT),
    }
    for method in ("PUT", "PATCH", "DELETE", "POST"):
        for url in (ENTRIES, f"{ENTRIES}/{entry['id']}"):
            response = await client.request(method, url, headers=admin.headers, json={})
            assert response.status_code in (404, 405), (method, url)
    after = await audit_entries(client, state, admin.headers)
    assert [found for found in after if found["id"] == entry["id"]] == [entry]
