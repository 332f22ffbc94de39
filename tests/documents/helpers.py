"""Helpers of the documents tests: the routes, users who log in for real, documents made over
HTTP."""

from __future__ import annotations

from typing import Any

import httpx

from tests.support.workspace import API, User

BASE = f"{API}/documents"
ONE = f"{BASE}/{{document_id}}"
ROUTES = (
    ("GET", BASE),
    ("POST", BASE),
    ("GET", ONE),
    ("PATCH", ONE),
    ("DELETE", ONE),
    ("POST", f"{ONE}/restore"),
    ("DELETE", f"{ONE}/purge"),
    ("PUT", f"{ONE}/shares"),
    ("GET", f"{ONE}/revisions"),
    ("GET", f"{ONE}/revisions/{{number}}"),
    ("POST", f"{ONE}/revisions/{{number}}/restore"),
    ("POST", f"{ONE}/attachments"),
    ("DELETE", f"{ONE}/attachments/{{file_id}}"),
)
# Every route of the domain, and its socket events.
ALL_ROUTES = f"*:{BASE}/**"
EVENTS = ("EVENT:documents.watch", "EVENT:documents.unwatch")


async def create_document(
    client: httpx.AsyncClient, owner: User, title: str = "Notes", **fields: Any
) -> dict[str, Any]:
    """Create a document through the API (``fields`` in camelCase); what it answered."""
    response = await client.post(BASE, json={"title": title, **fields}, headers=owner.headers)
    assert response.status_code == 201, response.text
    created: dict[str, Any] = response.json()["data"]
    return created


async def share(
    client: httpx.AsyncClient, owner: User, document_id: str, **lists: list[str]
) -> dict[str, Any]:
    """Replace the document's shares (``viewerIds=[...]``...); what it answered."""
    url = f"{BASE}/{document_id}/shares"
    response = await client.put(url, json=lists, headers=owner.headers)
    assert response.status_code == 200, response.text
    shared: dict[str, Any] = response.json()["data"]
    return shared


async def listed(client: httpx.AsyncClient, who: User, **params: str | int) -> dict[str, Any]:
    """One page of ``GET /documents`` with these query parameters."""
    response = await client.get(BASE, params=params, headers=who.headers)
    assert response.status_code == 200, response.text
    page: dict[str, Any] = response.json()["data"]
    return page


def ids(page: dict[str, Any]) -> list[str]:
    return [row["id"] for row in page["items"]]
