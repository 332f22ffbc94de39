"""The calendar domain's rules: who reaches which event, who may change it, and what its times
mean.

- An event is reached by its organiser, its attendees and holders of ``calendar:admin``; anyone
  else gets 404 ``CALENDAR_EVENT_NOT_FOUND``, whether it exists or not. Removing an attendee takes
  their reach away on their next request.
- Only the organiser (or a ``calendar:admin``) edits or deletes it (403
  ``CALENDAR_ORGANISER_ONLY`` for an attendee); only an attendee answers it (403
  ``CALENDAR_NOT_ATTENDEE``).
- Times are local wall-clock times in an IANA zone; the rule is an RFC 5545 RRULE (DAILY or
  coarser); a list covers a bounded range and expands the occurrences within it.

Functions flush and never commit: the caller's session commits.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from typing import Any
from uuid import UUID

from sqlalchemy.ext.asyncio import AsyncSession

from atrium.calendar import recurrence, repository
from atrium.calendar.errors import (
    AttendeeInvalid,
    EventNotFound,
    EventTimesInvalid,
    NotAttendee,
    OrganiserOnly,
    RangeInvalid,
    TooManyOccurrences,
)
from atrium.calendar.models import EVENT_SCOPE, CalendarEvent, Response
from atrium.calendar.recurrence import Occurrence
from atrium.calendar.schemas import (
    AttendeeRead,
    EventCreate,
    EventRead,
    EventUpdate,
    OccurrenceRead,
)
from atrium.core.datascope import Caller, Reach
from atrium.core.pages import Page, PageParams, make_page
from atrium.users import service as users_service

MAX_OCCURRENCES = 5000
_PLAIN = ("title", "description", "location")
_TIMED = ("tz", "all_day", "start", "end", "rrule", "exdates")


# Times outside these years are refused: far enough for any calendar, and far from the ends of
# ``datetime``, where converting between zones overflows.
YEARS = range(1900, 2201)


def _local(value: datetime, tz: str) -> datetime:
    """``value`` as a naive wall-clock time of ``tz`` (converted when it carries an offset)."""
    if value.year not in YEARS:
        raise EventTimesInvalid()
    if value.tzinfo is not None:
        value = value.astimezone(recurrence.zone(tz)).replace(tzinfo=None)
    return value.replace(microsecond=0)


def _set_times(event: CalendarEvent, fields: dict[str, Any]) -> None:
    """Check the times and rule as a whole, then store them with the UTC columns derived."""
    tz = fields["tz"]
    zone = recurrence.zone(tz)
    start, end = _local(fields["start"], tz), _local(fields["end"], tz)
    midnight = time(0)
    if end <= start:
        raise EventTimesInvalid()
    if fields["all_day"] and (start.time(), end.time()) != (midnight, midnight):
        raise EventTimesInvalid()
    rule = recurrence.normalise_rule(fields["rrule"]) if fields["rrule"] else None
    first = start.replace(tzinfo=zone)
    event.tz, event.all_day, event.start_local, event.end_local = tz, fields["all_day"], start, end
    event.starts_at = first.astimezone(UTC)
    event.ends_at = end.replace(tzinfo=zone).astimezone(UTC)
    event.rrule = rule
    event.series_ends_at = (
        event.ends_at if rule is None else recurrence.series_end(rule, first, end - start)
    )
    event.exdates = sorted({_local(value, tz).isoformat() for value in fields["exdates"]})


async def _check_attendees(session: AsyncSession, user_ids: list[UUID]) -> None:
    for user_id in set(user_ids):
        user = await users_service.get(session, user_id)
        if user is None or not user.is_active:
            raise AttendeeInvalid()


async def create(session: AsyncSession, organiser_id: UUID, data: EventCreate) -> CalendarEvent:
    """An event organised by ``organiser_id``, with its attendees and reminders."""
    await _check_attendees(session, data.attendee_ids)
    event = CalendarEvent(
        organiser_id=organiser_id, **data.model_dump(include=set(_PLAIN), by_alias=False)
    )
    _set_times(event, data.model_dump(include=set(_TIMED), by_alias=False))
    session.add(event)
    await session.flush()
    invited = [user_id for user_id in data.attendee_ids if user_id != organiser_id]
    await repository.replace_attendees(session, event.id, invited)
    await repository.replace_reminders(session, event.id, data.reminders)
    await session.flush()
    return event


def _organiser_only(caller: Caller, event: CalendarEvent) -> None:
    if not (caller.sees_all or EVENT_SCOPE.owns(event, caller)):
        raise OrganiserOnly()


async def update(
    session: AsyncSession, caller: Caller, event: CalendarEvent, data: EventUpdate
) -> CalendarEvent:
    """Change the fields sent (the organiser's or a ``calendar:admin``'s call)."""
    _organiser_only(caller, event)
    sent = data.model_dump(exclude_unset=True, by_alias=False)
    if sent.get("attendee_ids") is not None:
        await _check_attendees(session, data.attendee_ids or [])
    for name in _PLAIN:
        if sent.get(name) is not None:
            setattr(event, name, sent[name])
    current = {
        "tz": event.tz,
        "all_day": event.all_day,
        "start": event.start_local,
        "end": event.end_local,
        "rrule": event.rrule,
        "exdates": [datetime.fromisoformat(value) for value in event.exdates],
    }
    given = {k: v for k, v in sent.items() if k in _TIMED and (v is not None or k == "rrule")}
    _set_times(event, current | given)
    event.updated_at = datetime.now(UTC)
    await _replace_lists(session, event, data)
    await session.flush()
    return event


async def _replace_lists(session: AsyncSession, event: CalendarEvent, data: EventUpdate) -> None:
    if data.attendee_ids is not None:
        invited = [user_id for user_id in data.attendee_ids if user_id != event.organiser_id]
        await repository.replace_attendees(session, event.id, invited)
    if data.reminders is not None:
        await repository.replace_reminders(session, event.id, data.reminders)


async def delete(session: AsyncSession, caller: Caller, event: CalendarEvent) -> None:
    """Delete the event, its attendees, reminders and ledger (the organiser's call)."""
    _organiser_only(caller, event)
    await session.delete(event)
    await session.flush()


async def get_visible(session: AsyncSession, caller: Caller, event_id: UUID) -> CalendarEvent:
    """The event, if it is within the caller's scope; else a 404, existing or not."""
    found = await repository.get_in_scope(session, event_id, caller)
    if found is None:
        raise EventNotFound()
    return found


async def respond(
    session: AsyncSession, caller: Caller, event: CalendarEvent, response: Response
) -> CalendarEvent:
    """The caller's answer to an event they are invited to."""
    found = await repository.attendee(session, event.id, caller.user_id)
    if found is None:
        raise NotAttendee()
    found.response = response
    await session.flush()
    return event


async def read_all(session: AsyncSession, events: list[CalendarEvent]) -> list[EventRead]:
    """The events with their attendees and reminders, as answered."""
    ids = [event.id for event in events]
    attendees: dict[UUID, list[AttendeeRead]] = defaultdict(list)
    reminders: dict[UUID, list[int]] = defaultdict(list)
    for row in await repository.attendees_of(session, ids):
        attendees[row.event_id].append(AttendeeRead(user_id=row.user_id, response=row.response))
    for reminder in await repository.reminders_of(session, ids):
        reminders[reminder.event_id].append(reminder.minutes_before)
    return [_read(event, attendees[event.id], reminders[event.id]) for event in events]


def _read(event: CalendarEvent, attendees: list[AttendeeRead], reminders: list[int]) -> EventRead:
    return EventRead.model_validate(
        {
            **event.model_dump(),
            "start": recurrence.localise(event, event.start_local),
            "end": recurrence.localise(event, event.end_local),
            "exdates": [
                recurrence.localise(event, datetime.fromisoformat(value)) for value in event.exdates
            ],
            "attendees": attendees,
            "reminders": reminders,
        }
    )


async def read(session: AsyncSession, event: CalendarEvent) -> EventRead:
    return (await read_all(session, [event]))[0]


@dataclass(frozen=True, slots=True)
class Window:
    """A list's range and what else it keeps."""

    start: datetime
    end: datetime
    reach: Reach = Reach.ALL
    q: str | None = None


def check_range(window: Window, max_days: int) -> None:
    """422 ``CALENDAR_RANGE_INVALID`` unless ``to`` is after ``from`` within ``max_days``."""
    if window.end <= window.start or window.end - window.start > timedelta(days=max_days):
        raise RangeInvalid()
    if window.start.year not in YEARS or window.end.year not in YEARS:
        raise RangeInvalid()


def expand(events: list[CalendarEvent], start: datetime, end: datetime) -> list[Occurrence]:
    """Every occurrence of ``events`` overlapping the range, in start order (bounded)."""
    found: list[Occurrence] = []
    for event in events:
        found += recurrence.occurrences(event, start, end, MAX_OCCURRENCES - len(found))
        if len(found) > MAX_OCCURRENCES:
            raise TooManyOccurrences()
    return sorted(found, key=lambda occurrence: (occurrence.start_utc, occurrence.event.id))


async def list_occurrences(
    session: AsyncSession, caller: Caller, window: Window, params: PageParams, max_days: int
) -> Page[OccurrenceRead]:
    """The occurrences within the caller's reach in the range, one page."""
    check_range(window, max_days)
    where = repository.scope(caller, window.reach)
    events = await repository.overlapping(session, where, window.start, window.end, window.q)
    found = expand(events, window.start, window.end)
    chosen = found[params.offset : params.offset + params.size]
    return make_page([_occurrence(item) for item in chosen], len(found), params)


def _occurrence(item: Occurrence) -> OccurrenceRead:
    event = item.event
    return OccurrenceRead(
        event_id=event.id,
        organiser_id=event.organiser_id,
        title=event.title,
        location=event.location,
        tz=event.tz,
        all_day=event.all_day,
        recurring=event.rrule is not None,
        start=item.start_utc,
        end=item.end_utc,
        start_local=item.start,
        end_local=item.end,
    )
