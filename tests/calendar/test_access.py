"""Who may do what to an event, on every route: the organiser, an attendee, another user (with
every route's grant), a holder of ``calendar:admin`` and a superuser. One table, each role x each
route -> the status, on both SQL backends; another user's answer is always a 404."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.support.workspace import MakeUser, User

from .helpers import ALL_ROUTES, EVENTS, create_event, occurrences

ROLES = ("organiser", "attendee", "other", "admin", "superuser")
# route -> status per role, in ROLES order. "GET /events" answers 200 to all: the column says
# whether the event is in the list (True) or not (False).
MATRIX: dict[str, tuple[Any, ...]] = {
    "GET /events": (True, True, False, True, True),
    "GET /events/{id}": (200, 200, 404, 200, 200),
    "GET /events/{id}.ics": (200, 200, 404, 200, 200),
    "PATCH /events/{id}": (200, 403, 404, 200, 200),
    "PUT /events/{id}/response": (403, 200, 404, 403, 403),
    "DELETE /events/{id}": (200, 403, 404, 200, 200),
}
CODES = {
    "PATCH /events/{id}": "CALENDAR_ORGANISER_ONLY",
    "DELETE /events/{id}": "CALENDAR_ORGANISER_ONLY",
    "PUT /events/{id}/response": "CALENDAR_NOT_ATTENDEE",
}
RANGE = ("2031-05-01T00:00:00Z", "2031-06-01T00:00:00Z")


@pytest.fixture
async def people(member: MakeUser, admin: User) -> dict[str, User]:
    found = {role: await member(role) for role in ("organiser", "attendee", "other")}
    found["admin"] = await member("caladmin", grants=[ALL_ROUTES, "calendar:admin"])
    found["superuser"] = admin
    return found


async def _call(client: httpx.AsyncClient, people: dict[str, User], route: str, who: User) -> Any:
    invited = [str(people["attendee"].id)]
    event = await create_event(client, people["organiser"], attendeeIds=invited)
    if route == "GET /events":
        page = await occurrences(client, who, *RANGE)
        return event["id"] in {row["eventId"] for row in page["items"]}
    method, _, path = route.partition(" ")
    url = path.replace("/events", EVENTS, 1).replace("{id}", event["id"])
    body = {
        "PATCH /events/{id}": {"location": "Room 2"},
        "PUT /events/{id}/response": {"response": "accepted"},
    }.get(route)
    response = await client.request(method, url, json=body, headers=who.headers)
    if response.status_code == 404:
        assert response.json()["code"] == "CALENDAR_EVENT_NOT_FOUND"
    if response.status_code == 403:
        assert response.json()["code"] == CODES[route], response.text
    return response.status_code


@pytest.mark.parametrize("role", ROLES)
async def test_each_role_on_each_route(
    client: httpx.AsyncClient, people: dict[str, User], role: str
) -> None:
    index = ROLES.index(role)
    got = {route: await _call(client, people, route, people[role]) for route in MATRIX}
    assert got == {route: expected[index] for route, expected in MATRIX.items()}


async def test_an_attendee_answers_and_a_removed_one_loses_the_event_at_once(
    client: httpx.AsyncClient, people: dict[str, User]
) -> None:
    organiser, attendee = people["organiser"], people["attendee"]
    event = await create_event(client, organiser, attendeeIds=[str(attendee.id)])
    url = f"{EVENTS}/{event['id']}"
    assert event["attendees"] == [{"userId": str(attendee.id), "response": "needs_action"}]
    answer = {"response": "declined"}
    answered = await client.put(f"{url}/response", json=answer, headers=attendee.headers)
    assert answered.json()["data"]["attendees"][0]["response"] == "declined"
    assert (await client.get(url, headers=attendee.headers)).status_code == 200
    removed = await client.patch(url, json={"attendeeIds": []}, headers=organiser.headers)
    assert removed.json()["data"]["attendees"] == []
    gone = await client.get(url, headers=attendee.headers)
    assert (gone.status_code, gone.json()["code"]) == (404, "CALENDAR_EVENT_NOT_FOUND")
    assert (await occurrences(client, attendee, *RANGE))["total"] == 0


async def test_what_an_attendee_cannot_do_is_left_undone(
    client: httpx.AsyncClient, people: dict[str, User]
) -> None:
    organiser, attendee = people["organiser"], people["attendee"]
    event = await create_event(client, organiser, attendeeIds=[str(attendee.id)])
    url = f"{EVENTS}/{event['id']}"
    await client.patch(url, json={"title": "Hijacked"}, headers=attendee.headers)
    await client.delete(url, headers=attendee.headers)
    await client.patch(url, json={"title": "Hijacked"}, headers=people["other"].headers)
    after = (await client.get(url, headers=organiser.headers)).json()["data"]
    assert after["title"] == event["title"]
