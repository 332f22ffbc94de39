"""Schedules: crontab in IANA timezones across DST, Sunday as 0 and 7, the next-slot rule."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from atrium.scheduler.crontab import Crontab, CrontabError
from atrium.scheduler.schedules import (
    ScheduleError,
    ScheduleSpec,
    Timing,
    compile_schedule,
    from_ms,
    to_ms,
)

NY = ZoneInfo("America/New_York")


def fires(cron: Crontab, start: datetime, count: int) -> list[str]:
    out, at = [], start
    for _ in range(count):
        found = cron.next_after(at)
        assert found is not None
        out.append(found.astimezone(cron.tz).isoformat())
        at = found
    return out


def test_spring_forward_gap_fires_once_when_the_jump_ends() -> None:
    daily = Crontab.parse("30", "2", "*", "*", "*", "America/New_York")
    assert fires(daily, datetime(2026, 3, 7, 12, tzinfo=NY), 2) == [
        "2026-03-08T03:00:00-04:00",  # 02:30 does not exist that night
        "2026-03-09T02:30:00-04:00",
    ]
    half_hourly = Crontab.parse("*/30", "*", "*", "*", "*", "America/New_York")
    assert fires(half_hourly, datetime(2026, 3, 8, 1, 15, tzinfo=NY), 3) == [
        "2026-03-08T01:30:00-05:00",
        "2026-03-08T03:00:00-04:00",  # 02:00 and 02:30 collapse into one run
        "2026-03-08T03:30:00-04:00",
    ]


def test_fall_back_fires_a_fixed_time_once_and_every_hour_twice() -> None:
    daily = Crontab.parse("30", "1", "*", "*", "*", "America/New_York")
    assert fires(daily, datetime(2026, 10, 31, 12, tzinfo=NY), 2) == [
        "2026-11-01T01:30:00-04:00",  # only the first 01:30
        "2026-11-02T01:30:00-05:00",
    ]
    hourly = Crontab.parse("30", "*", "*", "*", "*", "America/New_York")
    assert fires(hourly, datetime(2026, 11, 1, 0, 45, tzinfo=NY), 3) == [
        "2026-11-01T01:30:00-04:00",
        "2026-11-01T01:30:00-05:00",  # the repeated hour: real time keeps its rhythm
        "2026-11-01T02:30:00-05:00",
    ]


@pytest.mark.parametrize("sunday", ["0", "7", "sun", "5-7"])
def test_sunday_is_0_and_7(sunday: str) -> None:
    cron = Crontab.parse("0", "9", sunday, "*", "*", "UTC")
    assert 0 in cron.days_of_week
    found = cron.next_after(datetime(2026, 11, 16, tzinfo=UTC))  # a Monday
    assert found is not None
    expected = "2026-11-20" if sunday == "5-7" else "2026-11-22"  # Friday / Sunday
    assert found.date().isoformat() == expected


@pytest.mark.parametrize(
    "fields",
    [
        ("61", "*", "*", "*", "*"),
        ("*", "24", "*", "*", "*"),
        ("*", "*", "8", "*", "*"),
        ("*", "*", "*", "0", "*"),
        ("*", "*", "*", "*", "13"),
        ("x", "*", "*", "*", "*"),
    ],
)
def test_invalid_fields_are_refused(fields: tuple[str, str, str, str, str]) -> None:
    with pytest.raises(CrontabError):
        Crontab.parse(*fields, "UTC")


def test_unknown_timezone_is_refused() -> None:
    with pytest.raises(ScheduleError):
        compile_schedule(
            ScheduleSpec("crontab", crontab=("0", "*", "*", "*", "*"), timezone="Mars/Base")
        )


def test_feb_29_is_found_years_ahead() -> None:
    cron = Crontab.parse("0", "12", "*", "29", "2", "UTC")
    assert fires(cron, datetime(2026, 3, 1, tzinfo=UTC), 2) == [
        "2028-02-29T12:00:00+00:00",
        "2032-02-29T12:00:00+00:00",
    ]


T0 = to_ms(datetime(2026, 6, 1, 12, tzinfo=UTC))


def test_interval_first_runs_one_interval_after_saving_then_on_its_grid() -> None:
    timing = Timing(compile_schedule(ScheduleSpec("interval", 10)), changed_ms=T0)
    assert timing.next_slot() == T0 + 10_000
    timing.last_ms = T0 + 10_003  # dispatched 3 ms late
    assert timing.next_slot() == T0 + 20_000
    timing.last_ms = T0 + 95_000  # beat was down: one catch-up run, then the grid goes on
    assert timing.next_slot() == T0 + 100_000


def test_re_enabling_does_not_fire_for_past_slots() -> None:
    timing = Timing(
        compile_schedule(ScheduleSpec("crontab", crontab=("0", "*", "*", "*", "*"))),
        changed_ms=T0,
        last_ms=T0 - 3 * 3600_000,
    )
    assert timing.next_slot() == T0 + 3600_000  # the hours while disabled are skipped


def test_start_expiry_and_clocked() -> None:
    interval = compile_schedule(ScheduleSpec("interval", 60))
    starting = Timing(interval, changed_ms=T0, start_ms=T0 + 5_000)
    assert starting.preview(3) == [T0 + 5_000, T0 + 65_000, T0 + 125_000]
    expiring = Timing(interval, changed_ms=T0, expires_ms=T0 + 100_000)
    assert expiring.preview(5) == [T0 + 60_000]
    clocked = Timing(compile_schedule(ScheduleSpec("clocked")), changed_ms=T0, clocked_ms=T0 - 1)
    assert clocked.next_slot() == T0 - 1  # saved "for now" (clocks differ a little): runs
    clocked.last_ms = T0
    assert clocked.next_slot() is None  # once only


def test_a_clocked_time_that_passed_before_a_re_enable_is_expired() -> None:
    schedule = compile_schedule(ScheduleSpec("clocked"))
    waiting = Timing(schedule, changed_ms=T0 - 3600_000, clocked_ms=T0)
    assert waiting.next_slot() == T0
    re_enabled = Timing(schedule, changed_ms=T0 + 60_000, clocked_ms=T0)  # after its time
    assert re_enabled.next_slot() is None
    moved = Timing(schedule, changed_ms=T0 + 60_000, clocked_ms=T0 + 120_000)
    assert moved.next_slot() == T0 + 120_000


def test_a_start_in_year_9999_never_fires_and_never_fails() -> None:
    far = to_ms(datetime(9999, 12, 31, tzinfo=UTC))
    for spec in (
        ScheduleSpec("crontab", crontab=("0", "*", "*", "*", "*")),
        ScheduleSpec("solar", solar=("sunrise", 48.85, 2.35)),
        ScheduleSpec("interval", 3600),
    ):
        timing = Timing(compile_schedule(spec), changed_ms=T0, start_ms=far)
        assert all(slot <= far + 3600_000 for slot in timing.preview(3))


def test_solar_uses_celery_definitions() -> None:
    sunrise = Timing(
        compile_schedule(ScheduleSpec("solar", solar=("sunrise", 48.85, 2.35))), changed_ms=T0
    )
    first, second = (from_ms(ms) for ms in sunrise.preview(2))
    assert first.astimezone(ZoneInfo("Europe/Paris")).hour == 5  # about 05:47 in June
    assert timedelta(hours=23, minutes=50) < second - first < timedelta(hours=24, minutes=10)
    with pytest.raises(ScheduleError):
        compile_schedule(ScheduleSpec("solar", solar=("moonrise", 0, 0)))


@pytest.mark.parametrize(
    "event",
    [
        "dawn_astronomical",
        "dawn_nautical",
        "dawn_civil",
        "sunrise",
        "solar_noon",
        "sunset",
        "dusk_civil",
        "dusk_nautical",
        "dusk_astronomical",
    ],
)
def test_every_solar_event_computes(event: str) -> None:
    timing = Timing(compile_schedule(ScheduleSpec("solar", solar=(event, 48.85, 2.35))), T0)
    first, second = timing.preview(2)
    assert (
        timedelta(hours=23, minutes=50)
        < from_ms(second) - from_ms(first)
        < timedelta(hours=24, minutes=10)
    )


def test_solar_slots_do_not_depend_on_the_reference_time() -> None:
    """Beats that computed from different times (a duplicate's, a restart's) agree on a slot."""
    spec = ScheduleSpec("solar", solar=("sunrise", 48.85, 2.35))
    day = datetime(2026, 6, 1, tzinfo=UTC)
    references = [day + timedelta(hours=h, seconds=s) for h, s in ((0, 0), (1, 17.123), (2, 59.9))]
    references.append(day - timedelta(hours=5, seconds=3.3))  # the evening before
    slots = {
        Timing(compile_schedule(spec), changed_ms=to_ms(ref)).next_slot() for ref in references
    }
    assert len(slots) == 1
    (slot,) = slots
    assert slot is not None
    assert slot % 1000 == 0
    after = Timing(compile_schedule(spec), changed_ms=slot).next_slot()  # strictly after
    assert after is not None
    assert (
        timedelta(hours=23, minutes=50)
        < from_ms(after) - from_ms(slot)
        < timedelta(hours=24, minutes=10)
    )
