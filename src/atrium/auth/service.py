"""Authentication rules: login, refresh rotation, logout, sessions, password change.

Public functions take the auth runtime (``AuthRuntime``: keys, tokens, sessions, limiter,
hasher, policy) and, where they read users, the SQL session: what they use, not the app's whole
state. They never commit; revocations that depend on a SQL change run after its commit.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any, NoReturn, TypeVar
from uuid import UUID

import structlog
from redis.exceptions import RedisError
from sqlalchemy.ext.asyncio import AsyncSession

from atrium.auth import stats
from atrium.auth.credentials import Credential, open_credential
from atrium.auth.documents import LoginLog, LoginOutcome
from atrium.auth.errors import (
    AuthEmailUnverified,
    AuthInvalidCredentials,
    AuthRefreshReused,
    AuthReplayedNonce,
    AuthSecondFactorRequired,
    AuthTokenRevoked,
    AuthUnavailable,
    AuthUserAgentMismatch,
    AuthUserDisabled,
    LoginLogRangeInvalid,
    SessionNotFound,
)
from atrium.auth.principal import ClientInfo, Principal
from atrium.auth.ratelimit import normalize_username
from atrium.auth.runtime import AuthRuntime
from atrium.auth.schemas import (
    LoginAnswer,
    LoginLogFilters,
    LoginLogRead,
    PasswordChange,
    PublicKeyRead,
    SecondFactorChallenge,
    SessionRead,
    TokenPair,
)
from atrium.auth.sessions import Rotation, SessionStore
from atrium.auth.settings import AuthSettings
from atrium.auth.tokens import ACCESS, REFRESH, as_datetime, new_jti
from atrium.auth.validity import SESSION_REVOKED, USER_SESSIONS_REVOKED, announce
from atrium.config import Settings
from atrium.core.clock import utcnow
from atrium.core.cursors import NEWEST_FIRST, CursorPage
from atrium.core.db import after_commit
from atrium.core.errors import AppError
from atrium.users import service as users_service
from atrium.users.models import User, UserStatus

log = structlog.get_logger(__name__)

Answer = TypeVar("Answer", bound=LoginAnswer)


@dataclass(slots=True)
class LoginAttempt:
    username: str
    client: ClientInfo
    method: str = "password"
    user_id: UUID | None = field(default=None)


def public_key(auth: AuthRuntime) -> PublicKeyRead:
    """The active login key: id, PEM and JWK."""
    key = auth.keys.active
    return PublicKeyRead(kid=key.kid, pem=key.public_pem, jwk=key.jwk)


async def login(
    auth: AuthRuntime,
    db: AsyncSession,
    username: str,
    kid: str,
    ciphertext: str,
    client: ClientInfo,
) -> LoginAnswer:
    """A login with an RSA-encrypted password; every attempt lands in the login log. A user
    with a second factor gets a challenge for step two instead of tokens."""
    attempt = LoginAttempt(username, client)

    async def check() -> LoginAnswer:
        credential = await _open(auth, kid, ciphertext)
        return await _password_login(auth, db, attempt, credential.password)

    return await _attempt(auth, attempt, check)


async def login_plain(
    auth: AuthRuntime, db: AsyncSession, username: str, password: str, client: ClientInfo
) -> TokenPair:
    """A plain-password login, for Swagger UI in local/testing only (same checks otherwise)."""
    attempt = LoginAttempt(username, client, method="swagger")

    async def check() -> TokenPair:
        answer = await _password_login(auth, db, attempt, password)
        if not isinstance(answer, TokenPair):  # the form cannot carry a second step
            raise AuthSecondFactorRequired()
        return answer

    return await _attempt(auth, attempt, check)


async def _attempt(
    auth: AuthRuntime, attempt: LoginAttempt, check: Callable[[], Awaitable[Answer]]
) -> Answer:
    """Rate-limit, run the checks, and log the outcome (with the error code of a failure).

    Limits, nonces and sessions live in Redis: while it does not answer, a login fails closed
    with 503 ``AUTH_UNAVAILABLE`` (retry later), never a 500."""
    try:
        try:
            await auth.limiter.hit(attempt.username, attempt.client.ip)
            await auth.limiter.slow_down(attempt.username)
            answer = await check()
        except RedisError as exc:
            raise AuthUnavailable() from exc
    except AppError as exc:
        await log_attempt(auth, attempt, exc.error_code)
        raise
    challenged = isinstance(answer, SecondFactorChallenge)
    await log_attempt(auth, attempt, None, challenged=challenged)
    return answer


async def _open(auth: AuthRuntime, kid: str, ciphertext: str) -> Credential:
    skew = auth.settings.group(AuthSettings).login_skew_seconds
    credential = open_credential(auth.keys, kid, ciphertext, skew)
    if not await auth.sessions.claim_nonce(credential.nonce, credential.nonce_ttl(skew)):
        raise AuthReplayedNonce()
    return credential


async def decrypt_password(auth: AuthRuntime, kid: str, ciphertext: str) -> str:
    """A password a browser sent RSA-encrypted like a login's (its nonce claimed, single-use):
    every route that takes a password reads it through here."""
    return (await _open(auth, kid, ciphertext)).password


async def _password_login(
    auth: AuthRuntime, db: AsyncSession, attempt: LoginAttempt, password: str
) -> LoginAnswer:
    user = await users_service.get_by_login(db, attempt.username.strip())
    attempt.user_id = user.id if user else None
    account = str(user.id) if user else normalize_username(attempt.username)
    address = attempt.client.ip
    await auth.limiter.check_lockout(account, address)
    # An unknown user is verified against a dummy hash: same error, same time.
    verification = await auth.hasher.verify(password, user.password_hash if user else None)
    if user is None or not verification.valid:
        await auth.limiter.record_failure(account, address, attempt.username)
        raise AuthInvalidCredentials()
    await auth.limiter.record_success(account, address)
    if user.is_pending:  # told only after a correct password: nothing leaks to a guesser
        raise AuthEmailUnverified()
    if not user.is_active:
        raise AuthUserDisabled()
    if auth.second_factor is not None:
        challenge = await auth.second_factor.challenge(db, user, attempt.client)
        if challenge is not None:  # the login is stamped when step two opens the session
            await _upgrade_hash(db, user, verification.new_hash)
            return challenge
    await users_service.record_login(db, user, verification.new_hash)
    return await _open_session(auth, user, attempt.client)


async def _upgrade_hash(db: AsyncSession, user: User, new_hash: str | None) -> None:
    # The password was right: a legacy (bcrypt) hash becomes Argon2 now, whether or not step
    # two follows (step two never sees the password).
    if new_hash is not None:
        user.password_hash = new_hash
        await db.flush()


async def open_session(
    auth: AuthRuntime, db: AsyncSession, user: User, client: ClientInfo
) -> TokenPair:
    """Open a session for a user whose login is complete (a second step passed): the last
    login stamped, a token pair issued. The caller has checked every factor."""
    if not user.is_active:
        raise AuthUserDisabled()
    await users_service.record_login(db, user)
    return await _open_session(auth, user, client)


async def _open_session(auth: AuthRuntime, user: User, client: ClientInfo) -> TokenPair:
    refresh_jti = new_jti()
    session_id = await auth.sessions.create(
        user.id, user.is_superuser, refresh_jti, client.user_agent, client.ip or ""
    )
    return _token_pair(auth, user.id, session_id, refresh_jti)


def _token_pair(auth: AuthRuntime, user_id: UUID, session_id: str, refresh_jti: str) -> TokenPair:
    access = auth.tokens.issue(ACCESS, user_id, session_id)
    refresh = auth.tokens.issue(REFRESH, user_id, session_id, refresh_jti)
    return TokenPair(
        access_token=access.token,
        refresh_token=refresh.token,
        expires_in=auth.tokens.access_ttl,
        refresh_expires_in=auth.tokens.refresh_ttl,
    )


async def log_attempt(
    auth: AuthRuntime, attempt: LoginAttempt, reason: str | None, *, challenged: bool = False
) -> None:
    """One entry of the login log: a failure with its reason (an error code), a success, or a
    right password that was asked for a second factor (``challenged``)."""
    now = utcnow()
    retention = timedelta(days=auth.settings.group(AuthSettings).login_log_retention_days)
    entry = LoginLog(
        username=normalize_username(attempt.username),
        user_id=attempt.user_id,
        outcome=_outcome(reason, challenged),
        reason=reason,
        method=attempt.method,
        ip_address=attempt.client.ip,
        user_agent=attempt.client.user_agent,
        created_at=now,
        expires_at=now + retention,
    )
    try:
        await entry.insert()
    except Exception:  # the log must never decide whether a login works
        log.exception("login_log_failed", username=entry.username, outcome=entry.outcome)
        return
    await stats.record(entry)


def _outcome(reason: str | None, challenged: bool) -> LoginOutcome:
    if reason:
        return LoginOutcome.FAILURE
    return LoginOutcome.CHALLENGED if challenged else LoginOutcome.SUCCESS


async def refresh(auth: AuthRuntime, db: AsyncSession, token: str, client: ClientInfo) -> TokenPair:
    """Rotate a refresh token: a new pair, and the presented refresh token is spent."""
    claims = auth.tokens.read(REFRESH, token)
    user = await users_service.get(db, claims.user_id)
    if user is None or not user.is_active:
        await revoke_session(auth, claims.user_id, claims.session_id)
        raise AuthUserDisabled()
    rotated = new_jti()
    outcome = await auth.sessions.rotate(
        claims.session_id, user.id, claims.jti, rotated, client.user_agent, user.is_superuser
    )
    if outcome is not Rotation.OK:
        await _refuse_rotation(auth, user.id, claims.session_id, outcome)
    return _token_pair(auth, user.id, claims.session_id, rotated)


async def _refuse_rotation(
    auth: AuthRuntime, user_id: UUID, session_id: str, outcome: Rotation
) -> NoReturn:
    if outcome is Rotation.MISSING:
        raise AuthTokenRevoked("The session has ended; log in again.")
    # The script already deleted the session; make every node forget it too.
    await _announce_session(auth, user_id, session_id)
    if outcome is Rotation.REUSED:
        log.warning("refresh_token_reused", user_id=str(user_id), session_id=session_id)
        raise AuthRefreshReused()
    log.warning("refresh_user_agent_mismatch", user_id=str(user_id), session_id=session_id)
    raise AuthUserAgentMismatch()


async def _announce_session(auth: AuthRuntime, user_id: UUID, session_id: str) -> None:
    event = {"type": SESSION_REVOKED, "userId": str(user_id), "sessionId": session_id}
    await announce(auth.sessions.redis, auth.settings, event)


async def revoke_session(auth: AuthRuntime, user_id: UUID, session_id: str) -> bool:
    """End one session on every node (its refresh token dies, its access tokens too)."""
    return await end_session(auth.sessions, auth.settings, user_id, session_id)


async def end_session(
    store: SessionStore, settings: Settings, user_id: UUID, session_id: str
) -> bool:
    """``revoke_session`` for a caller holding only Redis (a commit hook): True if it was live.

    Returns once every node has dropped it; realtime disconnects its sockets."""
    live = await store.delete(session_id, user_id)
    event = {"type": SESSION_REVOKED, "userId": str(user_id), "sessionId": session_id}
    await announce(store.redis, settings, event)
    return live


async def revoke_user_sessions(
    auth: AuthRuntime, user_id: UUID, *, except_session_id: str | None = None
) -> int:
    """Log a user out everywhere (but ``except_session_id``); returns the sessions ended.

    Returns once every node has dropped them; realtime gets ``user_sessions_revoked``.
    """
    return await end_user_sessions(auth.sessions, auth.settings, user_id, except_session_id)


async def end_user_sessions(
    store: SessionStore, settings: Settings, user_id: UUID, except_session_id: str | None = None
) -> int:
    """``revoke_user_sessions`` for a caller holding only Redis (a commit hook, a command).

    The user's credential epoch moves on first, so a login challenge or enrolment ticket issued
    before (``SessionStore.epoch``) stops working with the sessions."""
    await store.bump_epoch(user_id)
    count = await store.delete_all(user_id, except_session_id)
    event = {
        "type": USER_SESSIONS_REVOKED,
        "userId": str(user_id),
        "exceptSessionId": except_session_id,
    }
    await announce(store.redis, settings, event)
    return count


async def disable_user(auth: AuthRuntime, db: AsyncSession, user: User) -> None:
    """Disable a user and, once that is committed, end all their sessions."""
    await users_service.set_status(db, user, UserStatus.DISABLED)
    user_id = user.id

    async def kick() -> None:
        await revoke_user_sessions(auth, user_id)

    after_commit(db, kick)


async def logout(auth: AuthRuntime, principal: Principal) -> None:
    """End the caller's session and refuse its access token until it expires."""
    await auth.sessions.revoke_access(principal.jti, int(principal.expires_at.timestamp()))
    await revoke_session(auth, principal.user_id, principal.session_id)


async def logout_everywhere(auth: AuthRuntime, principal: Principal) -> int:
    """End every session of the caller, this one included."""
    await auth.sessions.revoke_access(principal.jti, int(principal.expires_at.timestamp()))
    return await revoke_user_sessions(auth, principal.user_id)


async def list_sessions(auth: AuthRuntime, principal: Principal) -> list[SessionRead]:
    """The caller's live sessions, oldest first."""
    return await sessions_of(auth.sessions, principal.user_id, principal.session_id)


async def sessions_of(
    store: SessionStore, user_id: UUID, current_session_id: str | None
) -> list[SessionRead]:
    """A user's live sessions, oldest first, ``current_session_id`` flagged (never a token)."""
    records = await store.list(user_id)
    return [
        SessionRead(
            id=record.id,
            created_at=as_datetime(int(record.created_at)),
            last_used_at=as_datetime(int(record.last_used_at)),
            user_agent=record.user_agent,
            ip_address=record.ip_address,
            current=record.id == current_session_id,
        )
        for record in records
    ]


async def revoke_own_session(auth: AuthRuntime, principal: Principal, session_id: str) -> None:
    """End one of the caller's sessions; 404 for anyone else's (or an unknown one)."""
    if await auth.sessions.owner(session_id) != principal.user_id:
        raise SessionNotFound()
    if session_id == principal.session_id:
        await logout(auth, principal)
        return
    await revoke_session(auth, principal.user_id, session_id)


async def confirm_password(
    auth: AuthRuntime, user: User, kid: str, ciphertext: str, client: ClientInfo
) -> None:
    """Re-authentication: the user's current password, RSA-encrypted like a login's (its own
    nonce), under the same lockout; 401 ``AUTH_INVALID_CREDENTIALS`` if it is wrong."""
    current = await _open(auth, kid, ciphertext)
    account = str(user.id)
    await auth.limiter.check_lockout(account, client.ip)
    if not (await auth.hasher.verify(current.password, user.password_hash)).valid:
        await auth.limiter.record_failure(account, client.ip)
        raise AuthInvalidCredentials("The current password is incorrect.")


async def change_password(
    auth: AuthRuntime,
    db: AsyncSession,
    principal: Principal,
    user: User,
    data: PasswordChange,
    client: ClientInfo,
) -> None:
    """Check the current password, store the new one, end every other session."""
    await confirm_password(auth, user, data.kid, data.current_password, client)
    new = await _open(auth, data.kid, data.new_password)
    await users_service.set_password(
        db, auth.hasher, auth.policy, user, new.password, field="newPassword"
    )
    user_id, session_id = user.id, principal.session_id

    async def revoke_others() -> None:
        await revoke_user_sessions(auth, user_id, except_session_id=session_id)

    after_commit(db, revoke_others)


async def list_login_logs(
    cursor: str | None, limit: int, filters: LoginLogFilters
) -> CursorPage[LoginLogRead]:
    """Login attempts matching ``filters``, newest first, one cursor page at a time."""
    found, next_cursor = await NEWEST_FIRST.page(LoginLog, _log_query(filters), cursor, limit)
    items = [_log_read(entry) for entry in found]
    return CursorPage[LoginLogRead](items=items, next_cursor=next_cursor)


def _log_query(filters: LoginLogFilters) -> dict[str, Any]:
    query: dict[str, Any] = {}
    if filters.username:
        query["username"] = normalize_username(filters.username)
    for name, value in (
        ("outcome", filters.outcome.value if filters.outcome else None),
        ("user_id", filters.user_id),
        ("ip_address", filters.ip_address),
    ):
        if value is not None:
            query[name] = value
    if filters.since and filters.until and filters.since > filters.until:
        raise LoginLogRangeInvalid()
    when = {op: at for op, at in (("$gte", filters.since), ("$lt", filters.until)) if at}
    if when:
        query["created_at"] = when
    return query


def _log_read(entry: LoginLog) -> LoginLogRead:
    return LoginLogRead(
        id=str(entry.id),
        username=entry.username,
        user_id=entry.user_id,
        outcome=entry.outcome,
        reason=entry.reason,
        method=entry.method,
        ip_address=entry.ip_address,
        user_agent=entry.user_agent,
        created_at=entry.created_at,
    )
