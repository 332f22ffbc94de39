"""The storage wrapper against the S3 test server: streamed and presigned transfers."""

from __future__ import annotations

import asyncio
import hashlib
import os
from collections.abc import AsyncIterator
from datetime import timedelta
from urllib.parse import unquote, urlsplit

import pytest

from atrium.core.clock import utcnow
from atrium.core.storage import Storage, StreamTooLarge, content_disposition
from tests.support import sigv4
from tests.support.s3 import MIB, PART, chunked, empty_bucket, fetch, storage_settings


@pytest.fixture
async def storage(services: dict[str, str]) -> AsyncIterator[Storage]:
    """A Storage on its own fresh bucket, removed afterwards."""
    store = Storage(storage_settings(services))
    await store.ensure_bucket()
    try:
        yield store
    finally:
        await empty_bucket(store)
        await asyncio.to_thread(store.client.remove_bucket, store.bucket)
        store.close()


@pytest.mark.parametrize("size", [0, 1000, 2 * PART + 123], ids=["empty", "small", "multipart"])
async def test_streamed_upload_downloads_identical_bytes(storage: Storage, size: int) -> None:
    data = os.urandom(size)
    result = await storage.put_stream("a/b.bin", chunked(data), "image/png", max_bytes=3 * PART)
    assert result.size == size
    assert result.sha256 == hashlib.sha256(data).hexdigest()
    url = await storage.presigned_get("a/b.bin", timedelta(minutes=1))
    response = await fetch(url)
    assert response.status_code == 200
    assert response.content == data
    assert await storage.sha256("a/b.bin") == (size, result.sha256)


@pytest.mark.parametrize("size", [PART // 2, 3 * PART], ids=["single-part", "multipart"])
async def test_stream_past_the_limit_leaves_nothing(storage: Storage, size: int) -> None:
    limit = size - 1
    with pytest.raises(StreamTooLarge):
        await storage.put_stream(
            "big.bin", chunked(os.urandom(size)), "text/plain", max_bytes=limit
        )
    assert await storage.list_keys() == []
    assert await storage.list_multipart() == []


async def test_stream_pulls_only_as_fast_as_storage_takes(storage: Storage) -> None:
    """At most about one part is read ahead of what storage has taken."""
    pulled = 0

    async def counting() -> AsyncIterator[bytes]:
        nonlocal pulled
        for _ in range(3 * PART // MIB):
            pulled += MIB
            yield b"x" * MIB

    progress: list[int] = []
    task = asyncio.create_task(
        storage.put_stream("slow.bin", counting(), "text/plain", max_bytes=4 * PART)
    )
    while not task.done():
        progress.append(pulled)
        await asyncio.sleep(0.001)
    assert (await task).size == 3 * PART
    assert min(progress) < PART + MIB  # it did not slurp the whole stream up front


async def test_presigned_get_works_from_plain_http_and_stops_after_expiry(
    storage: Storage,
) -> None:
    """Fetched through the server to show it works; expiry checked by SigV4 (see ``sigv4``).

    moto does not verify signatures or ``X-Amz-Expires``: it would still serve this URL after
    expiry, so "stops working" is shown by the independent SigV4 check a real S3 applies.
    """
    await storage.put_stream("doc.txt", chunked(b"hello"), "text/plain", max_bytes=100)
    url = await storage.presigned_get("doc.txt", timedelta(seconds=30))
    assert (await fetch(url)).content == b"hello"
    secret = storage.settings.secret_key.get_secret_value()
    signed, valid_for = sigv4.signed_at(url)
    assert valid_for == timedelta(seconds=30)
    assert abs(signed - utcnow()) < timedelta(seconds=5)
    assert sigv4.refusal(url, secret, "GET", signed + timedelta(seconds=29)) is None
    assert sigv4.refusal(url, secret, "GET", signed + timedelta(seconds=31)) == "expired"
    assert sigv4.refusal(url, "another-secret", "GET", signed) == "signature does not match"
    other = url.replace("doc.txt", "other.txt")
    assert sigv4.refusal(other, secret, "GET", signed) == "signature does not match"


async def test_presigned_get_names_the_download(storage: Storage) -> None:
    await storage.put_stream("k", chunked(b"%PDF"), "application/octet-stream", max_bytes=10)
    name = 'Rapport "été" 2026.pdf'
    url = await storage.presigned_get("k", timedelta(minutes=1), name, "application/pdf")
    response = await fetch(url)
    assert response.headers["content-type"] == "application/pdf"
    disposition = response.headers["content-disposition"]
    assert disposition == content_disposition(name)
    assert 'filename="Rapport __t__ 2026.pdf"' in disposition
    assert unquote(disposition.split("UTF-8''", 1)[1]) == name


async def test_presigned_put_stores_what_a_plain_client_sends(storage: Storage) -> None:
    url = await storage.presigned_put("direct.bin", timedelta(minutes=5))
    assert (await fetch(url, "PUT", b"direct bytes")).status_code == 200
    found = await storage.head("direct.bin")
    assert found is not None
    assert found.size == len(b"direct bytes")
    secret = storage.settings.secret_key.get_secret_value()
    assert sigv4.refusal(url, secret, "PUT", utcnow()) is None


async def test_presigned_multipart_upload(storage: Storage) -> None:
    data = os.urandom(2 * PART + 10)
    upload_id = await storage.create_multipart("parts.bin", "application/zip")
    urls = await storage.presigned_parts("parts.bin", upload_id, 3, timedelta(minutes=5))
    assert [u.key for u in await storage.list_multipart()] == ["parts.bin"]
    for number, url in enumerate(urls):
        chunk = data[number * PART : (number + 1) * PART]
        assert (await fetch(url, "PUT", chunk)).status_code == 200
    await storage.complete_multipart("parts.bin", upload_id)
    assert await storage.list_multipart() == []
    assert await storage.sha256("parts.bin") == (len(data), hashlib.sha256(data).hexdigest())


async def test_abort_multipart_drops_the_parts(storage: Storage) -> None:
    upload_id = await storage.create_multipart("gone.bin", "text/plain")
    [url] = await storage.presigned_parts("gone.bin", upload_id, 1, timedelta(minutes=5))
    await fetch(url, "PUT", b"part")
    await storage.abort_multipart("gone.bin", upload_id)
    await storage.abort_multipart("gone.bin", upload_id)  # twice is fine
    assert await storage.list_multipart() == []
    assert await storage.head("gone.bin") is None


async def test_scan_objects_in_batches(storage: Storage) -> None:
    for n in range(5):
        await storage.put_stream(f"p/{n}", chunked(b"x"), "text/plain", max_bytes=1)
    await storage.put_stream("q/other", chunked(b"x"), "text/plain", max_bytes=1)
    batches = [[o.key for o in batch] async for batch in storage.scan_objects("p/", batch=2)]
    assert batches == [["p/0", "p/1"], ["p/2", "p/3"], ["p/4"]]
    await storage.remove("p/0")
    await storage.remove("p/0")  # removing a missing object is not an error
    assert await storage.head("p/0") is None


async def test_public_endpoint_signs_for_the_public_host(services: dict[str, str]) -> None:
    settings = storage_settings(services, public_endpoint="https://files.example.test")
    storage = Storage(settings)
    url = await storage.presigned_get("k", timedelta(minutes=1))  # no request is sent
    parts = urlsplit(url)
    assert (parts.scheme, parts.netloc) == ("https", "files.example.test")
    secret = settings.secret_key.get_secret_value()
    assert sigv4.refusal(url, secret, "GET", utcnow()) is None
    storage.close()
