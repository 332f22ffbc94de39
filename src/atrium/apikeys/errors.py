"""The API keys domain's errors: one class per code, one status per code.

The refusals of a key on a route it may not call (identity routes, out of scope) are auth's
(``AUTH_KEY_IDENTITY_ROUTE``, ``AUTH_KEY_OUT_OF_SCOPE``): every access policy applies them.
"""

from __future__ import annotations

from atrium.core.errors import (
    Conflict,
    NotFound,
    ServiceUnavailable,
    Unauthorized,
    UnprocessableEntity,
)


class ApiKeyInvalid(Unauthorized):
    """A credential with the key prefix that is no key of ours (malformed, unknown, wrong)."""

    code = "APIKEY_INVALID"
    message = "The API key is not valid."


class ApiKeyExpired(Unauthorized):
    """The key is past its expiry: its owner makes a new one."""

    code = "APIKEY_EXPIRED"
    message = "The API key has expired."


class ApiKeyRevoked(Unauthorized):
    """The key was revoked (by its owner, or by an administrator)."""

    code = "APIKEY_REVOKED"
    message = "The API key has been revoked."


class ApiKeyNotFound(NotFound):
    """The key does not exist, or it is another user's (or not one the caller may act on)."""

    code = "APIKEY_NOT_FOUND"
    message = "No such API key."


class ApiKeyScopeExceeds(UnprocessableEntity):
    """A scope asked for is not covered by the owner's own grants (pattern against pattern), or
    names a route no key may call; the details list each one."""

    code = "APIKEY_SCOPE_EXCEEDS_GRANTS"
    message = "A key's scopes must be a subset of your own permissions."


class ApiKeyInvalidScope(UnprocessableEntity):
    """A scope is neither a route code or pattern nor a capability (``METHOD:/path``,
    ``domain:name``); socket events are not for keys."""

    code = "APIKEY_INVALID_SCOPE"
    message = "A scope is not a route code, a route pattern or a capability."


class ApiKeyInvalidExpiry(UnprocessableEntity):
    """The expiry is in the past, or beyond ``apikeys.max_lifetime_days`` (or missing while
    that limit is set)."""

    code = "APIKEY_INVALID_EXPIRY"
    message = "The expiry must be in the future and within the allowed lifetime."


class ApiKeyLimitReached(Conflict):
    """The user holds ``apikeys.max_keys_per_user`` keys already (revoked ones until deleted)."""

    code = "APIKEY_LIMIT_REACHED"
    message = "You hold as many API keys as allowed; delete one first."


class ApiKeyPropagationFailed(ServiceUnavailable):
    """A revocation is saved but could not reach every node yet (Redis): retry the request."""

    code = "APIKEY_PROPAGATION_FAILED"
    message = "The revocation is saved but could not reach every server yet; retry the request."


class ApiKeyUnavailable(ServiceUnavailable):
    """A key not cached on this node cannot be checked: the database does not answer."""

    code = "APIKEY_UNAVAILABLE"
    message = "API keys cannot be checked right now."
