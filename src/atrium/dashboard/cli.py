"""The dashboard on the command line: ``atrium dashboard rebuild`` recomputes every daily counter
the figures read (logins, runs, files, notifications) from the stored records, for data written
before the counters existed or after they were lost. The request rollups have no source records:
they are counted as requests are served."""

from __future__ import annotations

import asyncio

import typer

from atrium.auth import stats as logins
from atrium.config import get_settings
from atrium.core.domain import load_domains
from atrium.core.mongo import Mongo
from atrium.files import stats as files
from atrium.notifications import stats as notifications
from atrium.scheduler import stats as runs

dashboard_cli = typer.Typer(help="The dashboard's figures.", no_args_is_help=True)
REBUILDS = {
    "logins": logins.rebuild,
    "runs": runs.rebuild,
    "files": files.rebuild,
    "notifications": notifications.rebuild,
}


def register(cli: typer.Typer) -> None:
    cli.add_typer(dashboard_cli, name="dashboard")


async def rebuild_all() -> dict[str, int]:
    """Rebuild every counter (Beanie initialised by the caller); counters stored per figure."""
    return {name: await rebuild() for name, rebuild in REBUILDS.items()}


async def _rebuild() -> dict[str, int]:
    settings = get_settings()
    mongo = Mongo(settings.mongo)
    try:
        await mongo.init_documents(load_domains(settings).document_models())
        return await rebuild_all()
    finally:
        await mongo.close()


@dashboard_cli.command("rebuild")
def rebuild() -> None:
    """Recompute the daily counters of logins, runs, files and notifications from the records."""
    for name, stored in asyncio.run(_rebuild()).items():
        typer.echo(f"{name}: {stored} daily counters")
