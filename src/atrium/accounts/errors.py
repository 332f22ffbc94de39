"""The accounts domain's errors: one class per code, one status per code."""

from __future__ import annotations

from atrium.core.errors import BadRequest, Conflict, Forbidden, NotFound, TooManyRequests


class RegistrationClosed(Forbidden):
    """Registration is closed (``ATRIUM_ACCOUNTS__REGISTRATION=closed``): administrators
    create or invite users."""

    code = "ACCOUNTS_REGISTRATION_CLOSED"
    message = "Registration is closed; ask an administrator for an invitation."


class TokenInvalid(BadRequest):
    """A link's token is malformed, altered, unknown, or made for another flow."""

    code = "ACCOUNTS_TOKEN_INVALID"
    message = "This link is not valid."


class TokenExpired(BadRequest):
    """A link's token is past its lifetime: ask for a new one."""

    code = "ACCOUNTS_TOKEN_EXPIRED"
    message = "This link has expired; ask for a new one."


class TokenUsed(Conflict):
    """A link's token was already used (each works once)."""

    code = "ACCOUNTS_TOKEN_USED"
    message = "This link was already used."


class AccountsRateLimited(TooManyRequests):
    """Too many account requests from this client address, or about this address or name
    (``Retry-After``)."""

    code = "ACCOUNTS_RATE_LIMITED"
    message = "Too many requests; retry later."


class InvitationAddressTaken(Conflict):
    """An invitation names an address that already has an account."""

    code = "ACCOUNTS_ADDRESS_HAS_ACCOUNT"
    message = "That address already has an account."


class InvitationWithdrawn(Conflict):
    """The inviter is no longer active, or no longer covers the invitation's roles: the
    invitation cannot be accepted (ask for a new one)."""

    code = "ACCOUNTS_INVITATION_WITHDRAWN"
    message = "This invitation is no longer valid; ask for a new one."


class InvitationNotFound(NotFound):
    """No invitation waits under this id (never made, accepted, expired or revoked)."""

    code = "ACCOUNTS_INVITATION_NOT_FOUND"
    message = "No such invitation."
