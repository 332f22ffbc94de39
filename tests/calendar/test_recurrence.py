"""Recurring events in a range: local times kept across daylight-saving changes, exceptions left
out, rules bounded by COUNT or UNTIL or only by the range (both SQL backends)."""

from __future__ import annotations

from typing import Any

import httpx

from tests.support.workspace import MakeUser

from .helpers import EVENTS, create_event, occurrences


def titles(page: dict[str, Any]) -> list[str]:
    return [row["title"] for row in page["items"]]


WEEKLY = {"tz": "Europe/Berlin", "start": "2031-03-17T09:00:00", "end": "2031-03-17T10:00:00"}


async def test_a_weekly_event_keeps_its_local_time_across_the_dst_change(
    client: httpx.AsyncClient, member: MakeUser
) -> None:
    alice = await member("alice")
    await create_event(client, alice, rrule="FREQ=WEEKLY;BYDAY=MO", **WEEKLY)
    # Europe/Berlin moves to summer time on Sunday 30 March 2031.
    page = await occurrences(client, alice, "2031-03-16T00:00:00Z", "2031-04-15T00:00:00Z")
    rows = [(row["startLocal"], row["start"], row["end"]) for row in page["items"]]
    assert rows == [
        ("2031-03-17T09:00:00+01:00", "2031-03-17T08:00:00Z", "2031-03-17T09:00:00Z"),
        ("2031-03-24T09:00:00+01:00", "2031-03-24T08:00:00Z", "2031-03-24T09:00:00Z"),
        ("2031-03-31T09:00:00+02:00", "2031-03-31T07:00:00Z", "2031-03-31T08:00:00Z"),
        ("2031-04-07T09:00:00+02:00", "2031-04-07T07:00:00Z", "2031-04-07T08:00:00Z"),
        ("2031-04-14T09:00:00+02:00", "2031-04-14T07:00:00Z", "2031-04-14T08:00:00Z"),
    ]
    assert {row["recurring"] for row in page["items"]} == {True}


async def test_exceptions_are_left_out_and_can_be_edited(
    client: httpx.AsyncClient, member: MakeUser
) -> None:
    alice = await member("alice")
    created = await create_event(
        client,
        alice,
        rrule="RRULE:FREQ=WEEKLY;COUNT=4",
        exdates=["2031-03-24T09:00:00", "2031-04-07T07:00:00Z"],  # local; and UTC = 09:00 local
        **WEEKLY,
    )
    assert created["exdates"] == ["2031-03-24T09:00:00+01:00", "2031-04-07T09:00:00+02:00"]
    assert created["rrule"] == "FREQ=WEEKLY;COUNT=4"
    window = ("2031-03-01T00:00:00Z", "2031-06-01T00:00:00Z")
    page = await occurrences(client, alice, *window)
    assert [row["startLocal"][:10] for row in page["items"]] == ["2031-03-17", "2031-03-31"]
    url = f"{EVENTS}/{created['id']}"
    edited = await client.patch(url, json={"exdates": []}, headers=alice.headers)
    assert edited.status_code == 200, edited.text
    assert (await occurrences(client, alice, *window))["total"] == 4
    single = await client.patch(url, json={"rrule": None}, headers=alice.headers)
    assert single.json()["data"]["rrule"] is None
    assert (await occurrences(client, alice, *window))["total"] == 1


async def test_until_and_an_endless_rule_are_bounded(
    client: httpx.AsyncClient, member: MakeUser
) -> None:
    alice = await member("alice")
    await create_event(
        client, alice, title="Until", rrule="FREQ=DAILY;UNTIL=20310320T235959Z", **WEEKLY
    )
    await create_event(client, alice, title="Endless", rrule="FREQ=YEARLY", **WEEKLY)
    march = await occurrences(client, alice, "2031-03-01T00:00:00Z", "2031-04-01T00:00:00Z")
    assert titles(march) == ["Until", "Endless", "Until", "Until", "Until"]
    far = await occurrences(client, alice, "2090-03-01T00:00:00Z", "2090-04-01T00:00:00Z")
    assert (titles(far), far["items"][0]["startLocal"]) == (
        ["Endless"],
        "2090-03-17T09:00:00+01:00",
    )


async def test_an_occurrence_overlapping_the_range_start_is_listed(
    client: httpx.AsyncClient, member: MakeUser
) -> None:
    alice = await member("alice")
    await create_event(
        client,
        alice,
        tz="UTC",
        start="2031-01-01T23:00:00",
        end="2031-01-02T02:00:00",
        rrule="FREQ=DAILY;COUNT=3",
    )
    page = await occurrences(client, alice, "2031-01-03T01:00:00Z", "2031-01-03T05:00:00Z")
    assert [row["start"] for row in page["items"]] == ["2031-01-02T23:00:00Z"]
