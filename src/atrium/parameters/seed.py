"""``atrium initdb``'s step: a row for every parameter the configured domains declare
(``Domain.parameters``), so administrators see them listed; what they set is kept."""

from __future__ import annotations

from atrium.config import Settings
from atrium.core.domain import InitContext, open_database
from atrium.parameters import service
from atrium.parameters.declarations import Declarations


async def seed_database(settings: Settings) -> service.SeedReport:
    """Seed the domains' parameters (the commit tells every node)."""
    declarations = Declarations.of(settings)
    async with open_database(settings) as db, db.session() as session:
        return await service.seed(session, declarations)


async def seed_step(context: InitContext) -> None:
    report = await seed_database(context.settings)
    if report.changed:
        context.echo(f"parameters: {report.added} added, {report.aligned} aligned")
    else:
        context.echo("parameters: up to date")
