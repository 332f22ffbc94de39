"""Every SQL table model, found through the configured domains (for Alembic and tests)."""

from __future__ import annotations

import importlib
import importlib.util

from atrium.config import Settings


def import_table_models(settings: Settings) -> list[str]:
    """Import ``<domain>.models`` for every domain that has one; return the modules imported."""
    imported = []
    for package in settings.domains:
        name = f"{package}.models"
        if importlib.util.find_spec(name) is not None:
            importlib.import_module(name)
            imported.append(name)
    return imported
