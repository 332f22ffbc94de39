"""The dashboard's routes: the capability and each route's code are both needed; a bad range is
a 422 with its own code; ``/me`` shows only the caller's own records (both SQL backends)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import httpx
import pytest

from atrium.core.dailycounts import day_of
from atrium.core.state import AppState
from tests.support.users import give_role, new_user, superuser
from tests.support.workspace import log_in

BASE = "/api/v1/dashboard"
FIGURES = ("users", "logins", "requests", "runs", "files", "notifications")
ALL_ROUTES = f"GET:{BASE}/**"


async def test_every_figure_needs_the_capability_and_its_code(
    state: AppState, client: httpx.AsyncClient
) -> None:
    routes_only = await new_user(state, client, "routes-only")
    await give_role(state, routes_only.user_id, "routes-only", [ALL_ROUTES])
    capability_only = await new_user(state, client, "capability-only")
    await give_role(state, capability_only.user_id, "capability-only", ["dashboard:read"])
    reader = await new_user(state, client, "reader")
    await give_role(state, reader.user_id, "reader", [ALL_ROUTES, "dashboard:read"])
    for name in FIGURES:
        url = f"{BASE}/{name}"
        refused = await client.get(url, headers=routes_only.headers)
        assert (refused.status_code, refused.json()["code"]) == (403, "DASHBOARD_READ_DENIED")
        no_code = await client.get(url, headers=capability_only.headers)
        assert (no_code.status_code, no_code.json()["code"]) == (403, "PERMISSION_DENIED")
        served = await client.get(url, headers=reader.headers)
        assert served.status_code == 200, (url, served.text)
        assert (await client.get(url)).status_code == 401


@pytest.mark.parametrize(
    ("query", "code"),
    [
        ({"from": "2026-03-02T00:00:00Z", "to": "2026-03-01T00:00:00Z"}, "DASHBOARD_RANGE_INVALID"),
        ({"from": "2026-03-01T10:00:00Z", "to": "2026-03-01T10:00:00Z"}, "DASHBOARD_RANGE_INVALID"),
        (
            {"from": "2024-01-01T00:00:00Z", "to": "2026-01-01T00:00:00Z"},
            "DASHBOARD_RANGE_TOO_LONG",
        ),
        ({"from": "yesterday"}, "VALIDATION_ERROR"),
    ],
)
async def test_a_bad_range_is_refused_with_its_code(
    state: AppState, client: httpx.AsyncClient, query: dict[str, str], code: str
) -> None:
    root = await superuser(state, client)
    for name in FIGURES:
        response = await client.get(f"{BASE}/{name}", params=query, headers=root.headers)
        assert (response.status_code, response.json()["code"]) == (422, code), name


async def test_a_range_covers_the_whole_utc_days_it_touches(
    state: AppState, client: httpx.AsyncClient
) -> None:
    root = await superuser(state, client)
    query = {"from": "2026-03-01T10:00:00+02:00", "to": "2026-03-03T00:00:00Z"}
    response = await client.get(f"{BASE}/logins", params=query, headers=root.headers)
    assert response.status_code == 200, response.text
    data = response.json()["data"]
    assert data["range"] == {
        "start": "2026-03-01T00:00:00Z",
        "end": "2026-03-03T00:00:00Z",
        "days": 2,
    }
    assert [day["day"] for day in data["days"]] == ["2026-03-01", "2026-03-02"]
    default = await client.get(f"{BASE}/logins", headers=root.headers)
    assert default.json()["data"]["range"]["days"] == 31  # 30 days back, today's day included


async def test_my_widgets_show_only_the_callers_records(
    state: AppState, client: httpx.AsyncClient
) -> None:
    alice = await log_in(client, state, "alice", superuser=True)
    bob = await log_in(client, state, "bob")  # no grant at all: /me needs only a login
    todos = [
        ({"title": "mine"}, alice),
        ({"title": "done", "status": "done"}, alice),
        ({"title": "for bob", "assigneeId": str(bob.id)}, alice),
    ]
    for body, owner in todos:
        made = await client.post("/api/v1/todos", json=body, headers=owner.headers)
        assert made.status_code == 201, made.text
    today = day_of(datetime.now(UTC))
    for title, start in (
        ("today", today + timedelta(hours=1)),
        ("later", today + timedelta(days=3)),
    ):
        event = {
            "title": title,
            "tz": "UTC",
            "start": start.replace(tzinfo=None).isoformat(),
            "end": (start + timedelta(hours=1)).replace(tzinfo=None).isoformat(),
        }
        made = await client.post("/api/v1/calendar/events", json=event, headers=alice.headers)
        assert made.status_code == 201, made.text

    def shown(response: httpx.Response) -> dict[str, tuple[int, list[str]]]:
        assert response.status_code == 200, response.text
        return {
            w["name"]: (w["total"], [item["title"] for item in w["items"]])
            for w in response.json()["data"]["widgets"]
        }

    assert shown(await client.get(f"{BASE}/me", headers=alice.headers)) == {
        "todos.open": (2, ["mine", "for bob"]),
        "calendar.today": (1, ["today"]),
    }
    assert shown(await client.get(f"{BASE}/me", headers=bob.headers)) == {
        "todos.open": (1, ["for bob"]),
        "calendar.today": (0, []),
    }
    assert (await client.get(f"{BASE}/me")).status_code == 401
