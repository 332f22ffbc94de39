"""A user's effective permission set: in process, in Redis, from SQL, in that order.

Keys (every key starts with ``settings.redis.key_prefix``):

- ``auth:permission:{user_id}``: the set as JSON, TTL = the access token lifetime;
- ``auth:permission-seq``: bumped by every invalidation; a fill computed from SQL is only
  written if the counter did not move meanwhile (so a fill that read the database before a
  change committed cannot store the old grants after the change was announced);
- ``auth:permission-epoch``: bumped to invalidate every stored set at once.

Every change (a user's roles or status, a role's grants, menus or status, a role deleted) goes
through ``invalidate`` after its commit: the affected Redis entries are deleted, then every node
drops its in-process entries and acknowledges (``atrium.core.invalidation``) before the change
is reported done. In-process entries live ``rbac.permission_cache_seconds`` at most and are only
used while the node's invalidation subscription is alive.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any
from uuid import UUID

import structlog
from redis.exceptions import RedisError

from atrium.auth.settings import AuthSettings
from atrium.config import Settings
from atrium.core.db import Database
from atrium.core.invalidation import publish_acked
from atrium.core.leasedcache import LeasedCache
from atrium.core.redis import RedisClient, key
from atrium.rbac import repository
from atrium.rbac.models import RoleStatus
from atrium.rbac.patterns import Matcher, compile_grants
from atrium.rbac.settings import RbacSettings
from atrium.users import repository as users_repository
from atrium.users.models import UserStatus

log = structlog.get_logger(__name__)

USERS_CHANGED = "permissions_changed"
FLUSHED = "permissions_flushed"
# Above this many users an invalidation tells nodes to flush rather than list every id.
MAX_LISTED_USERS = 500
_DEL_CHUNK = 1000

# KEYS: entry, seq. ARGV: expected seq, value, ttl.
_FILL = """
if (redis.call('GET', KEYS[2]) or '0') == ARGV[1] then
  redis.call('SET', KEYS[1], ARGV[2], 'EX', ARGV[3])
  return 1
end
return 0
"""


class PermissionSet:
    """What the check needs to know about one user; decisions are memoized per code."""

    __slots__ = (
        "_decisions",
        "_matcher",
        "active",
        "epoch",
        "exists",
        "grants",
        "is_superuser",
        "role_ids",
        "user_id",
    )

    def __init__(
        self,
        user_id: UUID,
        *,
        exists: bool,
        active: bool,
        is_superuser: bool,
        role_ids: Iterable[UUID],
        grants: Iterable[str],
        epoch: str = "0",
    ) -> None:
        self.user_id = user_id
        self.exists = exists
        self.active = active
        self.is_superuser = is_superuser
        self.role_ids = frozenset(role_ids)  # active roles only
        self.grants = tuple(grants)  # from the user's active roles only
        self.epoch = epoch
        self._matcher: Matcher | None = None
        self._decisions: dict[str, bool] = {}

    def allows(self, code: str) -> bool:
        """Whether a grant covers ``code`` (superuser and status are the caller's to check)."""
        decision = self._decisions.get(code)
        if decision is None:
            if self._matcher is None:
                self._matcher = compile_grants(self.grants)
            decision = self._decisions[code] = self._matcher(code)
        return decision

    def to_json(self) -> str:
        return json.dumps(
            {
                "e": self.exists,
                "a": self.active,
                "su": self.is_superuser,
                "r": sorted(str(role_id) for role_id in self.role_ids),
                "g": list(self.grants),
                "ep": self.epoch,
            },
            separators=(",", ":"),
        )

    @classmethod
    def from_json(cls, user_id: UUID, text: str) -> PermissionSet:
        data = json.loads(text)
        return cls(
            user_id,
            exists=bool(data["e"]),
            active=bool(data["a"]),
            is_superuser=bool(data["su"]),
            role_ids=(UUID(role_id) for role_id in data["r"]),
            grants=data["g"],
            epoch=str(data.get("ep", "0")),
        )


async def load(db: Database, user_id: UUID, epoch: str = "0") -> PermissionSet:
    """Compute a user's set from SQL (three small queries, in one transaction)."""
    async with db.session() as session:
        flags = await users_repository.flags(session, user_id)
        if flags is None:
            return PermissionSet(
                user_id, exists=False, active=False, is_superuser=False, role_ids=(), grants=()
            )
        roles = await repository.role_states(session, user_id)
        active_roles = [role_id for role_id, status in roles if status == RoleStatus.ACTIVE]
        grants = await repository.grants_of(session, active_roles)
    status, is_superuser = flags
    return PermissionSet(
        user_id,
        exists=True,
        active=status == UserStatus.ACTIVE,
        is_superuser=is_superuser,
        role_ids=active_roles,  # a disabled role reaches nothing: no grant, no shared record
        grants=grants,
        epoch=epoch,
    )


class PermissionStore:
    """The Redis side: read, conditional fill, invalidation."""

    def __init__(self, redis: RedisClient, settings: Settings) -> None:
        self.redis = redis
        self._settings = settings.redis
        self.ttl = settings.group(AuthSettings).access_token_ttl_seconds
        self._fill = redis.register_script(_FILL)
        self.seq_key = key(self._settings, "auth", "permission-seq")
        self.epoch_key = key(self._settings, "auth", "permission-epoch")

    def entry_key(self, user_id: UUID) -> str:
        return key(self._settings, "auth", "permission", str(user_id))

    async def read(self, user_id: UUID) -> tuple[PermissionSet | None, str, str]:
        """(the stored set or None, the invalidation seq, the epoch), in one round-trip."""
        async with self.redis.pipeline(transaction=False) as pipe:
            pipe.get(self.entry_key(user_id))
            pipe.get(self.epoch_key)
            pipe.get(self.seq_key)
            raw, epoch, seq = await pipe.execute()
        epoch, seq = epoch or "0", seq or "0"
        if raw is None:
            return None, seq, epoch
        found = PermissionSet.from_json(user_id, raw)
        return (found if found.epoch == epoch else None), seq, epoch

    async def fill(self, found: PermissionSet, seq: str) -> bool:
        """Store a set computed after reading ``seq``, unless an invalidation came since."""
        stored = await self._fill(
            keys=[self.entry_key(found.user_id), self.seq_key],
            args=[seq, found.to_json(), self.ttl],
        )
        return bool(stored)

    async def drop(self, user_ids: Iterable[UUID], everything: bool = False) -> None:
        keys = [self.entry_key(user_id) for user_id in user_ids]
        async with self.redis.pipeline(transaction=True) as pipe:
            pipe.incr(self.seq_key)
            if everything:
                pipe.incr(self.epoch_key)
            for start in range(0, len(keys), _DEL_CHUNK):
                pipe.delete(*keys[start : start + _DEL_CHUNK])
            await pipe.execute()


class LocalPermissions(LeasedCache[UUID, PermissionSet]):
    """``user id -> PermissionSet`` for a short lease; fed by the invalidation listener."""

    def put(self, found: PermissionSet, generation: int) -> bool:
        """Remember a set, unless an invalidation arrived since ``generation`` was read."""
        return self.remember(found.user_id, found, generation)

    def apply(self, event: Mapping[str, Any]) -> None:
        """Drop the listed users' sets (everything, for any other event)."""
        user_ids = event.get("userIds")
        if event.get("type") != USERS_CHANGED or not isinstance(user_ids, list):
            self.flush()
            return
        try:
            self.invalidate([UUID(str(user_id)) for user_id in user_ids])
        except ValueError:
            self.flush()


def channel(settings: Settings) -> str:
    """``{prefix}atrium:rbac:invalidations``: every API node listens, and acknowledges."""
    return key(settings.redis, "atrium", "rbac", "invalidations")


@dataclass(slots=True)
class ChangeSet:
    """What a change touched; ``invalidate`` turns it into dropped cache entries."""

    user_ids: set[UUID] = field(default_factory=set)
    role_ids: set[UUID] = field(default_factory=set)
    everything: bool = False

    def users(self, *user_ids: UUID) -> None:
        self.user_ids.update(user_ids)

    def roles(self, *role_ids: UUID) -> None:
        self.role_ids.update(role_ids)

    def __bool__(self) -> bool:
        return bool(self.user_ids or self.role_ids or self.everything)


async def invalidate(
    redis: RedisClient, settings: Settings, db: Database, changes: ChangeSet
) -> None:
    """After the change committed: drop every affected set in Redis and on every node.

    A role's members are read now (after the commit); callers deleting a role or a link add
    the affected users to ``changes`` before the rows go.
    """
    if not changes:
        return
    user_ids = set(changes.user_ids)
    if changes.role_ids and not changes.everything:
        async with db.session() as session:
            user_ids |= await repository.member_ids(session, changes.role_ids)
    await PermissionStore(redis, settings).drop(user_ids, everything=changes.everything)
    event: dict[str, Any] = {"type": FLUSHED}
    if not changes.everything and len(user_ids) <= MAX_LISTED_USERS:
        event = {"type": USERS_CHANGED, "userIds": sorted(str(user_id) for user_id in user_ids)}
    timeout = settings.group(AuthSettings).revocation_ack_timeout_seconds
    await publish_acked(redis, channel(settings), _ack_prefix(settings), event, timeout)


def _ack_prefix(settings: Settings) -> str:
    return key(settings.redis, "rbac", "ack", "")


class Permissions:
    """The per-process permission service: ``get`` is the hot path.

    Misses are single-flight (``LeasedCache.get_or_fetch``): when an entry expires under load,
    the concurrent requests of that user share one Redis read instead of each making its own. A
    request only joins a read that started after the last invalidation this node applied (same
    generation), so nobody is handed a set read before a change that was already reported done.
    """

    def __init__(self, db: Database, redis: RedisClient, settings: Settings) -> None:
        self.db = db
        self.settings = settings
        self.store = PermissionStore(redis, settings)
        self.local = LocalPermissions(settings.group(RbacSettings).permission_cache_seconds)

    async def get(self, user_id: UUID) -> PermissionSet:
        return await self.local.get_or_fetch(user_id, lambda: self._fetch(user_id))

    async def _fetch(self, user_id: UUID) -> tuple[PermissionSet, bool]:
        """The user's set, and whether this node may keep it."""
        try:
            found, seq, epoch = await self.store.read(user_id)
        except RedisError:
            log.warning("permission_cache_unavailable", user_id=str(user_id))
            return await load(self.db, user_id), False  # the database is the truth; keep nothing
        if found is not None:
            return found, True
        found = await load(self.db, user_id, epoch)
        return found, await self._fill(found, seq)  # not filled: an invalidation raced this read

    async def _fill(self, found: PermissionSet, seq: str) -> bool:
        try:
            return await self.store.fill(found, seq)
        except RedisError:
            log.warning("permission_cache_fill_failed", user_id=str(found.user_id))
            return False

    async def invalidate(self, changes: ChangeSet) -> None:
        await invalidate(self.store.redis, self.settings, self.db, changes)
