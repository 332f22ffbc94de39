"""Application settings: one pydantic-settings model with nested groups.

Variables are read from the environment and `.env` with the prefix ``ATRIUM_`` and
``__`` between a group and its field, e.g. ``ATRIUM_SQL__URL``.
"""

from __future__ import annotations

import ipaddress
import os
from enum import StrEnum
from functools import lru_cache
from pathlib import Path
from typing import Self

from limits import parse
from pydantic import BaseModel, Field, SecretStr, field_validator, model_validator
from pydantic_settings import (
    BaseSettings,
    DotEnvSettingsSource,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
)

# The dotenv file read by default; ``ATRIUM_ENV_FILE`` names another one ("" reads none).
DEFAULT_ENV_FILE = ".env"
ENV_FILE_VARIABLE = "ATRIUM_ENV_FILE"
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
    # Lifetime of presigned download URLs.
    presign_ttl_seconds: int = Field(default=300, ge=1, le=7 * 24 * 3600)
    # host[:port] or http(s)://host[:port] that clients use to reach the S3 endpoint, when it
    # differs from ``endpoint`` (behind a proxy, which must pass the Host header through):
    # presigned URLs are signed for this host. Set ``region`` too unless it is us-east-1.
    public_endpoint: str | None = None
    # Part size of multipart transfers (streamed API uploads buffer one part per upload; direct
    # multipart uploads get one presigned URL per part). S3's minimum is 5 MiB.
    upload_part_size: int = Field(default=8 * 1024 * 1024, ge=5 * 1024 * 1024, le=5 * 1024**3)
    # Threads for long transfers (streamed uploads, checksum reads); more wait their turn.
    stream_threads: int = Field(default=16, ge=1, le=256)
    # Direct-to-storage uploads: largest announced size, and lifetime of their presigned URLs.
    direct_upload_max_bytes: int = Field(default=5 * 1024**3, ge=1)
    upload_url_ttl_seconds: int = Field(default=3600, ge=60, le=7 * 24 * 3600)
    # The cleanup task removes uploads still pending after this long, and objects without
    # metadata once older than the grace period.
    abandoned_upload_seconds: int = Field(default=24 * 3600, ge=60)
    # Per user: most direct uploads pending at once, and most bytes they may announce together.
    max_pending_uploads: int = Field(default=20, ge=1)
    max_pending_upload_bytes: int = Field(default=20 * 1024**3, ge=1)
    orphan_grace_seconds: int = Field(default=3600, ge=60)

    @model_validator(mode="after")
    def _pending_outlives_urls(self) -> Self:
        if self.abandoned_upload_seconds < self.upload_url_ttl_seconds:
            raise ValueError("abandoned_upload_seconds must be >= upload_url_ttl_seconds")
        return self


def _check_rate(value: str) -> str:
    """A rate limit in ``limits`` notation: ``"10/minute"``, ``"100 per hour"``."""
    try:
        parse(value)
    except ValueError as exc:
        raise ValueError(f"not a rate limit such as '10/minute': {value!r}") from exc
    return value


def _check_networks(values: list[str]) -> list[str]:
    for value in values:
        try:
            ipaddress.ip_network(value, strict=False)
        except ValueError as exc:
            raise ValueError(f"not an IP address or network: {value!r}") from exc
    return values


class ProxySettings(BaseModel):
    # Peers (reverse proxies, load balancers) whose X-Forwarded-For and X-Forwarded-Proto are
    # believed: IP addresses or networks ("10.0.0.0/8"). Empty: trust nobody, the client address
    # is the TCP peer. Only list proxies that overwrite (not append to) what clients send.
    trusted_addresses: list[str] = []

    _networks = field_validator("trusted_addresses")(_check_networks)


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
    # Login attempts per username from one client address, and per client address.
    login_rate_per_username: str = "10/minute"
    login_rate_per_address: str = "60/minute"
    # Lockout of one (account, client address) pair after consecutive failed passwords.
    lockout_threshold: int = Field(default=5, ge=1)
    lockout_base_seconds: int = Field(default=30, ge=1)
    lockout_max_seconds: int = Field(default=3600, ge=1)
    # Slow-down of one login name, whatever the address: past this many failures (each kept
    # the window after the last), attempts on it are serialised one delay apart, the delay
    # base seconds doubling per further failure up to max; an attempt whose turn is more than
    # max_wait seconds away is refused (429) rather than held.
    account_slowdown_threshold: int = Field(default=20, ge=1)
    account_slowdown_base_seconds: float = Field(default=0.5, gt=0)
    account_slowdown_max_seconds: float = Field(default=10.0, gt=0, le=60)
    account_slowdown_max_wait_seconds: float = Field(default=30.0, gt=0, le=120)
    account_failure_window_seconds: int = Field(default=900, ge=1)
    password_min_length: int = Field(default=8, ge=4)
    password_max_length: int = Field(default=128, ge=8, le=1024)
    # How many of: lowercase, uppercase, digits, other characters a new password must mix.
    password_min_char_classes: int = Field(default=1, ge=1, le=4)
    # Refuse a password that contains the username (case-insensitive).
    password_forbid_username: bool = True
    # Argon2id cost; unset uses the library's recommended defaults (keep them in production).
    # Tests set tiny values (time 1, 1024 KiB, parallelism 1) so hashing takes ~1 ms.
    password_hash_time_cost: int | None = Field(default=None, ge=1)
    password_hash_memory_kib: int | None = Field(default=None, ge=8)
    password_hash_parallelism: int | None = Field(default=None, ge=1)
    # In-process cache of "this session is still valid" (0 disables it). Revocations reach
    # every node through Redis pub/sub before they are reported done; this is the safety net.
    session_cache_seconds: float = Field(default=30.0, ge=0)
    # How long a revocation waits for every node to acknowledge the invalidation.
    revocation_ack_timeout_seconds: float = Field(default=2.0, gt=0)
    login_log_retention_days: int = Field(default=90, ge=1)
    first_superuser_username: str = "admin"
    first_superuser_email: str = "admin@example.com"
    first_superuser_password: SecretStr | None = None

    _rates = field_validator("login_rate_per_username", "login_rate_per_address")(_check_rate)


class StaticPeriodicTask(BaseModel):
    """A periodic task declared in settings (``ATRIUM_CELERY__BEAT_SCHEDULE``, JSON)."""

    task: str
    # Exactly one of: ``every`` (seconds) or ``crontab`` ("m h dom mon dow", Celery semantics).
    every: float | None = Field(default=None, ge=1)
    crontab: str | None = None
    timezone: str = "UTC"
    args: list[object] = []
    kwargs: dict[str, object] = {}
    queue: str | None = None
    description: str = ""

    @model_validator(mode="after")
    def _one_schedule(self) -> Self:
        if (self.every is None) == (self.crontab is None):
            raise ValueError("give exactly one of 'every' or 'crontab'")
        return self


class CelerySettings(BaseModel):
    # Empty means: use the Redis URL.
    broker_url: str = ""
    result_backend: str = ""
    default_queue: str = "atrium"
    beat_max_loop_interval: float = Field(default=1.0, gt=0)
    beat_lease_seconds: int = Field(default=10, ge=2)
    # How often beat looks for changed periodic tasks (API, CLI or raw SQL edits).
    beat_change_poll_seconds: float = Field(default=0.25, gt=0, le=5)
    # Trigger-fed change rows older than this are pruned; a beat stalled longer reloads fully.
    beat_change_retention_seconds: int = Field(default=3600, ge=60)
    # Static periodic tasks merged into the database at beat start (settings are their source).
    # Setting ATRIUM_CELERY__BEAT_SCHEDULE replaces this default: keep "files.cleanup" in it.
    beat_schedule: dict[str, StaticPeriodicTask] = {
        "files.cleanup": StaticPeriodicTask(
            task="files.cleanup",
            every=3600,
            description="Remove abandoned uploads and objects without metadata (files).",
        ),
    }
    # App-wide task defaults; the typed task decorator never overrides them.
    task_acks_late: bool = True
    task_track_started: bool = True
    task_default_priority: int | None = Field(default=None, ge=0, le=255)
    task_publish_retry: bool = True
    task_time_limit: float | None = Field(default=None, gt=0)
    task_soft_time_limit: float | None = Field(default=None, gt=0)
    worker_prefetch_multiplier: int = Field(default=4, ge=1)


# The dev server's origins, allowed by default only in local and testing.
LOCAL_CORS_ORIGINS = ("http://localhost:5173", "http://127.0.0.1:5173")
# Shortest JWT secret staging and production accept (HS256 wants at least its 256 bits).
MIN_JWT_SECRET_BYTES = 32


class CorsSettings(BaseModel):
    # Unset: the local dev server's origins in local and testing, none when deployed.
    allow_origins: list[str] = []
    allow_credentials: bool = True


class RealtimeSettings(BaseModel):
    # Where Socket.IO is mounted (clients use it as their ``path`` option).
    path: str = "/socket.io"
    # Redis pub/sub channel shared by every API node and worker (the key prefix is added).
    channel: str = "atrium:socketio"
    ping_interval_seconds: float = Field(default=25.0, gt=0)
    ping_timeout_seconds: float = Field(default=20.0, gt=0)
    # Largest message a client may send, bytes.
    max_message_bytes: int = Field(default=64 * 1024, ge=1024)
    # Presence: each node refreshes its liveness this often; a silent node is dropped after the TTL.
    presence_heartbeat_seconds: float = Field(default=10.0, gt=0)
    presence_node_ttl_seconds: int = Field(default=30, ge=2)
    # An ``auth:expiring`` event is sent this long before the socket's token expires.
    token_expiry_warning_seconds: int = Field(default=60, ge=0)
    # Move start-up objects out of the garbage collector's reach (shorter full-GC pauses).
    # None: on, except in the testing environment (a test process builds many apps).
    gc_freeze: bool | None = None
    # Garbage-collector thresholds set at start-up (Python's are 700, 10, 10). A large first one
    # lets a broadcast's short-lived objects die before a collection promotes them, so full
    # collections (the broadcast tail) become rare. None keeps Python's.
    gc_thresholds: tuple[int, int, int] | None = (10_000, 20, 100)


class NotificationSettings(BaseModel):
    # Notifications (and their read markers) are deleted this long after creation (TTL index).
    retention_days: int = Field(default=90, ge=1)
    # Messages between users are deleted this long after they were sent.
    message_retention_days: int = Field(default=365, ge=1)
    # Most users one admin send may name (roles and "everyone" store one document).
    max_recipients: int = Field(default=1000, ge=1)
    max_body_length: int = Field(default=4000, ge=1)
    # Per sender, REST and socket events alike: direct messages, and admin sends.
    message_rate_per_sender: str = "30/minute"
    send_rate_per_sender: str = "10/minute"

    _rates = field_validator("message_rate_per_sender", "send_rate_per_sender")(_check_rate)


class RbacSettings(BaseModel):
    # In-process lease of a user's permission set (0 disables it). Changes reach every node
    # through Redis pub/sub before they are reported done; this is the safety net.
    permission_cache_seconds: float = Field(default=30.0, ge=0)
    # Sync the route table into the permission table at startup.
    sync_on_startup: bool = True
    # Grants (codes or patterns) the seeded `user` role gets besides the authenticated basics.
    user_role_grants: list[str] = []


class HttpSettings(BaseModel):
    # Largest request body, bytes, checked before any route reads it (the streamed upload
    # route has its own, larger limit: storage.max_upload_bytes).
    max_body_bytes: int = Field(default=1024 * 1024, ge=1024)
    # JSON bodies: deepest nesting of arrays and objects, and longest string (characters).
    max_json_depth: int = Field(default=32, ge=2, le=1000)
    max_json_string_chars: int = Field(default=64 * 1024, ge=256)


class LoggingSettings(BaseModel):
    level: str = "INFO"
    # None: JSON outside local, readable console output in local.
    json_output: bool | None = None
    access_log: bool = True


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="ATRIUM_",
        env_nested_delimiter="__",
        env_file=DEFAULT_ENV_FILE,
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
        "atrium.users",
        "atrium.auth",
        "atrium.rbac",
        "atrium.realtime",
        "atrium.notifications",
        "atrium.files",
        "atrium.worker",
        "atrium.scheduler",
    ]
    sql: SQLSettings = SQLSettings()
    mongo: MongoSettings = MongoSettings()
    redis: RedisSettings = RedisSettings()
    storage: StorageSettings = StorageSettings()
    auth: AuthSettings = AuthSettings()
    celery: CelerySettings = CelerySettings()
    cors: CorsSettings = CorsSettings()
    proxy: ProxySettings = ProxySettings()
    http: HttpSettings = HttpSettings()
    realtime: RealtimeSettings = RealtimeSettings()
    notifications: NotificationSettings = NotificationSettings()
    rbac: RbacSettings = RbacSettings()
    logging: LoggingSettings = LoggingSettings()

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        """``ATRIUM_ENV_FILE`` replaces the default ``.env`` (an explicit ``_env_file`` wins)."""
        chosen = os.environ.get(ENV_FILE_VARIABLE)
        default = getattr(dotenv_settings, "env_file", None) == DEFAULT_ENV_FILE
        if chosen is not None and default:
            dotenv_settings = DotEnvSettingsSource(settings_cls, env_file=chosen or None)
        return init_settings, env_settings, dotenv_settings, file_secret_settings

    @model_validator(mode="after")
    def _default_cors_origins(self) -> Self:
        if self.environment.is_debug and "allow_origins" not in self.cors.model_fields_set:
            self.cors.allow_origins = list(LOCAL_CORS_ORIGINS)
        return self

    @model_validator(mode="after")
    def _refuse_default_secrets(self) -> Self:
        if not self.environment.is_deployed:
            return self
        problems = [name for name, value in self._secrets() if _is_default(value)]
        secret = self.auth.jwt_secret.get_secret_value()
        if not _is_default(secret) and len(secret.encode()) < MIN_JWT_SECRET_BYTES:
            problems.append(f"ATRIUM_AUTH__JWT_SECRET (at least {MIN_JWT_SECRET_BYTES} bytes)")
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
