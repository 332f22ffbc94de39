"""Live documents over a real port: a collaborator watching a document gets ``documents.updated``
on their real Socket.IO client when someone else saves it, and a revoked share takes them out
of the document's room at once, also when their socket is on another node."""

from __future__ import annotations

import httpx
import pytest

from atrium.config import Settings
from atrium.core.state import AppState
from tests.support.live import LiveServer, Probe, probe
from tests.support.nodes import node_process
from tests.support.workspace import MakeUser, User

from .helpers import BASE, create_document, share

QUIET = 0.5


@pytest.fixture
def state(live: LiveServer) -> AppState:
    """The live server's state (its stores), not a second app's."""
    result: AppState = live.app.state.atrium
    return result


@pytest.fixture
def client(http: httpx.AsyncClient) -> httpx.AsyncClient:
    """Every request goes to the live server, over a real socket."""
    return http


async def _save(http: httpx.AsyncClient, who: User, doc_id: str, version: int, text: str) -> None:
    body = {"version": version, "content": text}
    response = await http.patch(f"{BASE}/{doc_id}", json=body, headers=who.headers)
    assert response.status_code == 200, response.text


async def _nothing_arrives(client: Probe) -> bool:
    try:
        await client.next("documents.updated", within=QUIET)
    except TimeoutError:
        return True
    return False


async def test_a_watcher_gets_updates_until_the_share_is_revoked(
    live: LiveServer, http: httpx.AsyncClient, member: MakeUser
) -> None:
    owner, bob = await member("owner"), await member("bob")
    doc = await create_document(http, owner, "Live", content="v1")
    await share(http, owner, doc["id"], viewerIds=[str(bob.id)])
    async with probe(live.url, bob.access_token) as client:
        ack = await client.call("documents.watch", {"documentId": doc["id"]})
        assert (ack["code"], ack["data"]["version"]) == ("OK", 1), ack
        await _save(http, owner, doc["id"], 1, "v2")
        event = await client.next("documents.updated")
        assert (event["id"], event["version"], event["updatedBy"]) == (doc["id"], 2, str(owner.id))
        await share(http, owner, doc["id"], viewerIds=[])
        await _save(http, owner, doc["id"], 2, "v3")
        assert await _nothing_arrives(client)
        again = await client.call("documents.watch", {"documentId": doc["id"]})
        assert again["code"] == "DOCUMENTS_NOT_FOUND"


async def test_watch_checks_access_and_payload(
    live: LiveServer, http: httpx.AsyncClient, member: MakeUser
) -> None:
    owner, eve = await member("owner"), await member("eve")
    doc = await create_document(http, owner, "Private")
    async with probe(live.url, eve.access_token) as client:
        refused = await client.call("documents.watch", {"documentId": doc["id"]})
        assert refused["code"] == "DOCUMENTS_NOT_FOUND"
        await _save(http, owner, doc["id"], 1, "secret")
        assert await _nothing_arrives(client)
        for payload in (None, {}, {"documentId": "nope"}):
            bad = await client.call("documents.watch", payload)
            assert bad["code"] == "VALIDATION_ERROR", payload


async def test_unwatch_stops_the_updates(
    live: LiveServer, http: httpx.AsyncClient, member: MakeUser
) -> None:
    owner = await member("owner")
    doc = await create_document(http, owner, "Mine")
    async with probe(live.url, owner.access_token) as client:
        assert (await client.call("documents.watch", {"documentId": doc["id"]}))["code"] == "OK"
        await _save(http, owner, doc["id"], 1, "v2")
        assert (await client.next("documents.updated"))["version"] == 2
        assert (await client.call("documents.unwatch", {"documentId": doc["id"]}))["code"] == "OK"
        await _save(http, owner, doc["id"], 2, "v3")
        assert await _nothing_arrives(client)


@pytest.mark.slow
async def test_a_revoked_share_empties_the_room_on_another_node(
    live: LiveServer, http: httpx.AsyncClient, member: MakeUser, settings: Settings
) -> None:
    owner, bob = await member("owner"), await member("bob")
    doc = await create_document(http, owner, "Two nodes")
    await share(http, owner, doc["id"], editorIds=[str(bob.id)])
    async with node_process(settings) as node_b, probe(node_b, bob.access_token) as on_b:
        assert (await on_b.call("documents.watch", {"documentId": doc["id"]}))["code"] == "OK"
        await _save(http, owner, doc["id"], 1, "from node A")
        assert (await on_b.next("documents.updated"))["version"] == 2
        await share(http, owner, doc["id"])  # handled by node A; bob's socket is on B
        await _save(http, owner, doc["id"], 2, "after the revoke")
        assert await _nothing_arrives(on_b)
