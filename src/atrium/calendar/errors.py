"""The calendar domain's errors: one class per code, one status per code."""

from __future__ import annotations

from atrium.core.errors import Forbidden, NotFound, UnprocessableEntity


class EventNotFound(NotFound):
    """The event does not exist, or the caller is neither its organiser nor an attendee (nor
    holds ``calendar:admin``): the same answer, so nobody learns of others' events."""

    code = "CALENDAR_EVENT_NOT_FOUND"
    message = "No such event."


class FeedNotFound(NotFound):
    """The feed URL's secret is unknown: never issued, rotated or revoked."""

    code = "CALENDAR_FEED_NOT_FOUND"
    message = "No such calendar feed."


class OrganiserOnly(Forbidden):
    """An attendee asked for what only the organiser (or a ``calendar:admin``) may do."""

    code = "CALENDAR_ORGANISER_ONLY"
    message = "Only the event's organiser may do this."


class NotAttendee(Forbidden):
    """A response (accept, decline) came from someone not invited to the event."""

    code = "CALENDAR_NOT_ATTENDEE"
    message = "Only an attendee of the event may respond to it."


class TimezoneInvalid(UnprocessableEntity):
    """The time zone is not an IANA name known to this server (``Europe/Berlin``)."""

    code = "CALENDAR_TIMEZONE_INVALID"
    message = "The time zone must be an IANA time zone name such as Europe/Berlin."


class RecurrenceInvalid(UnprocessableEntity):
    """The recurrence rule does not parse as an RFC 5545 RRULE of a supported frequency
    (DAILY, WEEKLY, MONTHLY, YEARLY), has more than the allowed COUNT, or yields nothing."""

    code = "CALENDAR_RRULE_INVALID"
    message = "The recurrence rule is not a valid, supported RRULE."


class EventTimesInvalid(UnprocessableEntity):
    """The event ends before (or when) it starts, an all-day event's times are not midnights, or
    a time (or exception) lies outside the years 1900 to 2200."""

    code = "CALENDAR_EVENT_TIMES_INVALID"
    message = "An event must end after it starts (all-day events on whole days)."


class RangeInvalid(UnprocessableEntity):
    """A list's ``to`` is not after its ``from``, the range is longer than allowed, or it lies
    outside the years 1900 to 2200."""

    code = "CALENDAR_RANGE_INVALID"
    message = "The range must end after it starts and span at most the allowed number of days."


class TooManyOccurrences(UnprocessableEntity):
    """The range holds more occurrences than one list expands (5000), or a dense rule would have
    to be walked too far from its start to reach it: ask for a narrower or nearer range."""

    code = "CALENDAR_TOO_MANY_OCCURRENCES"
    message = "Too many occurrences in this range: ask for a narrower one."


class AttendeeInvalid(UnprocessableEntity):
    """An attendee named is not an existing, active user."""

    code = "CALENDAR_ATTENDEE_INVALID"
    message = "Every attendee must be an existing, active user."
