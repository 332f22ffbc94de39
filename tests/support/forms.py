"""Multipart form bodies as a browser streams them, for upload tests."""

from __future__ import annotations

import httpx

from atrium.files.multipart import FormFileReader
from tests.support.s3 import chunked

# The upload limit the files tests run with: small enough that going over it is cheap.
SMALL_LIMIT = 64 * 1024


def form(
    data: bytes,
    filename: str = "notes.txt",
    content_type: str = "text/plain",
    fields: dict[str, str] | None = None,
    chunk: int = 4096,
) -> FormFileReader:
    """A streaming reader over the multipart body a browser would send for this file."""
    request = httpx.Request(
        "POST", "http://x/", data=fields, files={"file": (filename, data, content_type)}
    )
    body = request.read()
    return FormFileReader(request.headers["content-type"], chunked(body, chunk))
