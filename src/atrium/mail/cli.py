"""``atrium mail caught|show|test``: read the embedded catcher, check the SMTP settings."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import TYPE_CHECKING, Annotated, TypeVar

import typer

from atrium.core.errors import AppError

if TYPE_CHECKING:
    from atrium.mail.settings import MailSettings

T = TypeVar("T")

mail_cli = typer.Typer(help="Outgoing mail: the embedded catcher, a test message.")


def register(cli: typer.Typer) -> None:
    cli.add_typer(mail_cli, name="mail")


def _settings() -> MailSettings:
    from atrium.config import get_settings
    from atrium.mail.settings import MailSettings

    return get_settings().group(MailSettings)


def _run(read: Callable[[], T]) -> T:
    try:
        return read()
    except AppError as exc:
        typer.echo(f"atrium mail: {exc.detail_message}", err=True)
        raise typer.Exit(code=1) from exc


@mail_cli.command("caught")
def caught_command(
    limit: Annotated[int, typer.Option(min=1, max=1000, help="How many, newest first.")] = 20,
) -> None:
    """List what the embedded mail catcher caught (make dev starts it)."""
    from atrium.core.clock import human_time
    from atrium.mail.catcher import caught

    for mail in _run(lambda: caught(_settings().catcher_dir, limit)):
        typer.echo(
            f"{mail.id}  {human_time(mail.received_at)}  {', '.join(mail.to)}  {mail.subject}"
        )


@mail_cli.command("show")
def show_command(
    mail_id: Annotated[str, typer.Argument(help="An id from `atrium mail caught`.")],
) -> None:
    """Print one caught message: headers and text body."""
    from atrium.mail.catcher import one

    mail = _run(lambda: one(_settings().catcher_dir, mail_id))
    typer.echo(f"From: {mail.sender}\nTo: {', '.join(mail.to)}\nSubject: {mail.subject}\n")
    typer.echo(mail.text)


@mail_cli.command("test")
def test_command(to: Annotated[str, typer.Option(help="Where to send it.")]) -> None:
    """Send a test message now, straight to the SMTP server (not through the worker)."""
    from atrium.config import get_settings
    from atrium.mail.delivery import TRANSIENT, build, deliver
    from atrium.mail.rendering import render

    settings = _settings()
    rendered = render("test", {"project": get_settings().project_name}, settings.templates_dir)
    try:
        asyncio.run(deliver(settings, build(settings, [to], rendered)))
    except TRANSIENT as exc:
        typer.echo(f"not sent: {type(exc).__name__}: {exc}", err=True)
        raise typer.Exit(code=1) from exc
    typer.echo(f"sent to {to} through {settings.host}:{settings.port}")
