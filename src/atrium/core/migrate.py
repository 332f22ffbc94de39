"""Run Alembic migrations programmatically with Atrium's settings."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config

from atrium.config import Settings

_REPO_ROOT = Path(__file__).resolve().parents[3]


def alembic_config(settings: Settings) -> Config:
    """An Alembic config whose environment uses ``settings`` (not the process's own)."""
    ini = _REPO_ROOT / "alembic.ini"
    if not ini.exists():
        ini = Path.cwd() / "alembic.ini"
    config = Config(str(ini))
    config.attributes["settings"] = settings
    return config


def upgrade(settings: Settings, revision: str = "heads") -> None:
    command.upgrade(alembic_config(settings), revision)


def revision(settings: Settings, message: str, head: str, branch_label: str | None = None) -> None:
    """Autogenerate a revision on one domain's branch (``head="users@head"``, or ``"base"``
    with a new ``branch_label`` to start a domain's own branch)."""
    command.revision(
        alembic_config(settings),
        message=message,
        autogenerate=True,
        head=head,
        branch_label=branch_label,
    )
