"""The todos domain's errors: one class per code, one status per code."""

from __future__ import annotations

from atrium.core.errors import NotFound


class TodoNotFound(NotFound):
    """The todo does not exist, or it is another user's."""

    code = "TODOS_NOT_FOUND"
    message = "No such todo."
