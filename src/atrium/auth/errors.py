"""The auth domain's errors: encrypted credentials, logins, tokens and sessions.

One class per code (status, code, default message). Other domains raise the token and account
ones too (RBAC's access policy, the socket server): the rule is auth's, so the class is here.
"""

from __future__ import annotations

from atrium.core.errors import (
    BadRequest,
    Forbidden,
    NotFound,
    ServiceUnavailable,
    TooManyRequests,
    Unauthorized,
    UnprocessableEntity,
)


class AuthDecryptFailed(BadRequest):
    """An encrypted password does not decrypt to ``{password, nonce, ts}`` with the named key."""

    code = "AUTH_DECRYPT_FAILED"
    message = "The encrypted password could not be decrypted; fetch the public key and retry."


class AuthUnknownKid(BadRequest):
    """The ``kid`` of an encrypted password names no active key (rotated away, or never ours)."""

    code = "AUTH_UNKNOWN_KID"
    message = "Unknown key id; fetch the current public key and retry."


class AuthTimestampSkew(BadRequest):
    """The encrypted ``ts`` is further from the server's clock than ``auth.login_skew_seconds``."""

    code = "AUTH_TIMESTAMP_SKEW"
    message = "The login timestamp is outside the allowed window; check the device clock."


class AuthReplayedNonce(BadRequest):
    """An encrypted password's nonce was already used within the skew window (a replay)."""

    code = "AUTH_REPLAYED_NONCE"
    message = "This encrypted password was already used."


class AuthInvalidCredentials(Unauthorized):
    """A login with a wrong password or an unknown username, or a wrong current password."""

    code = "AUTH_INVALID_CREDENTIALS"
    message = "The username or password is incorrect."


class AuthSecondFactorRequired(Forbidden):
    """A plain-password login (Swagger UI's form) of a user with a second factor: use the
    two-step login (``POST /auth/login``, then ``POST /auth/second-factor/login``)."""

    code = "AUTH_SECOND_FACTOR_REQUIRED"
    message = "This account has a second factor: log in through the two-step login."


class AuthEmailUnverified(Forbidden):
    """A registration's email address is not verified yet (told only after a correct password):
    the link mailed at registration verifies it (``POST /accounts/verification/resend``)."""

    code = "AUTH_EMAIL_UNVERIFIED"
    message = "Verify your email address first: follow the link we mailed you."


class AuthUserDisabled(Forbidden):
    """The account is disabled: at login (after a correct password), refresh, request, socket."""

    code = "AUTH_USER_DISABLED"
    message = "This account is disabled."


class AuthTokenExpired(Unauthorized):
    """The access or refresh token is past its expiry: refresh (or log in), then retry."""

    code = "AUTH_TOKEN_EXPIRED"
    message = "The token has expired."


class AuthTokenInvalid(Unauthorized):
    """A token is malformed, tampered, wrongly signed, of the wrong type or not its session's."""

    code = "AUTH_TOKEN_INVALID"
    message = "The token is not valid."


class AuthTokenRevoked(Unauthorized):
    """The token's session ended (logout, revocation, expiry) or its account no longer exists."""

    code = "AUTH_TOKEN_REVOKED"
    message = "The session has been revoked."


class AuthKeyIdentityRoute(Forbidden):
    """An API key called a route that manages identity (password, email, sessions, second
    factor, API keys): only the user's own session, logged in, may."""

    code = "AUTH_KEY_IDENTITY_ROUTE"
    message = "API keys cannot manage identity; log in to do this."


class AuthKeyOutOfScope(Forbidden):
    """An API key called a route (or used a capability) its scopes do not cover."""

    code = "AUTH_KEY_OUT_OF_SCOPE"
    message = "This API key's scopes do not cover this."


class AuthRefreshTokenMissing(Unauthorized):
    """A refresh names no token: none in the body and (with ``X-Refresh-Cookie``) no cookie."""

    code = "AUTH_REFRESH_TOKEN_MISSING"
    message = "No refresh token: send it in the body, or the cookie with X-Refresh-Cookie: true."


class AuthRefreshReused(Unauthorized):
    """A spent refresh token is presented again: the whole session is revoked."""

    code = "AUTH_REFRESH_REUSED"
    message = "This refresh token was already used; the session is revoked."


class AuthUserAgentMismatch(Unauthorized):
    """A refresh comes from another User-Agent than the session's: the session is revoked."""

    code = "AUTH_USER_AGENT_MISMATCH"
    message = "This refresh token belongs to another client; the session is revoked."


class AuthUnavailable(ServiceUnavailable):
    """A session not cached in process cannot be checked: Redis does not answer."""

    code = "AUTH_UNAVAILABLE"
    message = "Sessions cannot be checked right now."


class AuthLocked(TooManyRequests):
    """Too many wrong passwords for this account from this address (``Retry-After``)."""

    code = "AUTH_LOCKED"
    message = "Too many failed logins for this account from this address; retry later."


class SessionNotFound(NotFound):
    """A session to end is not one of the caller's (or does not exist)."""

    code = "SESSION_NOT_FOUND"
    message = "No such session."


class LoginLogRangeInvalid(UnprocessableEntity):
    """The login log's time filter is empty: ``from`` after ``to``."""

    code = "LOGIN_LOG_RANGE_INVALID"
    message = "The range is empty: its start is after its end."
