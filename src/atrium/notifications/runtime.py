"""What the notification and message services use: the settings, the emitter to sockets (the
server's on an API node, a write-only one on a worker) and the per-sender rate limiter.

Made from the process's state at the edge (``runtime(state)``: a route's dependency, a socket
event, a task) and handed to the services, which never see the state itself.
"""

from __future__ import annotations

from dataclasses import dataclass

from atrium.config import Settings
from atrium.core.ratelimit import RateLimiter
from atrium.core.state import AppState, StateKey
from atrium.realtime.emitter import Emitter, emitter

LIMITER: StateKey[RateLimiter] = StateKey("notifications.limiter")


@dataclass(frozen=True, slots=True)
class NotificationsRuntime:
    settings: Settings
    emitter: Emitter
    limiter: RateLimiter


def runtime(state: AppState) -> NotificationsRuntime:
    """The runtime over ``state`` (its limiter made once per process)."""
    limiter = state.find(LIMITER)
    if limiter is None:
        limiter = RateLimiter(state.redis, state.settings, "notifications")
        state.set(LIMITER, limiter)
    return NotificationsRuntime(state.settings, emitter(state), limiter)
