"""The cleanup sweeps: abandoned uploads and orphaned objects go, live files stay."""

from __future__ import annotations

import os
from datetime import timedelta
from uuid import UUID

from atrium.core.clock import utcnow
from atrium.core.state import AppState
from atrium.files import cleanup, service
from atrium.files.documents import FileObject, FileStatus
from atrium.files.schemas import UploadCreate
from tests.support.forms import form
from tests.support.s3 import PART, chunked, fetch, pending_quota

OWNER = UUID("01900000-0000-7000-8000-000000000001")


def announce(size: int) -> UploadCreate:
    return UploadCreate(name="x.zip", size=size, content_type="application/zip")


async def test_abandoned_uploads_go_with_their_bytes(files_state: AppState) -> None:
    storage = files_state.storage
    kept = await service.upload(storage, OWNER, form(b"complete"))
    single = await service.initiate(storage, pending_quota(files_state), OWNER, announce(3))
    assert single.url is not None
    await fetch(single.url, "PUT", b"abc")  # uploaded but never completed
    multi = await service.initiate(storage, pending_quota(files_state), OWNER, announce(PART + 1))
    assert multi.parts is not None
    await fetch(multi.parts[0].url, "PUT", os.urandom(PART))
    fresh = await service.initiate(storage, pending_quota(files_state), OWNER, announce(3))
    for ticket in (single, multi):
        ticket.file.created_at = utcnow() - timedelta(days=2)
        await ticket.file.save()

    report = await cleanup.cleanup(storage)

    assert report.abandoned_uploads == 2
    remaining = {doc.id: doc.status for doc in await FileObject.find_all().to_list()}
    assert remaining == {kept.id: FileStatus.COMPLETE, fresh.file.id: FileStatus.PENDING}
    assert await storage.list_keys() == [kept.key]
    assert await storage.list_multipart() == []


async def test_orphaned_objects_go_after_the_grace_period(files_state: AppState) -> None:
    storage = files_state.storage
    kept = await service.upload(storage, OWNER, form(b"kept"))
    await storage.put_stream("files/nobody/lost", chunked(b"lost"), "text/plain", max_bytes=9)
    await storage.put_stream("avatars/not-ours", chunked(b"x"), "text/plain", max_bytes=9)

    assert (await cleanup.cleanup(storage)).orphaned_objects == 0  # too recent
    later = utcnow() + timedelta(hours=2)
    assert (await cleanup.cleanup(storage, now=later)).orphaned_objects == 1

    assert sorted(await storage.list_keys()) == ["avatars/not-ours", kept.key]


async def test_stale_multipart_uploads_without_a_document_are_aborted(
    files_state: AppState,
) -> None:
    storage = files_state.storage
    await storage.create_multipart("files/crashed/upload", "text/plain")
    ticket = await service.initiate(
        storage, pending_quota(files_state), OWNER, announce(PART + 1)
    )  # live, has a document

    report = await cleanup.cleanup(storage, now=utcnow() + timedelta(days=2))

    assert report.aborted_multiparts == 1
    # The live upload's document is pending and two days old at that "now": it goes too,
    # through the abandoned-upload sweep, which aborts its multipart upload.
    assert report.abandoned_uploads == 1
    assert await FileObject.get(ticket.file.id) is None
    assert await storage.list_multipart() == []


async def test_a_running_streamed_upload_is_left_alone(files_state: AppState) -> None:
    """Its multipart upload has a pending document for its key, so it is not touched.

    (moto reports every multipart upload as started on 2010-11-10, so on the test server
    the age check alone would not protect it: the pending document does.)
    """
    storage = files_state.storage
    running = service.new_file(OWNER, "big.bin", "text/plain")
    await running.insert()
    await storage.create_multipart(running.key, "text/plain")

    assert (await cleanup.cleanup(storage)).aborted_multiparts == 0
    assert [upload.key for upload in await storage.list_multipart()] == [running.key]
