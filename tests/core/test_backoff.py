"""The back-off: waits grow to their cap, jitter only shortens them, a success starts over."""

from __future__ import annotations

import time

from atrium.core.backoff import Backoff, Exponential


def test_waits_double_from_the_first_up_to_the_cap() -> None:
    policy = Exponential(first=0.5, cap=10.0)
    assert [policy.delay(n) for n in range(8)] == [0.0, 0.5, 1.0, 2.0, 4.0, 8.0, 10.0, 10.0]


def test_a_very_long_outage_stays_at_the_cap() -> None:
    assert Exponential(first=0.1, cap=5.0).delay(1_000_000) == 5.0


def test_jitter_spreads_waits_but_never_lengthens_them() -> None:
    policy = Exponential(first=1.0, cap=4.0, jitter=0.5)
    waits = [policy.delay(3) for _ in range(200)]
    assert all(2.0 <= wait <= 4.0 for wait in waits)
    assert len(set(waits)) > 100  # not one instant for every node


def test_a_failure_defers_the_work_and_a_success_starts_over() -> None:
    backoff = Backoff(Exponential(first=30.0, cap=60.0))
    assert backoff.ready()
    assert backoff.failed() == 30.0
    assert not backoff.ready()
    assert backoff.until - time.monotonic() > 29
    assert backoff.failed() == 60.0
    backoff.ok()
    assert backoff.ready()
    assert backoff.failed() == 30.0


def test_a_wait_that_is_over_lets_the_work_run_again() -> None:
    backoff = Backoff(Exponential(first=0.01, cap=0.01))
    backoff.failed()
    time.sleep(0.02)
    assert backoff.ready()
