"""The calendar API on both SQL backends: the permission codes, and an organiser's whole flow."""

from __future__ import annotations

from uuid import uuid4

import httpx
from fastapi import FastAPI

from atrium.core.routing import Access, RouteCatalogue
from tests.support.workspace import API, MakeUser, User

from .helpers import BASE, EVENTS, PUBLIC_FEED, ROUTES, create_event


async def test_an_organiser_creates_reads_edits_and_deletes(
    client: httpx.AsyncClient, member: MakeUser
) -> None:
    alice = await member("alice")
    created = await create_event(
        client, alice, description="Q3", location="Room 1", reminders=[10, 60, 10]
    )
    assert created["organiserId"] == str(alice.id)
    assert (created["start"], created["end"]) == (
        "2031-05-05T09:00:00+02:00",
        "2031-05-05T10:00:00+02:00",
    )
    assert (created["startsAt"], created["endsAt"]) == (
        "2031-05-05T07:00:00Z",  # CEST: UTC+2
        "2031-05-05T08:00:00Z",
    )
    assert (created["reminders"], created["attendees"]) == ([10, 60], [])
    url = f"{EVENTS}/{created['id']}"
    assert (await client.get(url, headers=alice.headers)).json()["data"] == created
    body = {"title": "Planning (moved)", "start": "2031-05-05T11:00:00+00:00", "reminders": [5]}
    edited = await client.patch(url, json=body, headers=alice.headers)
    assert edited.status_code == 422  # 13:00 local: after the kept end
    body["end"] = "2031-05-05T14:00:00"
    edited = await client.patch(url, json=body, headers=alice.headers)
    assert edited.status_code == 200, edited.text
    data = edited.json()["data"]
    assert (data["title"], data["start"], data["end"], data["reminders"]) == (
        "Planning (moved)",
        "2031-05-05T13:00:00+02:00",  # sent with an offset: converted into the event's zone
        "2031-05-05T14:00:00+02:00",
        [5],
    )
    assert data["location"] == "Room 1"  # what was not sent is kept
    assert (await client.delete(url, headers=alice.headers)).status_code == 200
    gone = await client.get(url, headers=alice.headers)
    assert (gone.status_code, gone.json()["code"]) == (404, "CALENDAR_EVENT_NOT_FOUND")


async def test_an_all_day_event_spans_whole_local_days(
    client: httpx.AsyncClient, member: MakeUser
) -> None:
    alice = await member("alice")
    fields = {"allDay": True, "start": "2031-03-30T00:00:00", "end": "2031-03-31T00:00:00"}
    created = await create_event(client, alice, tz="America/New_York", **fields)
    assert (created["allDay"], created["startsAt"]) == (True, "2031-03-30T04:00:00Z")
    refused = await client.post(
        EVENTS,
        json={**fields, "title": "x", "tz": "UTC", "start": "2031-03-30T08:00:00"},
        headers=alice.headers,
    )
    assert (refused.status_code, refused.json()["code"]) == (422, "CALENDAR_EVENT_TIMES_INVALID")


async def test_a_superuser_passes_every_route(client: httpx.AsyncClient, admin: User) -> None:
    created = await create_event(client, admin)
    url = f"{EVENTS}/{created['id']}"
    listed = await client.get(
        EVENTS,
        params={"from": "2031-05-01T00:00:00Z", "to": "2031-06-01T00:00:00Z"},
        headers=admin.headers,
    )
    assert listed.json()["data"]["total"] == 1
    assert (await client.get(url, headers=admin.headers)).status_code == 200
    assert (await client.delete(url, headers=admin.headers)).status_code == 200


async def test_a_user_without_grants_is_refused_with_the_routes_code(
    client: httpx.AsyncClient, nobody: User
) -> None:
    for method, template in ROUTES:
        url = template.format(event_id=uuid4())
        assert (await client.request(method, url)).status_code == 401, (method, template)
        refused = await client.request(method, url, headers=nobody.headers)
        assert refused.status_code == 403, (method, template, refused.text)
        assert refused.json()["details"][0]["message"] == f"{method}:{template}"


async def test_every_route_is_protected_but_the_feed_and_in_the_catalogue(
    app: FastAPI, client: httpx.AsyncClient, admin: User
) -> None:
    catalogue: RouteCatalogue = app.state.catalogue
    routes = {(info.method, info.path): info.access for info in catalogue.under(BASE)}
    assert set(routes) == {*ROUTES, ("GET", PUBLIC_FEED)}
    assert routes.pop(("GET", PUBLIC_FEED)) is Access.PUBLIC
    assert set(routes.values()) == {Access.PERMISSION}
    listed = await client.get(f"{API}/permissions", headers=admin.headers)
    assert listed.status_code == 200, listed.text
    kinds = {
        row["code"]: row["kind"] for group in listed.json()["data"] for row in group["permissions"]
    }
    assert {f"{method}:{path}" for method, path in ROUTES} <= set(kinds)
    assert kinds["calendar:admin"] == "capability"
