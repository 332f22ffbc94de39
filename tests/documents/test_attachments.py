"""Attachments: a file attached to a document is readable (metadata and download) by whoever reads
the document, through the files domain's read hook; never changeable by them, and no longer
readable once the share or the attachment goes."""

from __future__ import annotations

from typing import Any

import httpx

from tests.support.workspace import API, MakeUser, User

from .helpers import BASE, create_document, share

FILES = f"{API}/files"


async def _upload(client: httpx.AsyncClient, who: User, data: bytes = b"hello") -> dict[str, Any]:
    files = {"file": ("notes.txt", data, "text/plain")}
    response = await client.post(FILES, files=files, headers=who.headers)
    assert response.status_code == 201, response.text
    uploaded: dict[str, Any] = response.json()["data"]
    return uploaded


async def _attach(
    client: httpx.AsyncClient, who: User, doc_id: str, file_id: str
) -> httpx.Response:
    url = f"{BASE}/{doc_id}/attachments"
    return await client.post(url, json={"fileId": file_id}, headers=who.headers)


async def test_readers_of_the_document_read_its_attachments(
    client: httpx.AsyncClient, member: MakeUser
) -> None:
    owner, bob, eve = await member("owner"), await member("bob"), await member("eve")
    file = await _upload(client, owner)
    doc = await create_document(client, owner, "With a file")
    attached = await _attach(client, owner, doc["id"], file["id"])
    assert attached.status_code == 200
    assert attached.json()["data"]["attachmentIds"] == [file["id"]]
    await share(client, owner, doc["id"], viewerIds=[str(bob.id)])
    one, link = f"{FILES}/{file['id']}", f"{FILES}/{file['id']}/download"
    assert (await client.get(one, headers=bob.headers)).status_code == 200
    assert (await client.get(link, headers=bob.headers)).status_code == 200
    assert (await client.get(one, headers=eve.headers)).status_code == 404
    # Reading is all the document gives: the file stays its owner's to delete.
    assert (await client.delete(one, headers=bob.headers)).status_code == 404
    await share(client, owner, doc["id"], viewerIds=[])
    assert (await client.get(one, headers=bob.headers)).status_code == 404


async def test_detached_or_trashed_no_longer_opens_the_file(
    client: httpx.AsyncClient, member: MakeUser
) -> None:
    owner, bob = await member("owner"), await member("bob")
    file = await _upload(client, owner)
    doc = await create_document(client, owner, "Shared file")
    await _attach(client, owner, doc["id"], file["id"])
    await share(client, owner, doc["id"], viewerIds=[str(bob.id)])
    one = f"{FILES}/{file['id']}"
    await client.delete(f"{BASE}/{doc['id']}", headers=owner.headers)
    assert (await client.get(one, headers=bob.headers)).status_code == 404
    await client.post(f"{BASE}/{doc['id']}/restore", headers=owner.headers)
    assert (await client.get(one, headers=bob.headers)).status_code == 200
    detached = await client.delete(
        f"{BASE}/{doc['id']}/attachments/{file['id']}", headers=owner.headers
    )
    assert detached.json()["data"]["attachmentIds"] == []
    assert (await client.get(one, headers=bob.headers)).status_code == 404


async def test_only_a_file_the_caller_reads_can_be_attached(
    client: httpx.AsyncClient, member: MakeUser
) -> None:
    owner, eve = await member("owner"), await member("eve")
    theirs = await _upload(client, owner)
    doc = await create_document(client, eve, "Eve's")
    for file_id in (theirs["id"], "01a23d05-aaef-769f-9d9a-1f41432d797f"):
        refused = await _attach(client, eve, doc["id"], file_id)
        assert (refused.status_code, refused.json()["code"]) == (
            422,
            "DOCUMENTS_ATTACHMENT_INVALID",
        )
    bad = await client.post(
        f"{BASE}/{doc['id']}/attachments", json={"fileId": 5}, headers=eve.headers
    )
    assert bad.status_code == 422
