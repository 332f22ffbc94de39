"""Refresh sessions in Redis: creation, rotation with reuse detection, listing, revocation.

Key layout (every key starts with ``settings.redis.key_prefix``):

- ``auth:session:{sid}``: hash ``uid su rjti ua agent ip created seen``; ``rjti`` is the id of
  the only refresh token that may still be used, ``ua`` the SHA-256 of the User-Agent it is
  bound to. Expires with the refresh token (sliding: every rotation renews it).
- ``auth:user-sessions:{uid}``: set of the user's session ids (pruned lazily).
- ``auth:revoked:{jti}``: an access token revoked by logout, until it would have expired.
- ``auth:nonce:{nonce}``: a login nonce already used, until its timestamp leaves the window.
- ``auth:credential-epoch:{uid}``: a counter bumped whenever all of a user's sessions are revoked
  (a password change or reset, an administrator's kick, a disable). Short-lived proofs a domain
  hands out after the password (a login challenge, an enrolment ticket) carry the epoch they were
  issued under and are refused once it moved. It lives ``EPOCH_TTL_SECONDS`` from its last bump:
  whatever is bound to it must live shorter (a counter that expired reads 0 again, which nothing
  issued before the bump can still hold).
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Awaitable
from dataclasses import dataclass
from enum import StrEnum
from typing import cast
from uuid import UUID

from atrium.auth.settings import AuthSettings
from atrium.config import Settings
from atrium.core.ids import uuid7
from atrium.core.redis import RedisClient, key

AGENT_MAX_LENGTH = 512
EPOCH_TTL_SECONDS = 2 * 24 * 3600

# KEYS: session, user's session set. ARGV: presented jti, UA hash, new jti, ttl, now, su, sid.
# Any refresh token of the session other than the current one is a replay (the token is
# signed, so it was issued by us and rotated away): the whole session goes.
_ROTATE = """
local current = redis.call('HMGET', KEYS[1], 'rjti', 'ua')
if not current[1] then return 'missing' end
local verdict = 'ok'
if current[2] ~= ARGV[2] then
  verdict = 'agent'
elseif current[1] ~= ARGV[1] then
  verdict = 'reused'
end
if verdict ~= 'ok' then
  redis.call('DEL', KEYS[1])
  redis.call('SREM', KEYS[2], ARGV[7])
  return verdict
end
redis.call('HSET', KEYS[1], 'rjti', ARGV[3], 'seen', ARGV[5], 'su', ARGV[6])
redis.call('EXPIRE', KEYS[1], ARGV[4])
redis.call('EXPIRE', KEYS[2], ARGV[4])
return 'ok'
"""


class Rotation(StrEnum):
    OK = "ok"
    MISSING = "missing"  # revoked or expired
    REUSED = "reused"  # an old refresh token came back: the session is now revoked
    AGENT = "agent"  # another User-Agent: the session is now revoked


@dataclass(frozen=True, slots=True)
class SessionRecord:
    id: str
    user_id: UUID
    is_superuser: bool
    user_agent: str
    ip_address: str
    created_at: float
    last_used_at: float


@dataclass(frozen=True, slots=True)
class SessionValidity:
    """What the hot path needs to know about a live session."""

    user_id: UUID
    is_superuser: bool


def agent_hash(user_agent: str) -> str:
    return hashlib.sha256(user_agent.encode("utf-8", "replace")).hexdigest()


class SessionStore:
    """The Redis side of sessions; every method is one round-trip."""

    def __init__(self, redis: RedisClient, settings: Settings) -> None:
        self.redis = redis
        self._redis_settings = settings.redis
        self.ttl = settings.group(AuthSettings).refresh_token_ttl_seconds
        self._rotate = redis.register_script(_ROTATE)

    def session_key(self, session_id: str) -> str:
        return key(self._redis_settings, "auth", "session", session_id)

    def user_key(self, user_id: UUID | str) -> str:
        return key(self._redis_settings, "auth", "user-sessions", str(user_id))

    def revoked_key(self, jti: str) -> str:
        return key(self._redis_settings, "auth", "revoked", jti)

    def nonce_key(self, nonce: str) -> str:
        return key(self._redis_settings, "auth", "nonce", nonce)

    def epoch_key(self, user_id: UUID | str) -> str:
        return key(self._redis_settings, "auth", "credential-epoch", str(user_id))

    async def epoch(self, user_id: UUID) -> int:
        """The user's credential epoch: 0 until their sessions are first revoked."""
        value = await self.redis.get(self.epoch_key(user_id))
        return int(value) if value else 0

    async def bump_epoch(self, user_id: UUID) -> None:
        """Move the user's credential epoch on: every proof issued under the old one is void."""
        async with self.redis.pipeline(transaction=True) as pipe:
            pipe.incr(self.epoch_key(user_id))
            pipe.expire(self.epoch_key(user_id), EPOCH_TTL_SECONDS)
            await pipe.execute()

    async def create(
        self, user_id: UUID, is_superuser: bool, refresh_jti: str, user_agent: str, ip: str
    ) -> str:
        """A new session whose only usable refresh token is ``refresh_jti``; its id."""
        session_id = str(uuid7())
        now = str(time.time())
        fields = {
            "uid": str(user_id),
            "su": "1" if is_superuser else "0",
            "rjti": refresh_jti,
            "ua": agent_hash(user_agent),
            "agent": user_agent[:AGENT_MAX_LENGTH],
            "ip": ip,
            "created": now,
            "seen": now,
        }
        async with self.redis.pipeline(transaction=True) as pipe:
            pipe.hset(self.session_key(session_id), mapping=fields)
            pipe.expire(self.session_key(session_id), self.ttl)
            pipe.sadd(self.user_key(user_id), session_id)
            pipe.expire(self.user_key(user_id), self.ttl)
            await pipe.execute()
        return session_id

    async def rotate(
        self,
        session_id: str,
        user_id: UUID,
        presented_jti: str,
        new_jti: str,
        user_agent: str,
        is_superuser: bool,
    ) -> Rotation:
        """Swap the session's refresh token for ``new_jti``, atomically."""
        keys = [self.session_key(session_id), self.user_key(user_id)]
        superuser = "1" if is_superuser else "0"
        args: list[str | int | float] = [
            presented_jti,
            agent_hash(user_agent),
            new_jti,
            self.ttl,
            time.time(),
            superuser,
            session_id,
        ]
        result = await self._rotate(keys=keys, args=args)
        return Rotation(result)

    async def validity(self, session_id: str, jti: str) -> SessionValidity | None:
        """The live session ``session_id``, unless it or the access token ``jti`` is revoked."""
        async with self.redis.pipeline(transaction=False) as pipe:
            pipe.hmget(self.session_key(session_id), ["uid", "su"])
            pipe.exists(self.revoked_key(jti))
            (uid, su), revoked = await pipe.execute()
        if uid is None or revoked:
            return None
        return SessionValidity(UUID(uid), su == "1")

    async def list(self, user_id: UUID) -> list[SessionRecord]:
        """The user's live sessions, oldest first; ids of expired ones are pruned."""
        session_ids = sorted(await self._members(user_id))
        async with self.redis.pipeline(transaction=False) as pipe:
            for session_id in session_ids:
                pipe.hgetall(self.session_key(session_id))
            rows = await pipe.execute()
        gone = [sid for sid, row in zip(session_ids, rows, strict=True) if not row]
        if gone:
            await cast(Awaitable[int], self.redis.srem(self.user_key(user_id), *gone))
        return [_record(sid, row) for sid, row in zip(session_ids, rows, strict=True) if row]

    async def owner(self, session_id: str) -> UUID | None:
        uid = await cast(
            Awaitable[str | None], self.redis.hget(self.session_key(session_id), "uid")
        )
        return UUID(uid) if uid else None

    async def delete(self, session_id: str, user_id: UUID) -> bool:
        """Revoke one session; True if it was live."""
        async with self.redis.pipeline(transaction=True) as pipe:
            pipe.delete(self.session_key(session_id))
            pipe.srem(self.user_key(user_id), session_id)
            deleted, _ = await pipe.execute()
        return bool(deleted)

    async def delete_all(self, user_id: UUID, except_session: str | None = None) -> int:
        """Revoke every session of a user (but ``except_session``); how many were live."""
        session_ids = [sid for sid in await self._members(user_id) if sid != except_session]
        if not session_ids:
            return 0
        async with self.redis.pipeline(transaction=True) as pipe:
            pipe.delete(*(self.session_key(sid) for sid in session_ids))
            pipe.srem(self.user_key(user_id), *session_ids)
            deleted, _ = await pipe.execute()
        return int(deleted)

    async def _members(self, user_id: UUID) -> set[str]:
        return await cast(Awaitable[set[str]], self.redis.smembers(self.user_key(user_id)))

    async def revoke_access(self, jti: str, expires_at: int) -> None:
        """Refuse the access token ``jti`` until it would have expired anyway."""
        ttl = max(1, expires_at - int(time.time()) + 1)
        await self.redis.set(self.revoked_key(jti), "1", ex=ttl)

    async def claim_nonce(self, nonce: str, ttl: int) -> bool:
        """True the first time a login nonce is seen; False for a replay."""
        return bool(await self.redis.set(self.nonce_key(nonce), "1", nx=True, ex=max(1, ttl)))


def _record(session_id: str, row: dict[str, str]) -> SessionRecord:
    return SessionRecord(
        id=session_id,
        user_id=UUID(row["uid"]),
        is_superuser=row.get("su") == "1",
        user_agent=row.get("agent", ""),
        ip_address=row.get("ip", ""),
        created_at=float(row.get("created", 0)),
        last_used_at=float(row.get("seen", 0)),
    )
