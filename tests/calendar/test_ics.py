"""iCalendar: one event's ``.ics`` export and a user's secret feed URL, both parsed back with the
``icalendar`` library; rotating or revoking the URL refuses the old one (both SQL backends)."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import httpx
from icalendar import Calendar, Component, Event

from tests.support.workspace import MakeUser, User

from .helpers import EVENTS, FEED, create_event

BERLIN = ZoneInfo("Europe/Berlin")


def _events(body: bytes) -> dict[str, Component]:
    parsed = Calendar.from_ical(body)
    return {str(item["SUMMARY"]): item for item in parsed.walk("VEVENT")}


async def test_one_event_exports_with_its_zone_rule_and_exceptions(
    client: httpx.AsyncClient, member: MakeUser
) -> None:
    alice = await member("alice")
    event = await create_event(
        client,
        alice,
        location="Room 1",
        description="Weekly",
        rrule="FREQ=WEEKLY;COUNT=4",
        exdates=["2031-05-12T09:00:00"],
    )
    response = await client.get(f"{EVENTS}/{event['id']}.ics", headers=alice.headers)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/calendar")
    parsed = Calendar.from_ical(response.content)
    assert [str(tz["TZID"]) for tz in parsed.walk("VTIMEZONE")] == ["Europe/Berlin"]
    item = _events(response.content)["Planning"]
    assert item.decoded("DTSTART") == datetime(2031, 5, 5, 9, 0, tzinfo=BERLIN)
    assert item.decoded("DTEND") == datetime(2031, 5, 5, 10, 0, tzinfo=BERLIN)
    assert (str(item["LOCATION"]), str(item["DESCRIPTION"])) == ("Room 1", "Weekly")
    assert item["RRULE"] == {"FREQ": ["WEEKLY"], "COUNT": [4]}
    assert isinstance(item, Event)
    assert item.exdates == [datetime(2031, 5, 12, 9, 0, tzinfo=BERLIN)]
    assert str(item["UID"]) == f"{event['id']}@atrium"


async def _issue(client: httpx.AsyncClient, who: User) -> str:
    issued = await client.post(FEED, headers=who.headers)
    assert issued.status_code == 201, issued.text
    path: str = issued.json()["data"]["path"]
    assert issued.json()["data"]["url"].endswith(path)
    return path


async def test_the_feed_url_serves_my_events_until_rotated_or_revoked(
    client: httpx.AsyncClient, member: MakeUser
) -> None:
    alice, bob = await member("alice"), await member("bob")
    await create_event(client, alice, title="Mine")
    day = {"allDay": True, "start": "2031-06-01T00:00:00", "end": "2031-06-02T00:00:00"}
    await create_event(client, bob, title="Bob's day", attendeeIds=[str(alice.id)], **day)
    declined = await create_event(client, bob, title="Declined", attendeeIds=[str(alice.id)])
    answer = {"response": "declined"}
    url = f"{EVENTS}/{declined['id']}/response"
    assert (await client.put(url, json=answer, headers=alice.headers)).status_code == 200
    await create_event(client, bob, title="Bob's own")
    assert (await client.get(FEED, headers=alice.headers)).json()["data"]["active"] is False
    path = await _issue(client, alice)
    feed = await client.get(path)  # no token: the secret in the URL is the credential
    assert feed.status_code == 200, feed.text
    found = _events(feed.content)
    assert sorted(found) == ["Bob's day", "Mine"]
    assert found["Bob's day"].decoded("DTSTART") == date(2031, 6, 1)
    assert (await client.get(FEED, headers=alice.headers)).json()["data"]["active"] is True
    rotated = await _issue(client, alice)
    assert rotated != path
    old = await client.get(path)
    assert (old.status_code, old.json()["code"]) == (404, "CALENDAR_FEED_NOT_FOUND")
    assert (await client.get(rotated)).status_code == 200
    assert (await client.delete(FEED, headers=alice.headers)).status_code == 200
    assert (await client.get(rotated)).status_code == 404
    assert (await client.get(FEED, headers=alice.headers)).json()["data"]["active"] is False


async def test_a_made_up_feed_url_is_a_404(client: httpx.AsyncClient) -> None:
    for token in ("nope", "x" * 300):
        response = await client.get(f"{FEED}s/{token}.ics")
        assert (response.status_code, response.json()["code"]) == (404, "CALENDAR_FEED_NOT_FOUND")
    nul = await client.get(f"{FEED}s/%00.ics")  # refused before the route, as everywhere
    assert nul.status_code == 422
