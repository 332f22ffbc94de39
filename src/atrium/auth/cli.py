"""``atrium createsuperuser``, ``atrium keys``, and ``initdb``'s first-superuser step."""

from __future__ import annotations

import asyncio
import json
import secrets
from pathlib import Path
from typing import Annotated

import typer
from sqlalchemy.ext.asyncio import AsyncSession

from atrium.auth.settings import AuthSettings
from atrium.config import Settings, get_settings
from atrium.core.commandlog import audited
from atrium.core.domain import InitContext
from atrium.core.errors import AppError
from atrium.core.security import rsa
from atrium.core.security.passwords import PasswordHasher
from atrium.users import repository as users_repository
from atrium.users import service as users_service
from atrium.users.schemas import UserCreate
from atrium.users.settings import PasswordSettings

keys_cli = typer.Typer(help="RSA keys for encrypted logins.", no_args_is_help=True)


def register(cli: typer.Typer) -> None:
    cli.command("createsuperuser")(createsuperuser)
    cli.add_typer(keys_cli, name="keys")


async def ensure_first_superuser(context: InitContext) -> None:
    """``initdb``'s step: create the first superuser if there is none (idempotent)."""
    from atrium.core.domain import open_database

    settings, echo = context.settings, context.echo
    auth = settings.group(AuthSettings)
    async with open_database(settings) as db, db.session() as session:
        if await users_repository.count_superusers(session):
            echo("a superuser exists already: nothing to do")
            return
        password, generated = _first_password(settings, context.interactive)
        data = UserCreate(
            username=auth.first_superuser_username,
            email=auth.first_superuser_email,
            password=password,
            is_superuser=True,
        )
        await _create(session, settings, data)
    echo(f"superuser {auth.first_superuser_username!r} created")
    if generated:
        echo(f"generated password (shown once, change it): {password}")
        echo(
            f"log in as {auth.first_superuser_username!r} with it (Swagger UI: /docs, Authorize); "
            "to choose it instead, set ATRIUM_AUTH__FIRST_SUPERUSER_PASSWORD before the first run"
        )


def _first_password(settings: Settings, interactive: bool) -> tuple[str, bool]:
    configured = settings.group(AuthSettings).first_superuser_password
    if configured is not None and configured.get_secret_value():
        return configured.get_secret_value(), False
    name = settings.group(AuthSettings).first_superuser_username
    if interactive:
        typer.echo(
            f"No superuser yet: choose the password of the first admin {name!r} (typing is "
            "hidden; set ATRIUM_AUTH__FIRST_SUPERUSER_PASSWORD to skip this question)."
        )
        prompt = f"Password for {name}"
        return str(typer.prompt(prompt, hide_input=True, confirmation_prompt=True)), False
    if settings.environment.is_debug:
        return _generate_password(settings), True
    typer.echo(
        "set ATRIUM_AUTH__FIRST_SUPERUSER_PASSWORD (or run interactively) to create the "
        "first superuser",
        err=True,
    )
    raise typer.Exit(code=1)


def _generate_password(settings: Settings) -> str:
    passwords = settings.group(PasswordSettings)
    policy = users_service.PasswordPolicy.from_settings(passwords)
    while True:  # a random 24+ character token passes any policy within a few draws
        candidate = secrets.token_urlsafe(max(18, passwords.password_min_length))
        if not policy.problems(candidate, settings.group(AuthSettings).first_superuser_username):
            return candidate


async def _create(session: AsyncSession, settings: Settings, data: UserCreate) -> None:
    hasher = await PasswordHasher.create(settings.group(PasswordSettings))
    policy = users_service.PasswordPolicy.from_settings(settings.group(PasswordSettings))
    try:
        await users_service.create(session, hasher, policy, data)
    except AppError as exc:
        typer.echo(f"cannot create the user: {exc.detail_message}", err=True)
        raise typer.Exit(code=1) from exc


@audited("createsuperuser")
def createsuperuser(
    username: Annotated[str, typer.Option(prompt=True, help="Login name.")],
    email: Annotated[str, typer.Option(prompt=True, help="Email address.")],
    password: Annotated[
        str,
        typer.Option(
            prompt=True,
            hide_input=True,
            confirmation_prompt=True,
            envvar="ATRIUM_SUPERUSER_PASSWORD",
            help="Password (prompted when omitted; or set ATRIUM_SUPERUSER_PASSWORD).",
        ),
    ],
) -> None:
    """Create a superuser (the database must be migrated)."""
    settings = get_settings()
    try:
        data = UserCreate(username=username, email=email, password=password, is_superuser=True)
    except ValueError as exc:
        typer.echo(f"invalid input: {exc}", err=True)
        raise typer.Exit(code=1) from exc
    asyncio.run(_create_superuser(settings, data))
    typer.echo(f"superuser {data.username!r} created")


async def _create_superuser(settings: Settings, data: UserCreate) -> None:
    from atrium.core.domain import open_database

    async with open_database(settings) as db, db.session() as session:
        await _create(session, settings, data)


@keys_cli.command("generate")
def keys_generate(
    out: Annotated[Path | None, typer.Option(help="Where to write the private key PEM.")] = None,
    bits: Annotated[int, typer.Option(min=2048, max=8192, help="Key size.")] = rsa.DEFAULT_KEY_BITS,
    kid: Annotated[str | None, typer.Option(help="Key id (default: from the key).")] = None,
) -> None:
    """Write a new RSA key pair for encrypted logins and print how to configure it."""
    key = rsa.generate_private_key(bits)
    kid = kid or rsa.fingerprint_kid(key)
    path = out or Path("var/keys") / f"login-{kid}.pem"
    if not rsa.create_key_file(path, key):
        typer.echo(f"{path} exists already; choose another --out", err=True)
        raise typer.Exit(code=1)
    keys = {**get_settings().group(AuthSettings).rsa_private_keys, kid: str(path.resolve())}
    typer.echo(f"kid: {kid}\nprivate key: {path} (mode 600)\n")
    typer.echo("Configure it (older keys keep decrypting until you remove them):")
    typer.echo(f"ATRIUM_AUTH__RSA_PRIVATE_KEYS='{json.dumps(keys)}'")
    typer.echo(f"ATRIUM_AUTH__RSA_ACTIVE_KID={kid}\n")
    typer.echo(rsa.LoginKey(kid, key).public_pem)


@keys_cli.command("show")
def keys_show() -> None:
    """Show the loaded key ids and the active public key."""
    settings = get_settings()
    ring = rsa.load_key_ring(settings.group(AuthSettings), settings.environment)
    typer.echo(f"keys: {', '.join(ring.kids)}\nactive: {ring.active.kid}\n")
    typer.echo(ring.active.public_pem)
