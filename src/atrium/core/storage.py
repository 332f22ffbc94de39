"""Object storage (MinIO or any S3) through the MinIO SDK, in threads so the loop never blocks."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from datetime import timedelta
from typing import Any, BinaryIO

import urllib3
from minio import Minio
from minio.error import S3Error

from atrium.config import StorageSettings


class Storage:
    """An async face over the synchronous MinIO client, bound to one bucket."""

    def __init__(self, settings: StorageSettings) -> None:
        self.settings = settings
        self.bucket = settings.bucket
        http = urllib3.PoolManager(
            timeout=urllib3.Timeout(connect=5, read=60),
            maxsize=32,
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
        return await asyncio.to_thread(
            self.client.put_object,
            self.bucket,
            key,
            data,
            length,
            content_type=content_type,
            part_size=part_size,
        )

    async def stat(self, key: str) -> Any | None:
        """The object's metadata, or None when it does not exist."""
        try:
            return await asyncio.to_thread(self.client.stat_object, self.bucket, key)
        except S3Error as exc:
            if exc.code in ("NoSuchKey", "NoSuchObject", "ResourceNotFound"):
                return None
            raise

    async def remove(self, key: str) -> None:
        await asyncio.to_thread(self.client.remove_object, self.bucket, key)

    async def presigned_get(self, key: str, ttl: timedelta, filename: str | None = None) -> str:
        headers: dict[str, str | list[str] | tuple[str]] | None = (
            {"response-content-disposition": f'attachment; filename="{filename}"'}
            if filename
            else None
        )
        return await asyncio.to_thread(
            self.client.presigned_get_object,
            self.bucket,
            key,
            expires=ttl,
            response_headers=headers,
        )

    async def presigned_put(self, key: str, ttl: timedelta) -> str:
        return await asyncio.to_thread(
            self.client.presigned_put_object, self.bucket, key, expires=ttl
        )

    async def list_keys(self, prefix: str = "") -> list[str]:
        def collect() -> list[str]:
            objects: Iterator[Any] = self.client.list_objects(
                self.bucket, prefix=prefix, recursive=True
            )
            return [obj.object_name for obj in objects]

        return await asyncio.to_thread(collect)
