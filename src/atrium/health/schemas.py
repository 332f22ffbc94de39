from __future__ import annotations

from typing import Literal

from atrium.core.schemas import Schema

CheckStatus = Literal["ok", "timeout", "error"]


class Live(Schema):
    status: Literal["ok"] = "ok"


class Ready(Schema):
    status: Literal["ok", "unavailable"]
    checks: dict[str, CheckStatus]


class StoreCheck(Schema):
    """One store's ping: how it ended and how long it took (a timeout ends at the limit)."""

    status: CheckStatus
    latency_ms: float
