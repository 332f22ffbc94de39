"""``/auth/me``'s model is the user's fields, then each part's in order; no field twice.

(What RBAC's part answers is tested through the route, ``tests/rbac/test_me.py``.)
"""

from __future__ import annotations

import pytest
from fastapi import Request
from sqlalchemy.ext.asyncio import AsyncSession

from atrium.core.schemas import Schema
from atrium.users.me import MePart, me_model
from atrium.users.models import User
from atrium.users.schemas import UserRead


class Teams(Schema):
    teams: list[str]


class Plan(Schema):
    plan: str


async def _teams(_request: Request, _session: AsyncSession, _user: User) -> Schema:
    return Teams(teams=[])


async def _plan(_request: Request, _session: AsyncSession, _user: User) -> Schema:
    return Plan(plan="free")


def test_the_model_is_the_user_then_each_part() -> None:
    model = me_model([MePart(Teams, _teams), MePart(Plan, _plan)])
    assert model.__name__ == "MeRead"
    assert list(model.model_fields) == [*UserRead.model_fields, "teams", "plan"]
    schema = model.model_json_schema(by_alias=True)
    assert schema["required"][-2:] == ["teams", "plan"]


def test_a_field_added_twice_is_refused() -> None:
    with pytest.raises(ValueError, match="'plan' is added twice"):
        me_model([MePart(Plan, _plan), MePart(Plan, _plan)])

    class Shadow(Schema):
        username: str

    with pytest.raises(ValueError, match="'username'"):
        me_model([MePart(Shadow, _plan)])
