"""Who is calling: the authenticated principal of a request or socket, and the client they call
from. Plain data, with no web framework: the services take them, the dependencies
(``atrium.auth.deps``) make them.

A principal is a user's session (an access token) or a credential acting for the user (an API
key, ``atrium.apikeys``). A credential carries its ``scope``: the codes it may use, narrowed
further by what its owner may do now; it never calls a route that manages identity.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Protocol
from uuid import UUID


class CredentialScope(Protocol):
    """The codes a credential may use (route codes, patterns, capabilities)."""

    @property
    def grants(self) -> tuple[str, ...]:
        """The scope as granted (normalised codes and patterns)."""

    def allows(self, code: str) -> bool:
        """Whether the scope covers ``code``: a route code, a capability (matched exactly)."""


@dataclass(frozen=True, slots=True)
class Principal:
    """The authenticated caller of one request.

    For an API key: ``key_id`` and ``scope`` are set, ``session_id`` and ``jti`` are empty,
    ``is_superuser`` is False (a key is never a superuser: its scope bounds it) and
    ``expires_at`` is the key's expiry (``NEVER`` for a key without one).
    """

    user_id: UUID
    session_id: str
    jti: str
    is_superuser: bool
    expires_at: datetime
    key_id: UUID | None = None
    scope: CredentialScope | None = None


@dataclass(frozen=True, slots=True)
class ClientInfo:
    ip: str | None
    user_agent: str


class KeyVerifier(Protocol):
    """Verifies the API keys the guard is handed (installed by the API keys domain)."""

    @property
    def prefix(self) -> str:
        """What every key starts with (``atr_``): anything else is an access token."""

    async def verify(self, key: str, client: ClientInfo) -> Principal:
        """The key's principal; 401 for an unknown, wrong, expired or revoked key."""
