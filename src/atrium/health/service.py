"""Readiness: each store pinged concurrently, each within its own timeout, and timed."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable, Mapping

import structlog

from atrium.core.state import AppState
from atrium.health.schemas import CheckStatus, StoreCheck

log = structlog.get_logger(__name__)
CHECK_TIMEOUT_SECONDS = 2.0
Ping = Callable[[], Awaitable[object]]


def store_pings(state: AppState) -> dict[str, Ping]:
    """Every store this process opened, by the name readiness reports it under."""
    return {
        "sql": state.db.ping,
        "mongo": state.mongo.ping,
        "redis": state.redis.ping,
        "storage": state.storage.ping,
    }


async def _check(name: str, ping: Ping) -> tuple[str, StoreCheck]:
    started = time.perf_counter()
    status: CheckStatus = "ok"
    try:
        await asyncio.wait_for(ping(), CHECK_TIMEOUT_SECONDS)
    except TimeoutError:
        log.warning("readiness_timeout", store=name)
        status = "timeout"
    except Exception as exc:
        log.warning("readiness_failed", store=name, error=type(exc).__name__)
        status = "error"
    latency_ms = round((time.perf_counter() - started) * 1000, 2)
    return name, StoreCheck(status=status, latency_ms=latency_ms)


async def measure_all(pings: Mapping[str, Ping]) -> dict[str, StoreCheck]:
    """Each store's ping, at once, with how long it took (the system monitor shows both)."""
    results = await asyncio.gather(*(_check(name, ping) for name, ping in pings.items()))
    return dict(results)


async def check_all(pings: Mapping[str, Ping]) -> dict[str, CheckStatus]:
    """Each store's ping, at once: ``{"sql": "ok", "mongo": "timeout", ...}``."""
    return {name: check.status for name, check in (await measure_all(pings)).items()}
