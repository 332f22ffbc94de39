"""Health: liveness and readiness of every store."""

from atrium.core.domain import Domain

domain = Domain("atrium.health", router=".router", errors=".errors")
