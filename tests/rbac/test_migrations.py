"""Upgrading a database from the revisions before capabilities and event codes keeps access.

A database is migrated to the heads the project had before (``BEFORE``), filled with users,
roles and grants the way that version wrote them, and its access is computed with that
version's rules (files admin: whoever may call ``GET /api/v1/files/all``; socket events: anyone
logged in). Then it is upgraded to today's heads and the same questions are asked of today's
rules: every route, files admin and every everyday socket event answer the same for every user
holding an active role. A user holding no active role loses only the socket events (the REST routes
they mirror stay open to every logged-in user): the one documented loss.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Iterator
from pathlib import Path
from uuid import UUID

import pytest
import sqlalchemy as sa

from atrium.config import Environment, Settings, SQLSettings
from atrium.core import migrate
from atrium.core.clock import utcnow
from atrium.core.db import Database, UTCDateTime
from atrium.core.ids import uuid7
from atrium.core.routing import Access
from atrium.main import create_app
from atrium.rbac.cache import PermissionSet, load
from atrium.rbac.patterns import matches
from tests.support.postgres import postgres_database

# The heads before this change: rbac, and scheduler (users is a dependency of rbac).
BEFORE = ("76fa810bb5e6", "9c3e1f0a7d42")
FILES_ALL = "GET:/api/v1/files/all"
EVERYDAY = ("EVENT:messages:send", "EVENT:messages:read", "EVENT:notifications:read")
# username -> (superuser, [(role code, active, grants)])
PEOPLE: dict[str, tuple[bool, list[tuple[str, bool, list[str]]]]] = {
    "root": (True, []),
    "ada": (False, [("admin", True, ["*:/api/v1/**"])]),
    "reader": (False, [("files_reader", True, ["GET:/api/v1/files/*"])]),
    "lister": (False, [("lister", True, [FILES_ALL, "GET:/api/v1/users"])]),
    "dormant": (False, [("dormant", False, ["GET:/api/v1/**"])]),
    "plain": (False, [("user", True, ["GET:/api/v1/auth/me"])]),
    "nobody": (False, []),
}


@pytest.fixture(params=["sqlite", "postgresql"])
def fresh(
    request: pytest.FixtureRequest, services: dict[str, str], tmp_path: Path
) -> Iterator[Settings]:
    """Settings pointing at an empty database of its own (SQL only: nothing else is used)."""
    with contextlib.ExitStack() as stack:
        if request.param == "sqlite":
            url = f"sqlite+aiosqlite:///{tmp_path / 'upgrade.db'}"
        else:
            admin_url = services["ATRIUM_TEST_POSTGRES_URL"]
            url = stack.enter_context(postgres_database(admin_url, "atrium_upgrade"))
        yield Settings(environment=Environment.TESTING, sql=SQLSettings(url=url, pool_size=2))


_USERS = sa.table(
    "users",
    *(sa.column(name, sa.Uuid() if name == "id" else None) for name in ("id",)),
    *(sa.column(name) for name in ("username", "username_key", "email", "email_key")),
    *(sa.column(name) for name in ("password_hash", "display_name", "status", "is_superuser")),
    sa.column("created_at", UTCDateTime()),
    sa.column("updated_at", UTCDateTime()),
)
_ROLES = sa.table(
    "roles",
    sa.column("id", sa.Uuid()),
    *(sa.column(name) for name in ("name", "code", "description", "status")),
    sa.column("created_at", UTCDateTime()),
    sa.column("updated_at", UTCDateTime()),
)
_LINKS = sa.table("user_roles", sa.column("user_id", sa.Uuid()), sa.column("role_id", sa.Uuid()))
_GRANTS = sa.table("role_permissions", sa.column("role_id", sa.Uuid()), sa.column("pattern"))
_CATALOGUE = sa.table(
    "permissions",
    sa.column("id", sa.Uuid()),
    *(sa.column(name) for name in ("method", "path", "code", "access", "summary", "stale")),
    sa.column("tags", sa.JSON()),
    sa.column("created_at", UTCDateTime()),
    sa.column("updated_at", UTCDateTime()),
)


async def _fill(db: Database) -> dict[str, UUID]:
    """Users, roles, grants and links, as the previous version stored them (its columns only)."""
    ids: dict[str, UUID] = {}
    now = {"created_at": utcnow(), "updated_at": utcnow()}
    async with db.session() as session:
        for username, (superuser, roles) in PEOPLE.items():
            user_id = ids[username] = uuid7()
            email = f"{username}@example.com"
            user = {"id": user_id, "username": username, "username_key": username, **now}
            user |= {"email": email, "email_key": email, "password_hash": "x"}
            user |= {"display_name": username, "status": "active", "is_superuser": superuser}
            await session.execute(_USERS.insert().values(user))
            for code, active, grants in roles:
                role_id = uuid7()
                status = "active" if active else "disabled"
                role = {"id": role_id, "name": code, "code": code, "description": "", **now}
                await session.execute(_ROLES.insert().values({**role, "status": status}))
                await session.execute(_LINKS.insert().values(user_id=user_id, role_id=role_id))
                for grant in grants:
                    await session.execute(_GRANTS.insert().values(role_id=role_id, pattern=grant))
        row = {"id": uuid7(), "method": "GET", "path": "/api/v1/files/all", "code": FILES_ALL}
        row |= {"access": "permission", "summary": "All files", "tags": [], "stale": False}
        await session.execute(_CATALOGUE.insert().values({**row, **now}))
    return ids


def _old_rules(found: PermissionSet, codes: list[str]) -> dict[str, bool]:
    def allowed(code: str) -> bool:
        return found.is_superuser or any(matches(grant, code) for grant in found.grants)

    answers = {code: allowed(code) for code in codes}
    answers["files admin"] = allowed(FILES_ALL)
    answers.update(dict.fromkeys(EVERYDAY, found.exists and found.active))
    return answers


def _new_rules(found: PermissionSet, codes: list[str]) -> dict[str, bool]:
    def allowed(code: str) -> bool:
        return found.is_superuser or found.allows(code)

    answers = {code: allowed(code) for code in codes}
    answers["files admin"] = allowed("files:admin")
    answers.update({event: allowed(event) for event in EVERYDAY})
    return answers


async def test_an_upgrade_keeps_every_users_access(fresh: Settings) -> None:
    routes = create_app(fresh).state.catalogue.under(fresh.api_prefix)
    codes = sorted(info.code for info in routes if info.access is Access.PERMISSION)
    for head in BEFORE:
        await asyncio.to_thread(migrate.upgrade, fresh, head)
    db = Database(fresh.sql)
    try:
        ids = await _fill(db)
        before = {name: _old_rules(await load(db, uid), codes) for name, uid in ids.items()}
        await asyncio.to_thread(migrate.upgrade, fresh)
        after = {name: _new_rules(await load(db, uid), codes) for name, uid in ids.items()}
    finally:
        await db.dispose()
    for name in PEOPLE:
        lost = {k for k, v in before[name].items() if v and not after[name][k]}
        gained = {k for k, v in after[name].items() if v and not before[name][k]}
        if name in ("nobody", "dormant"):  # no active role: the everyday events come with one
            assert lost == set(EVERYDAY), lost
            lost = set()
        if name == "reader":  # files admin through a read-only pattern was the defect it fixes
            assert lost == {"files admin"}, lost
            lost = set()
        assert (lost, gained) == (set(), set()), name
    # The exact code or an every-method pattern made a files admin on purpose: the upgrade keeps
    # it so (through files:admin, which an admin can now take away without touching the pattern);
    # a read-only pattern did by accident: it keeps reading the list, not the power.
    assert after["reader"]["files admin"] is False
    assert after["reader"][FILES_ALL] is True
    assert after["lister"]["files admin"] is True
    assert after["ada"]["files admin"] is True
    assert after["dormant"]["files admin"] is False  # its role stays disabled
    assert after["plain"]["EVENT:messages:send"] is True
