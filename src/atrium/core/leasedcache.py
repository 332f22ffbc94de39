"""A leased in-process cache for the hot path, kept honest across nodes by push invalidation.

A node keeps ``key -> value`` in a dict, so a warm request needs no network. What makes that
safe across nodes lives in ``atrium.core.invalidation``: a change publishes an invalidation, and
every node applies it (``apply``) and acknowledges before the change is reported done. This
module holds the cache side and its safety nets, for a node that misses a message:

- a lease: an entry is served for ``lease_seconds`` at most (a lease of 0 turns the cache off);
- liveness: nothing is served while the invalidation subscription is down or silent, and
  everything is forgotten when it is lost and again when it is made (``heard``, ``silenced``,
  ``flush``: the ``InvalidationSink`` the listener feeds);
- a generation, bumped by every invalidation: a value read from the stores is only kept if no
  invalidation arrived while it was read (``remember`` takes the generation read before);
- a bound: at ``max_entries`` the cache starts over rather than grow;
- single-flight misses (``get_or_fetch``): concurrent misses of one key share one fetch, but
  only one that started after the last invalidation applied here.

Entries may be grouped (a session under its user), so that one event drops a whole group.
A cache subclass says what its events mean by overriding ``apply``.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable, Hashable, Iterable, Mapping
from typing import Any, Generic, TypeVar

from atrium.core.invalidation import AckedListener, Liveness
from atrium.core.redis import RedisClient

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")

MAX_ENTRIES = 100_000

# What a miss runs: the value, and whether this node may keep it (False: use it once).
Fetch = Callable[[], Awaitable[tuple[V, bool]]]


class LeasedCache(Generic[K, V]):
    """``key -> value`` for a short lease, while the invalidation feed is alive."""

    def __init__(
        self,
        lease_seconds: float,
        *,
        max_entries: int = MAX_ENTRIES,
        group: Callable[[V], Hashable] | None = None,
    ) -> None:
        self.lease = lease_seconds
        self.max_entries = max_entries
        self.generation = 0
        self._group = group
        self._entries: dict[K, tuple[float, V]] = {}
        self._groups: dict[Hashable, set[K]] = {}
        self._inflight: dict[K, tuple[int, asyncio.Task[V]]] = {}
        self._liveness = Liveness()

    @property
    def live(self) -> bool:
        """Leased, subscribed and heard from recently: only then may the cache answer."""
        return self.lease > 0 and self._liveness.live

    def get(self, key: K) -> V | None:
        entry = self._entries.get(key)
        if entry is None or not self.live:
            return None
        if entry[0] < time.monotonic():
            self._drop(key)
            return None
        return entry[1]

    def remember(self, key: K, value: V, generation: int) -> bool:
        """Keep ``value`` (read at ``generation``), unless an invalidation came since."""
        if generation != self.generation or not self.live:
            return False
        if len(self._entries) >= self.max_entries:
            self._clear()  # the bound, not an invalidation: fills under way stay valid
        self._drop(key)
        self._entries[key] = (time.monotonic() + self.lease, value)
        if self._group is not None:
            self._groups.setdefault(self._group(value), set()).add(key)
        return True

    async def get_or_fetch(self, key: K, fetch: Fetch[V]) -> V:
        """The cached value, or the result of ``fetch`` shared with every concurrent miss."""
        found = self.get(key)
        if found is not None:
            return found
        generation = self.generation
        pending = self._inflight.get(key)
        if pending is None or pending[0] != generation:
            task = asyncio.create_task(self._fetch(key, fetch, generation))
            task.add_done_callback(self._forget(key))
            pending = self._inflight[key] = (generation, task)
        return await asyncio.shield(pending[1])

    def invalidate(self, keys: Iterable[K]) -> None:
        """Forget ``keys``; a fill read before now is not kept."""
        self.generation += 1
        for key in keys:
            self._drop(key)

    def invalidate_group(self, group: Hashable, keep: K | None = None) -> None:
        """Forget every entry of ``group`` but ``keep``; a fill read before now is not kept."""
        self.generation += 1
        for key in [key for key in self._groups.get(group, ()) if key != keep]:
            self._drop(key)

    def flush(self) -> None:
        """Forget everything; a fill read before now is not kept."""
        self.generation += 1
        self._clear()

    def apply(self, event: Mapping[str, Any]) -> None:
        """Drop what an invalidation event names; this cache names nothing, so it forgets all."""
        self.flush()

    def heard(self) -> None:
        self._liveness.heard()

    async def subscribe(self, redis: RedisClient, channel: str) -> AckedListener | None:
        """Start listening to ``channel`` for this cache's invalidations (None: no lease, so
        nothing to keep honest)."""
        if self.lease <= 0:
            return None
        listener = AckedListener(redis, channel, self)
        await listener.start()
        return listener

    def silenced(self) -> None:
        self._liveness.lost()
        self.flush()

    async def _fetch(self, key: K, fetch: Fetch[V], generation: int) -> V:
        value, keep = await fetch()
        if keep:
            self.remember(key, value, generation)
        return value

    def _forget(self, key: K) -> Callable[[asyncio.Task[V]], None]:
        def done(task: asyncio.Task[V]) -> None:
            pending = self._inflight.get(key)
            if pending is not None and pending[1] is task:
                del self._inflight[key]
            if not task.cancelled():
                task.exception()  # retrieved: every waiter may have gone

        return done

    def _drop(self, key: K) -> None:
        entry = self._entries.pop(key, None)
        if entry is None or self._group is None:
            return
        group = self._group(entry[1])
        members = self._groups.get(group)
        if members is not None:
            members.discard(key)
            if not members:
                del self._groups[group]

    def _clear(self) -> None:
        self._entries.clear()
        self._groups.clear()
