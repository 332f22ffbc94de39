"""Readiness: each store pinged concurrently, each within its own timeout."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Mapping

import structlog

from atrium.health.schemas import CheckStatus

log = structlog.get_logger(__name__)
CHECK_TIMEOUT_SECONDS = 2.0
Ping = Callable[[], Awaitable[object]]


async def _check(name: str, ping: Ping) -> tuple[str, CheckStatus]:
    try:
        await asyncio.wait_for(ping(), CHECK_TIMEOUT_SECONDS)
    except TimeoutError:
        log.warning("readiness_timeout", store=name)
        return name, "timeout"
    except Exception as exc:
        log.warning("readiness_failed", store=name, error=type(exc).__name__)
        return name, "error"
    return name, "ok"


async def check_all(pings: Mapping[str, Ping]) -> dict[str, CheckStatus]:
    """Each store's ping, at once: ``{"sql": "ok", "mongo": "timeout", ...}``."""
    results = await asyncio.gather(*(_check(name, ping) for name, ping in pings.items()))
    return dict(results)
