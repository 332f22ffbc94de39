"""The dashboard's errors: one class per code, one status per code."""

from __future__ import annotations

from atrium.core.errors import Forbidden, UnprocessableEntity


class DashboardReadDenied(Forbidden):
    """The dashboard's figures need the capability ``dashboard:read`` besides the route's code."""

    code = "DASHBOARD_READ_DENIED"
    message = "The dashboard's figures need the capability dashboard:read."


class DashboardRangeInvalid(UnprocessableEntity):
    """The range is empty: ``to`` is not after ``from``."""

    code = "DASHBOARD_RANGE_INVALID"
    message = "The range is empty: 'to' must be after 'from'."


class DashboardRangeTooLong(UnprocessableEntity):
    """The range covers more days than ``ATRIUM_DASHBOARD__MAX_RANGE_DAYS``."""

    code = "DASHBOARD_RANGE_TOO_LONG"
    message = "The range is too long."
