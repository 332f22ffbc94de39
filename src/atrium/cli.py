"""The ``atrium`` command line.

The core's commands are here (serve, worker, migrate, initdb, docs, services); each domain adds
its own through the ``cli`` module its entry names, exposing ``register(cli: typer.Typer)``.
``initdb`` migrates, then runs every domain's ``initdb`` step in domain order.
"""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path
from typing import Annotated

import typer

from atrium.config import get_settings
from atrium.core.commandlog import audited
from atrium.core.domain import InitContext, load_domains

cli = typer.Typer(name="atrium", help="Atrium backend: serve, migrate, services and more.")
services_cli = typer.Typer(help="Embedded development and test services.")
cli.add_typer(services_cli, name="services")
docs_cli = typer.Typer(help="Generated documentation.", no_args_is_help=True)
cli.add_typer(docs_cli, name="docs")
new_cli = typer.Typer(help="Scaffold new parts of the project.", no_args_is_help=True)
cli.add_typer(new_cli, name="new")

WORKER_CONTEXT = {"allow_extra_args": True, "ignore_unknown_options": True}


@cli.command()
def serve(
    host: Annotated[str, typer.Option(help="Interface to bind.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to bind.")] = 8000,
    reload: Annotated[bool, typer.Option(help="Reload on code changes (development).")] = False,
    workers: Annotated[int, typer.Option(help="Worker processes (no reload).")] = 1,
) -> None:
    """Serve the API (HTTP and Socket.IO) with uvicorn."""
    import uvicorn

    from atrium.core.logging import configure_logging

    settings = get_settings()  # the reloader's own lines, too, in the one log format
    configure_logging(settings.logging, settings.environment)

    uvicorn.run(
        "atrium.asgi:app",
        host=host,
        port=port,
        reload=reload,
        workers=None if reload else workers,
        log_config=None,
        access_log=False,
        # The app believes X-Forwarded-For only from ATRIUM_PROXY__TRUSTED_ADDRESSES.
        proxy_headers=False,
        # Compressing every Socket.IO frame once per socket costs more than it saves.
        ws_per_message_deflate=False,
    )


@cli.command()
@audited("migrate")
def migrate(
    revision: Annotated[str, typer.Argument(help="Target revision.")] = "heads",
) -> None:
    """Apply database migrations (Alembic) up to a revision."""
    from atrium.core import migrate as migrations

    migrations.upgrade(get_settings(), revision)
    typer.echo(f"database migrated to {revision}")


@cli.command()
@audited("initdb")
def initdb(
    no_input: Annotated[bool, typer.Option("--no-input", help="Never prompt.")] = False,
) -> None:
    """Migrate the database, then run every domain's first-run step (idempotent)."""
    from atrium.core import migrate as migrations

    settings = get_settings()
    migrations.upgrade(settings)
    typer.echo("database migrated to heads")
    context = InitContext(settings, not no_input and sys.stdin.isatty(), typer.echo)

    async def steps() -> None:
        for domain in load_domains(settings):
            if (step := domain.initdb_step()) is not None:
                await step(context)

    asyncio.run(steps())


@cli.command("worker", context_settings=WORKER_CONTEXT)
def worker(
    ctx: typer.Context,
    pool: Annotated[str, typer.Option(help="prefork, threads or solo.")] = "prefork",
    concurrency: Annotated[int | None, typer.Option(help="Processes or threads.")] = None,
    queues: Annotated[str | None, typer.Option("--queues", "-Q", help="Comma-separated.")] = None,
    loglevel: Annotated[str, typer.Option(help="Celery log level.")] = "INFO",
) -> None:
    """Run a Celery worker for every domain's tasks (extra options go to `celery worker`)."""
    from atrium.core.worker.app import create_celery

    argv = ["worker", f"--pool={pool}", f"--loglevel={loglevel}"]
    if concurrency is not None:
        argv.append(f"--concurrency={concurrency}")
    if queues:
        argv.append(f"--queues={queues}")
    create_celery(get_settings()).worker_main([*argv, *ctx.args])


@cli.command("makemigration")
def make_migration(
    message: Annotated[str, typer.Argument(help="Short description.")],
    branch: Annotated[str, typer.Option(help="The domain's migration branch, e.g. users.")],
    new_branch: Annotated[bool, typer.Option(help="Start the branch (first migration).")] = False,
) -> None:
    """Autogenerate a migration on a domain's branch from the models (review it)."""
    from atrium.core import migrate as migrations

    if new_branch:
        migrations.revision(get_settings(), message, head="base", branch_label=branch)
    else:
        migrations.revision(get_settings(), message, head=f"{branch}@head")


@docs_cli.command("api")
def docs_api(
    output: Annotated[Path, typer.Option(help="Where to write it.")] = Path("docs/api.md"),
    check: Annotated[bool, typer.Option(help="Only check that it is up to date.")] = False,
) -> None:
    """Write the API reference from the OpenAPI (--check: fail if the file is stale)."""
    from atrium import apireference

    _write_or_check(output, apireference.generate(), check, "api")


@docs_cli.command("openapi")
def docs_openapi(
    output: Annotated[Path, typer.Option(help="Where to write it.")] = Path(
        "var/console/openapi.json"
    ),
) -> None:
    """Write the OpenAPI document of the default app, no server needed (the console's client)."""
    from atrium import apireference

    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(apireference.openapi_json(), encoding="utf-8")
    typer.echo(f"{output}: written")


@docs_cli.command("errors")
def docs_errors(
    output: Annotated[Path, typer.Option(help="Where to write it.")] = Path("docs/errors.md"),
    check: Annotated[bool, typer.Option(help="Only check that it is up to date.")] = False,
) -> None:
    """Write the error catalogue from the error classes (--check: fail if the file is stale)."""
    from atrium.core import errorcatalogue

    _write_or_check(output, errorcatalogue.generate(), check, "errors")


def _write_or_check(output: Path, text: str, check: bool, command: str) -> None:
    current = output.read_text(encoding="utf-8") if output.is_file() else None
    if check:
        if current != text:
            typer.echo(f"{output} is stale: run `./atrium docs {command}` and commit it", err=True)
            raise typer.Exit(code=1)
        typer.echo(f"{output} is up to date")
        return
    output.write_text(text, encoding="utf-8")
    typer.echo(f"{output}: {'unchanged' if current == text else 'written'}")


@new_cli.command("domain")
def new_domain(
    name: Annotated[str, typer.Argument(help="Its name, lower case: notes, time_entries.")],
    root: Annotated[Path, typer.Option(help="The project: src/, tests/, docs/ under it.")] = Path(),
    package: Annotated[str, typer.Option(help="The package it goes in (PACKAGE.NAME).")] = "atrium",
    model: Annotated[
        str | None, typer.Option(help="Its model class; by default from the name (notes: Note).")
    ] = None,
) -> None:
    """Scaffold a working domain: table and migration, document, routes, task, tests, docs."""
    from atrium import scaffold

    try:
        done = scaffold.scaffold(root, name, package, model)
    except scaffold.ScaffoldError as exc:
        typer.echo(f"atrium new domain: {exc}", err=True)
        raise typer.Exit(code=1) from exc
    typer.echo(f"domain {done.names.package} (model {done.names.model}):")
    for path in done.written:
        typer.echo(f"  wrote {path.relative_to(root)}")
    if done.registered is not None:
        typer.echo(f"  registered it in {done.registered.relative_to(root)} (DEFAULT_DOMAINS)")
    for path in done.regenerated:
        typer.echo(f"  regenerated {path.relative_to(root)}")
    typer.echo("next:")
    for step in done.next_steps():
        typer.echo(f"  - {step}")


@services_cli.command("up")
def services_up(profile: Annotated[str, typer.Option(help="dev, test or cluster")] = "dev") -> None:
    """Start the embedded services (Redis, MongoDB-wire, S3; PostgreSQL for tests)."""
    from atrium import devservices

    try:
        values = devservices.up(profile)
    except devservices.ServicesError as exc:
        typer.echo(f"atrium services up: {exc}", err=True)
        raise typer.Exit(code=1) from exc
    for name, value in values.items():
        typer.echo(f"{name}={value}")


@services_cli.command("down")
def services_down(
    profile: Annotated[str, typer.Option(help="dev, test or cluster")] = "dev",
) -> None:
    """Stop the embedded services this project started (only those)."""
    from atrium import devservices

    devservices.down(profile)


@services_cli.command("status")
def services_status(
    profile: Annotated[str, typer.Option(help="dev, test or cluster")] = "dev",
) -> None:
    """Show which embedded services run, on which ports."""
    from atrium import devservices

    for name, value in devservices.status(profile).items():
        typer.echo(f"{name}: {value}")


def _register_domains() -> None:
    for domain in load_domains(get_settings()):
        if (module := domain.module(domain.cli)) is not None:
            module.register(cli)


_register_domains()
app = cli
