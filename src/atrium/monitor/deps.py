"""The capability ``monitor:read`` and what the monitor's routes and events ask for.

Each route and event also needs its own derived code; the capability is the one grant that says
"may watch the system", so a role holding ``GET:/api/v1/monitor/**`` alone sees nothing.
"""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import Depends, Request

from atrium.auth.deps import CurrentPrincipal
from atrium.core.codes import CodeKind, DeclaredCode
from atrium.core.deps import StateDep
from atrium.core.state import AppState
from atrium.monitor.errors import MonitorReadRequired
from atrium.monitor.runtime import MONITOR
from atrium.monitor.service import Monitor
from atrium.rbac.deps import PERMISSIONS, holds

MONITOR_READ = DeclaredCode(
    code="monitor:read",
    kind=CodeKind.CAPABILITY,
    summary="Watch the system monitor: nodes, workers, queues, beat, stores and Redis",
    tags=("monitor",),
)


async def ensure_monitor_read(state: AppState, user_id: UUID) -> None:
    """Refuse a socket caller without ``monitor:read`` now (superusers hold it)."""
    found = await state.get(PERMISSIONS).get(user_id)
    if not (found.is_superuser or found.allows(MONITOR_READ.code)):
        raise MonitorReadRequired()


async def reader(request: Request, principal: CurrentPrincipal, state: StateDep) -> Monitor:
    if not await holds(request, principal, MONITOR_READ.code):
        raise MonitorReadRequired()
    return state.get(MONITOR).monitor


MonitorDep = Annotated[Monitor, Depends(reader)]
