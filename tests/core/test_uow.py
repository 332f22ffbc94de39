"""The unit of work: commit hooks see what committed, field by field and without secrets, and
nothing of what rolled back; a failing hook fails the caller, yet the commit stands."""

from __future__ import annotations

from collections.abc import AsyncIterator
from uuid import UUID

import pytest

from atrium.core.security.passwords import PASSWORD_HASHER
from atrium.core.state import AppState
from atrium.core.uow import REDACTED, Change, Committed, FieldChange, Operation
from atrium.users import service as users_service
from atrium.users.models import User
from atrium.users.schemas import UserUpdate
from atrium.users.settings import PasswordSettings
from tests.support.users import create_user


class Recorder:
    """A commit hook that keeps every change it is shown."""

    def __init__(self) -> None:
        self.changes: list[Change] = []

    async def __call__(self, committed: Committed) -> None:
        self.changes.extend(committed.changes)

    def of_user(self, user_id: UUID, operation: Operation) -> list[Change]:
        return [
            change
            for change in self.changes
            if change.entity == "users"
            and change.key == (user_id,)
            and change.operation is operation
        ]


@pytest.fixture
async def seen(state: AppState) -> AsyncIterator[Recorder]:
    recorder = Recorder()
    state.db.on_commit(recorder)
    yield recorder
    state.db.hooks.remove(recorder)


async def _rename(state: AppState, user_id: UUID, name: str, *, then_fail: bool = False) -> None:
    async with state.db.session() as session:
        row = await users_service.get(session, user_id)
        assert row is not None
        row.display_name = name
        await session.flush()
        if then_fail:
            raise RuntimeError("the request fails after its flush")


async def _user(state: AppState, user_id: UUID) -> User:
    async with state.db.session() as session:
        found = await users_service.get(session, user_id)
    assert found is not None
    return found


async def test_a_hook_sees_an_email_change_old_and_new_and_never_a_password_hash(
    state: AppState, seen: Recorder
) -> None:
    alice = await create_user(state, "alice", email="alice@old.example")
    async with state.db.session() as session:
        row = await users_service.get(session, alice.id)
        assert row is not None
        await users_service.update(session, row, UserUpdate(email="alice@new.example"))
    async with state.db.session() as session:
        row = await users_service.get(session, alice.id)
        assert row is not None
        policy = users_service.PasswordPolicy.from_settings(state.settings.group(PasswordSettings))
        hasher = state.get(PASSWORD_HASHER)
        await users_service.set_password(session, hasher, policy, row, "Another-pass-77")

    [created] = seen.of_user(alice.id, Operation.INSERT)
    assert created.fields["username"] == FieldChange(None, "alice")
    assert created.fields["password_hash"] == FieldChange(None, REDACTED)
    email, password = seen.of_user(alice.id, Operation.UPDATE)
    assert email.fields["email"] == FieldChange("alice@old.example", "alice@new.example")
    assert "password_hash" not in email.fields
    assert password.fields["password_hash"] == FieldChange(REDACTED, REDACTED)
    hashes = (alice.password_hash, (await _user(state, alice.id)).password_hash)
    assert not any(value in repr(seen.changes) for value in hashes)


async def test_a_rolled_back_session_runs_no_hook(state: AppState, seen: Recorder) -> None:
    alice = await create_user(state, "alice")
    seen.changes.clear()
    with pytest.raises(RuntimeError):
        await _rename(state, alice.id, "Never", then_fail=True)
    assert seen.changes == []
    assert (await _user(state, alice.id)).display_name == "alice"


async def test_a_rolled_back_savepoint_is_forgotten_and_the_rest_reported(
    state: AppState, seen: Recorder
) -> None:
    alice = await create_user(state, "alice")
    async with state.db.session() as session:
        row = await users_service.get(session, alice.id)
        assert row is not None
        row.display_name = "Kept"
        await session.flush()
        savepoint = await session.begin_nested()
        row.email = "undone@example.com"
        await session.flush()
        await savepoint.rollback()
    [kept] = seen.of_user(alice.id, Operation.UPDATE)
    assert kept.fields["display_name"] == FieldChange("alice", "Kept")
    assert "email" not in kept.fields
    assert (await _user(state, alice.id)).email == "alice@example.com"


async def test_a_failing_hook_fails_the_caller_after_the_commit_and_the_others_run(
    state: AppState, seen: Recorder
) -> None:
    async def unreachable(_committed: Committed) -> None:
        raise ConnectionError("the other servers cannot be reached")

    alice = await create_user(state, "alice")
    state.db.hooks.remove(seen)
    state.db.on_commit(unreachable)
    state.db.on_commit(seen)  # registered after the failing one: it runs anyway
    try:
        with pytest.raises(ConnectionError):
            await _rename(state, alice.id, "Saved")
    finally:
        state.db.hooks.remove(unreachable)
    assert (await _user(state, alice.id)).display_name == "Saved"
    [saved] = seen.of_user(alice.id, Operation.UPDATE)
    assert saved.fields["display_name"] == FieldChange("alice", "Saved")
