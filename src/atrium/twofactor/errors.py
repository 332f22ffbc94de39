"""The second factor's errors: one class per code, one status per code."""

from __future__ import annotations

from atrium.core.errors import (
    BadRequest,
    Conflict,
    Forbidden,
    NotFound,
    TooManyRequests,
    Unauthorized,
)


class TwoFactorInvalidCode(Unauthorized):
    """A TOTP code that does not match the factor now (wrong, too old, or already used: a code
    is accepted once), or a recovery code that is not one of the user's unused ones."""

    code = "TWOFACTOR_INVALID_CODE"
    message = "The code is not valid."


class TwoFactorChallengeInvalid(Unauthorized):
    """Step two got a challenge that is unknown, expired, already used, altered, or issued before
    the user's sessions were revoked (a password change or reset, a kick): log in again."""

    code = "TWOFACTOR_CHALLENGE_INVALID"
    message = "The login challenge is not valid or has expired; log in again."


class TwoFactorTicketInvalid(Unauthorized):
    """An enrolment ticket that is unknown, expired, already used, or issued before the user's
    sessions were revoked (a password change or reset, a kick): log in again for a new one."""

    code = "TWOFACTOR_TICKET_INVALID"
    message = "The enrolment ticket is not valid or has expired; log in again."


class TwoFactorEnrolmentRequired(Forbidden):
    """At login, after a correct password: a role of the user requires a second factor and the
    user has none. ``details[0]`` carries a short-lived enrolment ticket (``type``
    ``enrolment_ticket``, the ticket in ``message``) for the enrolment routes under
    ``/auth/second-factor/ticket``; confirming there completes the login."""

    code = "TWOFACTOR_ENROLMENT_REQUIRED"
    message = "A role of this account requires a second factor: set one up to log in."


class TwoFactorAlreadyEnabled(Conflict):
    """Enrolment was asked for while a second factor is active: disable it first."""

    code = "TWOFACTOR_ALREADY_ENABLED"
    message = "A second factor is already active on this account."


class TwoFactorEnrolmentConflict(Conflict):
    """Two first enrolments of one account arrived at once and this one lost: start again (the
    newest enrolment is the one to confirm)."""

    code = "TWOFACTOR_ENROLMENT_CONFLICT"
    message = "Another enrolment of this account was started at the same time; start again."


class TwoFactorNotEnrolled(BadRequest):
    """A confirmation with no enrolment started (``POST .../enrolment`` first)."""

    code = "TWOFACTOR_NOT_ENROLLED"
    message = "No enrolment is in progress; start one first."


class TwoFactorNotEnabled(NotFound):
    """Disabling, resetting or regenerating the recovery codes of a second factor the user does
    not have."""

    code = "TWOFACTOR_NOT_ENABLED"
    message = "This account has no active second factor."


class TwoFactorRequiredByRole(Forbidden):
    """Disabling a second factor that a role of the user requires."""

    code = "TWOFACTOR_REQUIRED_BY_ROLE"
    message = "A role of this account requires a second factor; it cannot be disabled."


class TwoFactorRateLimited(TooManyRequests):
    """Too many step-two attempts on one challenge or for one user: wait ``Retry-After``."""

    code = "TWOFACTOR_RATE_LIMITED"
    message = "Too many attempts; wait before trying again."
