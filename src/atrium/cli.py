"""The ``atrium`` command line.

Domains add their own commands through an optional ``<domain>.cli`` module exposing
``register(cli: typer.Typer)``. A command that no domain provides yet says so and exits
non-zero: never a fake success.
"""

from __future__ import annotations

import importlib
import importlib.util
from collections.abc import Callable
from pathlib import Path
from typing import Annotated

import typer

from atrium.config import get_settings

cli = typer.Typer(name="atrium", help="Atrium backend: serve, migrate, services and more.")
services_cli = typer.Typer(help="Embedded development and test services.")
cli.add_typer(services_cli, name="services")
docs_cli = typer.Typer(help="Generated documentation.", no_args_is_help=True)
cli.add_typer(docs_cli, name="docs")

# Commands later domains provide; until one does, they refuse honestly.
PLANNED_COMMANDS = ("worker", "beat", "initdb", "createsuperuser", "keys", "tasks")


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
def migrate(
    revision: Annotated[str, typer.Argument(help="Target revision.")] = "heads",
) -> None:
    """Apply database migrations (Alembic) up to a revision."""
    from atrium.core import migrate as migrations

    migrations.upgrade(get_settings(), revision)
    typer.echo(f"database migrated to {revision}")


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
    from atrium.core import apireference

    _write_or_check(output, apireference.generate(), check, "api")


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


@services_cli.command("up")
def services_up(profile: Annotated[str, typer.Option(help="dev or test")] = "dev") -> None:
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
def services_down(profile: Annotated[str, typer.Option(help="dev or test")] = "dev") -> None:
    """Stop the embedded services this project started (only those)."""
    from atrium import devservices

    devservices.down(profile)


@services_cli.command("status")
def services_status(profile: Annotated[str, typer.Option(help="dev or test")] = "dev") -> None:
    """Show which embedded services run, on which ports."""
    from atrium import devservices

    for name, value in devservices.status(profile).items():
        typer.echo(f"{name}: {value}")


def _register_domains() -> None:
    for package in get_settings().domains:
        name = f"{package}.cli"
        if importlib.util.find_spec(name) is not None:
            importlib.import_module(name).register(cli)


def _add_planned_stubs() -> None:
    taken = {
        command.name or getattr(command.callback, "__name__", "").replace("_", "-")
        for command in cli.registered_commands
    }
    taken |= {group.name or "" for group in cli.registered_groups}
    for name in PLANNED_COMMANDS:
        if name not in taken:
            cli.command(name, help=f"Not built yet: '{name}'.")(_not_built(name))


def _not_built(name: str) -> Callable[[], None]:
    def command() -> None:
        typer.echo(f"atrium {name}: not built yet in this version.", err=True)
        raise typer.Exit(code=2)

    return command


_register_domains()
_add_planned_stubs()
app = cli
