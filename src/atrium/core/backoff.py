"""Back-off: how long to wait after failures in a row, growing to a cap, with optional jitter.

Everything that waits on a failure computes its wait here: the pub/sub listeners' and the
Socket.IO manager's reconnects (jittered, so the nodes do not all come back in the same
instant), beat's store retries (which never sleep: a tick asks ``ready()`` and plans its wake-up
around ``until``), the permission sync's retries and the login limiter's penalties.

Not here, because they are configuration of a library that waits by itself: Celery's task
retries (``retry_backoff`` in the typed task options), kombu's publish retry policy (beat's
publisher) and urllib3's retries of the S3 client.
"""

from __future__ import annotations

import random
import time
from dataclasses import dataclass

# Past this many doublings every policy here has long reached its cap; it also keeps the power
# from overflowing a float after a very long outage.
MAX_DOUBLINGS = 64


@dataclass(frozen=True, slots=True)
class Exponential:
    """``first`` after one failure, ``factor`` times more after each further one, up to ``cap``.

    ``jitter`` is the share of each wait drawn at random (0: none; 0.5: a wait of ``d`` becomes
    one between ``d / 2`` and ``d``); jitter only ever shortens a wait.
    """

    first: float
    cap: float
    factor: float = 2.0
    jitter: float = 0.0

    def delay(self, failures: int) -> float:
        """The wait after ``failures`` failures in a row (none after none)."""
        if failures < 1:
            return 0.0
        grown = min(self.cap, self.first * self.factor ** min(failures - 1, MAX_DOUBLINGS))
        if self.jitter:
            grown -= grown * self.jitter * random.random()  # noqa: S311 - not a secret
        return grown


class Backoff:
    """The failures of one kind of work in a row, and when it may be tried again."""

    __slots__ = ("failures", "policy", "until")

    def __init__(self, policy: Exponential) -> None:
        self.policy = policy
        self.failures = 0
        self.until = 0.0

    def ready(self) -> bool:
        """Whether the wait after the last failure is over (always, after a success)."""
        return time.monotonic() >= self.until

    def failed(self) -> float:
        """Count a failure; returns the wait before the next attempt."""
        self.failures += 1
        delay = self.policy.delay(self.failures)
        self.until = time.monotonic() + delay
        return delay

    def ok(self) -> None:
        """A success: the next failure starts over from the first wait."""
        self.failures, self.until = 0, 0.0
