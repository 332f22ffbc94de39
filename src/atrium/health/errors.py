"""The health domain's answer when a store is down (the envelope's ``data`` names which)."""

from __future__ import annotations

from atrium.core.errors import ServiceUnavailable


class NotReady(ServiceUnavailable):
    """``GET /health/ready`` finds a store (SQL, MongoDB, Redis, object storage) not answering."""

    code = "NOT_READY"
    message = "Not ready: a store is unavailable."
