"""``atrium initdb`` / ``createsuperuser`` / ``keys generate``, run in-process."""

from __future__ import annotations

import asyncio
import json
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner, Result

from atrium.cli import cli
from atrium.config import get_settings
from atrium.core.db import Database
from atrium.core.security import rsa
from atrium.core.security.passwords import PasswordHasher
from atrium.users import repository
from atrium.users.models import User
from atrium.users.settings import PasswordSettings
from tests.support.settings import TWOFACTOR_KEY

runner = CliRunner()
FAST_HASHING = {
    "ATRIUM_AUTH__PASSWORD_HASH_TIME_COST": "1",
    "ATRIUM_AUTH__PASSWORD_HASH_MEMORY_KIB": "1024",
    "ATRIUM_AUTH__PASSWORD_HASH_PARALLELISM": "1",
}


@pytest.fixture
def database(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    url = f"sqlite+aiosqlite:///{tmp_path / 'cli.db'}"
    monkeypatch.setenv("ATRIUM_ENVIRONMENT", "testing")
    monkeypatch.setenv("ATRIUM_SQL__URL", url)
    monkeypatch.delenv("ATRIUM_AUTH__FIRST_SUPERUSER_PASSWORD", raising=False)
    for name, value in FAST_HASHING.items():
        monkeypatch.setenv(name, value)
    get_settings.cache_clear()
    yield url
    get_settings.cache_clear()


def _run(*args: str) -> Result:
    get_settings.cache_clear()
    return runner.invoke(cli, list(args))


def _user(url: str, username: str) -> User | None:
    async def load() -> User | None:
        db = Database(get_settings().sql.model_copy(update={"url": url}))
        try:
            async with db.session() as session:
                return await repository.get_by_username(session, username)
        finally:
            await db.dispose()

    return asyncio.run(load())


def _verifies(password: str, password_hash: str) -> bool:
    async def check() -> bool:
        hasher = await PasswordHasher.create(get_settings().group(PasswordSettings))
        return (await hasher.verify(password, password_hash)).valid

    return asyncio.run(check())


def _generated_password(result: Result) -> str:
    match = re.search(r"generated password \(shown once, change it\): (\S+)", result.output)
    assert match, result.output
    return match.group(1)


def test_initdb_is_idempotent_and_generates_a_fresh_password(
    database: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = _run("initdb", "--no-input")
    assert first.exit_code == 0, first.output
    password = _generated_password(first)
    admin = _user(database, "admin")
    assert admin is not None
    assert admin.is_superuser
    assert _verifies(password, admin.password_hash)

    again = _run("initdb", "--no-input")
    assert again.exit_code == 0
    assert "nothing to do" in again.output
    still = _user(database, "admin")
    assert still is not None
    assert still.password_hash == admin.password_hash

    monkeypatch.setenv("ATRIUM_SQL__URL", f"sqlite+aiosqlite:///{tmp_path / 'other.db'}")
    other = _run("initdb", "--no-input")
    assert _generated_password(other) != password  # never a fixed default


def test_initdb_uses_the_configured_password(
    database: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ATRIUM_AUTH__FIRST_SUPERUSER_PASSWORD", "Configured-pass-77")
    monkeypatch.setenv("ATRIUM_AUTH__FIRST_SUPERUSER_USERNAME", "boss")
    result = _run("initdb", "--no-input")
    assert result.exit_code == 0, result.output
    assert "generated" not in result.output
    boss = _user(database, "boss")
    assert boss is not None
    assert _verifies("Configured-pass-77", boss.password_hash)


def test_initdb_outside_development_needs_a_password(
    database: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    key_file = tmp_path / "login.pem"
    rsa.create_key_file(key_file, rsa.generate_private_key(2048))
    monkeypatch.setenv("ATRIUM_ENVIRONMENT", "production")
    monkeypatch.setenv("ATRIUM_AUTH__JWT_SECRET", "j" * 64)
    monkeypatch.setenv("ATRIUM_STORAGE__SECRET_KEY", "s" * 32)
    monkeypatch.setenv("ATRIUM_AUTH__RSA_PRIVATE_KEYS", f'{{"k1": "{key_file}"}}')
    monkeypatch.setenv("ATRIUM_TWOFACTOR__ENCRYPTION_KEYS", json.dumps([TWOFACTOR_KEY]))
    result = _run("initdb", "--no-input")
    assert result.exit_code == 1
    assert "ATRIUM_AUTH__FIRST_SUPERUSER_PASSWORD" in result.output
    assert _user(database, "admin") is None


def test_createsuperuser(database: str) -> None:
    assert _run("migrate").exit_code == 0
    args = ["createsuperuser", "--username", "Root", "--email", "root@example.com"]
    result = _run(*args, "--password", "Strong-password-1")
    assert result.exit_code == 0, result.output
    root = _user(database, "root")
    assert root is not None
    assert root.is_superuser
    duplicate = _run(*args, "--password", "Strong-password-1")
    assert duplicate.exit_code == 1
    assert "taken" in duplicate.output
    weak = _run(
        "createsuperuser", "--username", "x2y", "--email", "x@example.com", "--password", "x"
    )
    assert weak.exit_code == 1


def test_keys_generate_writes_a_loadable_key_once(tmp_path: Path) -> None:
    out = tmp_path / "keys" / "new.pem"
    result = _run("keys", "generate", "--out", str(out), "--bits", "2048", "--kid", "2026-11")
    assert result.exit_code == 0, result.output
    assert "ATRIUM_AUTH__RSA_ACTIVE_KID=2026-11" in result.output
    assert out.stat().st_mode & 0o777 == 0o600
    key = rsa.load_private_key(str(out))
    assert key.key_size == 2048
    assert _run("keys", "generate", "--out", str(out), "--bits", "2048").exit_code == 1


@pytest.mark.parametrize("environment", ["staging", "production"])
def test_outside_local_environments_no_password_is_ever_printed(
    database: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, environment: str
) -> None:
    key_file = tmp_path / "login.pem"
    rsa.create_key_file(key_file, rsa.generate_private_key(2048))
    monkeypatch.setenv("ATRIUM_ENVIRONMENT", environment)
    monkeypatch.setenv("ATRIUM_AUTH__JWT_SECRET", "j" * 64)
    monkeypatch.setenv("ATRIUM_STORAGE__SECRET_KEY", "s" * 32)
    monkeypatch.setenv("ATRIUM_AUTH__RSA_PRIVATE_KEYS", f'{{"k1": "{key_file}"}}')
    monkeypatch.setenv("ATRIUM_TWOFACTOR__ENCRYPTION_KEYS", json.dumps([TWOFACTOR_KEY]))
    refused = _run("initdb", "--no-input")
    assert refused.exit_code == 1
    assert "generated password" not in refused.output
    monkeypatch.setenv("ATRIUM_AUTH__FIRST_SUPERUSER_PASSWORD", "Deployed-secret-91")
    created = _run("initdb", "--no-input")
    assert created.exit_code == 0, created.output
    assert "superuser 'admin' created" in created.output
    assert "Deployed-secret-91" not in created.output
    assert "generated password" not in created.output
