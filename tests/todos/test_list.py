"""Listing to-dos: pages, each filter, each sort (both directions), and the scope parameter."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from tests.support.workspace import MakeUser, User

from .helpers import BASE, create_todo, listed

START = datetime(2031, 5, 1, 9, 0, tzinfo=UTC)


def _at(hours: int) -> str:
    return (START + timedelta(hours=hours)).isoformat()


class Board:
    """Alice's to-dos (one assigned to Bob), one of Bob's assigned to Alice, one of Carol's."""

    def __init__(self, alice: User, bob: User, carol: User, made: dict[str, dict[str, Any]]):
        self.alice, self.bob, self.carol, self.made = alice, bob, carol, made

    def ids(self, *titles: str) -> list[str]:
        return [self.made[title]["id"] for title in titles]


@pytest.fixture
async def board(client: httpx.AsyncClient, member: MakeUser) -> Board:
    alice, bob, carol = await member("alice"), await member("bob"), await member("carol")
    made = {}
    for who, title, fields in (
        (alice, "write report", {"priority": "high", "dueAt": _at(2)}),
        (alice, "book flights", {"priority": "low", "dueAt": _at(1), "status": "done"}),
        (alice, "Report to Bob", {"priority": "urgent", "assigneeId": str(bob.id)}),
        (bob, "review Alice's draft", {"dueAt": _at(3), "assigneeId": str(alice.id)}),
        (carol, "carol's own", {"priority": "urgent", "dueAt": _at(0)}),
    ):
        made[title] = await create_todo(client, who, title, **fields)
    return Board(alice, bob, carol, made)


async def _ids(client: httpx.AsyncClient, who: User, **params: str | int) -> list[str]:
    return [row["id"] for row in (await listed(client, who, **params))["items"]]


async def test_pages_are_bounded_and_counted(client: httpx.AsyncClient, board: Board) -> None:
    first = await listed(client, board.alice, size=3)
    second = await listed(client, board.alice, size=3, page=2)
    assert (first["total"], first["pages"], len(first["items"]), len(second["items"])) == (
        4,
        2,
        3,
        1,
    )
    everything = [row["id"] for row in first["items"] + second["items"]]
    newest_first = board.ids(
        "review Alice's draft", "Report to Bob", "book flights", "write report"
    )
    assert everything == newest_first  # the default order: created, newest first
    beyond = await listed(client, board.alice, size=3, page=3)
    assert (beyond["items"], beyond["total"]) == ([], 4)


async def test_each_filter(client: httpx.AsyncClient, board: Board) -> None:
    alice, bob = board.alice, board.bob
    cases: list[tuple[dict[str, str | int], list[str]]] = [
        ({"status": "done"}, ["book flights"]),
        ({"assigneeId": str(bob.id)}, ["Report to Bob"]),
        ({"assigneeId": str(alice.id)}, ["review Alice's draft"]),
        ({"ownerId": str(bob.id)}, ["review Alice's draft"]),
        ({"dueBefore": _at(2)}, ["book flights"]),
        ({"dueAfter": _at(2)}, ["write report", "review Alice's draft"]),
        ({"dueAfter": _at(1), "dueBefore": _at(3)}, ["write report", "book flights"]),
        ({"q": "REPORT"}, ["write report", "Report to Bob"]),
        ({"q": "%"}, []),  # a wildcard is a character like any other
        (
            {"q": "report", "status": "todo", "ownerId": str(alice.id)},
            ["write report", "Report to Bob"],
        ),
    ]
    for params, titles in cases:
        found = await _ids(client, alice, sort="created", order="asc", **params)
        assert found == board.ids(*titles), params


async def test_each_sort_both_ways(client: httpx.AsyncClient, board: Board) -> None:
    alice = board.alice
    ascending = {
        "due": ["book flights", "write report", "review Alice's draft", "Report to Bob"],
        "priority": ["book flights", "review Alice's draft", "write report", "Report to Bob"],
        "created": ["write report", "book flights", "Report to Bob", "review Alice's draft"],
    }
    for sort, titles in ascending.items():
        assert await _ids(client, alice, sort=sort, order="asc") == board.ids(*titles), sort
    descending = await _ids(client, alice, sort="due", order="desc")
    # Without a due date: last in either direction.
    assert descending == board.ids(
        "review Alice's draft", "write report", "book flights", "Report to Bob"
    )
    desc_priority = await _ids(client, alice, sort="priority", order="desc")
    assert desc_priority == board.ids(*reversed(ascending["priority"]))


async def test_sorting_by_updated_follows_edits(client: httpx.AsyncClient, board: Board) -> None:
    first = board.made["write report"]["id"]
    edited = await client.patch(
        f"{BASE}/{first}", json={"status": "in_progress"}, headers=board.alice.headers
    )
    assert edited.status_code == 200
    assert (await _ids(client, board.alice, sort="updated", order="desc"))[0] == first
    assert (await _ids(client, board.alice, sort="updated", order="asc"))[-1] == first


async def test_the_scope_parameter(client: httpx.AsyncClient, board: Board) -> None:
    mine = ["write report", "book flights", "Report to Bob"]
    for scope, titles in (
        ("own", mine),
        ("shared", ["review Alice's draft"]),
        ("all", [*mine, "review Alice's draft"]),
    ):
        found = await _ids(client, board.alice, scope=scope, sort="created", order="asc")
        assert found == board.ids(*titles), scope
    assert await _ids(client, board.carol) == board.ids("carol's own")
