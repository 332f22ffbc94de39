"""Files rules against MongoDB-wire and S3: uploads, limits, direct uploads, scope, deletes."""

from __future__ import annotations

import asyncio
import base64
import hashlib
import json
import os
from typing import Any
from uuid import UUID

import pytest

from atrium.core.errors import AppError, Conflict, NotFound, PayloadTooLarge, UnsupportedMediaType
from atrium.core.ids import uuid7
from atrium.core.pages import PageParams
from atrium.core.state import AppState
from atrium.core.storage import Storage
from atrium.files import service
from atrium.files.documents import FileObject, FileStatus
from atrium.files.schemas import UploadCreate
from tests.support.forms import SMALL_LIMIT, form
from tests.support.s3 import PART, fetch, pending_quota, post_form

OWNER = UUID("01900000-0000-7000-8000-000000000001")
OTHER = UUID("01900000-0000-7000-8000-000000000002")


def viewer(user_id: UUID, admin: bool = False) -> service.Viewer:
    async def is_admin() -> bool:
        return admin

    return service.Viewer(user_id, is_admin)


async def nothing_stored(storage: Storage) -> bool:
    return await storage.list_keys() == [] and await storage.list_multipart() == []


async def test_upload_streams_the_bytes_and_records_them(files_state: AppState) -> None:
    data = os.urandom(SMALL_LIMIT)
    doc = await service.upload(files_state.storage, OWNER, form(data, "a.png", "image/png"))
    assert doc.status is FileStatus.COMPLETE
    assert (doc.name, doc.content_type, doc.size) == ("a.png", "image/png", len(data))
    assert doc.sha256 == hashlib.sha256(data).hexdigest()
    assert doc.key == f"files/{OWNER}/{doc.id}"
    stored = await FileObject.get(doc.id)
    assert stored is not None
    assert stored.status is FileStatus.COMPLETE
    link = await service.download_link(files_state.storage, doc)
    assert (await fetch(link.url)).content == data


async def test_too_large_is_413_and_leaves_nothing(files_state: AppState) -> None:
    with pytest.raises(PayloadTooLarge) as caught:
        await service.upload(files_state.storage, OWNER, form(os.urandom(SMALL_LIMIT + 1)))
    assert caught.value.error_code == "FILES_TOO_LARGE"
    assert await nothing_stored(files_state.storage)
    assert await FileObject.count() == 0


async def test_a_disallowed_type_is_415_and_leaves_nothing(files_state: AppState) -> None:
    with pytest.raises(UnsupportedMediaType) as caught:
        await service.upload(files_state.storage, OWNER, form(b"MZ", "x.exe", "application/x-dos"))
    assert caught.value.error_code == "FILES_TYPE_NOT_ALLOWED"
    assert await nothing_stored(files_state.storage)
    assert await FileObject.count() == 0


def test_wildcard_types_are_allowed(files_state: AppState) -> None:
    settings = files_state.settings.storage.model_copy(
        update={"allowed_content_types": ["image/*"]}
    )
    assert service.ensure_type_allowed(settings, "IMAGE/AVIF") == "image/avif"
    with pytest.raises(UnsupportedMediaType):
        service.ensure_type_allowed(settings, "text/plain")


def announce(data: bytes, **extra: object) -> UploadCreate:
    return UploadCreate.model_validate(
        {"name": "big.zip", "size": len(data), "content_type": "application/zip", **extra}
    )


async def test_direct_upload_then_complete(files_state: AppState) -> None:
    data = os.urandom(3000)
    sha = hashlib.sha256(data).hexdigest()
    ticket = await service.initiate(
        files_state.storage, pending_quota(files_state), OWNER, announce(data, sha256=sha)
    )
    assert ticket.parts is None
    assert ticket.url is not None
    assert ticket.file.status is FileStatus.PENDING
    assert (await post_form(ticket.url, ticket.fields, data)).is_success
    done = await service.complete(files_state.storage, ticket.file)
    assert (done.status, done.size, done.sha256) == (FileStatus.COMPLETE, 3000, sha)
    assert await service.complete(files_state.storage, done) is done  # idempotent


async def test_complete_before_any_bytes_keeps_the_upload_open(files_state: AppState) -> None:
    ticket = await service.initiate(
        files_state.storage, pending_quota(files_state), OWNER, announce(b"abc")
    )
    with pytest.raises(Conflict) as caught:
        await service.complete(files_state.storage, ticket.file)
    assert caught.value.error_code == "FILES_UPLOAD_MISSING"
    assert ticket.url is not None
    await post_form(ticket.url, ticket.fields, b"abc")
    assert (await service.complete(files_state.storage, ticket.file)).size == 3


@pytest.mark.parametrize(
    ("sent", "code"),
    [(b"abcd", "FILES_SIZE_MISMATCH"), (b"abd", "FILES_CHECKSUM_MISMATCH")],
)
async def test_a_mismatch_is_refused_and_removed(
    files_state: AppState, sent: bytes, code: str
) -> None:
    sha = hashlib.sha256(b"abc").hexdigest()
    ticket = await service.initiate(
        files_state.storage, pending_quota(files_state), OWNER, announce(b"abc", sha256=sha)
    )
    assert ticket.url is not None
    await post_form(ticket.url, ticket.fields, sent)
    with pytest.raises(Conflict) as caught:
        await service.complete(files_state.storage, ticket.file)
    assert caught.value.error_code == code
    assert await nothing_stored(files_state.storage)
    assert await FileObject.get(ticket.file.id) is None


async def test_direct_multipart_upload(files_state: AppState) -> None:
    data = os.urandom(2 * PART + 1)
    ticket = await service.initiate(
        files_state.storage, pending_quota(files_state), OWNER, announce(data)
    )
    assert ticket.parts is not None
    assert [p.part_number for p in ticket.parts] == [1, 2, 3]
    assert ticket.file.part_size == PART
    for part in ticket.parts:
        chunk = data[(part.part_number - 1) * PART : part.part_number * PART]
        assert (await fetch(part.url, "PUT", chunk)).status_code == 200
    done = await service.complete(files_state.storage, ticket.file)
    assert (done.size, done.sha256) == (len(data), hashlib.sha256(data).hexdigest())
    assert done.upload_id is None
    assert await files_state.storage.list_multipart() == []


async def test_direct_multipart_with_a_missing_part_stays_open(files_state: AppState) -> None:
    data = os.urandom(PART + 1)
    ticket = await service.initiate(
        files_state.storage, pending_quota(files_state), OWNER, announce(data)
    )
    assert ticket.parts is not None
    await fetch(ticket.parts[1].url, "PUT", data[PART:])  # only the short last part
    with pytest.raises(Conflict) as caught:
        await service.complete(files_state.storage, ticket.file)
    assert caught.value.error_code == "FILES_UPLOAD_INCOMPLETE"
    assert "1" in caught.value.detail_message
    await fetch(ticket.parts[0].url, "PUT", data[:PART])
    assert (await service.complete(files_state.storage, ticket.file)).size == len(data)


@pytest.mark.parametrize(
    ("extra", "error"),
    [
        ({"size": 6 * 1024**3}, PayloadTooLarge),
        ({"content_type": "application/x-msdownload"}, UnsupportedMediaType),
        ({"size": 0, "multipart": True}, AppError),
    ],
)
async def test_direct_upload_refusals(
    files_state: AppState, extra: dict[str, object], error: type[AppError]
) -> None:
    with pytest.raises(error):
        await service.initiate(
            files_state.storage, pending_quota(files_state), OWNER, announce(b"x", **extra)
        )
    assert await FileObject.count() == 0
    assert await nothing_stored(files_state.storage)


def test_part_size_grows_for_huge_files(files_state: AppState) -> None:
    settings = files_state.settings.storage
    assert service.part_size_for(settings, 10 * PART) == PART
    assert service.part_size_for(settings, 100 * 1024**3) * 10_000 >= 100 * 1024**3


async def test_another_users_file_is_not_found_but_admins_see_it(files_state: AppState) -> None:
    doc = await service.upload(files_state.storage, OWNER, form(b"mine"))
    assert (await service.get_visible(viewer(OWNER), doc.id)).id == doc.id
    with pytest.raises(NotFound):
        await service.get_visible(viewer(OTHER), doc.id)
    with pytest.raises(NotFound):
        await service.get_visible(viewer(OWNER), uuid7())
    assert (await service.get_visible(viewer(OTHER, admin=True), doc.id)).id == doc.id


async def test_delete_removes_the_object_and_the_metadata(files_state: AppState) -> None:
    doc = await service.upload(files_state.storage, OWNER, form(b"bye"))
    await service.delete(files_state.storage, doc)
    assert await nothing_stored(files_state.storage)
    assert await FileObject.get(doc.id) is None


async def test_delete_aborts_an_open_multipart_upload(files_state: AppState) -> None:
    ticket = await service.initiate(
        files_state.storage, pending_quota(files_state), OWNER, announce(os.urandom(PART + 1))
    )
    assert ticket.parts is not None
    await fetch(ticket.parts[0].url, "PUT", os.urandom(PART))
    await service.delete(files_state.storage, ticket.file)
    assert await nothing_stored(files_state.storage)


async def test_lists_are_scoped_paged_and_newest_first(files_state: AppState) -> None:
    mine = [await service.upload(files_state.storage, OWNER, form(b"m")) for _ in range(3)]
    await service.upload(files_state.storage, OTHER, form(b"o"))
    await service.initiate(
        files_state.storage, pending_quota(files_state), OWNER, announce(b"pending")
    )
    page = await service.list_files(PageParams(page=1, size=2), OWNER, FileStatus.COMPLETE)
    assert (page.total, page.pages) == (3, 2)
    assert [d.id for d in page.items] == [mine[2].id, mine[1].id]
    pending = await service.list_files(PageParams(), OWNER, FileStatus.PENDING)
    assert pending.total == 1
    everyone = await service.list_files(PageParams(), None, None)
    assert everyone.total == 5


def _policy(fields: dict[str, str] | None) -> dict[str, Any]:
    assert fields is not None
    decoded: dict[str, Any] = json.loads(base64.b64decode(fields["policy"]))
    return decoded


async def test_a_single_upload_is_a_post_whose_signed_policy_binds_the_size(
    files_state: AppState,
) -> None:
    ticket = await service.initiate(
        files_state.storage, pending_quota(files_state), OWNER, announce(b"abc")
    )
    assert (ticket.method, ticket.parts) == ("POST", None)
    assert ticket.url is not None
    assert ticket.url.endswith(f"/{files_state.storage.bucket}")
    assert ticket.fields is not None
    assert (ticket.fields["key"], ticket.fields["Content-Type"]) == (
        ticket.file.key,
        "application/zip",
    )
    conditions = _policy(ticket.fields)["conditions"]
    assert ["content-length-range", 3, 3] in conditions
    assert ["eq", "$key", ticket.file.key] in conditions
    assert ["eq", "$Content-Type", "application/zip"] in conditions


async def test_more_bytes_than_announced_are_removed_at_completion(files_state: AppState) -> None:
    """moto's S3 does not enforce POST policies (S3 and MinIO refuse such a body outright):
    the bytes get stored, and completion removes them at once."""
    ticket = await service.initiate(
        files_state.storage, pending_quota(files_state), OWNER, announce(b"abc")
    )
    assert ticket.url is not None
    assert (await post_form(ticket.url, ticket.fields, b"x" * 5000)).is_success
    with pytest.raises(Conflict) as caught:
        await service.complete(files_state.storage, ticket.file)
    assert caught.value.error_code == "FILES_SIZE_MISMATCH"
    assert await nothing_stored(files_state.storage)
    assert await FileObject.get(ticket.file.id) is None


async def test_a_multipart_part_larger_than_announced_removes_the_upload(
    files_state: AppState,
) -> None:
    data = os.urandom(PART + 1)
    ticket = await service.initiate(
        files_state.storage, pending_quota(files_state), OWNER, announce(data)
    )
    assert ticket.parts is not None
    assert ticket.method == "PUT"
    await fetch(ticket.parts[0].url, "PUT", data[:PART])
    await fetch(ticket.parts[1].url, "PUT", os.urandom(PART))  # announced: 1 byte
    with pytest.raises(Conflict) as caught:
        await service.complete(files_state.storage, ticket.file)
    assert caught.value.error_code == "FILES_SIZE_MISMATCH"
    assert await nothing_stored(files_state.storage)
    assert await FileObject.get(ticket.file.id) is None


async def test_pending_uploads_are_limited_in_number_per_user(files_state: AppState) -> None:
    storage = files_state.storage
    storage.settings = storage.settings.model_copy(update={"max_pending_uploads": 2})
    first = await service.initiate(storage, pending_quota(files_state), OWNER, announce(b"a"))
    await service.initiate(storage, pending_quota(files_state), OWNER, announce(b"b"))
    with pytest.raises(Conflict) as caught:
        await service.initiate(storage, pending_quota(files_state), OWNER, announce(b"c"))
    assert caught.value.error_code == "FILES_PENDING_QUOTA"
    other = UUID("01900000-0000-7000-8000-000000000002")
    assert (
        await service.initiate(storage, pending_quota(files_state), other, announce(b"c"))
    ).file.owner_id == other
    await service.delete(storage, first.file)
    assert (
        await service.initiate(storage, pending_quota(files_state), OWNER, announce(b"c"))
    ).file.status is FileStatus.PENDING


async def test_concurrent_uploads_never_pass_the_quota_together(files_state: AppState) -> None:
    storage = files_state.storage
    storage.settings = storage.settings.model_copy(update={"max_pending_uploads": 3})
    # Two API nodes' worth of quota objects, each its own lock client: one lock in Redis.
    quotas = [pending_quota(files_state), pending_quota(files_state)]
    outcomes = await asyncio.gather(
        *(service.initiate(storage, quotas[n % 2], OWNER, announce(b"r")) for n in range(12)),
        return_exceptions=True,
    )
    accepted = [found for found in outcomes if isinstance(found, service.Ticket)]
    refused = [found for found in outcomes if isinstance(found, Conflict)]
    assert (len(accepted), len(refused)) == (3, 9)
    assert {error.error_code for error in refused} == {"FILES_PENDING_QUOTA"}
    pending = {"owner_id": OWNER, "status": FileStatus.PENDING.value}
    assert await FileObject.find(pending).count() == 3


async def test_pending_uploads_are_limited_in_announced_bytes_per_user(
    files_state: AppState,
) -> None:
    storage = files_state.storage
    storage.settings = storage.settings.model_copy(update={"max_pending_upload_bytes": 5000})
    await service.initiate(storage, pending_quota(files_state), OWNER, announce(b"x" * 3000))
    with pytest.raises(Conflict) as caught:
        await service.initiate(storage, pending_quota(files_state), OWNER, announce(b"x" * 2001))
    assert caught.value.error_code == "FILES_PENDING_QUOTA"
    assert (
        await service.initiate(storage, pending_quota(files_state), OWNER, announce(b"x" * 2000))
    ).file.size == 2000
