"""``atrium beat`` and ``atrium tasks list|add|enable|disable|run``."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Annotated, Any, TypeVar

import typer
from celery import Celery

from atrium.core.clock import human_time
from atrium.core.commandlog import audited

T = TypeVar("T")
tasks_cli = typer.Typer(help="Periodic tasks in the database (beat applies changes at once).")


def register(cli: typer.Typer) -> None:
    cli.command("beat")(beat)
    cli.add_typer(tasks_cli, name="tasks")


def beat() -> None:
    """Run the database-backed beat scheduler (one leader at a time; run several for failover)."""
    from atrium.config import get_settings
    from atrium.core.logging import configure_logging
    from atrium.scheduler.beat import main

    settings = get_settings()
    configure_logging(settings.logging, settings.environment)  # the API's and worker's format
    main(settings)


def _with_session(work: Callable[[Any], Awaitable[T]], ledger: bool = False) -> T:
    from atrium.config import get_settings
    from atrium.core.db import Database
    from atrium.core.mongo import Mongo
    from atrium.scheduler.documents import DOCUMENTS

    async def run() -> T:
        settings = get_settings()
        db, mongo = Database(settings.sql), Mongo(settings.mongo)
        try:
            if ledger:
                await mongo.init_documents(DOCUMENTS)
            async with db.session() as session:
                return await work(session)
        finally:
            await mongo.close()
            await db.dispose()

    return asyncio.run(run())


def _find(session: Any, name: str) -> Awaitable[Any]:
    from atrium.core.errors import NotFound
    from atrium.scheduler import repository

    async def find() -> Any:
        task = await repository.get_by_name(session, name)
        if task is None:
            raise NotFound(f"no periodic task named {name!r}")
        return task

    return find()


@tasks_cli.command("list")
def list_tasks() -> None:
    """List periodic tasks with their schedule, state and next run."""
    from atrium.core.pages import PageParams
    from atrium.scheduler import service

    celery_app = _celery()

    async def work(session: Any) -> None:
        page = await service.page(session, celery_app, PageParams(page=1, size=100))
        for params in range(2, page.pages + 1):
            more = await service.page(session, celery_app, PageParams(page=params, size=100))
            page.items.extend(more.items)
        for item in page.items:
            state = "enabled " if item.enabled else "disabled"
            if not item.schedulable:
                state = "skipped "  # beat does not run it: its task is not schedulable
            schedule = item.schedule.model_dump(exclude={"kind"}, mode="json")
            next_run = human_time(item.next_run_at) if item.next_run_at else "-"
            typer.echo(
                f"{item.name}\t{state}\t{item.task}\t{item.schedule.kind} {schedule} "
                f"{item.timezone}\tnext {next_run}\truns {item.total_run_count}"
            )

    _with_session(work)


@tasks_cli.command("add")
@audited("tasks add")
def add(
    name: Annotated[str, typer.Argument(help="Unique name.")],
    task: Annotated[str, typer.Argument(help="A registered task name.")],
    every: Annotated[float | None, typer.Option(help="Interval in seconds.")] = None,
    crontab: Annotated[str | None, typer.Option(help="'m h dom mon dow'.")] = None,
    at: Annotated[datetime | None, typer.Option(help="Clocked: once at this time.")] = None,
    timezone: Annotated[str, typer.Option(help="IANA timezone.")] = "UTC",
    args: Annotated[str, typer.Option(help="JSON list.")] = "[]",
    kwargs: Annotated[str, typer.Option(help="JSON object.")] = "{}",
    queue: Annotated[str | None, typer.Option(help="Queue name.")] = None,
    one_off: Annotated[bool, typer.Option(help="Run once, then disable.")] = False,
    disabled: Annotated[bool, typer.Option(help="Create it disabled.")] = False,
    description: Annotated[str, typer.Option(help="Free text.")] = "",
) -> None:
    """Add a periodic task (exactly one of --every, --crontab, --at)."""
    from atrium.scheduler import service
    from atrium.scheduler.schedulable import SYSTEM
    from atrium.scheduler.schemas import PeriodicTaskCreate

    celery_app = _celery()

    body = PeriodicTaskCreate.model_validate(
        {
            "name": name,
            "task": task,
            "schedule": _schedule(every, crontab, at),
            "timezone": timezone,
            "args": json.loads(args),
            "kwargs": json.loads(kwargs),
            "queue": queue,
            "one_off": one_off,
            "enabled": not disabled,
            "description": description,
        }
    )

    async def work(session: Any) -> None:
        created = await service.create(session, celery_app, body, SYSTEM)
        read = service.to_read(created, celery_app)
        next_run = human_time(read.next_run_at) if read.next_run_at else "-"
        typer.echo(f"added {read.name} ({read.id}), next run {next_run}")

    _run_cli(lambda: _with_session(work))


def _schedule(every: float | None, crontab: str | None, at: datetime | None) -> dict[str, Any]:
    if sum(value is not None for value in (every, crontab, at)) != 1:
        raise typer.BadParameter("give exactly one of --every, --crontab, --at")
    if every is not None:
        return {"kind": "interval", "every": every}
    if at is not None:
        return {"kind": "clocked", "at": at if at.tzinfo else at.astimezone()}
    parts = (crontab or "").split()
    if len(parts) != 5:
        raise typer.BadParameter("--crontab needs 5 fields: 'm h dom mon dow'")
    minute, hour, dom, month, dow = parts
    return {
        "kind": "crontab",
        "minute": minute,
        "hour": hour,
        "day_of_month": dom,
        "month_of_year": month,
        "day_of_week": dow,
    }


def _set_enabled(name: str, enabled: bool) -> None:
    from atrium.scheduler import service
    from atrium.scheduler.schedulable import SYSTEM

    celery_app = _celery()

    async def work(session: Any) -> None:
        task = await _find(session, name)
        await service.set_enabled(session, celery_app, task, enabled, SYSTEM)
        typer.echo(f"{name} {'enabled' if enabled else 'disabled'}")

    _run_cli(lambda: _with_session(work))


@tasks_cli.command("enable")
@audited("tasks enable")
def enable(name: Annotated[str, typer.Argument(help="The task's name.")]) -> None:
    """Enable a periodic task (it next runs at its first slot after now)."""
    _set_enabled(name, True)


@tasks_cli.command("disable")
@audited("tasks disable")
def disable(name: Annotated[str, typer.Argument(help="The task's name.")]) -> None:
    """Disable a periodic task."""
    _set_enabled(name, False)


@tasks_cli.command("run")
@audited("tasks run")
def run(name: Annotated[str, typer.Argument(help="The task's name.")]) -> None:
    """Run a periodic task once now (recorded in the run ledger as manual)."""
    from atrium.scheduler import service
    from atrium.scheduler.schedulable import SYSTEM

    celery_app = _celery()

    async def work(session: Any) -> None:
        record = await service.run_now(celery_app, await _find(session, name), SYSTEM)
        typer.echo(f"sent {record.task} as {record.task_id}")

    _run_cli(lambda: _with_session(work, ledger=True))


def _run_cli(call: Callable[[], None]) -> None:
    from atrium.core.errors import AppError

    try:
        call()
    except AppError as exc:
        typer.echo(f"error: {exc.detail_message}", err=True)
        raise typer.Exit(code=1) from exc


def _celery() -> Celery:
    """This command's Celery app, built from the settings (connects only to send)."""
    from atrium.config import get_settings
    from atrium.core.worker.app import create_celery

    return create_celery(get_settings())
