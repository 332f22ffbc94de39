"""Shared helpers for tests that talk to the S3 test server."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from uuid import uuid4

import httpx
from pydantic import SecretStr

from atrium.config import StorageSettings
from atrium.core.state import AppState
from atrium.core.storage import Storage
from atrium.files.quota import PendingQuota

MIB = 1024 * 1024
PART = 5 * MIB


def storage_settings(services: dict[str, str], **overrides: object) -> StorageSettings:
    values: dict[str, object] = {
        "endpoint": services["ATRIUM_STORAGE__ENDPOINT"],
        "access_key": services.get("ATRIUM_STORAGE__ACCESS_KEY", "atrium"),
        "secret_key": SecretStr(services.get("ATRIUM_STORAGE__SECRET_KEY", "atrium-test")),
        "bucket": f"s-{uuid4().hex[:12]}",
        "upload_part_size": PART,
        **overrides,
    }
    return StorageSettings.model_validate(values)


async def empty_bucket(storage: Storage) -> None:
    for upload in await storage.list_multipart():
        await storage.abort_multipart(upload.key, upload.upload_id)
    for key in await storage.list_keys():
        await storage.remove(key)


async def chunked(data: bytes, size: int = 64 * 1024) -> AsyncIterator[bytes]:
    for start in range(0, len(data), size):
        await asyncio.sleep(0)  # a real request body arrives across loop turns
        yield data[start : start + size]


async def fetch(url: str, method: str = "GET", content: bytes | None = None) -> httpx.Response:
    async with httpx.AsyncClient() as http:
        return await http.request(method, url, content=content)


async def post_form(url: str, fields: dict[str, str] | None, content: bytes) -> httpx.Response:
    """What a browser sends for a presigned POST: the policy's fields, then the file."""
    async with httpx.AsyncClient() as http:
        return await http.post(url, data=fields or {}, files={"file": ("blob", content)})


def pending_quota(state: AppState) -> PendingQuota:
    """The files domain's pending-upload quota on the app's Redis."""
    return PendingQuota(state.redis, state.settings.redis)
