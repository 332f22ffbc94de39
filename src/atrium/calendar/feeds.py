"""A user's iCalendar feed: one secret URL per user that calendar apps subscribe to.

The secret is the credential (the feed route is public); only its SHA-256 is stored, so a copy of
the database does not open anyone's feed. Rotating issues a new secret (the old URL stops
working), revoking deletes it: the next fetch of the old URL is a 404.
"""

from __future__ import annotations

import hashlib
import secrets
from uuid import UUID

from sqlalchemy.ext.asyncio import AsyncSession

from atrium.calendar import ics, repository
from atrium.calendar.errors import FeedNotFound
from atrium.calendar.models import FeedToken
from atrium.core.clock import utcnow

MAX_FEED_EVENTS = 2000


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


async def status(session: AsyncSession, user_id: UUID) -> FeedToken | None:
    """The user's feed token (its hash and date only), if there is one."""
    return await repository.feed_of(session, user_id)


async def issue(session: AsyncSession, user_id: UUID) -> tuple[str, FeedToken]:
    """A new secret for the user's feed (replacing any earlier one): the secret, shown once."""
    secret = secrets.token_urlsafe(32)
    found = await repository.feed_of(session, user_id)
    if found is None:
        found = FeedToken(user_id=user_id, token_hash=_hash(secret), created_at=utcnow())
        session.add(found)
    else:
        found.token_hash, found.created_at = _hash(secret), utcnow()
    await session.flush()
    return secret, found


async def revoke(session: AsyncSession, user_id: UUID) -> bool:
    """Delete the user's feed token; whether there was one."""
    found = await repository.feed_of(session, user_id)
    if found is not None:
        await session.delete(found)
        await session.flush()
    return found is not None


async def feed(session: AsyncSession, secret: str) -> bytes:
    """The feed a secret opens (404 ``CALENDAR_FEED_NOT_FOUND`` for an unknown one)."""
    if len(secret) > 200:
        raise FeedNotFound()
    found = await repository.feed_by_hash(session, _hash(secret))
    if found is None:
        raise FeedNotFound()
    events = await repository.events_of(session, found.user_id, MAX_FEED_EVENTS)
    return ics.calendar(events, name="Atrium")
