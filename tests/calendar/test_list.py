"""Listing occurrences in a range: pages over the expanded occurrences, the scope and title
filters, and the order (start, then event) on both SQL backends."""

from __future__ import annotations

import httpx

from tests.support.workspace import MakeUser

from .helpers import create_event, occurrences

RANGE = ("2031-05-01T00:00:00Z", "2031-05-31T00:00:00Z")


async def test_pages_over_expanded_occurrences(client: httpx.AsyncClient, member: MakeUser) -> None:
    alice = await member("alice")
    await create_event(client, alice, title="Daily", rrule="FREQ=DAILY;COUNT=5")
    await create_event(
        client, alice, title="Once", start="2031-05-06T08:00:00", end="2031-05-06T08:30:00"
    )
    first = await occurrences(client, alice, *RANGE, size=4)
    second = await occurrences(client, alice, *RANGE, size=4, page=2)
    assert (first["total"], first["pages"], len(first["items"]), len(second["items"])) == (
        6,
        2,
        4,
        2,
    )
    starts = [row["start"] for row in first["items"] + second["items"]]
    assert starts == sorted(starts)
    assert [row["title"] for row in first["items"]] == ["Daily", "Once", "Daily", "Daily"]
    beyond = await occurrences(client, alice, *RANGE, size=4, page=3)
    assert (beyond["items"], beyond["total"]) == ([], 6)


async def test_the_range_bounds_what_is_listed(client: httpx.AsyncClient, member: MakeUser) -> None:
    alice = await member("alice")
    await create_event(client, alice)  # 5 May 2031, 07:00-08:00 UTC
    for start, end, total in (
        ("2031-05-05T08:00:00Z", "2031-05-06T00:00:00Z", 0),  # ends as the range starts
        ("2031-05-05T00:00:00Z", "2031-05-05T07:00:00Z", 0),  # starts as the range ends
        ("2031-05-05T07:59:00Z", "2031-05-05T08:00:00Z", 1),
        ("2031-05-05T09:00:00+02:00", "2031-05-05T09:01:00+02:00", 1),
    ):
        assert (await occurrences(client, alice, start, end))["total"] == total, (start, end)


async def test_scope_and_title_filters(client: httpx.AsyncClient, member: MakeUser) -> None:
    alice, bob = await member("alice"), await member("bob")
    await create_event(client, alice, title="Alice's review")
    await create_event(client, bob, title="Bob's 1:1", attendeeIds=[str(alice.id)])
    await create_event(client, bob, title="Bob alone")

    async def titles(**params: str) -> list[str]:
        page = await occurrences(client, alice, *RANGE, **params)
        return sorted(row["title"] for row in page["items"])

    assert await titles() == ["Alice's review", "Bob's 1:1"]
    assert await titles(scope="own") == ["Alice's review"]
    assert await titles(scope="shared") == ["Bob's 1:1"]
    assert await titles(q="REVIEW") == ["Alice's review"]
    assert await titles(q="%") == []  # a wildcard is a character like any other
