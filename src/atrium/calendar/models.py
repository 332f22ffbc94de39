"""The calendar tables: events, their attendees and reminders, the reminder delivery ledger, and
the users' feed tokens.

An event keeps its times as the organiser means them: local wall-clock times (``start_local``,
``end_local``, no offset) in an IANA time zone (``tz``). A weekly 09:00 meeting stays at 09:00
across a daylight-saving change, and a later change of the zone's rules moves nothing. The UTC
columns (``starts_at``, ``ends_at``: the first occurrence; ``series_ends_at``: the latest any
occurrence may end, NULL for a rule without end) are derived on save so that a range is one
indexed query.

Its revisions are in ``migrations/``, on the Alembic branch ``calendar``; after a change to the
model, ``atrium makemigration MESSAGE --branch calendar`` writes the next one.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any
from uuid import UUID

import sqlalchemy as sa
from sqlmodel import Field

from atrium.core.datascope import Ownership
from atrium.core.db import IdMixin, TimestampMixin, UTCDateTime

TITLE_MAX_LENGTH = 200
LOCATION_MAX_LENGTH = 500
DESCRIPTION_MAX_LENGTH = 10_000
TZ_MAX_LENGTH = 64
RRULE_MAX_LENGTH = 500


class Response(StrEnum):
    NEEDS_ACTION = "needs_action"
    ACCEPTED = "accepted"
    DECLINED = "declined"


class CalendarEvent(IdMixin, TimestampMixin, table=True):
    """An event, its organiser (deleted with them), its times in its zone and its rule."""

    __tablename__ = "calendar_events"

    organiser_id: UUID = Field(
        foreign_key="users.id", ondelete="CASCADE", index=True, nullable=False
    )
    title: str = Field(max_length=TITLE_MAX_LENGTH, nullable=False)
    description: str = Field(default="", sa_type=sa.Text, nullable=False)
    location: str = Field(default="", max_length=LOCATION_MAX_LENGTH, nullable=False)
    tz: str = Field(max_length=TZ_MAX_LENGTH, nullable=False)
    all_day: bool = Field(default=False, nullable=False)
    start_local: datetime = Field(sa_type=sa.DateTime(timezone=False), nullable=False)
    end_local: datetime = Field(sa_type=sa.DateTime(timezone=False), nullable=False)
    starts_at: datetime = Field(sa_type=UTCDateTime, nullable=False, index=True)
    ends_at: datetime = Field(sa_type=UTCDateTime, nullable=False)
    series_ends_at: datetime | None = Field(
        default=None, sa_type=UTCDateTime, nullable=True, index=True
    )
    rrule: str | None = Field(default=None, max_length=RRULE_MAX_LENGTH, nullable=True)
    # Local start times (ISO, no offset) of occurrences the rule yields but that do not happen.
    exdates: list[Any] = Field(default_factory=list, sa_type=sa.JSON, nullable=False)


def _response_type() -> sa.Enum:
    return sa.Enum(
        Response,
        name="calendarresponse",
        native_enum=False,
        length=16,
        values_callable=lambda members: [member.value for member in members],
    )


class Attendee(IdMixin, table=True):
    """A user invited to an event, and their answer."""

    __tablename__ = "calendar_attendees"
    __table_args__ = (sa.UniqueConstraint("event_id", "user_id"),)

    event_id: UUID = Field(
        foreign_key="calendar_events.id", ondelete="CASCADE", index=True, nullable=False
    )
    user_id: UUID = Field(foreign_key="users.id", ondelete="CASCADE", index=True, nullable=False)
    response: Response = Field(
        default=Response.NEEDS_ACTION, sa_type=_response_type(), nullable=False
    )


class Reminder(IdMixin, table=True):
    """A reminder of every occurrence of an event, ``minutes_before`` its start."""

    __tablename__ = "calendar_reminders"
    __table_args__ = (sa.UniqueConstraint("event_id", "minutes_before"),)

    event_id: UUID = Field(
        foreign_key="calendar_events.id", ondelete="CASCADE", index=True, nullable=False
    )
    minutes_before: int = Field(nullable=False)


class ReminderDelivery(IdMixin, table=True):
    """The ledger: one row per reminder of one occurrence sent. Its unique key is the claim, so
    two runs (two beats, two workers) never send the same reminder twice."""

    __tablename__ = "calendar_reminder_deliveries"
    # Named: the generated name would pass PostgreSQL's 63-character limit.
    __table_args__ = (
        sa.UniqueConstraint(
            "event_id",
            "occurrence_start",
            "reminder_id",
            name="uq_calendar_reminder_deliveries_key",
        ),
    )

    event_id: UUID = Field(
        foreign_key="calendar_events.id", ondelete="CASCADE", index=True, nullable=False
    )
    reminder_id: UUID = Field(
        foreign_key="calendar_reminders.id", ondelete="CASCADE", index=True, nullable=False
    )
    occurrence_start: datetime = Field(sa_type=UTCDateTime, nullable=False)
    sent_at: datetime = Field(sa_type=UTCDateTime, nullable=False)


class FeedToken(IdMixin, table=True):
    """A user's iCalendar feed secret, kept only as its SHA-256 (one per user: rotating replaces
    it, revoking deletes it)."""

    __tablename__ = "calendar_feed_tokens"

    user_id: UUID = Field(foreign_key="users.id", ondelete="CASCADE", unique=True, nullable=False)
    token_hash: str = Field(max_length=64, unique=True, nullable=False)
    created_at: datetime = Field(sa_type=UTCDateTime, nullable=False)


# Who owns an event: its organiser. Attendees reach it through the link table (repository).
EVENT_SCOPE = Ownership(owner="organiser_id")
