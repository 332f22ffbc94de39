"""After every commit that changes a dictionary type or item: every node forgets what it holds
before the caller goes on (``cache.announce``).

One commit hook on both tables, hung on the database wherever SQL is opened
(``lifecycle.attach``: the API, a worker, ``atrium initdb``). When Redis cannot be reached the
change stays saved and the caller gets 503 ``DICTIONARY_PROPAGATION_FAILED``; nodes catch up when
their lease ends.
"""

from __future__ import annotations

from redis.exceptions import RedisError

from atrium.config import Settings
from atrium.core.redis import RedisClient
from atrium.core.uow import Committed
from atrium.dictionaries.cache import announce
from atrium.dictionaries.errors import DictionaryPropagationFailed
from atrium.dictionaries.models import DictionaryItem, DictionaryType

TABLES = frozenset({str(DictionaryType.__tablename__), str(DictionaryItem.__tablename__)})


class DictionaryChangeHook:
    """The commit hook: any change to the dictionaries, announced once per commit."""

    def __init__(self, redis: RedisClient, settings: Settings) -> None:
        self.redis = redis
        self.settings = settings

    def __repr__(self) -> str:
        return "DictionaryChangeHook()"

    async def __call__(self, committed: Committed) -> None:
        if not any(change.entity in TABLES for change in committed.changes):
            return
        try:
            await announce(self.redis, self.settings)
        except RedisError as exc:
            raise DictionaryPropagationFailed() from exc
