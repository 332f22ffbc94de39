"""The files API over HTTP, logged in for real, against MongoDB-wire and S3."""

from __future__ import annotations

import hashlib
import os
from datetime import datetime, timedelta
from typing import Any

import httpx
import pytest

from atrium.core.clock import utcnow
from atrium.core.state import AppState
from atrium.files.documents import FileObject
from tests.support import sigv4
from tests.support.admin import actor, create_role, set_roles
from tests.support.forms import SMALL_LIMIT
from tests.support.s3 import fetch, post_form
from tests.support.users import bearer, create_user, tokens

Headers = dict[str, str]


async def log_in(client: httpx.AsyncClient, state: AppState, name: str, **kw: Any) -> Headers:
    await create_user(state, name, **kw)
    return bearer((await tokens(client, name))["accessToken"])


@pytest.fixture
async def alice(client: httpx.AsyncClient, state: AppState) -> Headers:
    return await log_in(client, state, "alice")


@pytest.fixture
async def bob(client: httpx.AsyncClient, state: AppState) -> Headers:
    return await log_in(client, state, "bob")


async def upload(
    client: httpx.AsyncClient,
    headers: Headers,
    data: bytes,
    name: str = "notes.txt",
    content_type: str = "text/plain",
) -> httpx.Response:
    files = {"file": (name, data, content_type)}
    return await client.post("/api/v1/files", files=files, headers=headers)


async def uploaded(client: httpx.AsyncClient, headers: Headers, data: bytes) -> dict[str, Any]:
    response = await upload(client, headers, data)
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()["data"]
    return body


async def nothing_stored(state: AppState) -> bool:
    storage = state.storage
    empty = await storage.list_keys() == [] and await storage.list_multipart() == []
    return empty and await FileObject.count() == 0


async def test_upload_then_download_gives_identical_bytes(
    client: httpx.AsyncClient, alice: Headers
) -> None:
    data = os.urandom(SMALL_LIMIT)
    response = await upload(client, alice, data, "photo.png", "image/png")
    assert response.status_code == 201
    file = response.json()["data"]
    assert (file["name"], file["contentType"]) == ("photo.png", "image/png")
    assert file["size"] == len(data)
    assert file["sha256"] == hashlib.sha256(data).hexdigest()
    assert file["status"] == "complete"

    link = await client.get(f"/api/v1/files/{file['id']}/download", headers=alice)
    assert link.status_code == 200
    downloaded = await fetch(link.json()["data"]["url"])  # a plain client, no token
    assert downloaded.status_code == 200
    assert downloaded.content == data
    assert 'filename="photo.png"' in downloaded.headers["content-disposition"]

    listed = (await client.get("/api/v1/files", headers=alice)).json()["data"]
    assert [item["id"] for item in listed["items"]] == [file["id"]]
    assert (await client.get(f"/api/v1/files/{file['id']}", headers=alice)).json()["data"] == file


async def test_the_download_url_is_short_lived(
    client: httpx.AsyncClient, alice: Headers, state: AppState
) -> None:
    """The URL works now and is signed to expire after ``presign_ttl_seconds``.

    moto does not enforce ``X-Amz-Expires`` (it still serves the URL afterwards), so expiry is
    checked with an independent SigV4 verification, the rule a real S3 or MinIO applies.
    """
    file = await uploaded(client, alice, b"secret")
    link = (await client.get(f"/api/v1/files/{file['id']}/download", headers=alice)).json()
    url, expires_at = link["data"]["url"], datetime.fromisoformat(link["data"]["expiresAt"])
    ttl = timedelta(seconds=state.settings.storage.presign_ttl_seconds)
    assert abs(expires_at - (utcnow() + ttl)) < timedelta(seconds=5)
    secret = state.settings.storage.secret_key.get_secret_value()
    signed, valid_for = sigv4.signed_at(url)
    assert valid_for == ttl
    assert (await fetch(url)).content == b"secret"
    assert sigv4.refusal(url, secret, "GET", signed + ttl - timedelta(seconds=1)) is None
    assert sigv4.refusal(url, secret, "GET", signed + ttl + timedelta(seconds=1)) == "expired"


@pytest.mark.parametrize(
    "size", [SMALL_LIMIT + 1, SMALL_LIMIT + 200_000], ids=["while-streaming", "content-length"]
)
async def test_too_large_is_413_and_nothing_is_left(
    client: httpx.AsyncClient, alice: Headers, state: AppState, size: int
) -> None:
    response = await upload(client, alice, os.urandom(size))
    assert response.status_code == 413
    assert response.json()["code"] == "FILES_TOO_LARGE"
    assert await nothing_stored(state)


async def test_a_disallowed_type_is_415_and_nothing_is_left(
    client: httpx.AsyncClient, alice: Headers, state: AppState
) -> None:
    response = await upload(client, alice, b"MZ\x90", "setup.exe", "application/x-msdownload")
    assert response.status_code == 415
    assert response.json()["code"] == "FILES_TYPE_NOT_ALLOWED"
    assert await nothing_stored(state)


async def test_uploads_need_a_login_before_any_byte_is_read(
    client: httpx.AsyncClient, state: AppState
) -> None:
    response = await upload(client, {}, b"anonymous")
    assert response.status_code == 401
    assert await nothing_stored(state)


async def test_another_users_file_is_404(
    client: httpx.AsyncClient, alice: Headers, bob: Headers
) -> None:
    file = await uploaded(client, alice, b"alice's")
    base = f"/api/v1/files/{file['id']}"
    for method, path in [
        ("GET", base),
        ("GET", f"{base}/download"),
        ("POST", f"{base}/complete"),
        ("DELETE", base),
    ]:
        response = await client.request(method, path, headers=bob)
        assert response.status_code == 404, (method, path)
        assert response.json()["code"] == "FILES_NOT_FOUND"
    assert (await client.get("/api/v1/files", headers=bob)).json()["data"]["total"] == 0
    assert (await client.get(base, headers=alice)).status_code == 200


async def test_superusers_see_and_manage_every_file(
    client: httpx.AsyncClient, state: AppState, alice: Headers, bob: Headers
) -> None:
    admin = await log_in(client, state, "root", superuser=True)
    file = await uploaded(client, alice, b"alice's")
    assert (await client.get("/api/v1/files/all", headers=bob)).status_code == 403
    everyone = (await client.get("/api/v1/files/all", headers=admin)).json()["data"]
    assert [item["id"] for item in everyone["items"]] == [file["id"]]
    assert (await client.get(f"/api/v1/files/{file['id']}", headers=admin)).status_code == 200
    assert (await client.delete(f"/api/v1/files/{file['id']}", headers=admin)).status_code == 200
    assert await state.storage.list_keys() == []


async def test_holders_of_the_files_admin_capability_manage_every_file(
    client: httpx.AsyncClient, state: AppState, alice: Headers
) -> None:
    """A role granting ``files:admin`` makes a files admin; revoking it ends that at once."""
    root = await actor(client, state, "root", superuser=True)
    carol = await actor(client, state, "carol")
    file = await uploaded(client, alice, b"alice's")
    path = f"/api/v1/files/{file['id']}"
    assert (await client.get(path, headers=carol.headers)).status_code == 404

    role = await create_role(client, root, "files_admin", ["files:admin"])
    await set_roles(client, root, carol.id, [role])
    assert (await client.get(path, headers=carol.headers)).status_code == 200
    assert (await client.get("/api/v1/files/all", headers=carol.headers)).status_code == 403

    await set_roles(client, root, carol.id, [])
    assert (await client.get(path, headers=carol.headers)).status_code == 404
    await set_roles(client, root, carol.id, [role])
    assert (await client.delete(path, headers=carol.headers)).status_code == 200
    assert await nothing_stored(state)


@pytest.mark.parametrize(
    "grant", ["GET:/api/v1/files/*", "GET:/api/v1/**", "*:/**", "GET:/api/v1/files/all"]
)
async def test_no_route_pattern_makes_a_files_admin(
    client: httpx.AsyncClient, state: AppState, alice: Headers, grant: str
) -> None:
    """Found 5: a read-only pattern covering ``GET /files/all`` let its holder delete every file."""
    root = await actor(client, state, "root", superuser=True)
    carol = await actor(client, state, "carol")
    file = await uploaded(client, alice, b"alice's")
    await set_roles(client, root, carol.id, [await create_role(client, root, "reader", [grant])])
    path = f"/api/v1/files/{file['id']}"
    assert (await client.get("/api/v1/files/all", headers=carol.headers)).status_code == 200
    for method, url in (("GET", path), ("GET", f"{path}/download"), ("DELETE", path)):
        response = await client.request(method, url, headers=carol.headers)
        assert response.status_code == 404, (grant, method, url)
    assert len(await state.storage.list_keys()) == 1


async def test_a_demoted_superuser_loses_files_admin_on_the_next_request(
    client: httpx.AsyncClient, state: AppState, alice: Headers
) -> None:
    """Found 6: the session's ``su`` flag kept a demoted superuser a files admin."""
    root = await actor(client, state, "root", superuser=True)
    former = await actor(client, state, "former", superuser=True)
    file = await uploaded(client, alice, b"alice's")
    path = f"/api/v1/files/{file['id']}"
    assert (await client.get(path, headers=former.headers)).status_code == 200
    body = {"isSuperuser": False}
    demoted = await client.patch(f"/api/v1/users/{former.id}", json=body, headers=root.headers)
    assert demoted.status_code == 200, demoted.text
    for method, url in (("GET", path), ("DELETE", path)):
        response = await client.request(method, url, headers=former.headers)  # the same token
        assert response.status_code == 404, (method, response.text)
    assert len(await state.storage.list_keys()) == 1


async def test_delete_removes_the_object(
    client: httpx.AsyncClient, alice: Headers, state: AppState
) -> None:
    file = await uploaded(client, alice, b"short-lived")
    assert len(await state.storage.list_keys()) == 1
    response = await client.delete(f"/api/v1/files/{file['id']}", headers=alice)
    assert response.status_code == 200
    assert await nothing_stored(state)
    assert (await client.get(f"/api/v1/files/{file['id']}", headers=alice)).status_code == 404


async def initiate(client: httpx.AsyncClient, headers: Headers, **body: Any) -> dict[str, Any]:
    response = await client.post("/api/v1/files/uploads", json=body, headers=headers)
    assert response.status_code == 201, response.text
    data: dict[str, Any] = response.json()["data"]
    return data


async def test_direct_upload_initiate_post_complete(
    client: httpx.AsyncClient, alice: Headers
) -> None:
    data = os.urandom(5000)
    ticket = await initiate(
        client, alice, name="big.zip", size=len(data), contentType="application/zip"
    )
    assert ticket["file"]["status"] == "pending"
    assert ticket["parts"] is None
    assert (await post_form(ticket["url"], ticket["fields"], data)).is_success
    done = await client.post(ticket["completeUrl"], headers=alice)
    assert done.status_code == 200
    assert done.json()["data"]["status"] == "complete"
    assert done.json()["data"]["sha256"] == hashlib.sha256(data).hexdigest()
    link = await client.get(f"/api/v1/files/{ticket['file']['id']}/download", headers=alice)
    assert (await fetch(link.json()["data"]["url"])).content == data


async def test_direct_upload_with_a_size_mismatch_is_refused(
    client: httpx.AsyncClient, alice: Headers, state: AppState
) -> None:
    ticket = await initiate(client, alice, name="a.txt", size=10, contentType="text/plain")
    await post_form(ticket["url"], ticket["fields"], b"not ten bytes")
    response = await client.post(ticket["completeUrl"], headers=alice)
    assert response.status_code == 409
    assert response.json()["code"] == "FILES_SIZE_MISMATCH"
    assert await nothing_stored(state)


async def test_a_pending_file_has_no_download(client: httpx.AsyncClient, alice: Headers) -> None:
    ticket = await initiate(client, alice, name="a.txt", size=3, contentType="text/plain")
    file_id = ticket["file"]["id"]
    response = await client.get(f"/api/v1/files/{file_id}/download", headers=alice)
    assert response.status_code == 409
    assert response.json()["code"] == "FILES_NOT_READY"
    pending = await client.get("/api/v1/files", params={"status": "pending"}, headers=alice)
    assert [item["id"] for item in pending.json()["data"]["items"]] == [file_id]
