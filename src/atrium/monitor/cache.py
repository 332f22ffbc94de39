"""A value reused for a few seconds, fetched by one caller at a time (the others wait for it)."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from typing import Generic, TypeVar

T = TypeVar("T")


class Fresh(Generic[T]):
    """``fetch()``'s last result while younger than ``seconds``; concurrent misses share one."""

    def __init__(self, seconds: float, fetch: Callable[[], Awaitable[T]]) -> None:
        self._seconds, self._fetch = seconds, fetch
        self._value: T | None = None
        self._until = 0.0
        self._lock = asyncio.Lock()

    def _current(self) -> T | None:
        return self._value if time.monotonic() < self._until else None

    async def get(self) -> T:
        if (value := self._current()) is not None:
            return value
        async with self._lock:
            if (value := self._current()) is not None:
                return value
            fetched = await self._fetch()
            self._value, self._until = fetched, time.monotonic() + self._seconds
            return fetched
