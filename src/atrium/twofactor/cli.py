"""``atrium twofactor rotate-keys``: re-encrypt every TOTP secret under the first key.

Rotation: put the new key first in ``ATRIUM_TWOFACTOR__ENCRYPTION_KEYS`` (keep the old ones
after it), deploy, run this command, then drop the old keys.
"""

from __future__ import annotations

import asyncio

import typer

from atrium.config import Settings, get_settings
from atrium.core.commandlog import audited

twofactor_cli = typer.Typer(help="Second factors (TOTP).", no_args_is_help=True)


def register(cli: typer.Typer) -> None:
    cli.add_typer(twofactor_cli, name="twofactor")


async def rotate(settings: Settings) -> int:
    """Re-encrypt every secret with the first configured key; how many were rewritten."""
    from atrium.core.domain import open_database
    from atrium.twofactor import service
    from atrium.twofactor.secretbox import SecretBox
    from atrium.twofactor.settings import TwoFactorSettings

    box = SecretBox.from_settings(settings.group(TwoFactorSettings))
    async with open_database(settings) as db, db.session() as session:
        return await service.rotate_keys(session, box)


@twofactor_cli.command("rotate-keys")
@audited("twofactor rotate-keys")
def rotate_keys() -> None:
    """Re-encrypt every TOTP secret under the first key of ATRIUM_TWOFACTOR__ENCRYPTION_KEYS."""
    count = asyncio.run(rotate(get_settings()))
    typer.echo(f"twofactor: {count} secrets re-encrypted under the first key")
