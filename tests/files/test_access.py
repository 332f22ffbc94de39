"""The read hook of ``files.access``: a reader another domain installs lets a caller who neither
owns a file nor manages all files read it (metadata, download), never complete or delete it; the
files domain imports no domain that installs one."""

from __future__ import annotations

import ast
from pathlib import Path
from typing import Any

import httpx
from fastapi import Request

from atrium.auth.principal import Principal
from atrium.core.state import AppState
from atrium.files import access
from atrium.files.documents import FileObject
from tests.support.users import bearer, create_user, tokens

FILES = "/api/v1/files"
SOURCE = Path(access.__file__).parent


async def _headers(client: httpx.AsyncClient, state: AppState, name: str) -> dict[str, str]:
    await create_user(state, name)
    return bearer((await tokens(client, name))["accessToken"])


async def test_an_installed_reader_lends_reading_only(
    client: httpx.AsyncClient, state: AppState
) -> None:
    alice, bob = await _headers(client, state, "alice"), await _headers(client, state, "bob")
    upload = {"file": ("notes.txt", b"hello", "text/plain")}
    created = await client.post(FILES, files=upload, headers=alice)
    file: dict[str, Any] = created.json()["data"]
    one = f"{FILES}/{file['id']}"
    assert (await client.get(one, headers=bob)).status_code == 404
    asked: list[str] = []

    async def lends(request: Request, principal: Principal, doc: FileObject) -> bool:
        asked.append(str(doc.id))
        return True

    access.add_reader(state, lends)
    assert (await client.get(one, headers=bob)).status_code == 200
    assert (await client.get(f"{one}/download", headers=bob)).status_code == 200
    assert (await client.delete(one, headers=bob)).status_code == 404
    assert (await client.post(f"{one}/complete", headers=bob)).status_code == 404
    assert (await client.get(one, headers=alice)).status_code == 200
    assert asked == [file["id"], file["id"]]  # the owner was never asked about


def test_the_files_domain_imports_no_other_workspace_domain() -> None:
    imported: set[str] = set()
    for path in SOURCE.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom) and node.module:
                imported.add(node.module)
            elif isinstance(node, ast.Import):
                imported.update(alias.name for alias in node.names)
    assert not [name for name in imported if name.startswith("atrium.documents")]
