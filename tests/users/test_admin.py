"""User administration without any domain above users: the hooks decide what else happens.

Guards run before a change and can refuse it (nothing is changed then); listeners hear of each
change made; one active superuser is always left; a list narrowed by another domain's select of
user ids is still one query (plus its count).
"""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

import pytest
from sqlalchemy import literal, select
from sqlalchemy.ext.asyncio import AsyncSession

from atrium.core.errors import Forbidden
from atrium.core.pages import PageParams
from atrium.core.security.passwords import PASSWORD_HASHER
from atrium.core.state import AppState
from atrium.users import admin, service
from atrium.users.errors import LastSuperuser, UserNotFound
from atrium.users.hooks import Acting, UserAction, UserChange, UserHooks
from atrium.users.models import User, UserStatus
from atrium.users.schemas import AdminUserUpdate, UserCreate
from atrium.users.settings import PasswordSettings
from tests.support.traffic import sql_statements

PASSWORD = "correct-Horse-battery-9"


@dataclass(frozen=True)
class Operator:
    user_id: UUID | None = None
    is_superuser: bool = True


OPERATOR = Operator()


@dataclass
class Recorder:
    """A guard that refuses what it is told to, and a listener that keeps what it heard."""

    refuse: set[UserAction]
    heard: list[UserChange]

    async def guard(self, _session: AsyncSession, _acting: Acting, change: UserChange) -> None:
        if change.action in self.refuse:
            raise Forbidden(f"no {change.action}")

    async def listen(self, _session: AsyncSession, change: UserChange) -> None:
        self.heard.append(change)

    def hooks(self) -> UserHooks:
        return UserHooks([self.guard], [self.listen])


async def _create(
    state: AppState, hooks: UserHooks, username: str, superuser: bool = False
) -> User:
    data = UserCreate(
        username=username,
        email=f"{username}@example.com",
        password=PASSWORD,
        is_superuser=superuser,
    )
    policy = service.PasswordPolicy.from_settings(state.settings.group(PasswordSettings))
    async with state.db.session() as session:
        return await admin.create(
            session, hooks, OPERATOR, state.get(PASSWORD_HASHER), policy, data
        )


async def test_a_guard_refuses_before_anything_changes(state: AppState) -> None:
    recorder = Recorder({UserAction.SET_STATUS, UserAction.DELETE}, [])
    hooks = recorder.hooks()
    alice = await _create(state, hooks, "alice")
    async with state.db.session() as session:
        user = await admin.get(session, alice.id)
        with pytest.raises(Forbidden):
            await admin.set_status(session, hooks, OPERATOR, user, UserStatus.DISABLED)
        with pytest.raises(Forbidden):
            await admin.delete(session, hooks, OPERATOR, user)
        await admin.update(session, hooks, OPERATOR, user, AdminUserUpdate(display_name="Al"))
    async with state.db.session() as session:
        user = await admin.get(session, alice.id)
    assert (user.status, user.display_name) == (UserStatus.ACTIVE, "Al")
    assert [(c.action, c.user.id if c.user else None) for c in recorder.heard] == [
        (UserAction.CREATE, alice.id),
        (UserAction.UPDATE, alice.id),
    ]


async def test_listeners_hear_each_change_made_and_nothing_else(state: AppState) -> None:
    recorder = Recorder(set(), [])
    hooks = recorder.hooks()
    alice = await _create(state, hooks, "alice")
    policy = service.PasswordPolicy.from_settings(state.settings.group(PasswordSettings))
    async with state.db.session() as session:
        user = await admin.get(session, alice.id)
        await admin.set_status(session, hooks, OPERATOR, user, UserStatus.ACTIVE)  # no change
        await admin.set_status(session, hooks, OPERATOR, user, UserStatus.DISABLED)
        hasher = state.get(PASSWORD_HASHER)
        await admin.reset_password(
            session, hooks, OPERATOR, hasher, policy, user, "Another-secret-7"
        )
        await admin.end_sessions(session, hooks, OPERATOR, user)
        await admin.delete(session, hooks, OPERATOR, user)
    heard = [(change.action, change.status) for change in recorder.heard]
    assert heard == [
        (UserAction.CREATE, None),
        (UserAction.SET_STATUS, UserStatus.DISABLED),
        (UserAction.RESET_PASSWORD, None),
        (UserAction.END_SESSIONS, None),
        (UserAction.DELETE, None),
    ]
    async with state.db.session() as session:
        with pytest.raises(UserNotFound):
            await admin.get(session, alice.id)


async def test_the_last_active_superuser_stays(state: AppState) -> None:
    hooks = UserHooks()
    root = await _create(state, hooks, "root", superuser=True)
    async with state.db.session() as session:
        user = await admin.get(session, root.id)
        for attempt in (
            admin.set_status(session, hooks, OPERATOR, user, UserStatus.DISABLED),
            admin.update(session, hooks, OPERATOR, user, AdminUserUpdate(is_superuser=False)),
            admin.delete(session, hooks, OPERATOR, user),
        ):
            with pytest.raises(LastSuperuser):
                await attempt
    other = await _create(state, hooks, "other", superuser=True)
    async with state.db.session() as session:
        user = await admin.get(session, root.id)
        await admin.update(session, hooks, OPERATOR, user, AdminUserUpdate(is_superuser=False))
    assert other.is_superuser
    async with state.db.session() as session:
        assert not (await admin.get(session, root.id)).is_superuser


async def test_a_list_narrowed_by_another_domain_is_one_query(state: AppState) -> None:
    hooks = UserHooks()
    alice, _bob = await _create(state, hooks, "alice"), await _create(state, hooks, "bob")
    among = select(literal(alice.id).label("user_id"))  # a domain's select of user ids
    async with state.db.session() as session:
        with sql_statements(state) as seen:
            page = await admin.list_users(session, PageParams(), among=among)
    assert [user.username for user in page.items] == ["alice"]
    assert page.total == 1
    assert len(seen) == 2  # the count and the page, nothing per row
