"""Object storage (MinIO or any S3) through the MinIO SDK, in threads so the loop never blocks.

Short calls (stat, remove, presign) run in the default thread pool. Long transfers (a streamed
upload, a checksum read) run in the storage's own bounded pool, so many slow uploads never
starve the threads the rest of the app shares (password hashing, other SDK calls).

A streamed upload reads from an async iterator on the event loop: the SDK, in its thread, pulls
the next chunk through ``run_coroutine_threadsafe``, so the data is only read from the client as
fast as storage takes it, and memory is bounded by the part size (``upload_part_size``; the
SDK holds a few copies of one part), never by the file size.

Presigned multipart uploads use the SDK's multipart primitives (``_create_multipart_upload``,
``_list_parts``, ``_complete_multipart_upload``, ...): public in every other S3 SDK, underscored
in minio-py 7 (the version range in pyproject pins them; ``tests/core/test_storage.py`` covers
each). Presigned URLs are signed by ``signer``: the main client, or one for
``public_endpoint`` when clients reach storage through another host.
"""

from __future__ import annotations

import asyncio
import hashlib
from collections.abc import AsyncIterator, Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import partial
from itertools import islice
from typing import Any, BinaryIO, TypeVar
from urllib.parse import quote, urlsplit

import urllib3
from minio import Minio
from minio.datatypes import Part, PostPolicy
from minio.error import S3Error

from atrium.config import StorageSettings
from atrium.core.clock import utcnow

T = TypeVar("T")
MISSING_CODES = ("NoSuchKey", "NoSuchObject", "ResourceNotFound", "NoSuchUpload")
READ_CHUNK = 1024 * 1024
# How long the SDK's thread waits for the next chunk of an upload before giving up.
PULL_TIMEOUT_SECONDS = 120.0


class StreamTooLarge(Exception):
    """The stream went past its byte limit; nothing was stored."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        super().__init__(f"the stream is larger than {limit} bytes")


@dataclass(frozen=True, slots=True)
class StreamResult:
    """What a streamed upload stored: its size, SHA-256 (hex) and ETag."""

    size: int
    sha256: str
    etag: str


@dataclass(frozen=True, slots=True)
class StoredObject:
    key: str
    size: int
    etag: str
    last_modified: datetime | None
    content_type: str | None = None


@dataclass(frozen=True, slots=True)
class MultipartUpload:
    key: str
    upload_id: str
    initiated: datetime | None


class _PullReader:
    """A blocking file object for the SDK's thread, fed from an async iterator on ``loop``.

    Counts and hashes the bytes as they pass and raises ``StreamTooLarge`` past ``limit``.
    """

    def __init__(
        self, loop: asyncio.AbstractEventLoop, chunks: AsyncIterator[bytes], limit: int
    ) -> None:
        self._loop, self._chunks, self._limit = loop, chunks, limit
        self._buffer = bytearray()
        self._eof = False
        self.size = 0
        self.digest = hashlib.sha256()

    def read(self, size: int = -1) -> bytes:
        """Up to ``size`` bytes (all that is left when negative); fewer only at the end."""
        want = size
        while not self._eof and (want < 0 or len(self._buffer) < want):
            self._take(self._pull())
        if want < 0 or want >= len(self._buffer):
            data, self._buffer = bytes(self._buffer), bytearray()
            return data
        data = bytes(self._buffer[:want])
        del self._buffer[:want]
        return data

    def _pull(self) -> bytes | None:
        future = asyncio.run_coroutine_threadsafe(_next_chunk(self._chunks), self._loop)
        try:
            return future.result(timeout=PULL_TIMEOUT_SECONDS)
        except TimeoutError:
            future.cancel()
            raise

    def _take(self, chunk: bytes | None) -> None:
        if chunk is None:
            self._eof = True
            return
        self.size += len(chunk)
        if self.size > self._limit:
            raise StreamTooLarge(self._limit)
        self.digest.update(chunk)
        self._buffer += chunk


async def _next_chunk(chunks: AsyncIterator[bytes]) -> bytes | None:
    try:
        return await anext(chunks)
    except StopAsyncIteration:
        return None


def content_disposition(filename: str) -> str:
    """``attachment`` with an ASCII fallback name and the exact UTF-8 name (RFC 6266)."""
    fallback = "".join(ch if 32 <= ord(ch) < 127 and ch not in '"\\' else "_" for ch in filename)
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(filename, safe='')}"


def _public_client(settings: StorageSettings) -> Minio | None:
    """A client used only to sign URLs for the host clients reach (no requests are sent)."""
    if not settings.public_endpoint:
        return None
    parts = urlsplit(settings.public_endpoint)
    host = parts.netloc or parts.path
    secure = parts.scheme == "https" if parts.scheme else settings.secure
    return Minio(
        host,
        access_key=settings.access_key,
        secret_key=settings.secret_key.get_secret_value(),
        secure=secure,
        # Known up front, so signing never asks the (maybe unreachable) public host.
        region=settings.region or "us-east-1",
    )


class Storage:
    """An async face over the synchronous MinIO client, bound to one bucket."""

    def __init__(self, settings: StorageSettings) -> None:
        self.settings = settings
        self.bucket = settings.bucket
        http = urllib3.PoolManager(
            timeout=urllib3.Timeout(connect=5, read=60),
            maxsize=max(32, settings.stream_threads),
            retries=urllib3.Retry(total=2, backoff_factor=0.2, status_forcelist=[502, 503, 504]),
        )
        self.client = Minio(
            settings.endpoint,
            access_key=settings.access_key,
            secret_key=settings.secret_key.get_secret_value(),
            secure=settings.secure,
            region=settings.region,
            http_client=http,
        )
        self.signer = _public_client(settings) or self.client
        self._transfers = ThreadPoolExecutor(
            max_workers=settings.stream_threads, thread_name_prefix="storage-transfer"
        )

    async def _long(self, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._transfers, partial(fn, *args, **kwargs))

    def close(self) -> None:
        """Stop the transfer threads once idle."""
        self._transfers.shutdown(wait=False, cancel_futures=True)

    async def ensure_bucket(self) -> None:
        """Create the bucket unless it exists."""
        if not await asyncio.to_thread(self.client.bucket_exists, self.bucket):
            try:
                await asyncio.to_thread(self.client.make_bucket, self.bucket)
            except S3Error as exc:  # another process created it first
                if exc.code not in ("BucketAlreadyOwnedByYou", "BucketAlreadyExists"):
                    raise

    async def ping(self) -> None:
        if not await asyncio.to_thread(self.client.bucket_exists, self.bucket):
            raise RuntimeError(f"bucket {self.bucket!r} is missing")

    async def put(
        self, key: str, data: BinaryIO, length: int, content_type: str, part_size: int = 0
    ) -> Any:
        """Upload a stream; ``length=-1`` with a ``part_size`` streams data of unknown size."""
        return await self._long(
            self.client.put_object,
            self.bucket,
            key,
            data,
            length,
            content_type=content_type,
            part_size=part_size,
        )

    async def put_stream(
        self, key: str, chunks: AsyncIterator[bytes], content_type: str, *, max_bytes: int
    ) -> StreamResult:
        """Store an async byte stream of unknown length, hashing and counting as it passes.

        Raises ``StreamTooLarge`` past ``max_bytes``: a single-part upload was never sent and
        a multipart one is aborted, so nothing is left in the bucket.
        """
        reader = _PullReader(asyncio.get_running_loop(), chunks, max_bytes)
        result = await self._long(
            self.client.put_object,
            self.bucket,
            key,
            reader,
            -1,
            content_type=content_type,
            part_size=self.settings.upload_part_size,
            num_parallel_uploads=1,  # one part in memory per upload
        )
        return StreamResult(reader.size, reader.digest.hexdigest(), str(result.etag))

    async def stat(self, key: str) -> Any | None:
        """The SDK's object metadata, or None when it does not exist."""
        try:
            return await asyncio.to_thread(self.client.stat_object, self.bucket, key)
        except S3Error as exc:
            if exc.code in MISSING_CODES:
                return None
            raise

    async def head(self, key: str) -> StoredObject | None:
        """The object's size, ETag, time and type, or None when it does not exist."""
        found = await self.stat(key)
        if found is None:
            return None
        return StoredObject(
            key, int(found.size or 0), str(found.etag), found.last_modified, found.content_type
        )

    async def remove(self, key: str) -> None:
        """Remove an object (removing a missing one is not an error)."""
        await asyncio.to_thread(self.client.remove_object, self.bucket, key)

    async def sha256(self, key: str) -> tuple[int, str]:
        """Read the object through once: its size and SHA-256 (hex)."""
        return await self._long(self._hash_object, key)

    def _hash_object(self, key: str) -> tuple[int, str]:
        response = self.client.get_object(self.bucket, key)
        try:
            digest, size = hashlib.sha256(), 0
            for chunk in response.stream(READ_CHUNK):
                digest.update(chunk)
                size += len(chunk)
            return size, digest.hexdigest()
        finally:
            response.close()
            response.release_conn()

    async def presigned_get(
        self,
        key: str,
        ttl: timedelta,
        filename: str | None = None,
        content_type: str | None = None,
    ) -> str:
        """A GET URL valid for ``ttl``; the response carries the name and type given."""
        headers: dict[str, str | list[str] | tuple[str]] = {}
        if filename:
            headers["response-content-disposition"] = content_disposition(filename)
        if content_type:
            headers["response-content-type"] = content_type
        return await asyncio.to_thread(
            self.signer.presigned_get_object,
            self.bucket,
            key,
            expires=ttl,
            response_headers=headers or None,
        )

    async def presigned_put(self, key: str, ttl: timedelta) -> str:
        """A PUT URL valid for ``ttl`` (one request, up to 5 GiB)."""
        return await asyncio.to_thread(
            self.signer.presigned_put_object, self.bucket, key, expires=ttl
        )

    async def presigned_post(
        self, key: str, ttl: timedelta, *, size: int, content_type: str
    ) -> tuple[str, dict[str, str]]:
        """A form POST for one object of exactly ``size`` bytes: the URL and the form fields.

        The signed policy binds the key, the type and the length, so S3 and MinIO refuse any
        other body (moto's server does not check policies: completion checks the size too).
        """
        policy = PostPolicy(self.bucket, utcnow() + ttl)
        policy.add_equals_condition("key", key)
        policy.add_equals_condition("Content-Type", content_type)
        policy.add_content_length_range_condition(size, size)
        fields = await asyncio.to_thread(self.signer.presigned_post_policy, policy)
        return self.bucket_url(), {**fields, "key": key, "Content-Type": content_type}

    def bucket_url(self) -> str:
        """The bucket's URL as clients reach it (the public endpoint, if set)."""
        settings = self.settings
        parts = urlsplit(settings.public_endpoint or "")
        host = (parts.netloc or parts.path) if settings.public_endpoint else settings.endpoint
        secure = parts.scheme == "https" if parts.scheme else settings.secure
        return f"{'https' if secure else 'http'}://{host}/{self.bucket}"

    async def create_multipart(self, key: str, content_type: str) -> str:
        """Start a multipart upload; returns its upload id."""
        headers: dict[str, str | list[str] | tuple[str]] = {"Content-Type": content_type}
        return await asyncio.to_thread(
            self.client._create_multipart_upload, self.bucket, key, headers
        )

    async def presigned_parts(
        self, key: str, upload_id: str, count: int, ttl: timedelta
    ) -> list[str]:
        """One presigned PUT URL per part, numbered from 1."""

        def sign() -> list[str]:
            return [
                self.signer.get_presigned_url(
                    "PUT",
                    self.bucket,
                    key,
                    expires=ttl,
                    extra_query_params={"partNumber": str(number), "uploadId": upload_id},
                )
                for number in range(1, count + 1)
            ]

        return await asyncio.to_thread(sign)

    async def uploaded_parts(self, key: str, upload_id: str) -> list[Part]:
        """The parts of an open multipart upload (number, ETag, size), in order."""
        return await asyncio.to_thread(self._uploaded_parts, key, upload_id)

    async def complete_multipart(
        self, key: str, upload_id: str, parts: list[Part] | None = None
    ) -> str:
        """Assemble ``parts`` (default: every part uploaded, as listed); returns the ETag."""

        def complete() -> str:
            chosen = parts if parts is not None else self._uploaded_parts(key, upload_id)
            result = self.client._complete_multipart_upload(self.bucket, key, upload_id, chosen)
            return str(result.etag)

        return await asyncio.to_thread(complete)

    def _uploaded_parts(self, key: str, upload_id: str) -> list[Part]:
        parts: list[Part] = []
        marker: str | None = None
        while True:
            page = self.client._list_parts(self.bucket, key, upload_id, part_number_marker=marker)
            parts.extend(page.parts)
            if not page.is_truncated:
                return sorted(parts, key=lambda part: part.part_number)
            marker = page.next_part_number_marker

    async def abort_multipart(self, key: str, upload_id: str) -> None:
        """Abort a multipart upload and drop its parts (an unknown upload is not an error)."""
        try:
            await asyncio.to_thread(
                self.client._abort_multipart_upload, self.bucket, key, upload_id
            )
        except S3Error as exc:
            if exc.code not in MISSING_CODES:
                raise

    async def list_multipart(self, prefix: str = "") -> list[MultipartUpload]:
        """Multipart uploads started and neither completed nor aborted."""

        def collect() -> list[MultipartUpload]:
            found: list[MultipartUpload] = []
            key_marker: str | None = None
            id_marker: str | None = None
            while True:
                page = self.client._list_multipart_uploads(
                    self.bucket, prefix=prefix, key_marker=key_marker, upload_id_marker=id_marker
                )
                found.extend(
                    MultipartUpload(u.object_name, str(u.upload_id), u.initiated_time)
                    for u in page.uploads
                )
                if not page.is_truncated:
                    return found
                key_marker, id_marker = page.next_key_marker, page.next_upload_id_marker

        return await asyncio.to_thread(collect)

    async def list_objects(self, prefix: str = "") -> list[StoredObject]:
        """Every object under ``prefix`` with its size, ETag and time."""
        return [obj async for batch in self.scan_objects(prefix) for obj in batch]

    async def scan_objects(
        self, prefix: str = "", batch: int = 1000
    ) -> AsyncIterator[list[StoredObject]]:
        """The objects under ``prefix`` in batches, listed page by page as they are needed."""
        objects: Iterator[Any] = self.client.list_objects(
            self.bucket, prefix=prefix, recursive=True
        )

        def take() -> list[StoredObject]:
            return [
                StoredObject(o.object_name, int(o.size or 0), str(o.etag), o.last_modified)
                for o in islice(objects, batch)
            ]

        while found := await asyncio.to_thread(take):
            yield found

    async def list_keys(self, prefix: str = "") -> list[str]:
        return [obj.key for obj in await self.list_objects(prefix)]
