"""The second factor's per-process objects, built at startup and kept in ``AppState``."""

from __future__ import annotations

from dataclasses import dataclass

from limits import RateLimitItem

from atrium.config import Settings
from atrium.core.ratelimit import RateLimiter, rate_limit
from atrium.core.redis import RedisClient
from atrium.core.state import StateKey
from atrium.twofactor.secretbox import SecretBox
from atrium.twofactor.settings import TwoFactorSettings
from atrium.twofactor.tickets import Tickets
from atrium.twofactor.totp import Totp


@dataclass(slots=True)
class TwoFactorRuntime:
    settings: TwoFactorSettings
    box: SecretBox
    totp: Totp
    tickets: Tickets
    limiter: RateLimiter
    per_challenge: RateLimitItem
    per_user: RateLimitItem

    @classmethod
    def build(cls, redis: RedisClient, settings: Settings) -> TwoFactorRuntime:
        group = settings.group(TwoFactorSettings)
        return cls(
            settings=group,
            box=SecretBox.from_settings(group),
            totp=Totp.from_settings(group),
            tickets=Tickets(redis, settings),
            limiter=RateLimiter(redis, settings, "twofactor"),
            per_challenge=rate_limit(group.attempts_per_challenge),
            per_user=rate_limit(group.attempts_per_user),
        )

    @property
    def step_ttl(self) -> int:
        """How long a last accepted step must be remembered: until it left every window."""
        return self.totp.period * (2 * self.totp.window + 2)


TWOFACTOR: StateKey[TwoFactorRuntime] = StateKey("twofactor.runtime")
