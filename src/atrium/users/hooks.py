"""What other domains add to user administration (``atrium.users.admin``), registered when the
app is built: guards that may refuse a change before it is made, and listeners told of each
change once it is made.

The users domain calls them and imports none of the domains that register them. RBAC registers
its delegation rule as a guard (only superusers touch superusers and the superuser flag, the
caller's grants must cover the target's, nobody enables, disables or deletes themselves) and a
listener that ends the sessions of a user disabled, deleted, logged out everywhere or given a new
password (or the one session an administrator ends), when the change commits (auth's revocation
event then disconnects their sockets too).

The app holds one ``UserHooks`` (``user_hooks(app)``): a domain's ``lifecycle.install`` adds to
it, a route reaches it through ``atrium.users.deps.UserHooksDep``, a command through
``user_hooks(create_app())``.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Protocol
from uuid import UUID

from fastapi import FastAPI
from sqlalchemy.ext.asyncio import AsyncSession

from atrium.users.models import User, UserStatus


class UserAction(StrEnum):
    CREATE = "create"
    UPDATE = "update"
    SET_STATUS = "set_status"
    RESET_PASSWORD = "reset_password"  # noqa: S105 - an action, not a secret
    END_SESSIONS = "end_sessions"
    END_SESSION = "end_session"
    DELETE = "delete"


@dataclass(frozen=True, slots=True)
class UserChange:
    """One change: asked for (guards) or made (listeners).

    ``user`` is the target (None for a creation a guard sees: the user does not exist yet);
    ``is_superuser`` the superuser flag asked for, when it is set or changed; ``status`` the
    status asked for; ``session_id`` the one session of the user to end.
    """

    action: UserAction
    user: User | None = None
    is_superuser: bool | None = None
    status: UserStatus | None = None
    session_id: str | None = None


class Acting(Protocol):
    """Who acts: a user (``user_id``), or the operator of the machine (``None``)."""

    @property
    def user_id(self) -> UUID | None: ...

    @property
    def is_superuser(self) -> bool: ...


Guard = Callable[[AsyncSession, Acting, UserChange], Awaitable[None]]
Listener = Callable[[AsyncSession, UserChange], Awaitable[None]]


class UserHooks:
    """The guards and listeners of user administration, in the order they were added."""

    def __init__(self, guards: Sequence[Guard] = (), listeners: Sequence[Listener] = ()) -> None:
        self._guards = list(guards)
        self._listeners = list(listeners)

    def __repr__(self) -> str:
        return f"UserHooks({len(self._guards)} guards, {len(self._listeners)} listeners)"

    def add_guard(self, guard: Guard) -> None:
        self._guards.append(guard)

    def add_listener(self, listener: Listener) -> None:
        self._listeners.append(listener)

    def with_guard(self, guard: Guard) -> UserHooks:
        """These hooks and one more guard, last: for a check that belongs to one call."""
        return UserHooks([*self._guards, guard], self._listeners)

    async def check(self, session: AsyncSession, acting: Acting, change: UserChange) -> None:
        """Run every guard; the first that refuses raises (an ``AppError``)."""
        for guard in self._guards:
            await guard(session, acting, change)

    async def changed(self, session: AsyncSession, change: UserChange) -> None:
        """Tell every listener of a change made (flushed, not yet committed)."""
        for listener in self._listeners:
            await listener(session, change)


def user_hooks(app: FastAPI) -> UserHooks:
    """The app's hooks, made on first use (at build time, by the first domain that adds)."""
    found = getattr(app.state, "user_hooks", None)
    if not isinstance(found, UserHooks):
        found = app.state.user_hooks = UserHooks()
    return found
