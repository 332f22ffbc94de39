"""Identity operations on SQLite and PostgreSQL: uniqueness ignores case, the policy holds."""

from __future__ import annotations

import pytest
from sqlalchemy.exc import IntegrityError

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
