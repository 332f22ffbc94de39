"""What the dashboard answers: each figure over the whole UTC days of the range asked for."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from atrium.core.schemas import Schema


@dataclass(frozen=True, slots=True)
class DayRange:
    """Whole UTC days: ``start`` is a midnight, ``end`` the midnight after the last day."""

    start: datetime
    end: datetime

    @property
    def days(self) -> list[date]:
        return [
            (self.start + timedelta(days=n)).date() for n in range((self.end - self.start).days)
        ]


class RangeRead(Schema):
    """The days a figure covers: from ``start`` (a UTC midnight) up to ``end`` (excluded)."""

    start: datetime
    end: datetime
    days: int

    @classmethod
    def of(cls, found: DayRange) -> RangeRead:
        return cls(start=found.start, end=found.end, days=len(found.days))


class UserFigures(Schema):
    range: RangeRead
    total: int  # every user now
    new: int  # created within the range
    active: int  # distinct users who logged in (successfully) within the range


class LoginDayRead(Schema):
    day: date
    successes: int
    failures: int


class LoginFigures(Schema):
    range: RangeRead
    successes: int
    failures: int
    days: list[LoginDayRead]


class RequestDayRead(Schema):
    day: date
    count: int
    client_errors: int  # 4xx
    server_errors: int  # 5xx
    p95_ms: float | None  # the upper bound of the latency bucket of the 95th percentile


class RequestFigures(Schema):
    range: RangeRead
    count: int
    client_errors: int
    server_errors: int
    p95_ms: float | None
    days: list[RequestDayRead]


class RunFigures(Schema):
    range: RangeRead
    total: int  # runs dispatched within the range
    by_status: dict[str, int]  # every status, zero included


class FileTypeRead(Schema):
    content_type: str
    count: int
    bytes: int


class FileFigures(Schema):
    range: RangeRead
    count: int  # complete files created within the range
    bytes: int
    by_type: list[FileTypeRead]  # most bytes first


class NotificationDayRead(Schema):
    day: date
    count: int


class NotificationFigures(Schema):
    range: RangeRead
    count: int
    by_audience: dict[str, int]
    days: list[NotificationDayRead]


class WidgetItemRead(Schema):
    id: str
    title: str
    at: datetime | None
    detail: str


class WidgetRead(Schema):
    name: str
    title: str
    total: int
    items: list[WidgetItemRead]


class MyDashboard(Schema):
    """The caller's own widgets, from every configured domain that brings one."""

    widgets: list[WidgetRead]
