"""The delegation rule: any admin power can be handed out, none can be used to gain more.

- A caller acts on another user (email, name, password, status, roles, sessions, delete) only
  when the caller's effective grants cover every grant of that user's roles (disabled roles
  count: they can be re-enabled later); only a superuser sets or clears ``is_superuser`` or acts
  on a superuser.
- A caller creates, changes (grants, status, code, menus), deletes, assigns or removes a role
  only when the caller's grants cover every grant of that role, before and after the change.
- Nobody changes their own roles or status (or deletes themselves) through the admin routes.
- Only superusers give a role a seeded code (``admin``, ``user``): ``atrium initdb`` adds every
  new code to ``admin``, so a role renamed so would grow on the next seed.

Coverage is pattern against pattern (``atrium.rbac.patterns.covers``), never an expansion over
today's routes. A grant is covered when one single grant of the caller covers it.

The services call these checks, so routes, the CLI and tasks all pass through them; the CLI and
the seed act as ``SYSTEM`` (the operator of the machine, who could edit the tables anyway).
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass
from uuid import UUID

from sqlalchemy.ext.asyncio import AsyncSession

from atrium.core.responses import ErrorDetail
from atrium.rbac import repository
from atrium.rbac.cache import PermissionSet
from atrium.rbac.errors import CannotChangeSelf, DelegationDenied, SuperuserOnly
from atrium.rbac.models import SEEDED_ROLES, Role, RoleStatus
from atrium.rbac.patterns import uncovered
from atrium.users import repository as users_repository
from atrium.users.models import User, UserStatus

SHOWN = 3


@dataclass(frozen=True, slots=True)
class Actor:
    """Who is acting, with their effective grants (active roles only)."""

    user_id: UUID | None
    is_superuser: bool
    grants: tuple[str, ...]

    @classmethod
    def of(cls, found: PermissionSet) -> Actor:
        return cls(found.user_id, found.is_superuser and found.active, found.grants)

    def exceeding(self, wanted: Iterable[str]) -> list[str]:
        """The grants of ``wanted`` this actor's grants do not cover."""
        return [] if self.is_superuser else uncovered(self.grants, wanted)


SYSTEM = Actor(None, True, ())


async def current(session: AsyncSession, user_id: UUID) -> Actor | None:
    """``user_id`` as an actor now, read from SQL (for a power used later, such as an invitation
    accepted days after it was made); None when they are gone or not active."""
    flags = await users_repository.flags(session, user_id)
    if flags is None or flags[0] != UserStatus.ACTIVE:
        return None
    roles = await repository.role_states(session, user_id)
    active = [role_id for role_id, status in roles if status == RoleStatus.ACTIVE]
    return Actor(user_id, flags[1], tuple(await repository.grants_of(session, active)))


def _listed(grants: list[str]) -> str:
    shown = ", ".join(grants[:SHOWN])
    more = len(grants) - SHOWN
    return f"{shown} (and {more} more)" if more > 0 else shown


def require_covered(actor: Actor, wanted: Iterable[str], holder: str) -> None:
    """403 ``DELEGATION_EXCEEDS_GRANTS`` naming what of ``wanted`` the actor does not cover."""
    missing = actor.exceeding(wanted)
    if missing:
        raise DelegationDenied(
            f"{holder} holds {_listed(missing)}, which your own grants do not cover.",
            details=[
                ErrorDetail(loc=["grants"], message=grant, type="exceeds_grants")
                for grant in missing
            ],
        )


def require_superuser(actor: Actor, action: str) -> None:
    if not actor.is_superuser:
        raise SuperuserOnly(f"Only a superuser may {action}.")


def require_not_self(actor: Actor, user_id: UUID, action: str) -> None:
    if actor.user_id is not None and actor.user_id == user_id:
        raise CannotChangeSelf(f"You cannot {action} your own account through the admin API.")


async def user_grants(session: AsyncSession, user_id: UUID) -> list[str]:
    """Every grant of every role of the user, active or disabled."""
    roles = await repository.role_states(session, user_id)
    return await repository.grants_of(session, [role_id for role_id, _ in roles])


async def check_user(session: AsyncSession, actor: Actor, target: User) -> None:
    """May ``actor`` act on ``target`` (edit, reset, disable, kick, delete, re-role)?"""
    if target.is_superuser:
        require_superuser(actor, f"act on the superuser {target.username}")
    if actor.user_id == target.id:
        return  # one's own grants are covered; self-changes are refused where they matter
    require_covered(actor, await user_grants(session, target.id), f"The user {target.username}")


async def check_roles(session: AsyncSession, actor: Actor, roles: Collection[Role]) -> None:
    """May ``actor`` hand out, take away, change or delete each of ``roles``?"""
    if actor.is_superuser or not roles:
        return
    grants = await repository.grants_of_roles(session, [role.id for role in roles])
    for role in roles:
        require_covered(actor, grants[role.id], f"The role {role.code}")


async def check_role_change(
    session: AsyncSession, actor: Actor, user_id: UUID, wanted: Collection[Role]
) -> None:
    """May ``actor`` replace the user's roles with ``wanted`` (each added or removed covered)?"""
    current = await repository.roles_of_user(session, user_id)
    wanted_ids, current_ids = {r.id for r in wanted}, {r.id for r in current}
    changed = [r for r in wanted if r.id not in current_ids]
    changed += [r for r in current if r.id not in wanted_ids]
    await check_roles(session, actor, changed)


def check_role_code(actor: Actor, code: str | None) -> None:
    """The seeded roles' codes are the seed's to fill: only superusers give a role one."""
    if code is not None and code.lower() in SEEDED_ROLES:
        require_superuser(actor, f"give a role the code {code!r} (atrium initdb re-seeds it)")


def check_grants(actor: Actor, role: Role, grants: Iterable[str]) -> None:
    """May ``actor`` give ``role`` these grants?"""
    require_covered(actor, grants, f"The role {role.code}")
