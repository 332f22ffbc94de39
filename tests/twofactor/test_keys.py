"""Secrets at rest: the configured keys (first encrypts, all decrypt), the development key only
outside staging and production, and rotation re-encrypting every secret under a new key."""

from __future__ import annotations

import httpx
import pytest
from cryptography.fernet import Fernet, InvalidToken
from pydantic import SecretStr, ValidationError
from sqlalchemy import select

from atrium.config import Environment, Settings, StorageSettings
from atrium.core.state import AppState
from atrium.twofactor import cli
from atrium.twofactor.models import SecondFactor
from atrium.twofactor.runtime import TWOFACTOR
from atrium.twofactor.secretbox import SecretBox, dev_key
from atrium.twofactor.settings import TwoFactorSettings
from tests.support.twofactor import challenge, code_at_step, current_step, enable, second_step
from tests.support.users import new_user

OLD = Fernet.generate_key().decode()


@pytest.fixture
def settings(settings: Settings) -> Settings:
    settings.set_group(TwoFactorSettings(encryption_keys=[SecretStr(OLD)]))
    return settings


def _with_keys(settings: Settings, *keys: str) -> Settings:
    copied = settings.model_copy()
    copied.set_group(TwoFactorSettings(encryption_keys=[SecretStr(key) for key in keys]))
    return copied


async def _stored_secret(state: AppState) -> str:
    async with state.db.session() as session:
        return (await session.execute(select(SecondFactor))).scalar_one().secret


async def test_a_rotation_re_encrypts_every_secret_and_logins_survive_it(
    client: httpx.AsyncClient, state: AppState, settings: Settings
) -> None:
    bob = await new_user(state, client, "bob")
    secret, _ = await enable(client, bob.headers)
    before = await _stored_secret(state)
    assert SecretBox([OLD.encode()]).open(before) == secret
    new = Fernet.generate_key().decode()
    assert await cli.rotate(_with_keys(settings, new, OLD)) == 1
    after = await _stored_secret(state)
    assert after != before
    with pytest.raises(InvalidToken):
        SecretBox([OLD.encode()]).open(after)
    assert SecretBox([new.encode()]).open(after) == secret
    # The old key dropped: the app (as redeployed) still checks codes.
    state.get(TWOFACTOR).box = SecretBox([new.encode()])
    body = {
        "challenge": await challenge(client, "bob"),
        "code": code_at_step(secret, current_step() + 1),
    }
    assert (await second_step(client, body)).status_code == 200


def test_the_first_key_encrypts_and_every_key_decrypts() -> None:
    first, second = Fernet.generate_key(), Fernet.generate_key()
    sealed_by_second = SecretBox([second]).seal("JBSWY3DPEHPK3PXP")
    both = SecretBox([first, second])
    assert both.open(sealed_by_second) == "JBSWY3DPEHPK3PXP"
    assert SecretBox([first]).open(both.seal("JBSWY3DPEHPK3PXP")) == "JBSWY3DPEHPK3PXP"


def test_without_keys_only_development_derives_one() -> None:
    box = SecretBox.from_settings(TwoFactorSettings())
    assert SecretBox([dev_key()]).open(box.seal("S")) == "S"
    for environment in (Environment.STAGING, Environment.PRODUCTION):
        storage = StorageSettings(secret_key=SecretStr("real-storage-secret"))
        deployed = Settings(_env_file=None, environment=environment, storage=storage)
        with pytest.raises(ValueError, match="ATRIUM_TWOFACTOR__ENCRYPTION_KEYS"):
            deployed.set_group(TwoFactorSettings())
        deployed.set_group(TwoFactorSettings(encryption_keys=[SecretStr(OLD)]))


def test_a_key_that_is_no_fernet_key_is_refused() -> None:
    with pytest.raises(ValidationError, match="not a Fernet key"):
        TwoFactorSettings(encryption_keys=[SecretStr("too-short")])
