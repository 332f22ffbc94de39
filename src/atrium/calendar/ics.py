"""iCalendar (RFC 5545) text of events, written with the ``icalendar`` library: one event's
export and a user's feed. Each event keeps its zone (``DTSTART;TZID=...``), its rule and its
exceptions, so calendar apps expand the occurrences themselves, DST included."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from icalendar import Calendar, Event, vRecur

from atrium.calendar import recurrence
from atrium.calendar.models import CalendarEvent

PRODID = "-//Atrium//Calendar//EN"
MEDIA_TYPE = "text/calendar; charset=utf-8"


def _times(event: CalendarEvent, moment: datetime) -> object:
    if event.all_day:
        return moment.date()
    return recurrence.localise(event, moment)


def _event(event: CalendarEvent) -> Event:
    item = Event()
    item.add("uid", f"{event.id}@atrium")
    item.add("dtstamp", event.updated_at)
    item.add("summary", event.title)
    item.add("dtstart", _times(event, event.start_local))
    item.add("dtend", _times(event, event.end_local))
    if event.description:
        item.add("description", event.description)
    if event.location:
        item.add("location", event.location)
    if event.rrule:
        item.add("rrule", vRecur.from_ical(event.rrule))
    for value in event.exdates:
        item.add("exdate", _times(event, datetime.fromisoformat(value)))
    return item


def calendar(events: Iterable[CalendarEvent], name: str | None = None) -> bytes:
    """A VCALENDAR of ``events`` (with each zone's VTIMEZONE), as bytes."""
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    if name:
        cal.add("x-wr-calname", name)
    for event in events:
        cal.add_component(_event(event))
    cal.add_missing_timezones()
    return bytes(cal.to_ical())
