"""The users domain's errors: one class per code (status, code, default message)."""

from __future__ import annotations

from atrium.core.errors import Conflict, NotFound, UnprocessableEntity


class PasswordPolicyViolated(UnprocessableEntity):
    """A new password breaks the configured password policy (one detail per broken rule)."""

    code = "PASSWORD_POLICY"
    message = "The password does not meet the policy."


class UsernameTaken(Conflict):
    """A user is created with a username another user already has."""

    code = "USERNAME_TAKEN"
    message = "That username is taken."


class EmailTaken(Conflict):
    """A user is created or changed with an email address another user already has."""

    code = "EMAIL_TAKEN"
    message = "That email address is in use."


class UserExists(Conflict):
    """Two concurrent creations passed the checks; the unique index refused the later one."""

    code = "USER_EXISTS"
    message = "That username or email address is in use."


class UserNotFound(NotFound):
    """The user an admin route names does not exist."""

    code = "USER_NOT_FOUND"
    message = "No such user."


class LastSuperuser(Conflict):
    """Clearing the flag of, disabling or deleting the last active superuser."""

    code = "LAST_SUPERUSER"
    message = "This is the last active superuser."
