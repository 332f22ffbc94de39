"""Bad input to the calendar routes: a 4xx with a stable code, never a 500 (both SQL backends)."""

from __future__ import annotations

from typing import Any
from uuid import uuid4

import httpx

from tests.support.workspace import MakeUser

from .helpers import EVENTS, MEETING, create_event

INVALID = "VALIDATION_ERROR"
TIMES = "CALENDAR_EVENT_TIMES_INVALID"
RULE = "CALENDAR_RRULE_INVALID"
BAD_BODIES: list[tuple[dict[str, Any], str]] = [
    ({"title": ""}, INVALID),
    ({"title": "x" * 201}, INVALID),
    ({"location": "l" * 501}, INVALID),
    ({"tz": "Mars/Olympus"}, "CALENDAR_TIMEZONE_INVALID"),
    ({"tz": "../../etc/passwd"}, "CALENDAR_TIMEZONE_INVALID"),
    ({"tz": ""}, INVALID),
    ({"start": "tomorrow"}, INVALID),
    ({"end": "2031-05-05T08:00:00"}, TIMES),  # before the start
    ({"end": MEETING["start"]}, TIMES),  # a moment, not an event
    ({"allDay": True}, TIMES),  # not at midnight
    ({"start": "0001-01-01T00:00:00", "end": "0001-01-01T01:00:00"}, TIMES),
    ({"start": "9999-12-31T22:00:00-05:00", "end": "9999-12-31T23:00:00-05:00"}, TIMES),
    ({"exdates": ["0001-01-01T00:00:00+14:00"]}, TIMES),
    ({"rrule": "FREQ=SOMETIMES"}, RULE),
    ({"rrule": "FREQ=HOURLY"}, RULE),  # finer than daily: refused
    ({"rrule": "FREQ=DAILY;COUNT=100000"}, RULE),
    ({"rrule": "FREQ=DAILY;UNTIL=20300101T000000Z"}, RULE),  # ends before it starts
    ({"rrule": "FREQ=DAILY;UNTIL=20320101"}, RULE),  # UNTIL must be UTC for a zoned start
    ({"rrule": "FREQ=DAILY;BYDAY=XX"}, RULE),
    ({"rrule": "FREQ=DAILY\nDTSTART:20310101T000000"}, RULE),
    ({"rrule": "FREQ=WEEKLY;INTERVAL=0"}, RULE),
    ({"exdates": ["soon"]}, INVALID),
    ({"attendeeIds": ["bob"]}, INVALID),
    ({"attendeeIds": [str(uuid4())]}, "CALENDAR_ATTENDEE_INVALID"),
    ({"reminders": [-1]}, INVALID),
    ({"reminders": [50_000]}, INVALID),
]
RANGE = {"from": "2031-05-01T00:00:00Z", "to": "2031-05-31T00:00:00Z"}
BAD_QUERIES: list[tuple[dict[str, str], str]] = [
    ({}, INVALID),
    ({"from": RANGE["from"]}, INVALID),
    ({**RANGE, "from": "2031-05-01T00:00:00"}, INVALID),  # no offset
    ({**RANGE, "to": "later"}, INVALID),
    ({**RANGE, "scope": "everyone"}, INVALID),
    ({**RANGE, "size": "1000"}, INVALID),
    ({**RANGE, "q": "q" * 201}, INVALID),
    ({**RANGE, "to": RANGE["from"]}, "CALENDAR_RANGE_INVALID"),
    ({"from": "2031-01-01T00:00:00Z", "to": "2033-01-01T00:00:00Z"}, "CALENDAR_RANGE_INVALID"),
    ({"from": "0001-01-01T00:00:00Z", "to": "0001-01-02T00:00:00Z"}, "CALENDAR_RANGE_INVALID"),
    ({"from": "9999-12-30T00:00:00Z", "to": "9999-12-31T00:00:00Z"}, "CALENDAR_RANGE_INVALID"),
]


async def test_bad_bodies_are_refused(client: httpx.AsyncClient, member: MakeUser) -> None:
    alice = await member("alice")
    for fields, code in BAD_BODIES:
        response = await client.post(EVENTS, json={**MEETING, **fields}, headers=alice.headers)
        assert (response.status_code, response.json()["code"]) == (422, code), fields
    listed = await client.get(EVENTS, params=RANGE, headers=alice.headers)
    assert listed.json()["data"]["total"] == 0


async def test_bad_edits_are_refused_and_change_nothing(
    client: httpx.AsyncClient, member: MakeUser
) -> None:
    alice = await member("alice")
    event = await create_event(client, alice)
    url = f"{EVENTS}/{event['id']}"
    for body, code in (
        ({"start": "2031-05-05T11:00:00"}, TIMES),
        ({"tz": "Nowhere/Else"}, "CALENDAR_TIMEZONE_INVALID"),
        ({"rrule": "FREQ=MINUTELY"}, RULE),
        ({"title": ""}, INVALID),
    ):
        response = await client.patch(url, json=body, headers=alice.headers)
        assert (response.status_code, response.json()["code"]) == (422, code), body
    assert (await client.get(url, headers=alice.headers)).json()["data"] == event
    for body in ({}, {"response": "maybe"}):
        response = await client.put(f"{url}/response", json=body, headers=alice.headers)
        assert (response.status_code, response.json()["code"]) == (422, INVALID), body
    not_an_id = await client.get(f"{EVENTS}/not-a-uuid", headers=alice.headers)
    assert (not_an_id.status_code, not_an_id.json()["code"]) == (422, INVALID)


async def test_bad_list_queries_are_refused(client: httpx.AsyncClient, member: MakeUser) -> None:
    alice = await member("alice")
    for params, code in BAD_QUERIES:
        response = await client.get(EVENTS, params=params, headers=alice.headers)
        assert (response.status_code, response.json()["code"]) == (422, code), params


async def test_too_many_occurrences_is_a_422(client: httpx.AsyncClient, member: MakeUser) -> None:
    alice = await member("alice")
    byhour = "FREQ=DAILY;BYHOUR=" + ",".join(str(hour) for hour in range(24))
    fields = {"tz": "UTC", "start": "2031-01-01T00:00:00", "end": "2031-01-01T00:30:00"}
    await create_event(client, alice, rrule=f"{byhour};BYMINUTE=0,30", **fields)
    params = {"from": "2031-01-01T00:00:00Z", "to": "2031-12-31T00:00:00Z"}
    response = await client.get(EVENTS, params=params, headers=alice.headers)
    assert (response.status_code, response.json()["code"]) == (422, "CALENDAR_TOO_MANY_OCCURRENCES")
    # A day far from the rule's start: the walk there is refused, not left to run.
    far = {"from": "2200-01-01T00:00:00Z", "to": "2200-01-02T00:00:00Z"}
    response = await client.get(EVENTS, params=far, headers=alice.headers)
    assert (response.status_code, response.json()["code"]) == (422, "CALENDAR_TOO_MANY_OCCURRENCES")
