"""The to-dos domain's errors: one class per code, one status per code."""

from __future__ import annotations

from atrium.core.errors import Forbidden, NotFound, UnprocessableEntity


class TodoNotFound(NotFound):
    """The to-do does not exist, or the caller is neither its owner nor its assignee (nor holds
    ``todos:admin``): the same answer, so nobody learns of others' to-dos."""

    code = "TODOS_NOT_FOUND"
    message = "No such to-do."


class TodoOwnerOnly(Forbidden):
    """The assignee asked for what only the owner (or a ``todos:admin``) may do: delete or
    reassign the to-do."""

    code = "TODOS_OWNER_ONLY"
    message = "Only the to-do's owner may do this."


class TodoAssigneeInvalid(UnprocessableEntity):
    """The assignee named is not an existing, active user."""

    code = "TODOS_ASSIGNEE_INVALID"
    message = "The assignee must be an existing, active user."


class TodoDueRangeInvalid(UnprocessableEntity):
    """A list asked for to-dos due after a moment later than the one they must be due before."""

    code = "TODOS_DUE_RANGE_INVALID"
    message = "dueAfter must not be later than dueBefore."
