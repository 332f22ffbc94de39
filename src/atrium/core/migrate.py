"""Run Alembic migrations programmatically with Atrium's settings.

Revisions live in ``migrations/versions`` (one branch per domain, labelled with the domain's
``migration_branch``); a domain that keeps its own revision files names their folder in its
entry (``Domain(migrations="migrations")``) and Alembic reads that folder too.
"""

from __future__ import annotations

import os
from pathlib import Path

from alembic import command
from alembic.config import Config

from atrium.config import Settings
from atrium.core.domain import load_domains

_REPO_ROOT = Path(__file__).resolve().parents[3]


def alembic_config(settings: Settings) -> Config:
    """An Alembic config whose environment uses ``settings`` (not the process's own), reading
    the revisions of every configured domain."""
    ini = _REPO_ROOT / "alembic.ini"
    if not ini.exists():
        ini = Path.cwd() / "alembic.ini"
    config = Config(str(ini))
    config.attributes["settings"] = settings
    folders = load_domains(settings).migrations_folders()
    if folders:
        shared = Path(config.get_main_option("script_location") or "migrations") / "versions"
        locations = [str(shared), *(str(folder) for folder in folders)]
        config.set_main_option("version_locations", os.pathsep.join(locations))
    return config


def upgrade(settings: Settings, revision: str = "heads") -> None:
    command.upgrade(alembic_config(settings), revision)


def revision(settings: Settings, message: str, head: str, branch_label: str | None = None) -> None:
    """Autogenerate a revision on one domain's branch (``head="users@head"``, or ``"base"``
    with a new ``branch_label`` to start a domain's own branch), in the domain's own folder
    when it keeps one."""
    branch = branch_label or head.partition("@")[0]
    folder = next(
        (
            domain.migrations_folder()
            for domain in load_domains(settings)
            if domain.migration_branch == branch and domain.migrations is not None
        ),
        None,
    )
    command.revision(
        alembic_config(settings),
        message=message,
        autogenerate=True,
        head=head,
        branch_label=branch_label,
        version_path=str(folder) if folder is not None else None,
    )
