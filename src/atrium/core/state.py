"""The process's shared resources: opened once (the lifespan, a worker process, beat, a command),
closed once. ``open_state`` opens any subset: SQL and Redis always, MongoDB and object storage
when asked (beat has no use for storage, a command for neither); a store not opened is refused
with a clear error where something reaches for it."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from typing import Any, TypeVar, cast

import structlog
from beanie import Document

from atrium.config import Settings
from atrium.core.db import Database
from atrium.core.mongo import Mongo
from atrium.core.redis import RedisClient, create_redis
from atrium.core.statekey import StateKey
from atrium.core.storage import Storage

__all__ = ["AppState", "StateKey", "open_state"]

T = TypeVar("T")
log = structlog.get_logger(__name__)


class AppState:
    """Settings plus the open clients of every store, and typed slots for domains."""

    def __init__(
        self,
        settings: Settings,
        db: Database,
        redis: RedisClient,
        mongo: Mongo | None = None,
        storage: Storage | None = None,
    ) -> None:
        self.settings = settings
        self.db = db
        self.redis = redis
        self._mongo = mongo
        self._storage = storage
        self._slots: dict[str, Any] = {}

    @property
    def mongo(self) -> Mongo:
        if self._mongo is None:
            raise LookupError("this process did not open MongoDB (open_state(mongo=True))")
        return self._mongo

    @property
    def storage(self) -> Storage:
        if self._storage is None:
            raise LookupError("this process did not open storage (open_state(storage=True))")
        return self._storage

    @storage.setter
    def storage(self, storage: Storage) -> None:
        self._storage = storage

    def set(self, key: StateKey[T], value: T) -> None:
        self._slots[key.name] = value

    def get(self, key: StateKey[T]) -> T:
        try:
            return cast(T, self._slots[key.name])
        except KeyError:
            raise LookupError(f"{key!r} was not set at startup") from None

    def find(self, key: StateKey[T]) -> T | None:
        return cast(T | None, self._slots.get(key.name))

    async def close(self) -> None:
        """Close every client; one failing does not keep the others open."""
        closers: list[tuple[str, Callable[[], Awaitable[None]]]] = [("redis", self.redis.aclose)]
        if self._mongo is not None:
            closers.append(("mongo", self._mongo.close))
        closers.append(("sql", self.db.dispose))
        for name, closer in closers:
            try:
                await closer()
            except Exception:
                log.exception("close_failed", resource=name)
        if self._storage is not None:
            self._storage.close()


async def open_state(
    settings: Settings,
    documents: Sequence[type[Document]] = (),
    *,
    mongo: bool = True,
    storage: bool = True,
) -> AppState:
    """Open SQL and Redis, and MongoDB (with Beanie) and storage (ensuring the bucket) unless
    told not to; what was opened is closed again if one of them fails to open."""
    state = AppState(
        settings,
        Database(settings.sql),
        create_redis(settings.redis),
        Mongo(settings.mongo) if mongo else None,
        Storage(settings.storage) if storage else None,
    )
    try:
        if mongo:
            await state.mongo.init_documents(documents)
        if storage:
            await state.storage.ensure_bucket()
    except BaseException:
        await state.close()
        raise
    return state
