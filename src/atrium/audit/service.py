"""The audit log's rules: the range a query may ask for, pages, and the export formats."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import AsyncIterator

from atrium.audit import repository
from atrium.audit.errors import AuditRangeInvalid
from atrium.audit.schemas import AuditEntryRead, AuditFilters, ExportFormat
from atrium.core.cursors import CursorPage

CSV_COLUMNS = (
    "id",
    "at",
    "actorKind",
    "actorId",
    "keyId",
    "method",
    "path",
    "code",
    "targetIds",
    "status",
    "durationMs",
    "clientIp",
    "userAgent",
    "requestId",
    "changes",
)
FORMULA_STARTS = frozenset("=+-@\t\r")
MEDIA_TYPES = {ExportFormat.NDJSON: "application/x-ndjson", ExportFormat.CSV: "text/csv"}


def checked(filters: AuditFilters) -> AuditFilters:
    """The filters, if their ranges are not empty (else a 422)."""
    for low, high in ((filters.status_min, filters.status_max), (filters.since, filters.until)):
        if low is not None and high is not None and low > high:  # type: ignore[operator]
            raise AuditRangeInvalid()
    return filters


async def list_entries(
    filters: AuditFilters, cursor: str | None, limit: int
) -> CursorPage[AuditEntryRead]:
    """One page of matching entries, newest first."""
    found, next_cursor = await repository.page(checked(filters), cursor, limit)
    items = [AuditEntryRead.of(entry) for entry in found]
    return CursorPage[AuditEntryRead](items=items, next_cursor=next_cursor)


def export(filters: AuditFilters, kind: ExportFormat, most: int) -> AsyncIterator[str]:
    """The matching entries (at most ``most``), newest first, one line of ``kind`` each; the
    filters are checked now, before anything is sent."""
    return _lines(checked(filters), kind, most)


async def _lines(filters: AuditFilters, kind: ExportFormat, most: int) -> AsyncIterator[str]:
    entries = repository.stream(filters, most)
    if kind is ExportFormat.CSV:
        yield _csv_line(CSV_COLUMNS)
    async for entry in entries:
        wire = AuditEntryRead.of(entry).model_dump(mode="json", by_alias=True)
        yield json.dumps(wire) + "\n" if kind is ExportFormat.NDJSON else _csv_row(wire)


def _csv_row(wire: dict[str, object]) -> str:
    cells = []
    for column in CSV_COLUMNS:
        value = wire.get(column)
        if isinstance(value, list | dict):
            cells.append(json.dumps(value))
        else:
            cells.append("" if value is None else str(value))
    return _csv_line([_inert(cell) for cell in cells])


def _inert(cell: str) -> str:
    # A spreadsheet runs a cell starting like a formula; a caller chooses the user agent.
    return f"'{cell}" if cell[:1] in FORMULA_STARTS else cell


def _csv_line(cells: tuple[str, ...] | list[str]) -> str:
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerow(cells)
    return out.getvalue()
