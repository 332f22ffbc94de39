"""Settings for tests: the suite's stores, one MongoDB database and bucket per suffix."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pydantic import SecretStr

from atrium.auth.settings import AuthSettings
from atrium.config import (
    Environment,
    LoggingSettings,
    MongoSettings,
    RedisSettings,
    Settings,
    SQLSettings,
    StorageSettings,
)
from atrium.mail.settings import MailSettings
from atrium.users.settings import PasswordSettings

# Cheap Argon2 (about 1 ms a hash; the production default costs ~150 ms here).
FAST_HASHING: dict[str, Any] = {
    "password_hash_time_cost": 1,
    "password_hash_memory_kib": 1024,
    "password_hash_parallelism": 1,
}


# The MongoDB-wire test server answers in milliseconds but, under a full suite on a busy machine,
# once stalled past the 5 s default server selection at a test's setup: a healthy server is
# given longer, while the outage tests point at closed ports with their own short timeouts.
MONGO_TIMEOUT_MS = 30_000


def settings_for(services: dict[str, str], sql_url: str, suffix: str) -> Settings:
    """The test services on ``sql_url``, MongoDB database ``t_{suffix}``, bucket ``t-{suffix}``."""
    return Settings(
        PasswordSettings(**FAST_HASHING),
        mail_settings(services),
        environment=Environment.TESTING,
        sql=SQLSettings(url=sql_url, pool_size=5),
        mongo=MongoSettings(
            url=services["ATRIUM_MONGO__URL"], database=f"t_{suffix}", timeout_ms=MONGO_TIMEOUT_MS
        ),
        redis=RedisSettings(url=services["ATRIUM_REDIS__URL"]),
        storage=StorageSettings(
            endpoint=services["ATRIUM_STORAGE__ENDPOINT"],
            access_key=services.get("ATRIUM_STORAGE__ACCESS_KEY", "atrium"),
            secret_key=SecretStr(services.get("ATRIUM_STORAGE__SECRET_KEY", "atrium-test")),
            bucket=f"t-{suffix}",
        ),
        logging=LoggingSettings(level="WARNING", access_log=False),
    )


def mail_settings(services: dict[str, str], **overrides: Any) -> MailSettings:
    """The test profile's mail catcher (real SMTP, a Maildir the tests read)."""
    folder = services.get("ATRIUM_MAIL__CATCHER_DIR")
    values: dict[str, Any] = {
        "host": services.get("ATRIUM_MAIL__HOST", "127.0.0.1"),
        "port": int(services.get("ATRIUM_MAIL__PORT", "1025")),
        "catcher_dir": Path(folder) if folder else None,
    }
    return MailSettings(**{**values, **overrides})


# A Fernet key for deployed-environment tests (not a secret of any deployment).
TWOFACTOR_KEY = "AcPwXQj6RrpP67_fWcmPxfE3u2BhLm1Dut9UBKcfmOM="


def with_twofactor_key(settings: Settings) -> Settings:
    """A real second-factor encryption key: staging and production refuse the development one."""
    from atrium.twofactor.settings import TwoFactorSettings

    settings.set_group(TwoFactorSettings(encryption_keys=[SecretStr(TWOFACTOR_KEY)]))
    return settings


def fast_auth(settings: Settings, **overrides: Any) -> Settings:
    """Cheap Argon2 parameters (about 1 ms a hash) and any other auth overrides."""
    values: dict[str, Any] = {**FAST_HASHING, **overrides}
    for model in (AuthSettings, PasswordSettings):
        mine = {name: value for name, value in values.items() if name in model.model_fields}
        settings.set_group(model.model_validate({**settings.group(model).model_dump(), **mine}))
    return settings
