"""The audit log on the command line: admin commands are recorded (``CommandLog``, added when the
domain is configured), and ``atrium audit tail`` / ``atrium audit export`` read the log."""

from __future__ import annotations

import asyncio
import sys
import threading
from collections.abc import AsyncIterator, Callable, Coroutine, Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from typing import Annotated, Any
from uuid import UUID

import structlog
import typer

from atrium.audit.documents import COLLECTION, DOCUMENTS, ActorKind, AuditRecord
from atrium.audit.metrics import AUDIT_DROPPED
from atrium.audit.recording import Recording, recording
from atrium.audit.schemas import AuditFilters, ExportFormat
from atrium.audit.settings import AuditSettings
from atrium.audit.writer import as_document
from atrium.config import Settings, get_settings
from atrium.core.commandlog import CommandRun, add_recorder
from atrium.core.errors import AppError
from atrium.core.mongo import Mongo

log = structlog.get_logger(__name__)
audit_cli = typer.Typer(help="The audit log: read it.", no_args_is_help=True)
WRITE_TIMEOUT_SECONDS = 10.0


class CommandLog:
    """Records each admin command straight into MongoDB when it ends (a command has no writer
    task); if the store cannot be reached, the entry is dropped, counted and logged."""

    def __init__(self, settings: Callable[[], Settings] = get_settings) -> None:
        self.settings = settings
        self._current: list[Recording] = []

    @contextmanager
    def recording(self) -> Iterator[Recording]:
        with recording() as found:
            self._current.append(found)
            try:
                yield found
            finally:
                self._current.pop()

    def record(self, run: CommandRun) -> None:
        found = self._current[-1] if self._current else Recording()
        settings = self.settings()
        entry = command_entry(run, found, settings.group(AuditSettings))
        if not _in_thread(lambda: _store(settings, entry)):
            AUDIT_DROPPED.inc()
            log.warning("1 audit entries dropped", event_name="audit_entries_dropped", count=1)


def command_entry(run: CommandRun, found: Recording, settings: AuditSettings) -> AuditRecord:
    """The entry of one command (its ``status`` is the exit status: 0 for success)."""
    return AuditRecord(
        at=run.started_at,
        actor_kind=ActorKind.SYSTEM,
        method="CLI",
        path=f"atrium {run.name}",
        code=f"cli:{run.name}",
        target_ids=found.entity_ids,
        status=run.exit_code,
        duration_ms=round(run.duration * 1000, 3),
        changes=found.changes,
        expires_at=run.started_at + timedelta(days=settings.retention_days),
    )


async def _store(settings: Settings, entry: AuditRecord) -> None:
    mongo = Mongo(settings.mongo)
    try:
        await mongo.database[COLLECTION].insert_one(as_document(entry))
    finally:
        await mongo.close()


def _in_thread(work: Callable[[], Coroutine[Any, Any, None]]) -> bool:
    """Run a coroutine on a loop of its own (a command may call this from inside its loop)."""
    outcome: list[bool] = []

    def target() -> None:
        try:
            asyncio.run(work())
            outcome.append(True)
        except Exception as exc:
            log.warning("audit_store_unavailable", error=repr(exc))

    thread = threading.Thread(target=target, name="audit-command-log", daemon=True)
    thread.start()
    thread.join(WRITE_TIMEOUT_SECONDS)
    return bool(outcome)


COMMAND_LOG = CommandLog()


def register(cli: typer.Typer) -> None:
    add_recorder(COMMAND_LOG)
    cli.add_typer(audit_cli, name="audit")


def _filters(
    actor_id: UUID | None, code: str | None, since: datetime | None, until: datetime | None
) -> AuditFilters:
    return AuditFilters(actor_id=actor_id, code=code, since=since, until=until)


def _print(work: Callable[[], AsyncIterator[str]]) -> None:
    try:
        asyncio.run(_with_log(work))
    except AppError as exc:
        typer.echo(f"error: {exc.detail_message}", err=True)
        raise typer.Exit(code=1) from exc


async def _with_log(work: Callable[[], AsyncIterator[str]]) -> None:
    mongo = Mongo(get_settings().mongo)
    try:
        await mongo.init_documents(DOCUMENTS)
        async for line in work():
            sys.stdout.write(line)
    finally:
        await mongo.close()


ActorOption = Annotated[UUID | None, typer.Option("--actor-id", help="Only this user's.")]
CodeOption = Annotated[str | None, typer.Option(help="Only this permission code.")]
FromOption = Annotated[datetime | None, typer.Option("--from", help="From (UTC, inclusive).")]
ToOption = Annotated[datetime | None, typer.Option("--to", help="Until (UTC, exclusive).")]


@audit_cli.command("tail")
def tail(
    lines: Annotated[int, typer.Option("-n", "--lines", min=1, max=10_000)] = 20,
    actor_id: ActorOption = None,
    code: CodeOption = None,
) -> None:
    """Print the newest entries, one JSON line each (newest first)."""
    from atrium.audit import service

    filters = _filters(actor_id, code, None, None)
    _print(lambda: service.export(filters, ExportFormat.NDJSON, lines))


@audit_cli.command("export")
def export(
    format: Annotated[ExportFormat, typer.Option(help="ndjson or csv.")] = ExportFormat.NDJSON,
    actor_id: ActorOption = None,
    code: CodeOption = None,
    since: FromOption = None,
    until: ToOption = None,
) -> None:
    """Write the matching entries to standard output, newest first (bounded by
    ATRIUM_AUDIT__EXPORT_MAX_ROWS)."""
    from atrium.audit import service

    most = get_settings().group(AuditSettings).export_max_rows
    filters = _filters(actor_id, code, _utc(since), _utc(until))
    _print(lambda: service.export(filters, format, most))


def _utc(value: datetime | None) -> datetime | None:
    from atrium.core.clock import as_utc

    return None if value is None else as_utc(value)
