"""rbac: capabilities and socket event codes in the catalogue; grants that keep today's access

Revision ID: b7c41d2e9f05
Revises: 76fa810bb5e6
Create Date: 2026-12-02 06:00:00+00:00

The catalogue (``permissions``) now lists three kinds of code: routes, socket events
(``EVENT:messages:send``) and capabilities (``files:admin``); the new ``kind`` column says which.

Two kinds of access that were implicit become grants, so nobody loses access on upgrade:

- files admin was "whoever may call ``GET {api_prefix}/files/all``"; it is now the capability
  ``files:admin``, granted here to every role holding that exact code or a pattern for every
  method covering it (``*:/api/v1/**``; disabled roles too: they stay disabled and grant nothing
  until re-enabled). A read-only pattern (``GET:/api/v1/files/*``, ``GET:/api/v1/**``) made its
  holders files admins by accident (deleting everyone's files): those roles are not granted the
  capability, and the migration names them in its log so an admin can grant it on purpose;
- socket events were open to every logged-in user; they now need their codes, granted here to
  every existing role (the seeded ``user`` and ``admin`` roles included) for the events clients
  used until now, so every holder of an active role keeps them. A user holding no active role
  loses them (the REST routes they mirror stay open to every logged-in user); give such users the
  ``user`` role.
"""

import logging
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import context, op

revision: str = "b7c41d2e9f05"
down_revision: str | None = "76fa810bb5e6"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

log = logging.getLogger("alembic.runtime.migration")

FILES_ADMIN = "files:admin"
# Frozen at this revision: the events clients could call before event codes existed.
EVENTS = ("EVENT:messages:read", "EVENT:messages:send", "EVENT:notifications:read")
DEFAULT_PREFIX = "/api/v1"

role_permissions = sa.table(
    "role_permissions", sa.column("role_id", sa.Uuid()), sa.column("pattern", sa.String(300))
)
roles = sa.table("roles", sa.column("id", sa.Uuid()))


def _api_prefix() -> str:
    settings = context.config.attributes.get("settings")
    prefix = getattr(settings, "api_prefix", None)
    return prefix if isinstance(prefix, str) else DEFAULT_PREFIX


def _files_admin_roles(connection: sa.Connection, code: str) -> set[object]:
    """Roles holding ``code`` itself or an every-method pattern covering it; the roles whose only
    cover is a single-method (read-only) pattern are logged and left out."""
    # The grant semantics of route codes and patterns, as they were at this revision.
    from atrium.rbac.patterns import is_pattern, matches, normalize, split_code

    found, read_only = set(), set()
    for role_id, pattern in connection.execute(sa.select(role_permissions)).all():
        try:
            grant = normalize(pattern)
        except ValueError:
            continue
        if not matches(grant, code):
            continue
        if not is_pattern(grant) or split_code(grant)[0] == "*":
            found.add(role_id)
        else:
            read_only.add(role_id)
    if skipped := read_only - found:
        log.warning(
            "files:admin not granted to roles whose only cover of %s is a read-only pattern: %s",
            code,
            ", ".join(sorted(map(str, skipped))),
        )
    return found


def _grant(connection: sa.Connection, role_ids: set[object], pattern: str) -> None:
    held = set(
        connection.execute(
            sa.select(role_permissions.c.role_id).where(role_permissions.c.pattern == pattern)
        ).scalars()
    )
    rows = [{"role_id": role_id, "pattern": pattern} for role_id in role_ids - held]
    if rows:
        connection.execute(role_permissions.insert(), rows)


def upgrade() -> None:
    op.add_column(
        "permissions",
        sa.Column(
            "kind",
            sa.Enum("route", "capability", "event", name="codekind", native_enum=False, length=16),
            server_default="route",
            nullable=False,
        ),
    )
    connection = op.get_bind()
    admins = _files_admin_roles(connection, f"GET:{_api_prefix()}/files/all")
    _grant(connection, admins, FILES_ADMIN)
    every_role = set(connection.execute(sa.select(roles.c.id)).scalars())
    for event in EVENTS:
        _grant(connection, every_role, event)


def downgrade() -> None:
    patterns = (FILES_ADMIN, *EVENTS)
    op.execute(role_permissions.delete().where(role_permissions.c.pattern.in_(patterns)))
    op.execute(sa.text("DELETE FROM permissions WHERE kind <> 'route'"))
    with op.batch_alter_table("permissions") as batch:
        batch.drop_column("kind")
