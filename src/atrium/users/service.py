"""Identity operations: create users, find them, set passwords under the configured policy.

Functions flush and never commit: the caller's session (the request's, or a CLI's) commits.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from uuid import UUID

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from atrium.core.clock import utcnow
from atrium.core.mapping import FieldMap
from atrium.core.responses import ErrorDetail
from atrium.core.security.passwords import PasswordHasher
from atrium.users import repository
from atrium.users.errors import EmailTaken, PasswordPolicyViolated, UserExists, UsernameTaken
from atrium.users.models import User, UserStatus, fold
from atrium.users.schemas import UserCreate, UserUpdate
from atrium.users.settings import PasswordSettings

get = repository.get
get_by_username = repository.get_by_username
get_by_email = repository.get_by_email
delete_unverified = repository.delete_unverified
get_by_login = repository.get_by_login
# The password becomes a hash; an empty display name falls back to the username.
USER_CREATE = FieldMap(UserCreate, User, handled={"password", "display_name"})
USER_UPDATE = FieldMap(UserUpdate, User)


@dataclass(frozen=True, slots=True)
class PasswordPolicy:
    min_length: int = 8
    max_length: int = 128
    min_char_classes: int = 1
    forbid_username: bool = True

    @classmethod
    def from_settings(cls, settings: PasswordSettings) -> PasswordPolicy:
        return cls(
            min_length=settings.password_min_length,
            max_length=settings.password_max_length,
            min_char_classes=settings.password_min_char_classes,
            forbid_username=settings.password_forbid_username,
        )

    def problems(self, password: str, username: str | None = None) -> list[str]:
        """What is wrong with ``password``; empty when it is acceptable."""
        found = []
        if len(password) < self.min_length:
            found.append(f"must be at least {self.min_length} characters long")
        if len(password) > self.max_length:
            found.append(f"must be at most {self.max_length} characters long")
        if _char_classes(password) < self.min_char_classes:
            found.append(
                f"must mix at least {self.min_char_classes} of: lowercase, uppercase, "
                "digits, other characters"
            )
        if self.forbid_username and username and username.casefold() in password.casefold():
            found.append("must not contain the username")
        return found

    def check(self, password: str, username: str | None = None, field: str = "password") -> None:
        """Raise a 422 ``PASSWORD_POLICY`` naming every rule the password breaks."""
        if problems := self.problems(password, username):
            details = [
                ErrorDetail(loc=["body", field], message=p, type="password_policy")
                for p in problems
            ]
            raise PasswordPolicyViolated(
                "The password does not meet the policy: " + "; ".join(problems) + ".",
                details=details,
            )


def _char_classes(password: str) -> int:
    return sum(
        (
            any(c.islower() for c in password),
            any(c.isupper() for c in password),
            any(c.isdigit() for c in password),
            any(not c.isalnum() for c in password),
        )
    )


async def create(
    session: AsyncSession,
    hasher: PasswordHasher,
    policy: PasswordPolicy,
    data: UserCreate,
    *,
    status: UserStatus = UserStatus.ACTIVE,
) -> User:
    """A new user (active unless told otherwise); 409 ``USERNAME_TAKEN`` / ``EMAIL_TAKEN`` when
    either is in use. Without a password it gets an unguessable one, until the user sets theirs."""
    if data.password is not None:
        policy.check(data.password, data.username)
    return await create_hashed(session, data, await _hash_or_random(hasher, data.password), status)


async def _hash_or_random(hasher: PasswordHasher, password: str | None) -> str:
    return await hasher.hash(password if password is not None else secrets.token_urlsafe(32))


async def create_hashed(
    session: AsyncSession, data: UserCreate, password_hash: str, status: UserStatus
) -> User:
    """A new user whose password was hashed already (checked against the policy before)."""
    await _ensure_free(session, data.username, str(data.email))
    user = USER_CREATE.create(
        data,
        display_name=data.display_name or data.username,
        password_hash=password_hash,
        status=status,
    )
    session.add(user)
    await _flush_unique(session)
    return user


async def is_free(session: AsyncSession, username: str, email: str) -> bool:
    """Neither the username nor the email belongs to anyone."""
    by_name = await repository.get_by_username(session, username)
    return by_name is None and await repository.get_by_email(session, email) is None


async def mark_email_verified(session: AsyncSession, user: User) -> None:
    """The owner proved the address: stamp it, and a pending registration becomes active."""
    user.email_verified_at = utcnow()
    if user.status == UserStatus.PENDING:
        user.status = UserStatus.ACTIVE
    await session.flush()


async def change_email(session: AsyncSession, user: User, email: str) -> None:
    """The owner confirmed a new address (409 ``EMAIL_TAKEN`` if someone took it meanwhile)."""
    await _ensure_free(session, user.username, email, user.id)
    user.email = email
    user.email_verified_at = utcnow()
    await _flush_unique(session)


async def _ensure_free(
    session: AsyncSession, username: str, email: str, user_id: UUID | None = None
) -> None:
    taken = await repository.get_by_username(session, username)
    if taken is not None and taken.id != user_id:
        raise UsernameTaken()
    taken = await repository.get_by_email(session, email)
    if taken is not None and taken.id != user_id:
        raise EmailTaken()


async def _flush_unique(session: AsyncSession) -> None:
    # Two concurrent creations can both pass the check; the unique index decides.
    try:
        await session.flush()
    except IntegrityError as exc:
        raise UserExists() from exc


async def update(session: AsyncSession, user: User, data: UserUpdate) -> User:
    """Change the email or display name; a new email is unverified until its owner proves it."""
    new_email = data.email is not None and fold(str(data.email)) != fold(user.email)
    if data.email is not None:
        await _ensure_free(session, user.username, str(data.email), user.id)
    USER_UPDATE.apply(user, data)
    if new_email:
        user.email_verified_at = None
    await _flush_unique(session)
    return user


async def set_password(
    session: AsyncSession,
    hasher: PasswordHasher,
    policy: PasswordPolicy,
    user: User,
    password: str,
    field: str = "password",
) -> None:
    """Store a new password that passes the policy (422 ``PASSWORD_POLICY`` otherwise)."""
    policy.check(password, user.username, field)
    user.password_hash = await hasher.hash(password)
    await session.flush()


async def set_status(session: AsyncSession, user: User, status: UserStatus) -> None:
    """Enable or disable; a caller disabling a user must also end their sessions
    (``atrium.users.admin.set_status`` tells the hooks that do, ``atrium.auth.service.disable_user``
    does both)."""
    user.status = status
    await session.flush()


async def record_login(session: AsyncSession, user: User, new_hash: str | None = None) -> None:
    """Stamp the last login and store an upgraded password hash, if any."""
    user.last_login_at = utcnow()
    if new_hash is not None:
        user.password_hash = new_hash
    await session.flush()
