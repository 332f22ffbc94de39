"""Files at build time: declare the ``files:admin`` capability (no I/O)."""

from __future__ import annotations

from fastapi import FastAPI

from atrium.config import Settings
from atrium.core.codes import declare
from atrium.files.deps import FILES_ADMIN


def install(app: FastAPI, _settings: Settings) -> None:
    declare(app, FILES_ADMIN)
