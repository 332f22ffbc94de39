"""Files at build time (no I/O): the streamed upload route reads bodies up to the upload limit."""

from __future__ import annotations

from fastapi import FastAPI

from atrium.config import Settings
from atrium.core.bodylimit import allow_larger_body
from atrium.files.deps import FORM_OVERHEAD_BYTES


def install(app: FastAPI, settings: Settings) -> None:
    """Let ``POST /files`` take a form as large as the upload limit (its reader bounds it)."""
    limit = settings.storage.max_upload_bytes + FORM_OVERHEAD_BYTES
    allow_larger_body(app, "POST", f"{settings.api_prefix}/files", limit)
