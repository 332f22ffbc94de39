"""``atrium initdb``'s step: the dictionaries every configured domain declares
(``Domain.dictionaries``), added where missing; what admins changed is kept."""

from __future__ import annotations

from atrium.config import Settings
from atrium.core.domain import InitContext, load_domains, open_database
from atrium.dictionaries import service


async def seed_database(settings: Settings) -> service.SeedReport:
    """Seed the domains' dictionaries (the commit tells every node)."""
    domains = load_domains(settings)
    seeds = [(domain.name, declared) for domain in domains for declared in domain.dictionaries]
    async with open_database(settings) as db, db.session() as session:
        return await service.seed(session, seeds)


async def seed_step(context: InitContext) -> None:
    report = await seed_database(context.settings)
    if report.changed:
        context.echo(
            f"dictionaries: {report.types_added} types and {report.items_added} items added"
        )
    else:
        context.echo("dictionaries: up to date")
