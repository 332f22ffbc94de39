"""Schedule kinds and the one rule for a periodic task's next run.

Times are integer milliseconds since the epoch (UTC), so every beat computes the very same slot
from the same row: the run ledger's key (periodic task, scheduled time) then makes a second
dispatch of a slot impossible.

The next slot of a task is the first fire time strictly after its *reference*: the latest of
``last_run_at`` (the last dispatch), ``schedule_changed_at`` (stamped by a trigger when the
schedule, ``enabled`` or ``start_at`` changes) and ``start_at`` (minus 1 ms, so a start time on
a fire time fires). Saving or re-enabling a task therefore never fires it for a past slot.

- interval: slots ``anchor + k * every`` with the anchor ``start_at`` if set, else the schedule
  change time (so the first run is one interval after saving, or at ``start_at``);
- crontab: see ``atrium.scheduler.crontab`` (IANA timezone, DST rules);
- clocked: once, at ``clocked_at``; a ``clocked_at`` more than ``CLOCKED_GRACE_MS`` before the
  last schedule change (a save, a re-enable) has expired: it never fires;
- solar: the next solar event at a place (Celery's ``solar`` definitions, computed with ephem),
  rounded to the second and searched from the start of the UTC day, so every beat gets the same
  slot whatever its reference time.

No slot at or after ``expires_at``.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from typing import Any, Protocol

from celery.schedules import solar as celery_solar

from atrium.scheduler.crontab import Crontab, CrontabError, zone
from atrium.scheduler.models import ScheduleKind

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MS = timedelta(milliseconds=1)
_SECOND = timedelta(seconds=1)
MIN_INTERVAL_SECONDS = 1.0
# A clocked time this much before its save still fires (client and database clocks differ).
CLOCKED_GRACE_MS = 5_000
SOLAR_SEARCH_DAYS = 400  # polar days and nights: look again a day later, for about a year


class ScheduleError(ValueError):
    """A schedule that cannot be used (bad crontab field, unknown timezone, missing values)."""


def to_ms(value: datetime) -> int:
    return (value.astimezone(UTC) - EPOCH) // _MS


def from_ms(value: int) -> datetime:
    return EPOCH + value * _MS


MAX_MS = to_ms(datetime.max.replace(tzinfo=UTC)) - 86_400_000  # the last day stays usable


class Calendar(Protocol):
    def next_after(self, after: datetime) -> datetime | None: ...


@dataclass(frozen=True, slots=True)
class Interval:
    every_ms: int


@dataclass(frozen=True, slots=True)
class Clocked:
    pass


class Solar:
    """Celery's solar event definitions (horizon, method), computed for any start time.

    ephem's result moves by milliseconds with the search start, so the search starts at the
    UTC midnight of the reference (then chains from event to event) and the event is rounded
    to the second: beats with different reference times agree on the slot (the ledger key).
    """

    __slots__ = ("definition",)

    def __init__(self, event: str, latitude: float, longitude: float) -> None:
        try:
            self.definition: Any = celery_solar(event, latitude, longitude)  # type: ignore[arg-type]
        except ValueError as exc:
            raise ScheduleError(str(exc)) from exc

    def next_after(self, after: datetime) -> datetime | None:
        after = after.astimezone(UTC)
        start = datetime(after.year, after.month, after.day)  # naive UTC, as ephem wants
        for _ in range(SOLAR_SEARCH_DAYS):
            raw = self._event(start)
            if raw is None:
                start += timedelta(days=1)
                continue
            found = _round_second(raw).replace(tzinfo=UTC)
            if found > after:
                return found
            start = raw + timedelta(minutes=1)
        return None

    def _event(self, start: datetime) -> datetime | None:
        """The first event after ``start`` (naive UTC), None if the sun never crosses."""
        definition = self.definition
        ephem = definition.ephem
        # Celery passes use_center only when set: next_transit() does not accept it.
        options = {"use_center": True} if definition.use_center else {}
        try:
            found = getattr(definition.cal, definition.method)(
                ephem.Sun(), start=ephem.Date(start), **options
            )
        except (ephem.AlwaysUpError, ephem.NeverUpError):
            return None
        return found.datetime()  # type: ignore[no-any-return]


def _round_second(value: datetime) -> datetime:
    return (value + _SECOND / 2).replace(microsecond=0)


Compiled = Interval | Clocked | Crontab | Solar


@dataclass(frozen=True, slots=True)
class ScheduleSpec:
    """A schedule's definition: hashable, so equal schedules share one compiled object."""

    kind: str
    interval_seconds: float | None = None
    crontab: tuple[str, str, str, str, str] | None = None  # minute hour dow dom month
    timezone: str = "UTC"
    solar: tuple[str, float, float] | None = None


_compiled: dict[ScheduleSpec, Compiled] = {}


def compile_schedule(spec: ScheduleSpec) -> Compiled:
    """The compiled schedule for a spec (shared: 100k tasks on a few schedules cost a few)."""
    found = _compiled.get(spec)
    if found is None:
        found = _compile(spec)
        if len(_compiled) > 200_000:
            _compiled.clear()
        _compiled[spec] = found
    return found


def _compile(spec: ScheduleSpec) -> Compiled:
    try:
        zone(spec.timezone)
        if spec.kind == ScheduleKind.INTERVAL:
            return _interval(spec.interval_seconds)
        if spec.kind == ScheduleKind.CRONTAB and spec.crontab is not None:
            return Crontab.parse(*spec.crontab, spec.timezone)
        if spec.kind == ScheduleKind.CLOCKED:
            return Clocked()
        if spec.kind == ScheduleKind.SOLAR and spec.solar is not None:
            return Solar(*spec.solar)
    except CrontabError as exc:
        raise ScheduleError(str(exc)) from exc
    raise ScheduleError(f"incomplete {spec.kind!r} schedule")


def _interval(seconds: float | None) -> Interval:
    if seconds is None or seconds < MIN_INTERVAL_SECONDS:
        raise ScheduleError(f"an interval needs at least {MIN_INTERVAL_SECONDS:g} second")
    return Interval(round(seconds * 1000))


@dataclass(slots=True)
class Timing:
    """What decides a task's next slot, in ms (the row's schedule state)."""

    schedule: Compiled
    changed_ms: int
    last_ms: int | None = None
    start_ms: int | None = None
    expires_ms: int | None = None
    clocked_ms: int | None = None

    def next_slot(self) -> int | None:
        """The task's next slot: it is due once ``now >= slot`` (missed ones collapse to one)."""
        slot = self._slot()
        if slot is None or slot > MAX_MS:
            return None
        if self.expires_ms is not None and slot >= self.expires_ms:
            return None
        return slot

    def _slot(self) -> int | None:
        schedule = self.schedule
        if isinstance(schedule, Clocked):
            return self._clocked_slot()
        ref = max(self.changed_ms, self.last_ms if self.last_ms is not None else self.changed_ms)
        if isinstance(schedule, Interval):
            anchor = self.start_ms if self.start_ms is not None else self.changed_ms
            if ref < anchor:
                return anchor
            return anchor + ((ref - anchor) // schedule.every_ms + 1) * schedule.every_ms
        if self.start_ms is not None:
            ref = max(ref, self.start_ms - 1)
        try:
            found = schedule.next_after(from_ms(ref))
        except (OverflowError, ValueError):  # past year 9999: never
            return None
        return None if found is None else to_ms(found)

    def _clocked_slot(self) -> int | None:
        clocked = self.clocked_ms
        if clocked is None or clocked < self.changed_ms - CLOCKED_GRACE_MS:
            return None  # saved or re-enabled after its time: expired, not fired late
        return clocked if self.last_ms is None or self.last_ms < clocked else None

    def preview(self, count: int) -> list[int]:
        """The next ``count`` slots (fewer if the schedule ends)."""
        slots: list[int] = []
        probe = replace(self)
        while len(slots) < count:
            slot = probe.next_slot()
            if slot is None:
                break
            slots.append(slot)
            probe.last_ms = slot
        return slots
