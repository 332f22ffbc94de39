"""The API keys domain's settings group (``ATRIUM_APIKEYS__*``)."""

from __future__ import annotations

from pydantic import Field

from atrium.config import SettingsGroup


class ApiKeySettings(SettingsGroup, section="apikeys"):
    """Limits of a user's keys, and the hot path's cache and write batching."""

    # Keys one user may hold at once (revoked ones count until deleted).
    max_keys_per_user: int = Field(default=25, ge=1, le=1000)
    max_scopes_per_key: int = Field(default=50, ge=1, le=500)
    # The longest a key may live, in days (None: a key may have no expiry).
    max_lifetime_days: int | None = Field(default=None, ge=1)
    # In-process cache of verified keys (0 disables it). Revocations reach every node through
    # Redis pub/sub before they are reported done; this lease is the safety net.
    cache_seconds: float = Field(default=30.0, ge=0)
    # "Last used" is written in batches: at most once per key per this many seconds per node.
    last_used_flush_seconds: float = Field(default=10.0, gt=0, le=3600)
