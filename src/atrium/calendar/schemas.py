"""The calendar domain's wire models: what clients send and get back.

An event's ``start`` and ``end`` are local wall-clock times in its ``tz``: sent without an offset
they are taken as that zone's local time; sent with one they are converted into it. They are
answered as local times with the zone's offset on that date, beside ``startsAt``/``endsAt``
(the first occurrence, in UTC). An
all-day event starts and ends at midnight (``end`` exclusive: a one-day event on 1 May ends at
2 May 00:00). Occurrences in a list carry both UTC and local (with the zone's offset) times.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated
from uuid import UUID

from fastapi import Path
from pydantic import Field

from atrium.calendar.models import (
    DESCRIPTION_MAX_LENGTH,
    LOCATION_MAX_LENGTH,
    RRULE_MAX_LENGTH,
    TITLE_MAX_LENGTH,
    TZ_MAX_LENGTH,
    Response,
)
from atrium.core.schemas import Schema

EventID = Annotated[UUID, Path(description="The event's id")]
Title = Annotated[str, Field(min_length=1, max_length=TITLE_MAX_LENGTH)]
Description = Annotated[str, Field(max_length=DESCRIPTION_MAX_LENGTH)]
Location = Annotated[str, Field(max_length=LOCATION_MAX_LENGTH)]
Timezone = Annotated[
    str, Field(min_length=1, max_length=TZ_MAX_LENGTH, description="IANA name: Europe/Berlin")
]
Rule = Annotated[
    str,
    Field(
        min_length=1,
        max_length=RRULE_MAX_LENGTH,
        description="RFC 5545 RRULE value (FREQ=WEEKLY;BYDAY=MO); UNTIL in UTC (...Z)",
    ),
]
Exdates = Annotated[
    list[datetime],
    Field(max_length=500, description="Local start times of occurrences that do not happen"),
]
AttendeeIds = Annotated[list[UUID], Field(max_length=100, description="Invited users")]
MinutesBefore = Annotated[int, Field(ge=0, le=40_320)]
Reminders = Annotated[
    list[MinutesBefore], Field(max_length=10, description="Minutes before each occurrence")
]


class EventCreate(Schema):
    title: Title
    description: Description = ""
    location: Location = ""
    tz: Timezone
    all_day: bool = False
    start: datetime
    end: datetime
    rrule: Rule | None = None
    exdates: Exdates = Field(default_factory=list)
    attendee_ids: AttendeeIds = Field(default_factory=list)
    reminders: Reminders = Field(default_factory=list)


class EventUpdate(Schema):
    """The fields sent change (``rrule: null`` makes the event single); a list sent (attendees,
    reminders, exdates) replaces the one kept. Times are checked as a whole after the change."""

    title: Title | None = None
    description: Description | None = None
    location: Location | None = None
    tz: Timezone | None = None
    all_day: bool | None = None
    start: datetime | None = None
    end: datetime | None = None
    rrule: Rule | None = None
    exdates: Exdates | None = None
    attendee_ids: AttendeeIds | None = None
    reminders: Reminders | None = None


class AttendeeRead(Schema):
    user_id: UUID
    response: Response


class EventRead(Schema):
    id: UUID
    organiser_id: UUID
    title: str
    description: str
    location: str
    tz: str
    all_day: bool
    start: datetime = Field(description="Local wall-clock time in tz, with its offset")
    end: datetime = Field(description="Local wall-clock time in tz, with its offset")
    starts_at: datetime = Field(description="The first occurrence's start, UTC")
    ends_at: datetime = Field(description="The first occurrence's end, UTC")
    rrule: str | None
    exdates: list[datetime] = Field(description="Local times in tz, with their offsets")
    attendees: list[AttendeeRead]
    reminders: list[int]
    created_at: datetime
    updated_at: datetime


class OccurrenceRead(Schema):
    event_id: UUID
    organiser_id: UUID
    title: str
    location: str
    tz: str
    all_day: bool
    recurring: bool
    start: datetime = Field(description="This occurrence's start, UTC")
    end: datetime = Field(description="This occurrence's end, UTC")
    start_local: datetime = Field(description="This occurrence's start in tz, with its offset")
    end_local: datetime = Field(description="This occurrence's end in tz, with its offset")


class ResponseUpdate(Schema):
    response: Response = Field(description="accepted or declined (needs_action: undecided)")


class FeedRead(Schema):
    active: bool
    created_at: datetime | None = None


class FeedCreated(Schema):
    url: str = Field(description="The secret feed URL: shown once; rotate to replace it")
    path: str
    created_at: datetime
