"""After every commit that changed access: drop the stale permission sets on every node, then
end the sessions that must end, before the caller goes on (a request answers only then).

One commit hook, hung on the database by ``rbac.lifecycle.attach`` wherever SQL is opened (the
API, a worker, a command), so no route, task or command has anything to remember. When Redis
cannot be reached the change stays saved and the caller gets 503 ``RBAC_PROPAGATION_FAILED``.
"""

from __future__ import annotations

from redis.exceptions import RedisError

from atrium.auth import service as auth_service
from atrium.auth.sessions import SessionStore
from atrium.config import Settings
from atrium.core.db import Database
from atrium.core.redis import RedisClient
from atrium.core.uow import Committed
from atrium.rbac.cache import ChangeSet, invalidate
from atrium.rbac.changes import AccessChanges, collect
from atrium.rbac.errors import RbacPropagationFailed


class AccessHook:
    """The commit hook: ``collect`` what changed, invalidate it, end the sessions."""

    def __init__(self, db: Database, redis: RedisClient, settings: Settings) -> None:
        self.db = db
        self.redis = redis
        self.settings = settings

    def __repr__(self) -> str:
        return "AccessHook()"

    async def __call__(self, committed: Committed) -> None:
        changes = collect(committed)
        try:
            await self._propagate(changes)
        except RedisError as exc:
            raise RbacPropagationFailed() from exc

    async def _propagate(self, changes: AccessChanges) -> None:
        stale = ChangeSet(changes.user_ids, changes.role_ids, changes.everything)
        await invalidate(self.redis, self.settings, self.db, stale)
        if changes.kick or changes.ended:
            sessions = SessionStore(self.redis, self.settings)
            for user_id in sorted(changes.kick):
                await auth_service.end_user_sessions(sessions, self.settings, user_id)
            for user_id, session_id in sorted(changes.ended):
                if user_id not in changes.kick:
                    await auth_service.end_session(sessions, self.settings, user_id, session_id)
