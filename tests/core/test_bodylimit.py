"""Request bodies are bounded and their text checked before any route (or access check) reads
them."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from atrium.config import HttpSettings, Settings
from atrium.core.bodylimit import escape_problem, longest_string, too_deep
from tests.support.settings import fast_auth
from tests.support.users import bearer, create_user, tokens

LIMIT = 64 * 1024
HUGE = 200 * 1024 * 1024
CHUNK = 16 * 1024


@pytest.fixture
def settings(settings: Settings) -> Settings:
    settings.http = HttpSettings(max_body_bytes=LIMIT, max_json_depth=8, max_json_string_chars=1000)
    settings.storage = settings.storage.model_copy(update={"max_upload_bytes": 4 * LIMIT})
    return fast_auth(settings)


class CountingBody:
    """A 200 MiB body that counts how much of it the server pulled."""

    def __init__(self, size: int = HUGE) -> None:
        self.size = size
        self.sent = 0

    async def __aiter__(self) -> AsyncIterator[bytes]:
        chunk = b'{"name": "' + b"x" * (CHUNK - 10)
        while self.sent < self.size:
            self.sent += len(chunk)
            yield chunk


async def _admin(client: httpx.AsyncClient, app: FastAPI) -> dict[str, str]:
    await create_user(app.state.atrium, "root", superuser=True)
    return bearer((await tokens(client, "root"))["accessToken"])


@pytest.mark.parametrize("path", ["/api/v1/roles", "/api/v1/auth/login"])
async def test_a_huge_declared_body_is_refused_before_a_byte_is_read(
    client: httpx.AsyncClient, path: str
) -> None:
    body = CountingBody()
    headers = {"Content-Length": str(HUGE), "Content-Type": "application/json"}
    response = await client.post(path, content=body, headers=headers)
    assert response.status_code == 413
    assert response.json()["code"] == "PAYLOAD_TOO_LARGE"
    assert response.json()["requestId"]
    assert body.sent <= CHUNK  # the transport's first chunk at most; the app read nothing


@pytest.mark.parametrize("path", ["/api/v1/roles", "/api/v1/auth/login"])
async def test_a_huge_chunked_body_is_cut_off_at_the_limit(
    client: httpx.AsyncClient, path: str
) -> None:
    body = CountingBody()
    response = await client.post(path, content=body, headers={"Content-Type": "application/json"})
    assert response.status_code == 413, response.text
    assert response.json()["code"] == "PAYLOAD_TOO_LARGE"
    assert body.sent <= LIMIT + 2 * CHUNK  # the limit, plus the chunk that crossed it


async def test_a_body_over_the_limit_with_a_small_declared_length_is_still_cut(
    client: httpx.AsyncClient,
) -> None:
    body = CountingBody(LIMIT * 4)
    headers = {"Content-Length": str(LIMIT - 1), "Content-Type": "application/json"}
    response = await client.post("/api/v1/roles", content=body, headers=headers)
    assert response.status_code in (400, 413)
    assert body.sent <= LIMIT + 2 * CHUNK


async def test_a_body_within_the_limit_reaches_the_route(client: httpx.AsyncClient) -> None:
    response = await client.post("/api/v1/roles", json={"name": "R", "code": "r"})
    assert response.status_code == 401  # read, then refused by the access check


async def test_the_upload_route_keeps_its_own_larger_limit(
    client: httpx.AsyncClient, app: FastAPI
) -> None:
    headers = await _admin(client, app)
    files = {"file": ("big.txt", b"a" * (2 * LIMIT), "text/plain")}
    response = await client.post("/api/v1/files", files=files, headers=headers)
    assert response.status_code == 201, response.text
    files = {"file": ("huge.txt", b"a" * (5 * LIMIT), "text/plain")}
    response = await client.post("/api/v1/files", files=files, headers=headers)
    assert response.status_code == 413  # past the largest limit: refused on Content-Length


def _raw(text: str, headers: dict[str, str] | None = None) -> dict[str, Any]:
    """Keyword arguments of a post with ``text`` sent as is (no re-encoding by the client)."""
    return {
        "content": text.encode(),
        "headers": {"Content-Type": "application/json", **(headers or {})},
    }


SURROGATES = [
    '{"title": "\\ud800", "everyone": true}',
    '{"title": "\\udfff x", "everyone": true}',
    '{"title": "a\\ud83d", "everyone": true}',
    '{"title": "ok", "body": "\\ud83d\\u0041", "everyone": true}',
]


@pytest.mark.parametrize("text", SURROGATES)
async def test_lone_surrogates_in_a_send_are_a_422_not_a_500(
    client: httpx.AsyncClient, app: FastAPI, text: str
) -> None:
    headers = await _admin(client, app)
    response = await client.post("/api/v1/notifications/send", **_raw(text, headers))
    assert response.status_code == 422, response.text
    assert response.json()["code"] == "INVALID_TEXT"


async def test_a_surrogate_pair_is_fine(client: httpx.AsyncClient, app: FastAPI) -> None:
    headers = await _admin(client, app)
    text = '{"title": "smile \\ud83d\\ude00", "everyone": true}'
    response = await client.post("/api/v1/notifications/send", **_raw(text, headers))
    assert response.status_code == 201, response.text
    assert response.json()["data"]["notifications"][0]["title"] == "smile \U0001f600"


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ('{"name": "a\\u0000b", "code": "x"}', "INVALID_TEXT"),
        (
            '{"name": "' + "[" * 20 + '", "code": "x", "d": ' + "[" * 20 + "]" * 20 + "}",
            "JSON_TOO_DEEP",
        ),
        ('{"name": "' + "y" * 2000 + '", "code": "x"}', "JSON_STRING_TOO_LONG"),
    ],
)
async def test_bad_json_text_is_a_422_even_before_the_access_check(
    client: httpx.AsyncClient, text: str, code: str
) -> None:
    response = await client.post("/api/v1/roles", **_raw(text))
    assert response.status_code == 422, response.text
    assert response.json()["code"] == code


async def test_invalid_utf8_and_nul_in_the_query_or_path_are_a_422(
    client: httpx.AsyncClient,
) -> None:
    invalid = b'{"name": "\xff"}'
    json_type = {"Content-Type": "application/json"}
    response = await client.post("/api/v1/roles", content=invalid, headers=json_type)
    assert response.json()["code"] == "INVALID_TEXT"
    response = await client.get("/api/v1/roles?q=a%00b")
    assert (response.status_code, response.json()["code"]) == (422, "INVALID_TEXT")
    response = await client.get("/api/v1/roles/%00")
    assert (response.status_code, response.json()["code"]) == (422, "INVALID_TEXT")


async def test_nul_in_a_form_login_is_a_422(client: httpx.AsyncClient) -> None:
    form = {"username": "a\x00b", "password": "x"}
    response = await client.post("/api/v1/auth/login/swagger", data=form)
    assert (response.status_code, response.json()["code"]) == (422, "INVALID_TEXT")


async def test_nul_in_a_multipart_form_login_is_a_422(client: httpx.AsyncClient) -> None:
    """The body check reads url-encoded forms; a multipart one is checked field by field."""
    parts = {"username": (None, "ad\x00min"), "password": (None, "x")}
    response = await client.post("/api/v1/auth/login/swagger", files=parts)
    assert (response.status_code, response.json()["code"]) == (422, "INVALID_TEXT")


@pytest.mark.parametrize("number", ["NaN", "Infinity", "-Infinity"])
async def test_non_finite_numbers_are_a_422(client: httpx.AsyncClient, number: str) -> None:
    """Python's parser takes them; PostgreSQL's JSON refuses them (a 500 before)."""
    text = '{"name": "a", "x": ' + number + "}"
    response = await client.post("/api/v1/roles", **_raw(text))
    assert (response.status_code, response.json()["code"]) == (422, "INVALID_TEXT")
    fine = await client.post("/api/v1/roles", **_raw('{"name": "NaN Infinity", "code": "x"}'))
    assert fine.json()["code"] != "INVALID_TEXT"  # the words inside a string are text


def test_escape_problems() -> None:
    assert escape_problem('"plain"') is None
    assert escape_problem('"\\\\u0000 is text"') is None  # an escaped backslash, then text
    assert escape_problem('"\\u0000"') == "a NUL character"
    assert escape_problem('"\\ud83d\\ude00"') is None
    assert escape_problem('"\\ud83d"') == "a lone UTF-16 surrogate"
    assert escape_problem('"\\ude00"') == "a lone UTF-16 surrogate"
    assert escape_problem('"\\ud83d\\n"') == "a lone UTF-16 surrogate"


def test_depth_and_string_length() -> None:
    assert not too_deep(json.dumps([[[1]]]), 3)
    assert too_deep(json.dumps([[[[1]]]]), 3)
    assert not too_deep(json.dumps({"a": "[[[[[[[["}), 2)
    assert not too_deep("[[[", 2)  # malformed: left to the parser
    assert longest_string(json.dumps(["ab", "abcd"])) == 4
