"""After every commit that revoked, changed or deleted keys: every node forgets them before the
caller goes on (a request answers only then).

One commit hook on the ``api_keys`` table, hung on the database wherever SQL is opened
(``lifecycle.attach``: the API, a worker, a command). A new key needs nothing (no node has it);
the batched "last used" write is plain SQL, which no hook sees. When Redis cannot be reached the
revocation stays saved and the caller gets 503 ``APIKEY_PROPAGATION_FAILED`` (the lease is the
last safety net).
"""

from __future__ import annotations

from uuid import UUID

from redis.exceptions import RedisError

from atrium.apikeys.cache import announce
from atrium.apikeys.errors import ApiKeyPropagationFailed
from atrium.apikeys.models import ApiKey
from atrium.config import Settings
from atrium.core.redis import RedisClient
from atrium.core.uow import Committed, Operation

TABLE = str(ApiKey.__tablename__)
USAGE_FIELDS = frozenset({"last_used_at", "last_used_ip", "last_used_agent", "updated_at"})


class KeyRevocationHook:
    """The commit hook: the keys a commit revoked, changed or deleted, dropped everywhere."""

    def __init__(self, redis: RedisClient, settings: Settings) -> None:
        self.redis = redis
        self.settings = settings

    def __repr__(self) -> str:
        return "KeyRevocationHook()"

    async def __call__(self, committed: Committed) -> None:
        stale: set[UUID] = set()
        for change in committed.changes:
            if change.entity != TABLE or change.operation is Operation.INSERT:
                continue
            if change.operation is Operation.UPDATE and set(change.fields) <= USAGE_FIELDS:
                continue
            stale.add(UUID(str(change.key[0])))
        if not stale:
            return
        try:
            await announce(self.redis, self.settings, stale)
        except RedisError as exc:
            raise ApiKeyPropagationFailed() from exc
