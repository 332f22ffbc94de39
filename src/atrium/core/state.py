"""The process's shared resources: opened once (lifespan or worker init), closed once."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Generic, TypeVar, cast

import structlog
from beanie import Document

from atrium.config import Settings
from atrium.core.db import Database
from atrium.core.mongo import Mongo
from atrium.core.redis import RedisClient, create_redis
from atrium.core.storage import Storage

T = TypeVar("T")
log = structlog.get_logger(__name__)


class StateKey(Generic[T]):
    """A typed slot for a domain's own singleton (a key ring, a socket server, a cache)."""

    def __init__(self, name: str) -> None:
        self.name = name

    def __repr__(self) -> str:
        return f"StateKey({self.name!r})"


class AppState:
    """Settings plus the open clients of every store, and typed slots for domains."""

    def __init__(
        self,
        settings: Settings,
        db: Database,
        mongo: Mongo,
        redis: RedisClient,
        storage: Storage,
    ) -> None:
        self.settings = settings
        self.db = db
        self.mongo = mongo
        self.redis = redis
        self.storage = storage
        self._slots: dict[str, Any] = {}

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
        for name, closer in (
            ("redis", self.redis.aclose),
            ("mongo", self.mongo.close),
            ("sql", self.db.dispose),
        ):
            try:
                await closer()
            except Exception:
                log.exception("close_failed", resource=name)
        self.storage.close()


async def open_state(settings: Settings, documents: Sequence[type[Document]]) -> AppState:
    """Open SQL, MongoDB (with Beanie), Redis and storage (ensuring the bucket)."""
    db = Database(settings.sql)
    mongo = Mongo(settings.mongo)
    redis = create_redis(settings.redis)
    storage = Storage(settings.storage)
    state = AppState(settings, db, mongo, redis, storage)
    try:
        await mongo.init_documents(documents)
        await storage.ensure_bucket()
    except BaseException:
        await state.close()
        raise
    return state
