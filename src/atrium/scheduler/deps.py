"""Dependencies of the scheduler's routes."""

from __future__ import annotations

from typing import Annotated

from celery import Celery
from fastapi import Depends, Request

from atrium.auth.deps import CurrentPrincipal
from atrium.core.deps import StateDep
from atrium.core.worker.app import CELERY
from atrium.rbac.cache import PermissionSet
from atrium.rbac.deps import PERMISSIONS, permission_set
from atrium.scheduler.live import RunEvents
from atrium.scheduler.schedulable import Caller


async def get_celery(state: StateDep) -> Celery:
    return state.get(CELERY)


class _Granted:
    def __init__(self, found: PermissionSet) -> None:
        self.found = found

    def allows(self, code: str) -> bool:
        return self.found.is_superuser or self.found.allows(code)


class _SessionOnly:
    def __init__(self, is_superuser: bool) -> None:
        self.is_superuser = is_superuser

    def allows(self, code: str) -> bool:
        return self.is_superuser


async def get_caller(request: Request, state: StateDep, principal: CurrentPrincipal) -> Caller:
    """What the caller may schedule: a superuser everything, others their effective grants
    (RBAC's current permission set, never the session's copy of the superuser flag; an API
    key's narrowed by its scope)."""
    if state.find(PERMISSIONS) is None:  # no RBAC domain: only superusers pass any check at all
        return _SessionOnly(principal.is_superuser)
    return _Granted(await permission_set(request, principal))


async def get_run_events(state: StateDep) -> RunEvents | None:
    return RunEvents.of(state)


CeleryDep = Annotated[Celery, Depends(get_celery)]
RunEventsDep = Annotated[RunEvents | None, Depends(get_run_events)]
CallerDep = Annotated[Caller, Depends(get_caller)]
