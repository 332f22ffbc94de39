"""The guard's side of API keys: a presented key to a principal, warm with no network.

``ApiKeyVerifier`` is what auth's guard hands every credential starting with ``atr_``
(``AuthRuntime.key_verifier``). Warm: the exact string is in the cache of verified keys
(``cache.VerifiedKeys``, invalidated across nodes on revocation), its expiry is checked, the use
is noted for the batched "last used" write, and the record's principal is returned. Cold: one SQL
query by the key's lookup part, the hash compared in constant time, revocation and expiry
checked; concurrent misses of one key share that query. What the owner may do (status, grants)
is RBAC's to say next, from its own cache, like for a session.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime

from sqlalchemy.exc import SQLAlchemyError

from atrium.apikeys import repository
from atrium.apikeys.cache import KeyRecord, VerifiedKeys
from atrium.apikeys.credential import PREFIX, lookup_of, matches
from atrium.apikeys.errors import ApiKeyExpired, ApiKeyInvalid, ApiKeyRevoked, ApiKeyUnavailable
from atrium.apikeys.models import ApiKey
from atrium.apikeys.scope import KeyScope
from atrium.apikeys.usage import UsageRecorder
from atrium.auth.principal import ClientInfo, Principal
from atrium.core.db import Database

# A key without an expiry: its principal's ``expires_at``.
NEVER = datetime.max.replace(tzinfo=UTC)


class ApiKeyVerifier:
    """Verifies presented keys for the guard (``atrium.auth.principal.KeyVerifier``)."""

    prefix = PREFIX

    def __init__(self, db: Database, cache: VerifiedKeys, usage: UsageRecorder) -> None:
        self.db = db
        self.cache = cache
        self.usage = usage

    async def verify(self, key: str, client: ClientInfo) -> Principal:
        record = self.cache.get(key)
        if record is None:
            record = await self.cache.get_or_fetch(key, lambda: self._fetch(key))
        if record.expires_at is not None and record.expires_at <= time.time():
            raise ApiKeyExpired()
        self.usage.seen(record.id, client)
        return record.principal

    async def _fetch(self, key: str) -> tuple[KeyRecord, bool]:
        lookup = lookup_of(key)
        if lookup is None:
            raise ApiKeyInvalid()
        try:
            async with self.db.session() as session:
                row = await repository.by_lookup(session, lookup)
        except SQLAlchemyError as exc:
            raise ApiKeyUnavailable() from exc
        if row is None or not matches(key, row.secret_hash):
            raise ApiKeyInvalid()
        if row.revoked_at is not None:
            raise ApiKeyRevoked()
        return record_of(row), True


def record_of(row: ApiKey) -> KeyRecord:
    scope = KeyScope(row.scopes)
    expires_at = row.expires_at.timestamp() if row.expires_at is not None else None
    principal = Principal(
        user_id=row.user_id,
        session_id="",
        jti="",
        is_superuser=False,
        expires_at=row.expires_at or NEVER,
        key_id=row.id,
        scope=scope,
    )
    return KeyRecord(row.id, row.user_id, scope, expires_at, principal)
