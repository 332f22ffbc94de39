"""Access changes: what a transaction changed in who may do what, gathered for its commit hook.

Most of it the ORM's flushes tell (``collect``): a user's status or superuser flag, a user
deleted, a role's status or code, a user-role link, a grant, a role's menu. The rest is noted in
the session's unit of work (``noted(session)``) by the code that does it, never by a route:

- bulk statements the ORM cannot see, in ``rbac.repository`` (replacing a user's roles, a role's
  grants or menus; deleting roles, with their members read first; deleting a grant, with the
  roles holding it read first);
- rows read before they go, in ``rbac.service`` (the roles holding a changed or deleted menu);
- sessions to end, in ``rbac.user_admin`` (disable, password reset, log out everywhere, delete,
  one session ended by an administrator).

``rbac.propagation`` turns the result into dropped caches and ended sessions after the commit.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from uuid import UUID

from sqlalchemy.ext.asyncio import AsyncSession

from atrium.core.uow import Change, Committed, NoteKey, Operation, unit_of


@dataclass(slots=True)
class AccessChanges:
    """Whose permission sets are stale, which roles' holders' are, whose sessions end (all of
    them: ``kick``; one: ``ended``, user and session id)."""

    user_ids: set[UUID] = field(default_factory=set)
    role_ids: set[UUID] = field(default_factory=set)
    everything: bool = False
    kick: set[UUID] = field(default_factory=set)
    ended: set[tuple[UUID, str]] = field(default_factory=set)

    def users(self, *user_ids: UUID) -> None:
        self.user_ids.update(user_ids)

    def roles(self, *role_ids: UUID) -> None:
        self.role_ids.update(role_ids)

    def flush_all(self) -> None:
        self.everything = True

    def revoke_sessions(self, user_id: UUID) -> None:
        self.kick.add(user_id)

    def revoke_session(self, user_id: UUID, session_id: str) -> None:
        self.ended.add((user_id, session_id))


ACCESS: NoteKey[AccessChanges] = NoteKey("rbac.access", AccessChanges)
# The tables whose flushed rows change access (the hook watches only these).
WATCHED = frozenset({"users", "user_roles", "roles", "role_permissions", "role_menus"})


def noted(session: AsyncSession) -> AccessChanges:
    """This transaction's access note: record here what the ORM does not show."""
    return unit_of(session).note(ACCESS)


def collect(committed: Committed) -> AccessChanges:
    """The note of a commit plus what its flushed rows say."""
    found = AccessChanges()
    if (note := committed.note(ACCESS)) is not None:
        found.users(*note.user_ids)
        found.roles(*note.role_ids)
        found.everything = note.everything
        found.kick.update(note.kick)
        found.ended.update(note.ended)
    _from_rows(committed.changes, found)
    return found


def _from_rows(changes: Iterable[Change], found: AccessChanges) -> None:
    for change in changes:
        if change.entity == "users":
            _user(change, found)
        elif change.entity == "user_roles":
            found.users(change.value("user_id"))
        elif change.entity == "roles":
            _role(change, found)
        elif change.entity in ("role_permissions", "role_menus"):
            found.roles(change.value("role_id"))


def _user(change: Change, found: AccessChanges) -> None:
    # A new user's id was never cached; a deleted or re-flagged user's set is stale.
    if change.operation is Operation.DELETE or change.changed("status", "is_superuser"):
        found.users(change.key[0])


def _role(change: Change, found: AccessChanges) -> None:
    if change.operation is Operation.DELETE:
        found.flush_all()  # its members went with it, unnoted: only a full flush is safe
    elif change.changed("status", "code"):  # a new code moves its holders' socket rooms
        found.roles(change.key[0])
