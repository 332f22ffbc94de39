"""Who may schedule what: only tasks that opted in, and only by callers holding their code.

A periodic task dispatches its task as the system, so scheduling one is using that task's power.
Creating, changing, enabling or running a periodic task therefore needs, besides the scheduler
route's own permission:

- a task that opted in to scheduling (``@task(..., schedulable=True)``): else 422
  ``TASK_NOT_SCHEDULABLE``;
- the permission code the task names (``schedule_permission``), if any: else 403
  ``SCHEDULER_PERMISSION_DENIED``. Superusers hold every code. The CLI runs as ``SYSTEM`` (it holds
  the database credentials, which could write the row directly): it passes the code check, never the
  opt-in (beat would skip such a row anyway).

A task may also declare a check of its arguments (``@task(..., schedule_arguments=check)``):
``ensure_arguments`` runs it when a periodic task is created or its task or arguments change,
and its refusal is a 422 ``TASK_ARGUMENTS_INVALID`` (or the ``AppError`` it raised).
"""

from __future__ import annotations

from typing import Any, Protocol

from celery import Celery
from pydantic import ValidationError

from atrium.core.errors import AppError
from atrium.core.responses import ErrorDetail
from atrium.core.worker.app import registered_task_names
from atrium.core.worker.typed import schedule_declaration
from atrium.scheduler.errors import (
    SchedulePermissionDenied,
    TaskArgumentsInvalid,
    TaskNotSchedulable,
)
from atrium.scheduler.tasknames import schedulable_tasks


class Caller(Protocol):
    def allows(self, code: str) -> bool:
        """Whether the caller holds the permission ``code``."""
        ...


class _System:
    def allows(self, code: str) -> bool:
        return True


SYSTEM: Caller = _System()


def ensure_arguments(app: Celery, name: str, args: list[Any], kwargs: dict[str, Any]) -> None:
    """The arguments pass the check the task declared for its periodic tasks, if any (else 422)."""
    task = app.tasks.get(name)
    declaration = schedule_declaration(task) if task is not None else None
    if declaration is None or declaration.arguments is None:
        return
    try:
        declaration.arguments(list(args), dict(kwargs))
    except AppError:
        raise
    except ValidationError as exc:
        errors = exc.errors()
        problems = "; ".join(f"{_path(e['loc'])}: {e['msg']}" for e in errors)
        raise TaskArgumentsInvalid(
            f"The arguments are refused by {name}: {problems}.",
            details=[_detail(e["loc"], e["msg"], e["type"]) for e in errors],
        ) from exc
    except (TypeError, ValueError) as exc:
        raise TaskArgumentsInvalid(
            f"The arguments are refused by {name}: {exc}.",
            details=[_detail((), str(exc), "arguments")],
        ) from exc


def _path(loc: tuple[int | str, ...]) -> str:
    return ".".join(str(part) for part in loc) or "arguments"


def _detail(loc: tuple[int | str, ...], message: str, kind: str) -> ErrorDetail:
    return ErrorDetail(loc=["body", "arguments", *loc], message=message, type=kind)


def ensure_schedulable(app: Celery, name: str, caller: Caller) -> None:
    """The task opted in to scheduling and the caller holds the code it names."""
    declared = schedulable_tasks(app)
    if name not in declared:
        detail = ErrorDetail(loc=["body", "task"], message="not schedulable", type="schedulable")
        raise TaskNotSchedulable(
            f"The task {name!r} cannot be scheduled from the database.", details=[detail]
        )
    permission = declared[name]
    if permission is not None and not caller.allows(permission):
        raise SchedulePermissionDenied(
            f"Scheduling {name!r} needs the permission {permission}, which you do not hold."
        )


def ensure_may_change(
    app: Celery, current: str, new: str | None, caller: Caller, *, enabled: bool
) -> None:
    """A change to a periodic task of ``current`` (becoming ``new``, ``enabled`` after it).

    The caller must hold the code of the task the row has, and of the task it gets; a row that
    stays disabled on the same task may be edited even if that task is not schedulable (so old
    rows can be repaired), but it cannot be enabled or run until it is.
    """
    permission = schedulable_tasks(app).get(current)
    if permission is not None and not caller.allows(permission):
        raise SchedulePermissionDenied(
            f"Changing a periodic task of {current!r} needs the permission {permission}, "
            "which you do not hold."
        )
    if new is not None and new not in registered_task_names(app):
        return  # the service's own check answers 422 UNKNOWN_TASK
    if enabled or new is not None:
        ensure_schedulable(app, new or current, caller)
