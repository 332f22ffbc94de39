"""Short-lived, single-use tokens in Redis, and the last accepted TOTP step of each user.

A login challenge (step one's answer) and an enrolment ticket (for a user a role requires to
enrol) are random tokens bound to one user; Redis holds only their SHA-256 under a TTL. A token
is read while its holder retries and spent (``GETDEL``) by the one request that succeeds, so it
works once even when two requests race. Each token also carries the holder's credential epoch
(``atrium.auth.sessions.SessionStore.epoch``) at issue: once all their sessions are revoked (a
password change or reset, an administrator's kick) the epoch moves on and the token is refused,
however long it had left.

``claim_step`` remembers the last time step a user's code was accepted for and refuses any step
not after it: a code seen once (over a shoulder, in a log) cannot be replayed, even within its
window. The key lives long enough for every step it could refuse to have left the window.
"""

from __future__ import annotations

import hashlib
import secrets
from enum import StrEnum
from uuid import UUID

from atrium.auth.sessions import SessionStore
from atrium.config import Settings
from atrium.core.redis import RedisClient, key

TOKEN_BYTES = 32
TOKEN_MAX_LENGTH = 128

# Set the step only if it is after the one stored: 1 if accepted, 0 if not.
_CLAIM_STEP = """
local last = tonumber(redis.call('GET', KEYS[1]) or '-1')
if tonumber(ARGV[1]) <= last then return 0 end
redis.call('SET', KEYS[1], ARGV[1], 'EX', ARGV[2])
return 1
"""


class TicketKind(StrEnum):
    CHALLENGE = "challenge"
    ENROLMENT = "enrolment"


def digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class Tickets:
    """Challenges, enrolment tickets and last steps under ``{prefix}twofactor:...``."""

    def __init__(self, redis: RedisClient, settings: Settings) -> None:
        self.redis = redis
        self._settings = settings
        self._epochs = SessionStore(redis, settings)

    def _key(self, *parts: str) -> str:
        return key(self._settings.redis, "twofactor", *parts)

    async def issue(self, kind: TicketKind, user_id: UUID, ttl: int) -> str:
        """A new token for ``user_id``, valid ``ttl`` seconds."""
        token = secrets.token_urlsafe(TOKEN_BYTES)
        bound = f"{user_id}:{await self._epochs.epoch(user_id)}"
        await self.redis.set(self._key(kind, digest(token)), bound, ex=ttl)
        return token

    async def holder(self, kind: TicketKind, token: str) -> UUID | None:
        """The user a live token is bound to (None: unknown, expired, spent, altered, or issued
        before the user's sessions were last revoked)."""
        if not token or len(token) > TOKEN_MAX_LENGTH:
            return None
        bound = _binding(await self.redis.get(self._key(kind, digest(token))))
        if bound is None or bound[1] != await self._epochs.epoch(bound[0]):
            return None
        return bound[0]

    async def spend(self, kind: TicketKind, token: str) -> UUID | None:
        """Use the token up; its user, or None when it was spent already (a race lost)."""
        bound = _binding(await self.redis.getdel(self._key(kind, digest(token))))
        return bound[0] if bound is not None else None

    async def claim_step(self, user_id: UUID, step: int, ttl: int) -> bool:
        """Accept ``step`` for the user if it is after the last accepted one."""
        found = await self.redis.eval(  # type: ignore[misc]
            _CLAIM_STEP, 1, self._key("step", str(user_id)), str(step), str(ttl)
        )
        return bool(int(found))

    async def forget_steps(self, user_id: UUID) -> None:
        await self.redis.delete(self._key("step", str(user_id)))


def _binding(value: str | None) -> tuple[UUID, int] | None:
    """``user_id:epoch`` as stored, or None for anything else."""
    user_id, _, epoch = (value or "").partition(":")
    try:
        return UUID(user_id), int(epoch)
    except ValueError:
        return None
