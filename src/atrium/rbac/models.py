"""RBAC tables: roles, the route-derived permission catalogue, the menu tree, and their links.

A role's grants (``role_permissions.pattern``) are strings, exact codes
(``GET:/api/v1/users/{user_id}``) or patterns (``*:/api/v1/users/**``), not foreign keys to
``permissions``: a code that vanished from the app stays granted (marked stale in the catalogue)
until an admin removes it, and patterns need no row to exist.
"""

from __future__ import annotations

from enum import StrEnum
from uuid import UUID

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from atrium.core.codes import CodeKind
from atrium.core.db import IdMixin, TimestampMixin


def _enum(kind: type[StrEnum]) -> sa.Enum:
    return sa.Enum(
        kind,
        native_enum=False,
        length=16,
        values_callable=lambda members: [member.value for member in members],
    )


# The roles ``atrium initdb`` seeds and later re-seeds by code (it adds every new code to
# ``admin``): only superusers create or rename a role to one of these.
ADMIN_ROLE = "admin"
USER_ROLE = "user"
SEEDED_ROLES = frozenset({ADMIN_ROLE, USER_ROLE})


class RoleStatus(StrEnum):
    ACTIVE = "active"
    DISABLED = "disabled"


class MenuType(StrEnum):
    DIRECTORY = "directory"
    MENU = "menu"
    BUTTON = "button"


class PermissionAccess(StrEnum):
    """The declared access level of a catalogued route (public routes are not catalogued)."""

    AUTHENTICATED = "authenticated"
    PERMISSION = "permission"


class Role(IdMixin, TimestampMixin, table=True):
    """A named set of grants and menus. A disabled role grants nothing."""

    __tablename__ = "roles"

    name: str = Field(max_length=64, nullable=False, unique=True)
    code: str = Field(max_length=64, nullable=False, unique=True)
    description: str = Field(default="", max_length=255, nullable=False)
    status: RoleStatus = Field(default=RoleStatus.ACTIVE, sa_type=_enum(RoleStatus), nullable=False)
    # Its holders log in with a second factor (read at login by the twofactor domain).
    require_second_factor: bool = Field(
        default=False, nullable=False, sa_column_kwargs={"server_default": sa.false()}
    )

    @property
    def is_active(self) -> bool:
        return self.status == RoleStatus.ACTIVE


class Permission(IdMixin, TimestampMixin, table=True):
    """One code of the catalogue, kept in step with the app by the startup sync.

    A route's code (``method``, ``path`` from the route), a socket event's (``method`` is
    ``EVENT``, ``path`` the event name) or a capability's (``method`` is ``CAPABILITY``, ``path``
    the code).
    """

    __tablename__ = "permissions"
    __table_args__ = (sa.UniqueConstraint("method", "path"),)

    kind: CodeKind = Field(
        default=CodeKind.ROUTE,
        sa_type=_enum(CodeKind),
        nullable=False,
        sa_column_kwargs={"server_default": CodeKind.ROUTE.value},
    )
    method: str = Field(max_length=16, nullable=False)
    path: str = Field(max_length=255, nullable=False)
    code: str = Field(max_length=300, nullable=False, unique=True)
    access: PermissionAccess = Field(
        default=PermissionAccess.PERMISSION, sa_type=_enum(PermissionAccess), nullable=False
    )
    summary: str = Field(default="", max_length=255, nullable=False)
    tags: list[str] = Field(default_factory=list, sa_type=sa.JSON, nullable=False)
    # The route is gone from the app; grants naming it are kept until an admin removes them.
    stale: bool = Field(default=False, nullable=False)


class Menu(IdMixin, TimestampMixin, table=True):
    """A node of the frontend's menu tree: a directory, a menu (a screen) or a button."""

    __tablename__ = "menus"

    parent_id: UUID | None = Field(
        default=None, foreign_key="menus.id", ondelete="CASCADE", nullable=True, index=True
    )
    type: MenuType = Field(sa_type=_enum(MenuType), nullable=False)
    name: str = Field(max_length=64, nullable=False)
    route_path: str | None = Field(default=None, max_length=255)
    component: str | None = Field(default=None, max_length=255)
    icon: str | None = Field(default=None, max_length=64)
    sort_order: int = Field(default=0, nullable=False)
    # What a frontend checks to show a button, e.g. ``users:create``.
    button_code: str | None = Field(default=None, max_length=128)
    visible: bool = Field(default=True, nullable=False)


class UserRole(SQLModel, table=True):
    __tablename__ = "user_roles"

    user_id: UUID = Field(foreign_key="users.id", ondelete="CASCADE", primary_key=True)
    role_id: UUID = Field(foreign_key="roles.id", ondelete="CASCADE", primary_key=True, index=True)


class RolePermission(SQLModel, table=True):
    __tablename__ = "role_permissions"

    role_id: UUID = Field(foreign_key="roles.id", ondelete="CASCADE", primary_key=True)
    pattern: str = Field(max_length=300, primary_key=True)


class RoleMenu(SQLModel, table=True):
    __tablename__ = "role_menus"

    role_id: UUID = Field(foreign_key="roles.id", ondelete="CASCADE", primary_key=True)
    menu_id: UUID = Field(foreign_key="menus.id", ondelete="CASCADE", primary_key=True, index=True)
