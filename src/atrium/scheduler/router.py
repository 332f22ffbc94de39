"""The scheduler's ops API: periodic tasks, previews, registered task names and run history.

Every route needs its permission (the default); codes are ``METHOD:/api/v1/scheduler/...``.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Path, Query
from starlette import status

from atrium.core.cursors import CursorPage
from atrium.core.deps import SessionDep
from atrium.core.pages import Page
from atrium.core.pagination import CursorLimitDep, PageParamsDep
from atrium.core.responses import Envelope, error_responses, ok
from atrium.scheduler import history, service
from atrium.scheduler.deps import CallerDep, CeleryDep, RunEventsDep
from atrium.scheduler.documents import RunStatus
from atrium.scheduler.schemas import (
    PeriodicTaskCreate,
    PeriodicTaskRead,
    PeriodicTaskUpdate,
    Preview,
    PreviewRequest,
    RegisteredTask,
    RegisteredTasks,
    TaskRunRead,
)
from atrium.scheduler.tasknames import schedulable_tasks

router = APIRouter(prefix="/scheduler", tags=["scheduler"])

PeriodicTaskID = Annotated[UUID, Path(description="The periodic task's id")]
NOT_FOUND = error_responses(404)


@router.get("/tasks")
async def list(
    session: SessionDep,
    app: CeleryDep,
    params: PageParamsDep,
    enabled: bool | None = None,
    kind: Annotated[str | None, Query(pattern="^(interval|crontab|clocked|solar)$")] = None,
    search: Annotated[str | None, Query(max_length=200)] = None,
) -> Envelope[Page[PeriodicTaskRead]]:
    """List periodic tasks by name, with filters."""
    found = await service.page(session, app, params, enabled=enabled, kind=kind, search=search)
    return ok(found)


@router.post("/tasks", status_code=status.HTTP_201_CREATED, responses=error_responses(403, 409))
async def create(
    body: PeriodicTaskCreate, session: SessionDep, app: CeleryDep, caller: CallerDep
) -> Envelope[PeriodicTaskRead]:
    """Create a periodic task (its task must be registered, schedulable and yours to schedule)."""
    return ok(service.to_read(await service.create(session, app, body, caller), app))


@router.get("/tasks/{task_id}", responses=NOT_FOUND)
async def get(
    task_id: PeriodicTaskID, session: SessionDep, app: CeleryDep
) -> Envelope[PeriodicTaskRead]:
    """Get one periodic task, with its next run."""
    return ok(service.to_read(await service.get(session, task_id), app))


@router.patch("/tasks/{task_id}", responses=error_responses(403, 404, 409))
async def update(
    task_id: PeriodicTaskID,
    body: PeriodicTaskUpdate,
    session: SessionDep,
    app: CeleryDep,
    caller: CallerDep,
) -> Envelope[PeriodicTaskRead]:
    """Change a periodic task; a new schedule starts from now."""
    task = await service.get(session, task_id)
    return ok(service.to_read(await service.update(session, app, task, body, caller), app))


@router.delete("/tasks/{task_id}", responses=NOT_FOUND)
async def delete(task_id: PeriodicTaskID, session: SessionDep) -> Envelope[None]:
    """Delete a periodic task (its run history stays)."""
    await service.delete(session, await service.get(session, task_id))
    return ok(None)


@router.post("/tasks/{task_id}/enable", responses=error_responses(403, 404))
async def enable(
    task_id: PeriodicTaskID, session: SessionDep, app: CeleryDep, caller: CallerDep
) -> Envelope[PeriodicTaskRead]:
    """Enable a periodic task; it next runs at its first slot after now."""
    task = await service.get(session, task_id)
    return ok(service.to_read(await service.set_enabled(session, app, task, True, caller), app))


@router.post("/tasks/{task_id}/disable", responses=NOT_FOUND)
async def disable(
    task_id: PeriodicTaskID, session: SessionDep, app: CeleryDep, caller: CallerDep
) -> Envelope[PeriodicTaskRead]:
    """Disable a periodic task."""
    task = await service.get(session, task_id)
    return ok(service.to_read(await service.set_enabled(session, app, task, False, caller), app))


@router.post(
    "/tasks/{task_id}/run",
    status_code=status.HTTP_202_ACCEPTED,
    responses=error_responses(403, 404, 503),
)
async def run(
    task_id: PeriodicTaskID,
    session: SessionDep,
    app: CeleryDep,
    caller: CallerDep,
    events: RunEventsDep,
) -> Envelope[TaskRunRead]:
    """Run a periodic task once now, outside its schedule."""
    task = await service.get(session, task_id)
    record = await service.run_now(app, task, caller, events)
    return ok(TaskRunRead.model_validate({**record.model_dump(), "id": str(record.id)}))


@router.get("/tasks/{task_id}/preview", responses=NOT_FOUND)
async def preview(
    task_id: PeriodicTaskID,
    session: SessionDep,
    count: Annotated[int, Query(ge=1, le=100)] = 10,
) -> Envelope[Preview]:
    """The next fire times of a saved task, in its timezone."""
    return ok(service.preview_task(await service.get(session, task_id), count))


@router.post("/preview")
async def preview_schedule(body: PreviewRequest) -> Envelope[Preview]:
    """The next fire times of a schedule before saving it, in its timezone."""
    return ok(service.preview_request(body))


@router.get("/registered-tasks")
async def registered(app: CeleryDep) -> Envelope[RegisteredTasks]:
    """The tasks a periodic task may use (schedulable ones), with the permission each needs."""
    declared = schedulable_tasks(app)
    tasks = [RegisteredTask(name=name, permission=code) for name, code in declared.items()]
    return ok(RegisteredTasks(names=[task.name for task in tasks], tasks=tasks))


@router.get("/runs", responses=error_responses(400))
async def runs(
    limit: CursorLimitDep,
    periodic_task_id: Annotated[UUID | None, Query(alias="periodicTaskId")] = None,
    status: RunStatus | None = None,
    task: Annotated[str | None, Query(max_length=200)] = None,
    since: datetime | None = None,
    until: datetime | None = None,
    cursor: Annotated[str | None, Query(max_length=200)] = None,
) -> Envelope[CursorPage[TaskRunRead]]:
    """Run history, newest first, with filters and a cursor."""
    found, next_cursor = await history.page(
        periodic_task_id=periodic_task_id,
        status=status,
        task=task,
        since=since,
        until=until,
        cursor=cursor,
        limit=limit,
    )
    items = [TaskRunRead.model_validate({**r.model_dump(), "id": str(r.id)}) for r in found]
    return ok(CursorPage[TaskRunRead](items=items, next_cursor=next_cursor))
