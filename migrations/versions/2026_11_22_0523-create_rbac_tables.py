"""create rbac tables: roles, permissions, menus and their links

Revision ID: 76fa810bb5e6
Revises:
Depends on: e4e5bd1e6a01 (users)
Create Date: 2026-11-22 05:23:44.304986+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import atrium.core.db

revision: str = "76fa810bb5e6"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = ("rbac",)
# user_roles references users.id
depends_on: str | Sequence[str] | None = ("e4e5bd1e6a01",)


def upgrade() -> None:
    op.create_table(
        "menus",
        sa.Column("created_at", atrium.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", atrium.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("parent_id", sa.Uuid(), nullable=True),
        sa.Column(
            "type",
            sa.Enum("directory", "menu", "button", name="menutype", native_enum=False, length=16),
            nullable=False,
        ),
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("route_path", sa.String(length=255), nullable=True),
        sa.Column("component", sa.String(length=255), nullable=True),
        sa.Column("icon", sa.String(length=64), nullable=True),
        sa.Column("sort_order", sa.Integer(), nullable=False),
        sa.Column("button_code", sa.String(length=128), nullable=True),
        sa.Column("visible", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["parent_id"], ["menus.id"], name=op.f("fk_menus_parent_id_menus"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_menus")),
    )
    op.create_index(op.f("ix_menus_parent_id"), "menus", ["parent_id"], unique=False)
    op.create_table(
        "permissions",
        sa.Column("created_at", atrium.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", atrium.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("method", sa.String(length=16), nullable=False),
        sa.Column("path", sa.String(length=255), nullable=False),
        sa.Column("code", sa.String(length=300), nullable=False),
        sa.Column(
            "access",
            sa.Enum(
                "authenticated", "permission", name="permissionaccess", native_enum=False, length=16
            ),
            nullable=False,
        ),
        sa.Column("summary", sa.String(length=255), nullable=False),
        sa.Column("tags", sa.JSON(), nullable=False),
        sa.Column("stale", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_permissions")),
        sa.UniqueConstraint("code", name=op.f("uq_permissions_code")),
        sa.UniqueConstraint("method", "path", name=op.f("uq_permissions_method_path")),
    )
    op.create_table(
        "roles",
        sa.Column("created_at", atrium.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", atrium.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("code", sa.String(length=64), nullable=False),
        sa.Column("description", sa.String(length=255), nullable=False),
        sa.Column(
            "status",
            sa.Enum("active", "disabled", name="rolestatus", native_enum=False, length=16),
            nullable=False,
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_roles")),
        sa.UniqueConstraint("code", name=op.f("uq_roles_code")),
        sa.UniqueConstraint("name", name=op.f("uq_roles_name")),
    )
    op.create_table(
        "role_menus",
        sa.Column("role_id", sa.Uuid(), nullable=False),
        sa.Column("menu_id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["menu_id"], ["menus.id"], name=op.f("fk_role_menus_menu_id_menus"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["role_id"], ["roles.id"], name=op.f("fk_role_menus_role_id_roles"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("role_id", "menu_id", name=op.f("pk_role_menus")),
    )
    op.create_index(op.f("ix_role_menus_menu_id"), "role_menus", ["menu_id"], unique=False)
    op.create_table(
        "role_permissions",
        sa.Column("role_id", sa.Uuid(), nullable=False),
        sa.Column("pattern", sa.String(length=300), nullable=False),
        sa.ForeignKeyConstraint(
            ["role_id"],
            ["roles.id"],
            name=op.f("fk_role_permissions_role_id_roles"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("role_id", "pattern", name=op.f("pk_role_permissions")),
    )
    op.create_table(
        "user_roles",
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("role_id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["role_id"], ["roles.id"], name=op.f("fk_user_roles_role_id_roles"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_user_roles_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("user_id", "role_id", name=op.f("pk_user_roles")),
    )
    op.create_index(op.f("ix_user_roles_role_id"), "user_roles", ["role_id"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_user_roles_role_id"), table_name="user_roles")
    op.drop_table("user_roles")
    op.drop_table("role_permissions")
    op.drop_index(op.f("ix_role_menus_menu_id"), table_name="role_menus")
    op.drop_table("role_menus")
    op.drop_table("roles")
    op.drop_table("permissions")
    op.drop_index(op.f("ix_menus_parent_id"), table_name="menus")
    op.drop_table("menus")
