"""Application settings: one pydantic-settings model with nested groups.

Variables are read from the environment and `.env` with the prefix ``ATRIUM_`` and
``__`` between a group and its field, e.g. ``ATRIUM_SQL__URL``.
"""

from __future__ import annotations

import ipaddress
import os
from collections.abc import Iterable, Mapping
from enum import StrEnum
from functools import lru_cache
from pathlib import Path
from typing import Any, ClassVar, Self, TypeVar, cast

from limits import parse
from pydantic import BaseModel, Field, PrivateAttr, SecretStr, field_validator, model_validator
from pydantic_settings import (
    BaseSettings,
    DotEnvSettingsSource,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
)

from atrium.domains import DEFAULT_DOMAINS

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


def check_rate(value: str) -> str:
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
    # Static periodic tasks merged into the database at beat start, beside the ones domains
    # declare in their entries (an entry here of the same name replaces the domain's).
    beat_schedule: dict[str, StaticPeriodicTask] = {}
    # App-wide task defaults; the typed task decorator never overrides them.
    task_acks_late: bool = True
    task_track_started: bool = True
    task_default_priority: int | None = Field(default=None, ge=0, le=255)
    task_publish_retry: bool = True
    task_time_limit: float | None = Field(default=None, gt=0)
    task_soft_time_limit: float | None = Field(default=None, gt=0)
    worker_prefetch_multiplier: int = Field(default=4, ge=1)


class SettingsGroup(BaseModel):
    """A domain's own settings: ``ATRIUM_<SECTION>__<FIELD>``, read when first asked for.

    A domain declares its groups in its entry (``Domain(settings=...)``) and reads them with
    ``settings.group(TheGroup)``; the core knows none of them. Several groups may share a section
    (each reads its own fields of it). ``deployment_problems`` names the variables that must not
    keep their development defaults in staging and production.
    """

    section: ClassVar[str]

    def __init_subclass__(cls, section: str = "", **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if section:
            cls.section = section
            _GROUPS.setdefault(section, []).append(cls)

    def deployment_problems(self) -> list[str]:
        return []


G = TypeVar("G", bound=SettingsGroup)
_GROUPS: dict[str, list[type[SettingsGroup]]] = {}


def _read_group(model: type[G], env_file: str | Path | None) -> G:
    """The group from the environment and the dotenv file, as pydantic-settings reads the rest."""
    config = SettingsConfigDict(
        env_prefix=f"ATRIUM_{model.section.upper()}__",
        env_nested_delimiter="__",
        env_file=env_file,
        env_file_encoding="utf-8",
        extra="ignore",
        env_ignore_empty=True,
    )
    source = type(f"{model.__name__}Source", (model, BaseSettings), {"model_config": config})
    return model.model_validate(dict(source()))


# The dev server's origins, allowed by default only in local and testing.
LOCAL_CORS_ORIGINS = ("http://localhost:5173", "http://127.0.0.1:5173")


class CorsSettings(BaseModel):
    # Unset: the local dev server's origins in local and testing, none when deployed.
    allow_origins: list[str] = []
    allow_credentials: bool = True


class HttpSettings(BaseModel):
    # Largest request body, bytes, checked before any route reads it (the streamed upload
    # route has its own, larger limit: storage.max_upload_bytes).
    max_body_bytes: int = Field(default=1024 * 1024, ge=1024)
    # JSON bodies: deepest nesting of arrays and objects, and longest string (characters).
    max_json_depth: int = Field(default=32, ge=2, le=1000)
    max_json_string_chars: int = Field(default=64 * 1024, ge=256)


class ConsoleSettings(BaseModel):
    # The built web console (``npm run build`` in console/), served under /console. Relative
    # paths are taken from the working directory, like the SQLite file's.
    dist_dir: Path = Path("console/dist")


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
    # Domain packages, in dependency order; append your own (see atrium.core.domain).
    domains: list[str] = Field(default_factory=lambda: list(DEFAULT_DOMAINS))
    sql: SQLSettings = SQLSettings()
    mongo: MongoSettings = MongoSettings()
    redis: RedisSettings = RedisSettings()
    storage: StorageSettings = StorageSettings()
    celery: CelerySettings = CelerySettings()
    cors: CorsSettings = CorsSettings()
    proxy: ProxySettings = ProxySettings()
    http: HttpSettings = HttpSettings()
    console: ConsoleSettings = ConsoleSettings()
    logging: LoggingSettings = LoggingSettings()
    # False: groups keep their defaults (settings built from defaults alone, e.g. for docs).
    groups_from_environment: ClassVar[bool] = True
    _env_file: str | Path | None = PrivateAttr(default=DEFAULT_ENV_FILE)
    _groups: dict[type[SettingsGroup], SettingsGroup] = PrivateAttr(default_factory=dict)

    def __init__(self, *groups: SettingsGroup, **values: Any) -> None:
        """Core settings from ``values``, the environment and the dotenv file; ``groups``
        given here win over what domains would read for themselves."""
        super().__init__(**values)
        self._env_file = _chosen_env_file(values.get("_env_file", DEFAULT_ENV_FILE))
        for group in groups:
            self.set_group(group)

    def group(self, model: type[G]) -> G:
        """A domain's settings group, read (and checked) on first use, then kept."""
        found = self._groups.get(model)
        if found is None:
            found = self._read(model)
            self._check_deployable(found)
            self._groups[model] = found
        return cast(G, found)

    def read_groups(self, models: Iterable[type[SettingsGroup]]) -> None:
        """Read these groups now; in staging and production, refuse every development default
        among them at once (one message naming every variable to set)."""
        models = list(models)
        if self.environment.is_deployed:
            read = [self._groups.get(model) or self._read(model) for model in models]
            problems = [problem for group in read for problem in group.deployment_problems()]
            if problems:
                raise ValueError(_refusal(self.environment, problems))
        for model in models:
            self.group(model)

    def set_group(self, group: SettingsGroup) -> None:
        """Use this group's values (tests, embedding) instead of reading them."""
        self._check_deployable(group)
        self._groups[type(group)] = group

    def lookup(self, path: str) -> object:
        """A setting by its dotted name (``notifications.max_body_length``), group or core."""
        section, _, rest = path.partition(".")
        found: Any = None
        for model in _GROUPS.get(section, []):
            if rest.split(".")[0] in model.model_fields:
                found = self.group(model)
                break
        else:
            found = getattr(self, section)
        for part in rest.split("."):
            found = getattr(found, part)
        return cast(object, found)

    def _read(self, model: type[G]) -> G:
        return _read_group(model, self._env_file) if self.groups_from_environment else model()

    def groups(self) -> list[SettingsGroup]:
        """Every group read or set so far (``load_domains`` reads every declared one)."""
        return list(self._groups.values())

    def model_copy(self, *, update: Mapping[str, Any] | None = None, deep: bool = False) -> Self:
        copied = super().model_copy(update=update, deep=deep)
        copied._groups = dict(self._groups)  # a copy's groups are its own
        return copied

    def _check_deployable(self, group: SettingsGroup) -> None:
        if self.environment.is_deployed and (problems := group.deployment_problems()):
            raise ValueError(_refusal(self.environment, problems))

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
        problems = []
        if is_default_secret(self.storage.secret_key.get_secret_value()):
            problems.append("ATRIUM_STORAGE__SECRET_KEY")
        if "*" in self.cors.allow_origins and self.cors.allow_credentials:
            problems.append("ATRIUM_CORS__ALLOW_ORIGINS (no '*' with credentials)")
        if problems:
            raise ValueError(_refusal(self.environment, problems))
        return self

    @property
    def celery_broker_url(self) -> str:
        return self.celery.broker_url or self.redis.url

    @property
    def celery_result_backend(self) -> str:
        return self.celery.result_backend or self.redis.url


def is_default_secret(value: str) -> bool:
    """Empty, or a development-only default (staging and production refuse both)."""
    return not value or value.startswith(DEV_SECRET_PREFIX)


def _refusal(environment: Environment, problems: list[str]) -> str:
    return f"environment {environment.value!r} needs real values for: " + ", ".join(problems)


def _chosen_env_file(explicit: object) -> str | Path | None:
    """The dotenv file these settings read: an explicit ``_env_file``, else ``ATRIUM_ENV_FILE``,
    else ``.env`` (as ``settings_customise_sources`` chooses)."""
    if explicit != DEFAULT_ENV_FILE:
        return explicit if isinstance(explicit, str | Path) else None
    chosen = os.environ.get(ENV_FILE_VARIABLE)
    if chosen is None:
        return DEFAULT_ENV_FILE
    return chosen or None


@lru_cache
def get_settings() -> Settings:
    """The process-wide settings, read once."""
    return Settings()


class _Defaults(Settings):
    """Settings from their defaults alone: no environment, no dotenv file, no group read."""

    groups_from_environment = False

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        return (init_settings,)


def default_settings() -> Settings:
    """The defaults, whatever the environment and ``.env`` say (a local, debug app): what the
    generated references (docs/api.md, docs/errors.md) are built from, identical everywhere."""
    return _Defaults(environment=Environment.LOCAL)
