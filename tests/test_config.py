"""Settings: embedded defaults locally, refusal of default secrets when deployed."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from pydantic import SecretStr, ValidationError

from atrium.auth.settings import AuthSettings
from atrium.config import Environment, Settings, StorageSettings
from atrium.core.domain import load_domains
from atrium.twofactor.settings import TwoFactorSettings
from tests.support.settings import TWOFACTOR_KEY


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """These tests read the process environment: start each from none of Atrium's variables."""
    for name in [name for name in os.environ if name.startswith("ATRIUM_")]:
        monkeypatch.delenv(name)


def test_local_runs_on_embedded_defaults() -> None:
    settings = Settings(_env_file=None)
    assert settings.environment is Environment.LOCAL
    assert settings.sql.url.startswith("sqlite+aiosqlite://")
    assert settings.celery_broker_url == settings.redis.url


def test_nested_variables_are_read(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ATRIUM_SQL__URL", "postgresql+asyncpg://u@db/atrium")
    monkeypatch.setenv("ATRIUM_AUTH__ACCESS_TOKEN_TTL_SECONDS", "300")
    settings = Settings(_env_file=None)
    assert settings.sql.url == "postgresql+asyncpg://u@db/atrium"
    assert settings.group(AuthSettings).access_token_ttl_seconds == 300


@pytest.mark.parametrize("environment", [Environment.STAGING, Environment.PRODUCTION])
def test_deployed_environments_refuse_default_secrets(environment: Environment) -> None:
    with pytest.raises(ValidationError, match="ATRIUM_STORAGE__SECRET_KEY"):
        Settings(_env_file=None, environment=environment)
    real_storage = StorageSettings(secret_key="real-storage-secret")  # type: ignore[arg-type]
    settings = Settings(_env_file=None, environment=environment, storage=real_storage)
    with pytest.raises(ValueError, match="needs real values for") as caught:  # at start
        load_domains(settings)
    message = str(caught.value)
    assert "ATRIUM_AUTH__JWT_SECRET" in message
    assert "ATRIUM_AUTH__RSA_PRIVATE_KEYS" in message
    assert "ATRIUM_TWOFACTOR__ENCRYPTION_KEYS" in message


def test_production_starts_with_real_secrets() -> None:
    settings = _production("a-real-secret-of-enough-length-0123456789")
    load_domains(settings)
    assert not settings.environment.is_debug


def _production(jwt_secret: str) -> Settings:
    return Settings(
        AuthSettings(
            jwt_secret=jwt_secret,  # type: ignore[arg-type]
            rsa_private_keys={"k1": "/run/secrets/login.pem"},
        ),
        TwoFactorSettings(encryption_keys=[SecretStr(TWOFACTOR_KEY)]),
        _env_file=None,
        environment=Environment.PRODUCTION,
        storage=StorageSettings(secret_key="real-storage-secret"),  # type: ignore[arg-type]
    )


def test_production_refuses_a_jwt_secret_under_32_bytes() -> None:
    with pytest.raises(ValueError, match="ATRIUM_AUTH__JWT_SECRET"):
        _production("x" * 31)
    secret = _production("x" * 32).group(AuthSettings).jwt_secret
    assert secret.get_secret_value() == "x" * 32


def test_a_domain_group_reads_the_environment_and_the_dotenv_file(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    dotenv = tmp_path / "atrium.env"
    dotenv.write_text("ATRIUM_AUTH__LOGIN_SKEW_SECONDS=77\nATRIUM_AUTH__LOCKOUT_THRESHOLD=9\n")
    monkeypatch.setenv("ATRIUM_AUTH__LOCKOUT_THRESHOLD", "11")  # the environment wins
    auth = Settings(_env_file=dotenv).group(AuthSettings)
    assert (auth.login_skew_seconds, auth.lockout_threshold) == (77, 11)
    monkeypatch.setenv("ATRIUM_AUTH__LOGIN_SKEW_SECONDS", "1")  # below its minimum of 5
    with pytest.raises(ValidationError, match="login_skew_seconds"):
        load_domains(Settings(_env_file=None))


def test_production_has_no_localhost_cors_default() -> None:
    assert _production("x" * 32).cors.allow_origins == []


def test_local_allows_the_dev_server_origin_by_default() -> None:
    origins = Settings(_env_file=None).cors.allow_origins
    assert "http://localhost:5173" in origins


def test_configured_cors_origins_are_kept_in_every_environment(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("ATRIUM_CORS__ALLOW_ORIGINS", '["https://app.example.org"]')
    assert Settings(_env_file=None).cors.allow_origins == ["https://app.example.org"]
    assert _production("x" * 32).cors.allow_origins == ["https://app.example.org"]


def test_atrium_env_file_replaces_the_default_dotenv(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    (tmp_path / ".env").write_text("ATRIUM_PROJECT_NAME=FromDotenv\n")
    (tmp_path / "other.env").write_text("ATRIUM_PROJECT_NAME=FromOther\n")
    monkeypatch.chdir(tmp_path)
    assert Settings().project_name == "FromDotenv"
    monkeypatch.setenv("ATRIUM_ENV_FILE", "")
    assert Settings().project_name == "Atrium"
    monkeypatch.setenv("ATRIUM_ENV_FILE", str(tmp_path / "other.env"))
    assert Settings().project_name == "FromOther"
    assert Settings(_env_file=tmp_path / ".env").project_name == "FromDotenv"
