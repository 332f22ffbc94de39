"""Identity operations on SQLite and PostgreSQL: uniqueness ignores case, the policy holds."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy.exc import IntegrityError

from atrium.core.clock import utcnow
from atrium.core.errors import Conflict, UnprocessableEntity
from atrium.core.security.passwords import PASSWORD_HASHER
from atrium.core.state import AppState
from atrium.users import service
from atrium.users.models import User, UserStatus
from atrium.users.schemas import UserCreate, UserUpdate
from atrium.users.settings import PasswordSettings

PASSWORD = "correct-Horse-battery-9"


def _policy(state: AppState) -> service.PasswordPolicy:
    return service.PasswordPolicy.from_settings(state.settings.group(PasswordSettings))


async def _create(state: AppState, username: str, email: str, password: str = PASSWORD) -> User:
    data = UserCreate(username=username, email=email, password=password)
    async with state.db.session() as session:
        return await service.create(session, state.get(PASSWORD_HASHER), _policy(state), data)


async def test_create_and_find_case_insensitively(state: AppState) -> None:
    created = await _create(state, "Alice", "Alice@Example.com")
    assert created.status is UserStatus.ACTIVE
    assert created.display_name == "Alice"
    assert created.password_hash.startswith("$argon2id$")
    async with state.db.session() as session:
        by_name = await service.get_by_username(session, "aLiCe")
        by_email = await service.get_by_email(session, "alice@EXAMPLE.com")
        by_login = await service.get_by_login(session, "ALICE@example.com")
    assert by_name is not None
    assert by_email is not None
    assert by_login is not None
    assert by_name.id == by_email.id == by_login.id == created.id
    assert by_name.username == "Alice"  # stored as typed


@pytest.mark.parametrize(
    ("username", "email", "code"),
    [("ALICE", "other@example.com", "USERNAME_TAKEN"), ("bob", "ALICE@example.COM", "EMAIL_TAKEN")],
)
async def test_username_and_email_are_unique_ignoring_case(
    state: AppState, username: str, email: str, code: str
) -> None:
    await _create(state, "alice", "alice@example.com")
    with pytest.raises(Conflict) as error:
        await _create(state, username, email)
    assert error.value.error_code == code


async def test_the_database_enforces_case_insensitive_uniqueness(state: AppState) -> None:
    """Even a writer that skips the service check cannot create a duplicate."""
    await _create(state, "alice", "alice@example.com")
    with pytest.raises(IntegrityError):
        async with state.db.session() as session:
            session.add(User(username="ALICE", email="x@example.com", password_hash="x"))


async def test_update_refuses_an_email_in_use(state: AppState) -> None:
    await _create(state, "alice", "alice@example.com")
    bob = await _create(state, "bob", "bob@example.com")
    async with state.db.session() as session:
        row = await service.get(session, bob.id)
        assert row is not None
        with pytest.raises(Conflict):
            await service.update(session, row, UserUpdate(email="ALICE@example.com"))
        await service.update(session, row, UserUpdate(display_name="Bobby"))
    async with state.db.session() as session:
        row = await service.get(session, bob.id)
        assert row is not None
        assert row.display_name == "Bobby"


async def test_a_new_email_is_unverified_until_its_owner_proves_it(state: AppState) -> None:
    carol = await _create(state, "carol", "carol@example.com")
    async with state.db.session() as session:
        row = await service.get(session, carol.id)
        assert row is not None
        await service.mark_email_verified(session, row)
        await service.update(session, row, UserUpdate(email="CAROL@example.com"))
        assert row.email_verified_at is not None  # the same address, in other case
        await service.update(session, row, UserUpdate(email="carol@elsewhere.example"))
    async with state.db.session() as session:
        row = await service.get(session, carol.id)
        assert row is not None
        assert (row.email, row.email_verified_at) == ("carol@elsewhere.example", None)


async def test_registrations_never_verified_are_deleted_once_old(state: AppState) -> None:
    hasher, policy = state.get(PASSWORD_HASHER), _policy(state)
    statuses = {"stale": UserStatus.PENDING, "fresh": UserStatus.PENDING, "old": UserStatus.ACTIVE}
    async with state.db.session() as session:
        for name, status in statuses.items():
            data = UserCreate(username=name, email=f"{name}@example.com")
            user = await service.create(session, hasher, policy, data, status=status)
            if name != "fresh":
                user.created_at = utcnow() - timedelta(days=10)
    async with state.db.session() as session:
        assert await service.delete_unverified(session, utcnow() - timedelta(days=7)) == 1
    async with state.db.session() as session:
        left = {name for name in statuses if await service.get_by_username(session, name)}
    assert left == {"fresh", "old"}


@pytest.mark.parametrize(
    ("overrides", "password", "problem"),
    [
        ({}, "short1", "at least 8 characters"),
        ({"password_max_length": 10}, "much-too-long-password", "at most 10"),
        ({"password_min_char_classes": 3}, "alllowercase", "mix at least 3"),
        ({}, "my-alice-password", "must not contain the username"),
    ],
)
def test_password_policy(overrides: dict[str, object], password: str, problem: str) -> None:
    policy = service.PasswordPolicy.from_settings(PasswordSettings.model_validate(overrides))
    with pytest.raises(UnprocessableEntity) as error:
        policy.check(password, "Alice")
    assert error.value.error_code == "PASSWORD_POLICY"
    assert problem in error.value.detail_message
    assert policy.problems("Good-Pass1", "Alice") == []


async def test_set_password_applies_the_policy(state: AppState) -> None:
    user = await _create(state, "alice", "alice@example.com")
    hasher = state.get(PASSWORD_HASHER)
    async with state.db.session() as session:
        row = await service.get(session, user.id)
        assert row is not None
        with pytest.raises(UnprocessableEntity):
            await service.set_password(session, hasher, _policy(state), row, "weak")
        await service.set_password(session, hasher, _policy(state), row, "Another-secret-7")
    async with state.db.session() as session:
        row = await service.get(session, user.id)
        assert row is not None
        assert (await hasher.verify("Another-secret-7", row.password_hash)).valid
        assert not (await hasher.verify(PASSWORD, row.password_hash)).valid
