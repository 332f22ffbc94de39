"""The realtime domain's errors (answered in ``connect_error`` data or in an event's ack)."""

from __future__ import annotations

from atrium.core.errors import Forbidden, NotFound


class AuthUserMismatch(Forbidden):
    """A socket's ``auth:refresh`` sends an access token of another user than the socket's."""

    code = "AUTH_USER_MISMATCH"
    message = "The token belongs to another user."


class UnknownEvent(NotFound):
    """A socket emits an event no domain handles (an ack only: sockets carry no HTTP status)."""

    code = "UNKNOWN_EVENT"
    message = "No handler for this event."
