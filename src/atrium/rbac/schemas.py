"""RBAC on the wire: roles, grants, menus, the catalogue, user administration, ``me``."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated
from uuid import UUID

from pydantic import ConfigDict, Field, StringConstraints

from atrium.core.codes import CodeKind
from atrium.core.schemas import Schema
from atrium.rbac.models import MenuType, PermissionAccess, RoleStatus
from atrium.users.schemas import UserFields, UserRead

RoleCode = Annotated[
    str,
    StringConstraints(
        strip_whitespace=True, min_length=2, max_length=64, pattern=r"^[A-Za-z][A-Za-z0-9_.:-]*$"
    ),
]
RoleName = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=64)]
Text255 = Annotated[str, StringConstraints(strip_whitespace=True, max_length=255)]
MenuName = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=64)]
ButtonCode = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=128)]
MAX_GRANTS = 2000
MAX_IDS = 1000


# --- roles -----------------------------------------------------------------------------------


class RoleCreate(Schema):
    name: RoleName
    code: RoleCode
    description: Text255 = ""
    status: RoleStatus = RoleStatus.ACTIVE
    require_second_factor: bool = Field(
        default=False, description="Its holders must log in with a second factor"
    )


class RoleUpdate(Schema):
    name: RoleName | None = None
    code: RoleCode | None = None
    description: Text255 | None = None
    status: RoleStatus | None = None
    require_second_factor: bool | None = None


class RoleBrief(Schema):
    id: UUID
    name: str
    code: str
    status: RoleStatus


class RoleRead(RoleBrief):
    description: str
    require_second_factor: bool
    created_at: datetime
    updated_at: datetime


class RoleDetail(RoleRead):
    grants: list[str]
    menu_ids: list[UUID]


class RoleGrantsUpdate(Schema):
    """Exact codes (``GET:/api/v1/users/{user_id}``) or patterns (``*:/api/v1/users/**``)."""

    grants: list[str] = Field(max_length=MAX_GRANTS)


class RoleMenusUpdate(Schema):
    menu_ids: list[UUID] = Field(max_length=MAX_IDS)


class Deleted(Schema):
    deleted: int


# --- menus -----------------------------------------------------------------------------------


class MenuCreate(Schema):
    parent_id: UUID | None = None
    type: MenuType
    name: MenuName
    route_path: Text255 | None = None
    component: Text255 | None = None
    icon: Annotated[str, StringConstraints(max_length=64)] | None = None
    sort_order: int = Field(default=0, ge=-1_000_000, le=1_000_000)
    button_code: ButtonCode | None = None
    visible: bool = True


class MenuUpdate(Schema):
    """Only the fields sent change; send ``parentId: null`` to move a node to the top."""

    parent_id: UUID | None = None
    type: MenuType | None = None
    name: MenuName | None = None
    route_path: Text255 | None = None
    component: Text255 | None = None
    icon: Annotated[str, StringConstraints(max_length=64)] | None = None
    sort_order: int | None = Field(default=None, ge=-1_000_000, le=1_000_000)
    button_code: ButtonCode | None = None
    visible: bool | None = None


class MenuRead(Schema):
    id: UUID
    parent_id: UUID | None
    type: MenuType
    name: str
    route_path: str | None
    component: str | None
    icon: str | None
    sort_order: int
    button_code: str | None
    visible: bool


class MenuNode(MenuRead):
    children: list[MenuNode] = []


# --- the catalogue ---------------------------------------------------------------------------


class PermissionRead(Schema):
    id: UUID
    kind: CodeKind = Field(description="route, event (a socket event) or capability")
    method: str
    path: str
    code: str
    access: PermissionAccess
    summary: str
    tags: list[str]
    stale: bool


class PermissionGroup(Schema):
    tag: str
    permissions: list[PermissionRead]


class SyncResult(Schema):
    added: int
    updated: int
    staled: int
    revived: int
    total: int


# --- user administration ---------------------------------------------------------------------


class AdminUserCreate(UserFields):
    """No password: the new user is mailed a link to set their own (the accounts domain). An
    unknown field (a ``password`` a client still sends) is refused, not silently dropped."""

    model_config = ConfigDict(extra="forbid")

    role_ids: list[UUID] = Field(default_factory=list, max_length=MAX_IDS)


class UserRolesUpdate(Schema):
    role_ids: list[UUID] = Field(max_length=MAX_IDS)


class AdminUserRead(UserRead):
    roles: list[RoleBrief]


# --- me and explain --------------------------------------------------------------------------


class MeAccess(Schema):
    """RBAC's part of ``GET /auth/me`` (``atrium.rbac.me``): what a frontend renders from."""

    roles: list[RoleBrief]
    permissions: list[str] = Field(
        description="Every code the caller may use now: routes, socket events, capabilities"
    )
    buttons: list[str] = Field(description="Button codes of the caller's menus")
    menus: list[MenuNode] = Field(description="The caller's visible menu tree")


class GrantMatch(Schema):
    role_id: UUID
    role_code: str
    role_name: str
    role_status: RoleStatus
    grant: str
    effective: bool = Field(description="False when the role is disabled")


class RouteRef(Schema):
    method: str
    path: str
    code: str
    access: str


class DelegationVerdict(Schema):
    """The delegation rule on an admin request with a concrete target."""

    allowed: bool
    reason: str = Field(
        description="COVERED, DELEGATION_EXCEEDS_GRANTS, DELEGATION_SUPERUSER_ONLY or "
        "CANNOT_CHANGE_SELF"
    )
    message: str
    exceeding: list[str] = Field(description="The target's grants the user's do not cover")


class ExplainRead(Schema):
    user_id: UUID
    method: str
    path: str
    route: RouteRef | None
    allowed: bool
    reason: str = Field(
        description="PUBLIC, AUTHENTICATED, SUPERUSER, GRANTED, NO_GRANT, ROLE_DISABLED, "
        "USER_DISABLED, USER_NOT_FOUND, NO_ROUTE, or a delegation refusal: "
        "DELEGATION_EXCEEDS_GRANTS, DELEGATION_SUPERUSER_ONLY, CANNOT_CHANGE_SELF"
    )
    message: str
    matches: list[GrantMatch]
    delegation: DelegationVerdict | None = Field(
        default=None, description="For admin routes with a concrete target: the delegation rule"
    )
