"""RBAC on the command line: ``atrium rbac sync``, and ``initdb``'s step seeding roles,
permissions and menus (after auth's first superuser, the domain order)."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import TYPE_CHECKING

import typer

from atrium.config import Settings, get_settings
from atrium.core.commandlog import audited
from atrium.core.domain import InitContext
from atrium.core.errors import ServiceUnavailable

if TYPE_CHECKING:
    from atrium.rbac.seed import SeedReport

rbac_cli = typer.Typer(help="Roles, permissions and menus.", no_args_is_help=True)


def register(cli: typer.Typer) -> None:
    cli.add_typer(rbac_cli, name="rbac")


async def seed_step(context: InitContext) -> None:
    """``initdb``'s step: seed roles, permissions and menus (idempotent)."""
    report = await seed_database(context.settings, context.echo)
    if report.changed:
        context.echo(
            f"rbac: {report.sync.added} permission codes added, roles created: "
            f"{', '.join(report.roles_created) or 'none'}, {report.grants_added} grants, "
            f"{report.menus_created} menus added"
        )
    else:
        context.echo("rbac: roles, permissions and menus are up to date")


async def seed_database(settings: Settings, echo: Callable[[str], None] = typer.echo) -> SeedReport:
    """Seed with the routes of the app these settings build (the commit invalidates)."""
    from atrium.core.codes import declared
    from atrium.core.domain import open_database
    from atrium.main import create_app
    from atrium.rbac.seed import seed

    app = create_app(settings)
    routes = app.state.catalogue.under(settings.api_prefix)
    report: SeedReport | None = None
    async with open_database(settings) as db:
        try:
            async with db.session() as session:
                report = await seed(session, routes, settings, declared(app))
        except ServiceUnavailable as exc:
            if report is None:
                raise
            reason = exc.__cause__ or exc  # seeded and committed; only the invalidation failed
            echo(f"rbac: Redis unreachable, cached permissions expire on their own: {reason}")
    return report


@rbac_cli.command("sync")
@audited("rbac sync")
def sync_command() -> None:
    """Sync the app's routes into the permission catalogue now."""
    asyncio.run(_sync(get_settings()))


async def _sync(settings: Settings) -> None:
    from atrium.core.codes import declared
    from atrium.core.db import Database
    from atrium.main import create_app
    from atrium.rbac.sync import sync_routes

    app = create_app(settings)
    routes = app.state.catalogue.under(settings.api_prefix)
    db = Database(settings.sql)
    try:
        report = await sync_routes(db, routes, declared(app))
    finally:
        await db.dispose()
    typer.echo(
        f"permissions: {report.added} added, {report.updated} updated, {report.staled} stale, "
        f"{report.revived} revived, {report.total} in the app"
    )


@rbac_cli.command("seed")
@audited("rbac seed")
def seed_command() -> None:
    """Seed the admin and user roles and the built-in menus (what initdb adds; idempotent)."""
    settings = get_settings()
    asyncio.run(seed_step(InitContext(settings, interactive=False, echo=typer.echo)))


@rbac_cli.command("flush-cache")
@audited("rbac flush-cache")
def flush_cache_command() -> None:
    """Drop every cached permission set on every node (after editing RBAC tables by hand)."""
    asyncio.run(_flush(get_settings()))
    typer.echo("permission caches flushed on every node")


async def _flush(settings: Settings) -> None:
    from atrium.core.domain import open_database
    from atrium.rbac.changes import noted

    async with open_database(settings) as db, db.session() as session:
        noted(session).flush_all()  # the commit hook flushes every node
