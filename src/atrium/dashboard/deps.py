"""Dependencies of the dashboard's routes: the capability ``dashboard:read`` the figures need
besides their codes, and the range a figure covers.

A route code alone (even ``*:/**``) never reads the figures: the caller must hold the capability,
read from their current grants (superusers hold it). ``/dashboard/me`` needs only a login.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import Depends, Query, Request

from atrium.auth.deps import CurrentPrincipal
from atrium.core.codes import CodeKind, DeclaredCode
from atrium.core.deps import StateDep
from atrium.dashboard import service
from atrium.dashboard.errors import DashboardReadDenied
from atrium.dashboard.runtime import DASHBOARD
from atrium.dashboard.schemas import DayRange
from atrium.rbac.deps import holds

DASHBOARD_READ = DeclaredCode(
    code="dashboard:read",
    kind=CodeKind.CAPABILITY,
    summary="Read the dashboard's figures: users, logins, requests, runs, files, notifications",
    tags=("dashboard",),
)

# On each figure's OpenAPI operation: the capability it needs besides its route code.
NEEDS_DASHBOARD_READ = {"x-capabilities": [DASHBOARD_READ.code]}


async def require_dashboard_read(request: Request, principal: CurrentPrincipal) -> None:
    if not await holds(request, principal, DASHBOARD_READ.code):
        raise DashboardReadDenied()


async def day_range(
    state: StateDep,
    start: Annotated[
        datetime | None,
        Query(alias="from", description="Start, a UTC instant (default: 30 days before 'to')"),
    ] = None,
    end: Annotated[
        datetime | None, Query(alias="to", description="End, a UTC instant (default: now)")
    ] = None,
) -> DayRange:
    """The whole UTC days the range touches, checked (422 if empty or too long)."""
    return service.day_range(state.get(DASHBOARD).settings, start, end)


RangeDep = Annotated[DayRange, Depends(day_range)]
