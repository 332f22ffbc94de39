"""The documents routes as their owner uses them: edits on a version, concurrent saves,
revisions and their restore, search, tags, paging, the trash (both SQL backends)."""

from __future__ import annotations

import asyncio

import httpx
import pytest

from atrium.config import Settings
from atrium.documents.settings import DocumentSettings
from tests.support.workspace import MakeUser, User

from .helpers import BASE, create_document, ids, listed


@pytest.fixture
def settings(settings: Settings) -> Settings:
    settings.set_group(DocumentSettings(max_content_bytes=2048, max_revisions=3))
    return settings


@pytest.fixture
async def alice(member: MakeUser) -> User:
    return await member("alice")


async def _edit(
    client: httpx.AsyncClient, who: User, doc_id: str, **body: object
) -> httpx.Response:
    return await client.patch(f"{BASE}/{doc_id}", json=body, headers=who.headers)


async def test_markdown_is_kept_as_written(client: httpx.AsyncClient, alice: User) -> None:
    text = "# Plan\n\n<script>alert(1)</script> *really*\n"
    doc = await create_document(client, alice, content=text, tags=["Work", " work", "q1"])
    got = (await client.get(f"{BASE}/{doc['id']}", headers=alice.headers)).json()["data"]
    assert (got["content"], got["tags"], got["version"]) == (text, ["work", "q1"], 1)


async def test_concurrent_edits_one_wins_the_other_gets_409(
    client: httpx.AsyncClient, alice: User
) -> None:
    doc = await create_document(client, alice, content="v1")
    first, second = await asyncio.gather(
        _edit(client, alice, doc["id"], version=1, content="from A"),
        _edit(client, alice, doc["id"], version=1, content="from B"),
    )
    statuses = sorted([first.status_code, second.status_code])
    assert statuses == [200, 409], (first.text, second.text)
    winner, loser = (first, second) if first.status_code == 200 else (second, first)
    assert loser.json()["code"] == "DOCUMENTS_VERSION_CONFLICT"
    current = loser.json()["data"]
    assert (current["version"], current["content"]) == (2, winner.json()["data"]["content"])
    unchanged = await _edit(client, alice, doc["id"], version=2)
    assert unchanged.json()["data"]["version"] == 2  # nothing sent: no save
    stale = await _edit(client, alice, doc["id"], version=1)
    assert stale.status_code == 409
    retried = await _edit(client, alice, doc["id"], version=current["version"], content="merged")
    assert retried.status_code == 200
    assert retried.json()["data"]["version"] == 3


async def test_revisions_are_kept_and_restored(client: httpx.AsyncClient, alice: User) -> None:
    doc = await create_document(client, alice, "Plan", content="one")
    for version, text in ((1, "two"), (2, "three")):
        assert (await _edit(client, alice, doc["id"], version=version, content=text)).is_success
    url = f"{BASE}/{doc['id']}/revisions"
    first = (await client.get(f"{url}/1", headers=alice.headers)).json()["data"]
    assert first["content"] == "one"
    restored = await client.post(f"{url}/1/restore", headers=alice.headers)
    assert restored.status_code == 200, restored.text
    assert (restored.json()["data"]["content"], restored.json()["data"]["version"]) == ("one", 4)
    listing = (await client.get(url, headers=alice.headers)).json()["data"]
    # max_revisions=3: the oldest (1) was dropped once the restore made the fourth.
    assert [row["number"] for row in listing["items"]] == [4, 3, 2]
    assert listing["items"][0]["restoredFrom"] == 1
    gone = await client.get(f"{url}/1", headers=alice.headers)
    assert (gone.status_code, gone.json()["code"]) == (404, "DOCUMENTS_REVISION_NOT_FOUND")


async def test_search_finds_a_word_of_the_content(client: httpx.AsyncClient, alice: User) -> None:
    wanted = await create_document(client, alice, "Trip", content="Pack the Umbrella, please.")
    await create_document(client, alice, "Shopping", content="Milk and bread")
    assert ids(await listed(client, alice, q="umbrella")) == [wanted["id"]]
    assert ids(await listed(client, alice, q="trip PACK")) == [wanted["id"]]
    assert ids(await listed(client, alice, q="umbrella milk")) == []
    assert ids(await listed(client, alice, q="umbrel")) == []  # whole words only
    edited = await _edit(client, alice, wanted["id"], version=1, content="Sunscreen")
    assert edited.is_success
    assert ids(await listed(client, alice, q="umbrella")) == []
    assert ids(await listed(client, alice, q="sunscreen")) == [wanted["id"]]


async def test_tag_filter_and_paging(client: httpx.AsyncClient, alice: User) -> None:
    made = [
        await create_document(client, alice, f"Doc {n}", tags=["odd" if n % 2 else "even"])
        for n in range(5)
    ]
    assert ids(await listed(client, alice, tag="ODD")) == [made[3]["id"], made[1]["id"]]
    first = await listed(client, alice, size=2, page=1)
    last = await listed(client, alice, size=2, page=3)
    assert (first["total"], first["pages"]) == (5, 3)
    assert ids(first) == [made[4]["id"], made[3]["id"]]
    assert ids(last) == [made[0]["id"]]


async def test_trash_restore_and_purge(client: httpx.AsyncClient, alice: User) -> None:
    doc = await create_document(client, alice, "Old")
    url = f"{BASE}/{doc['id']}"
    assert (await client.delete(url, headers=alice.headers)).status_code == 200
    assert (await client.get(url, headers=alice.headers)).status_code == 404
    assert ids(await listed(client, alice)) == []
    assert ids(await listed(client, alice, trash="true")) == [doc["id"]]
    restored = await client.post(f"{url}/restore", headers=alice.headers)
    assert restored.status_code == 200
    assert restored.json()["data"]["deletedAt"] is None
    assert (await client.get(url, headers=alice.headers)).status_code == 200
    # Purge takes only what is in the trash.
    assert (await client.delete(f"{url}/purge", headers=alice.headers)).status_code == 404
    await client.delete(url, headers=alice.headers)
    assert (await client.delete(f"{url}/purge", headers=alice.headers)).status_code == 200
    assert ids(await listed(client, alice, trash="true")) == []
    assert (await client.post(f"{url}/restore", headers=alice.headers)).status_code == 404


async def test_an_edit_in_the_trash_is_refused(client: httpx.AsyncClient, alice: User) -> None:
    doc = await create_document(client, alice, "Trashed")
    await client.delete(f"{BASE}/{doc['id']}", headers=alice.headers)
    response = await _edit(client, alice, doc["id"], version=1, content="late")
    assert (response.status_code, response.json()["code"]) == (404, "DOCUMENTS_NOT_FOUND")


@pytest.mark.parametrize(
    ("body", "status", "code"),
    [
        ({"title": ""}, 422, "VALIDATION_ERROR"),
        ({"title": "x" * 201}, 422, "VALIDATION_ERROR"),
        ({"title": "ok", "tags": ["t"] * 21}, 422, "VALIDATION_ERROR"),
        ({"title": "ok", "tags": ["a\nb"]}, 422, "VALIDATION_ERROR"),
        ({"title": "ok", "content": "x" * 2049}, 413, "DOCUMENTS_CONTENT_TOO_LARGE"),
        ({"title": "ok", "content": "é" * 1025}, 413, "DOCUMENTS_CONTENT_TOO_LARGE"),
    ],
)
async def test_bad_input_is_a_clear_4xx(
    client: httpx.AsyncClient, alice: User, body: dict[str, object], status: int, code: str
) -> None:
    response = await client.post(BASE, json=body, headers=alice.headers)
    assert (response.status_code, response.json()["code"]) == (status, code), response.text


async def test_bad_edits_and_queries_are_4xx(client: httpx.AsyncClient, alice: User) -> None:
    doc = await create_document(client, alice)
    for body in (
        {},
        {"version": 0},
        {"version": "one"},
        {"version": 1, "title": None, "tags": "x"},
    ):
        assert (await _edit(client, alice, doc["id"], **body)).status_code == 422, body
    big = await _edit(client, alice, doc["id"], version=1, content="x" * 4096)
    assert big.status_code == 413
    for params in ({"scope": "everything"}, {"q": "x" * 201}, {"size": 0}, {"trash": "maybe"}):
        response = await client.get(BASE, params=params, headers=alice.headers)
        assert response.status_code == 422, params
    for url in (f"{BASE}/not-a-uuid", f"{BASE}/{doc['id']}/revisions/0"):
        assert (await client.get(url, headers=alice.headers)).status_code == 422, url
    shares = {"viewerIds": ["01a23d05-aaef-769f-9d9a-1f41432d797f"]}
    response = await client.put(f"{BASE}/{doc['id']}/shares", json=shares, headers=alice.headers)
    assert (response.status_code, response.json()["code"]) == (422, "DOCUMENTS_SHARE_INVALID")
