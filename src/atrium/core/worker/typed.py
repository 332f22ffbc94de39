"""Typed tasks: ``.delay()`` and ``.apply_async()`` keep the task's parameter types under mypy.

::

    @task(name="notifications.send_digest")
    async def send_digest(user_id: str, limit: int = 10) -> int: ...

    send_digest.delay("u1", limit=5)                              # checked by mypy
    send_digest.apply_async(SendOptions(countdown=30), "u1")       # options first, then arguments
    await send_digest.send("u1")                                  # from a request: see ``send``

Only the options given to the decorator (or to one send) reach Celery, so the app's configured
defaults (queue, ``acks_late``, ``track_started``, priority, publish retries) always apply
otherwise. ``async def`` tasks run on the worker process's persistent loop (``core.worker.loop``).
The tasks are Celery shared tasks: each belongs to the app the process built (``create_celery``).

A task may be scheduled from the database (periodic tasks, beat) only if it says so::

    @task(name="files.cleanup", schedulable=True)
    @task(name="notifications.send", schedule_permission="POST:/api/v1/notifications/send")

``schedule_permission`` (which implies ``schedulable``) is the permission code a caller must hold
to create, change, enable or run a periodic task of it; ``schedule_declaration`` reads both back.

A schedulable task may also name ``schedule_arguments``: a function called with the periodic
task's ``args`` and ``kwargs`` (``check(args, kwargs)``) when a periodic task of it is created or
its arguments change, raising (a pydantic ``ValidationError``, ``TypeError``/``ValueError`` or an
``AppError``) when they would be refused at run time, so a bad row is a 422 when it is written
rather than a failure at every tick. The task must still check its arguments when it runs
(a row may be written in plain SQL); the hook only moves the refusal earlier.
"""

from __future__ import annotations

import asyncio
import functools
import inspect
from collections.abc import Callable, Coroutine
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Concatenate, Generic, ParamSpec, TypedDict, TypeVar, Unpack, cast, overload

from celery import Task, shared_task
from celery.app.task import Context
from celery.canvas import Signature
from celery.result import AsyncResult
from kombu.exceptions import KombuError

from atrium.core.errors import TaskQueueUnavailable
from atrium.core.worker.loop import run_async

# A request waits at most about a second for a broker that does not answer.
SEND_RETRY_POLICY = {
    "max_retries": 2,
    "interval_start": 0.1,
    "interval_step": 0.3,
    "interval_max": 0.5,
}

P = ParamSpec("P")
R = TypeVar("R")

_REQUEST: ContextVar[Context | None] = ContextVar("atrium_task_request", default=None)


class TaskOptions(TypedDict, total=False):
    """Per-task options; any not given keeps the app's configured default."""

    max_retries: int | None
    default_retry_delay: float
    autoretry_for: tuple[type[BaseException], ...]
    dont_autoretry_for: tuple[type[BaseException], ...]
    retry_backoff: bool | float
    retry_backoff_max: float
    retry_jitter: bool
    retry_kwargs: dict[str, Any]
    soft_time_limit: float
    time_limit: float
    rate_limit: str
    ignore_result: bool
    acks_late: bool
    track_started: bool
    priority: int
    queue: str
    expires: float | datetime
    throws: tuple[type[BaseException], ...]


class SendOptions(TypedDict, total=False):
    """Options of one send; ``eta`` may be aware in any timezone (Celery converts it)."""

    countdown: float
    eta: datetime
    expires: float | datetime
    queue: str
    routing_key: str
    exchange: str
    priority: int
    headers: dict[str, Any]
    task_id: str
    retry: bool
    retry_policy: dict[str, Any]
    ignore_result: bool
    time_limit: int
    soft_time_limit: int


# Attributes the decorator sets on the task class (read back with ``schedule_declaration``).
SCHEDULABLE_ATTRIBUTE = "atrium_schedulable"
SCHEDULE_PERMISSION_ATTRIBUTE = "atrium_schedule_permission"
SCHEDULE_ARGUMENTS_ATTRIBUTE = "atrium_schedule_arguments"

ArgumentCheck = Callable[[list[Any], dict[str, Any]], object]
"""Checks a periodic task's ``args`` and ``kwargs``; raises when they would be refused."""


@dataclass(frozen=True, slots=True)
class ScheduleDeclaration:
    """A task's consent to be scheduled from the database, the code that takes, and the check of
    a periodic task's arguments (not compared: two declarations differ by what they allow)."""

    permission: str | None = None
    arguments: ArgumentCheck | None = field(default=None, compare=False)


def schedule_declaration(task: Task[Any, Any]) -> ScheduleDeclaration | None:
    """How a registered task may be scheduled; None if it did not opt in."""
    if not getattr(task, SCHEDULABLE_ATTRIBUTE, False):
        return None
    permission = getattr(task, SCHEDULE_PERMISSION_ATTRIBUTE, None)
    check = getattr(task, SCHEDULE_ARGUMENTS_ATTRIBUTE, None)
    return ScheduleDeclaration(
        permission if isinstance(permission, str) else None, check if callable(check) else None
    )


class AsyncTask(Task):  # type: ignore[type-arg]
    """The base of ``async def`` tasks: ``self.request`` stays intact inside the coroutine.

    Its ``run`` is a plain function that runs the coroutine on the process loop (``_on_loop``), so
    Celery's tracer calls it directly, as it does a sync task's, with no ``__call__`` of ours.
    """

    def _current_request(self) -> Context:
        # On a loop thread Celery's thread-local request stack is empty: use the coroutine's.
        return _REQUEST.get() or Task._get_request(self)  # type: ignore[attr-defined]

    request = property(_current_request)


def _on_loop(
    fn: Callable[..., Coroutine[Any, Any, Any]], task: Callable[[], Task[Any, Any]]
) -> Callable[..., Any]:
    """A sync function running ``fn``'s coroutine on the process loop with the task's request."""

    @functools.wraps(fn)
    def run(*args: Any, **kwargs: Any) -> Any:
        return run_async(_with_request(task().request, fn(*args, **kwargs)))

    run.__signature__ = inspect.signature(fn)  # type: ignore[attr-defined]  # Celery's check
    return run


async def _with_request(request: Context, coro: Coroutine[Any, Any, R]) -> R:
    _REQUEST.set(request)  # this coroutine runs in its own context copy
    return await coro


class TypedTask(Generic[P, R]):
    """A registered Celery task whose send methods are checked against its signature."""

    def __init__(self, task: Task[Any, Any]) -> None:
        self.task = task

    @property
    def name(self) -> str:
        return str(self.task.name)

    def __call__(self, *args: P.args, **kwargs: P.kwargs) -> R:
        """Run in this process (an async task runs on the process loop)."""
        return cast(R, self.task(*args, **kwargs))

    def delay(self, *args: P.args, **kwargs: P.kwargs) -> AsyncResult[R]:
        return cast("AsyncResult[R]", self.task.apply_async(args, kwargs))

    def apply_async(
        self, options: SendOptions, /, *args: P.args, **kwargs: P.kwargs
    ) -> AsyncResult[R]:
        return cast("AsyncResult[R]", self.task.apply_async(args, kwargs, **options))

    async def send(self, *args: P.args, **kwargs: P.kwargs) -> AsyncResult[R]:
        """``delay`` for async code (a request): published in a thread, since kombu's calls
        block, with a short retry; a broker that still does not take it is a 503
        ``TASK_QUEUE_UNAVAILABLE`` rather than a stalled loop or a 500."""
        publish = functools.partial(
            self.task.apply_async, args, kwargs, retry=True, retry_policy=SEND_RETRY_POLICY
        )
        try:
            sent = await asyncio.to_thread(publish)
        except (KombuError, OSError) as exc:
            raise TaskQueueUnavailable() from exc
        return cast("AsyncResult[R]", sent)

    def s(self, *args: P.args, **kwargs: P.kwargs) -> Signature[R]:
        return cast("Signature[R]", self.task.s(*args, **kwargs))


class _Decorator:
    def __init__(
        self, name: str, bind: bool, options: TaskOptions, schedule: ScheduleDeclaration | None
    ) -> None:
        self.name, self.bind, self.options, self.schedule = name, bind, options, schedule

    def register(self, fn: Callable[..., Any]) -> TypedTask[Any, Any]:
        extra: dict[str, Any] = dict(self.options)
        if self.schedule is not None:
            extra[SCHEDULABLE_ATTRIBUTE] = True
            extra[SCHEDULE_PERMISSION_ATTRIBUTE] = self.schedule.permission
            if self.schedule.arguments is not None:  # a class attribute: keep it unbound
                extra[SCHEDULE_ARGUMENTS_ATTRIBUTE] = staticmethod(self.schedule.arguments)
        registered: list[Task[Any, Any]] = []
        if inspect.iscoroutinefunction(fn):
            extra["base"] = AsyncTask
            fn = _on_loop(fn, lambda: registered[0])
        # A shared task: it belongs to whichever app this process builds (no app at import).
        registered.append(shared_task(name=self.name, bind=self.bind, **extra)(fn))
        return TypedTask(registered[0])


class _Plain(_Decorator):
    @overload
    def __call__(self, fn: Callable[P, Coroutine[Any, Any, R]]) -> TypedTask[P, R]: ...
    @overload
    def __call__(self, fn: Callable[P, R]) -> TypedTask[P, R]: ...
    def __call__(self, fn: Callable[..., Any]) -> TypedTask[Any, Any]:
        return self.register(fn)


class _Bound(_Decorator):
    @overload
    def __call__(
        self, fn: Callable[Concatenate[Any, P], Coroutine[Any, Any, R]]
    ) -> TypedTask[P, R]: ...
    @overload
    def __call__(self, fn: Callable[Concatenate[Any, P], R]) -> TypedTask[P, R]: ...
    def __call__(self, fn: Callable[..., Any]) -> TypedTask[Any, Any]:
        return self.register(fn)


def _declaration(
    schedulable: bool, permission: str | None, arguments: ArgumentCheck | None
) -> ScheduleDeclaration | None:
    if permission is not None and not permission.strip():
        raise ValueError("schedule_permission must be a permission code")
    if arguments is not None and not (schedulable or permission):
        raise ValueError("schedule_arguments needs a schedulable task")
    return ScheduleDeclaration(permission, arguments) if schedulable or permission else None


def task(
    *,
    name: str,
    schedulable: bool = False,
    schedule_permission: str | None = None,
    schedule_arguments: ArgumentCheck | None = None,
    **options: Unpack[TaskOptions],
) -> _Plain:
    """Register a sync or ``async def`` function as a task named ``name`` (dotted).

    ``schedulable``: periodic tasks in the database may run it; ``schedule_permission``: only a
    caller holding this code may schedule it (implies ``schedulable``); ``schedule_arguments``:
    checks a periodic task's arguments when it is written (422 when it raises).
    """
    declaration = _declaration(schedulable, schedule_permission, schedule_arguments)
    return _Plain(name, False, options, declaration)


def bound_task(
    *,
    name: str,
    schedulable: bool = False,
    schedule_permission: str | None = None,
    schedule_arguments: ArgumentCheck | None = None,
    **options: Unpack[TaskOptions],
) -> _Bound:
    """Like ``task``, the function taking the Celery task first (for ``self.retry()``)."""
    declaration = _declaration(schedulable, schedule_permission, schedule_arguments)
    return _Bound(name, True, options, declaration)
