"""Application settings: one pydantic-settings model with nested groups.

Variables are read from the environment and `.env` with the prefix ``ATRIUM_`` and
``__`` between a group and its field, e.g. ``ATRIUM_SQL__URL``.
"""

from __future__ import annotations

from enum import StrEnum
from functools import lru_cache
from pathlib import Path
from typing import Self

from pydantic import BaseModel, Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

# Marker for development-only defaults: staging and production refuse to start on them.
DEV_SECRET_PREFIX = "dev-insecure-"  # noqa: S105 - a marker, not a secret


class Environment(StrEnum):
    LOCAL = "local"
    TESTING = "testing"
    STAGING = "staging"
    PRODUCTION = "production"

    @property
    def is_deployed(self) -> bool:
        return self in (Environment.STAGING, Environment.PRODUCTION)

    @property
    def is_debug(self) -> bool:
        return not self.is_deployed


class SQLSettings(BaseModel):
    url: str = "sqlite+aiosqlite:///var/atrium.db"
    echo: bool = False
    pool_size: int = Field(default=10, ge=1)
    max_overflow: int = Field(default=20, ge=0)
    pool_timeout: float = Field(default=10.0, gt=0)


class MongoSettings(BaseModel):
    url: str = "mongodb://127.0.0.1:27027/?directConnection=true"
    database: str = "atrium"
    timeout_ms: int = Field(default=5000, ge=100)


class RedisSettings(BaseModel):
    url: str = "redis://127.0.0.1:6390/0"
    # Prefix for every key Atrium writes itself (libraries keep their own names).
    key_prefix: str = ""


class StorageSettings(BaseModel):
    endpoint: str = "127.0.0.1:9010"
    access_key: str = "atrium"
    secret_key: SecretStr = SecretStr(f"{DEV_SECRET_PREFIX}storage")
    bucket: str = "atrium"
    secure: bool = False
    region: str | None = None
    max_upload_bytes: int = Field(default=50 * 1024 * 1024, ge=1)
    allowed_content_types: list[str] = [
        "image/png",
        "image/jpeg",
        "image/gif",
        "image/webp",
        "application/pdf",
        "text/plain",
        "text/csv",
        "application/json",
        "application/zip",
        "application/octet-stream",
    ]
    presign_ttl_seconds: int = Field(default=300, ge=1, le=7 * 24 * 3600)


class AuthSettings(BaseModel):
    jwt_secret: SecretStr = SecretStr(f"{DEV_SECRET_PREFIX}jwt-secret-change-me-0123456789abcdef")
    jwt_algorithm: str = "HS256"
    access_token_ttl_seconds: int = Field(default=900, ge=30)
    refresh_token_ttl_seconds: int = Field(default=14 * 24 * 3600, ge=60)
    # RSA private keys for login encryption: PEM text or file paths, keyed by key id.
    rsa_private_keys: dict[str, str] = {}
    rsa_active_kid: str | None = None
    rsa_key_file: Path = Path("var/keys/login-rsa.pem")
    login_skew_seconds: int = Field(default=120, ge=5)
    login_rate_per_username: str = "10/minute"
    login_rate_per_address: str = "60/minute"
    lockout_threshold: int = Field(default=5, ge=1)
    lockout_base_seconds: int = Field(default=30, ge=1)
    lockout_max_seconds: int = Field(default=3600, ge=1)
    password_min_length: int = Field(default=8, ge=4)
    login_log_retention_days: int = Field(default=90, ge=1)
    first_superuser_username: str = "admin"
    first_superuser_email: str = "admin@example.com"
    first_superuser_password: SecretStr | None = None


class CelerySettings(BaseModel):
    # Empty means: use the Redis URL.
    broker_url: str = ""
    result_backend: str = ""
    default_queue: str = "atrium"
    beat_max_loop_interval: float = Field(default=1.0, gt=0)
    beat_lease_seconds: int = Field(default=10, ge=2)


class CorsSettings(BaseModel):
    allow_origins: list[str] = ["http://localhost:5173", "http://127.0.0.1:5173"]
    allow_credentials: bool = True


class LoggingSettings(BaseModel):
    level: str = "INFO"
    # None: JSON outside local, readable console output in local.
    json_output: bool | None = None
    access_log: bool = True


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="ATRIUM_",
        env_nested_delimiter="__",
        env_file=".env",
        env_file_encoding="utf-8",
        extra="ignore",
        env_ignore_empty=True,
    )

    environment: Environment = Environment.LOCAL
    project_name: str = "Atrium"
    api_prefix: str = "/api/v1"
    # Domain packages, in dependency order; append your own (see atrium.main).
    domains: list[str] = [
        "atrium.health",
    ]
    sql: SQLSettings = SQLSettings()
    mongo: MongoSettings = MongoSettings()
    redis: RedisSettings = RedisSettings()
    storage: StorageSettings = StorageSettings()
    auth: AuthSettings = AuthSettings()
    celery: CelerySettings = CelerySettings()
    cors: CorsSettings = CorsSettings()
    logging: LoggingSettings = LoggingSettings()

    @model_validator(mode="after")
    def _refuse_default_secrets(self) -> Self:
        if not self.environment.is_deployed:
            return self
        problems = [name for name, value in self._secrets() if _is_default(value)]
        if not self.auth.rsa_private_keys:
            problems.append("ATRIUM_AUTH__RSA_PRIVATE_KEYS")
        if "*" in self.cors.allow_origins and self.cors.allow_credentials:
            problems.append("ATRIUM_CORS__ALLOW_ORIGINS (no '*' with credentials)")
        if problems:
            raise ValueError(
                f"environment {self.environment.value!r} needs real values for: "
                + ", ".join(problems)
            )
        return self

    def _secrets(self) -> list[tuple[str, str]]:
        return [
            ("ATRIUM_AUTH__JWT_SECRET", self.auth.jwt_secret.get_secret_value()),
            ("ATRIUM_STORAGE__SECRET_KEY", self.storage.secret_key.get_secret_value()),
        ]

    @property
    def celery_broker_url(self) -> str:
        return self.celery.broker_url or self.redis.url

    @property
    def celery_result_backend(self) -> str:
        return self.celery.result_backend or self.redis.url


def _is_default(value: str) -> bool:
    return not value or value.startswith(DEV_SECRET_PREFIX)


@lru_cache
def get_settings() -> Settings:
    """The process-wide settings, read once."""
    return Settings()
