"""The API keys domain's rules: making a key, a user's own keys, and revoking anyone's.

- **Create**: the owner re-authenticates (their current password, RSA-encrypted like a login's:
  there is no other recent-login proof), holds fewer than ``apikeys.max_keys_per_user`` keys, the
  expiry is in the future (within ``apikeys.max_lifetime_days`` when set) and every scope is
  within what the owner may do now (``atrium.apikeys.scope``). The key string is returned once;
  only its hash is stored.
- **Own keys**: the owner lists, reads, revokes and deletes their own; anyone else's is a 404.
- **Anyone's**: a holder of the admin routes' codes lists every key, and revokes the keys of the
  users they cover by the delegation rule (``rbac.delegation.check_user``: their grants cover
  every grant of the owner's roles; only a superuser revokes a superuser's).

Revoking or deleting is invalidated on every node when the session commits (``propagation``).
Functions flush and never commit.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from uuid import UUID

from sqlalchemy.ext.asyncio import AsyncSession

from atrium.apikeys import repository
from atrium.apikeys.credential import NewKey, new_key
from atrium.apikeys.errors import ApiKeyInvalidExpiry, ApiKeyLimitReached, ApiKeyNotFound
from atrium.apikeys.models import ApiKey
from atrium.apikeys.schemas import ApiKeyCreate
from atrium.apikeys.scope import RouteRules, check_subset, normalized
from atrium.apikeys.settings import ApiKeySettings
from atrium.auth import service as auth_service
from atrium.auth.principal import ClientInfo
from atrium.auth.runtime import AuthRuntime
from atrium.core.clock import as_utc, utcnow
from atrium.core.errors import UnprocessableEntity
from atrium.core.pages import Page, PageParams
from atrium.core.responses import ErrorDetail
from atrium.rbac import delegation
from atrium.rbac.cache import PermissionSet
from atrium.rbac.delegation import Actor
from atrium.users import service as users_service
from atrium.users.models import User


async def create(
    session: AsyncSession,
    auth: AuthRuntime,
    settings: ApiKeySettings,
    owner: User,
    found: PermissionSet,
    rules: RouteRules,
    data: ApiKeyCreate,
    client: ClientInfo,
) -> tuple[ApiKey, NewKey]:
    """A new key of ``owner`` (whose effective set is ``found``) and its string, shown once."""
    scopes = normalized(data.scopes)
    if len(scopes) > settings.max_scopes_per_key:
        raise UnprocessableEntity(
            f"A key holds at most {settings.max_scopes_per_key} scopes.",
            details=[ErrorDetail(loc=["body", "scopes"], message="too many", type="too_long")],
        )
    expires_at = _expiry(settings, data.expires_at)
    check_subset(scopes, found, rules)
    await auth_service.confirm_password(auth, owner, data.kid, data.password, client)
    if await repository.count_of_user(session, owner.id) >= settings.max_keys_per_user:
        raise ApiKeyLimitReached()
    made = new_key()
    row = ApiKey(
        user_id=owner.id,
        name=data.name.strip() or data.name,
        lookup=made.lookup,
        secret_hash=made.secret_hash,
        scopes=scopes,
        expires_at=expires_at,
    )
    session.add(row)
    await session.flush()
    return row, made


def _expiry(settings: ApiKeySettings, wanted: datetime | None) -> datetime | None:
    now = utcnow()
    limit = settings.max_lifetime_days
    if wanted is None:
        if limit is not None:
            raise ApiKeyInvalidExpiry(f"A key must expire, within {limit} days.")
        return None
    expires_at = as_utc(wanted)
    if expires_at <= now:
        raise ApiKeyInvalidExpiry("The expiry must be in the future.")
    if limit is not None and expires_at > now + timedelta(days=limit):
        raise ApiKeyInvalidExpiry(f"A key may live at most {limit} days.")
    return expires_at


async def list_own(session: AsyncSession, user_id: UUID, params: PageParams) -> Page[ApiKey]:
    return await repository.page(session, user_id, params)


async def get_own(session: AsyncSession, user_id: UUID, key_id: UUID) -> ApiKey:
    """The caller's key; 404 for anyone else's, existing or not."""
    found = await repository.get(session, key_id)
    if found is None or found.user_id != user_id:
        raise ApiKeyNotFound()
    return found


async def revoke(session: AsyncSession, row: ApiKey, by: UUID | None) -> ApiKey:
    """Revoke a key (again: nothing changes); every node forgets it on commit."""
    if row.revoked_at is None:
        row.revoked_at = utcnow()
        row.revoked_by = by
        session.add(row)
        await session.flush()
    return row


async def delete(session: AsyncSession, row: ApiKey) -> None:
    await session.delete(row)
    await session.flush()


async def list_all(
    session: AsyncSession, params: PageParams, user_id: UUID | None = None
) -> Page[ApiKey]:
    """Every user's keys (or one user's), newest first."""
    return await repository.page(session, user_id, params)


async def revoke_any(session: AsyncSession, actor: Actor, key_id: UUID) -> ApiKey:
    """Revoke anyone's key the actor covers (the delegation rule); 404 for an unknown key."""
    row = await repository.get(session, key_id)
    if row is None:
        raise ApiKeyNotFound()
    owner = await users_service.get(session, row.user_id)
    if owner is not None:
        await delegation.check_user(session, actor, owner)
    return await revoke(session, row, actor.user_id)
