"""Helpers of the calendar tests: the routes, users who log in for real, and events."""

from __future__ import annotations

from typing import Any

import httpx

from tests.support.workspace import API, User

BASE = f"{API}/calendar"
EVENTS = f"{BASE}/events"
ONE = f"{EVENTS}/{{event_id}}"
EXPORT = f"{EVENTS}/{{event_id}}.ics"
RESPONSE = f"{ONE}/response"
FEED = f"{BASE}/feed"
PUBLIC_FEED = f"{BASE}/feeds/{{token}}.ics"
ROUTES = (
    ("GET", EVENTS),
    ("POST", EVENTS),
    ("GET", EXPORT),
    ("GET", ONE),
    ("PATCH", ONE),
    ("DELETE", ONE),
    ("PUT", RESPONSE),
    ("GET", FEED),
    ("POST", FEED),
    ("DELETE", FEED),
)
# Every route of the domain: ``*`` is any method, a final ``**`` the path and all below it.
ALL_ROUTES = f"*:{BASE}/**"
MEETING: dict[str, Any] = {
    "title": "Planning",
    "tz": "Europe/Berlin",
    "start": "2031-05-05T09:00:00",
    "end": "2031-05-05T10:00:00",
}


async def create_event(client: httpx.AsyncClient, organiser: User, **fields: Any) -> dict[str, Any]:
    """Create an event through the API (``MEETING`` with ``fields``, camelCase); its answer."""
    response = await client.post(EVENTS, json={**MEETING, **fields}, headers=organiser.headers)
    assert response.status_code == 201, response.text
    created: dict[str, Any] = response.json()["data"]
    return created


async def occurrences(
    client: httpx.AsyncClient, who: User, start: str, end: str, **params: str | int
) -> dict[str, Any]:
    """One page of ``GET /calendar/events`` over [start, end) with these query parameters."""
    query = {"from": start, "to": end, **params}
    response = await client.get(EVENTS, params=query, headers=who.headers)
    assert response.status_code == 200, response.text
    page: dict[str, Any] = response.json()["data"]
    return page
