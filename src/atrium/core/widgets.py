""" "My" widgets: what each domain shows a user about their own records on the dashboard.

A domain names a module in its entry (``widgets=".widgets"``) holding ``WIDGETS``, a list of
async functions ``(session, user_id, now) -> Widget``; each shows only that user's records. The
dashboard gathers them through ``gather`` and names no domain: one not configured contributes
nothing.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from sqlalchemy.ext.asyncio import AsyncSession

from atrium.core.domain import Domains


@dataclass(frozen=True, slots=True)
class WidgetItem:
    id: str
    title: str
    at: datetime | None = None  # when it is due, or starts
    detail: str = ""  # a status, a location


@dataclass(frozen=True, slots=True)
class Widget:
    name: str  # stable: "todos.open", "calendar.today"
    title: str
    total: int  # every matching record (``items`` may show fewer)
    items: tuple[WidgetItem, ...]


WidgetSource = Callable[[AsyncSession, UUID, datetime], Awaitable[Widget]]


def sources(domains: Domains) -> list[WidgetSource]:
    """Every configured domain's widget functions, in domain order."""
    found: list[WidgetSource] = []
    for domain in domains:
        found += domain.attribute(domain.widgets, "WIDGETS", list) or []
    return found


async def gather(
    found: list[WidgetSource], session: AsyncSession, user_id: UUID, now: datetime
) -> list[Widget]:
    """The user's widgets from each source (``sources``)."""
    return [await source(session, user_id, now) for source in found]
