"""Room and event names shared by the server, emitters and clients (see docs/websocket.md)."""

from __future__ import annotations

from uuid import UUID

# Server -> client events of the realtime domain itself.
AUTH_EXPIRING = "auth:expiring"  # {"expiresAt"}: send "auth:refresh" with a fresh token
AUTH_ENDED = "auth:ended"  # {"reason"}: the server disconnects right after
# Reasons sent with AUTH_ENDED.
TOKEN_EXPIRED = "token_expired"  # noqa: S105 - a reason, not a secret
SESSION_REVOKED = "session_revoked"


def user_room(user_id: UUID | str) -> str:
    """Every socket of a user joins this room."""
    return f"user:{user_id}"


def role_room(role_code: str) -> str:
    """Every socket of a user with this role joins this room."""
    return f"role:{role_code}"
