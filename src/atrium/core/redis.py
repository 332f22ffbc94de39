"""Redis: one async client per process, with Atrium's own key prefix."""

from __future__ import annotations

from redis.asyncio import Redis

from atrium.config import RedisSettings

RedisClient = Redis


def create_redis(settings: RedisSettings) -> RedisClient:
    """A client that returns text, with sane timeouts and health checks."""
    client: RedisClient = Redis.from_url(
        settings.url,
        decode_responses=True,
        socket_connect_timeout=5,
        socket_timeout=10,
        health_check_interval=30,
        retry_on_timeout=True,
    )
    return client


def key(settings: RedisSettings, *parts: str) -> str:
    """An Atrium key: ``{prefix}part:part``."""
    return settings.key_prefix + ":".join(parts)
