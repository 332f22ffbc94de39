"""Who is calling: the authenticated principal of a request or socket, and the client they call
from. Plain data, with no web framework: the services take them, the dependencies
(``atrium.auth.deps``) make them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from uuid import UUID


@dataclass(frozen=True, slots=True)
class Principal:
    """The authenticated caller of one request."""

    user_id: UUID
    session_id: str
    jti: str
    is_superuser: bool
    expires_at: datetime


@dataclass(frozen=True, slots=True)
class ClientInfo:
    ip: str | None
    user_agent: str
