"""Seeding on both SQL backends: every configured domain's dictionaries are added once, in the
order declared, and what an admin changed afterwards is kept."""

from __future__ import annotations

import httpx

from atrium.core.state import AppState
from atrium.dictionaries.seed import seed_database
from atrium.scheduler.models import ScheduleKind
from atrium.users.models import UserStatus
from tests.support.admin import API, actor, data

DATA = f"{API}/dictionary-data"


async def test_the_domains_dictionaries_are_seeded_once(
    client: httpx.AsyncClient, state: AppState
) -> None:
    first = await seed_database(state.settings)
    assert first.types_added >= 2
    assert first.items_added >= len(UserStatus) + len(ScheduleKind)
    again = await seed_database(state.settings)
    assert not again.changed
    bob = await actor(client, state, "bob")
    found = data(
        await client.get(
            DATA, params={"codes": ["user_status", "schedule_kind"]}, headers=bob.headers
        )
    )
    assert [item["value"] for item in found["user_status"]["items"]] == [
        member.value for member in UserStatus
    ]
    assert found["schedule_kind"]["items"][0]["label"] == ScheduleKind.INTERVAL.value.capitalize()


async def test_what_an_admin_changed_is_kept_and_what_they_deleted_comes_back(
    client: httpx.AsyncClient, state: AppState
) -> None:
    await seed_database(state.settings)
    root = await actor(client, state, "root", superuser=True)
    listed = data(
        await client.get(f"{API}/dictionaries", params={"q": "user_status"}, headers=root.headers)
    )
    type_id = listed["items"][0]["id"]
    items = data(await client.get(f"{API}/dictionaries/{type_id}/items", headers=root.headers))
    by_value = {item["value"]: item for item in items}
    url = f"{API}/dictionaries/{type_id}/items"
    data(
        await client.patch(
            f"{url}/{by_value['active']['id']}",
            json={"label": "In good standing", "color": "success"},
            headers=root.headers,
        )
    )
    data(await client.delete(f"{url}/{by_value['disabled']['id']}", headers=root.headers))
    report = await seed_database(state.settings)
    assert (report.types_added, report.items_added) == (0, 1)
    read = data(await client.get(f"{DATA}/user_status", headers=root.headers))
    labels = {item["value"]: (item["label"], item["color"]) for item in read["items"]}
    assert labels["active"] == ("In good standing", "success")  # the admin's edit, kept
    assert labels["disabled"] == ("Disabled", "")  # deleted, seeded again
    assert set(labels) == {member.value for member in UserStatus}
