"""Every SQL table model, through the configured domains' entries (for Alembic and tests)."""

from __future__ import annotations

from atrium.config import Settings
from atrium.core.domain import load_domains


def import_table_models(settings: Settings) -> list[str]:
    """Import every domain's declared models module; return the modules imported."""
    domains = load_domains(settings)
    domains.import_all("models")
    return domains.modules("models")
