"""The audit domain's errors: one class per code, one status per code."""

from __future__ import annotations

from atrium.core.errors import Forbidden, UnprocessableEntity


class AuditReadDenied(Forbidden):
    """Reading the audit log needs the capability ``audit:read`` besides the route's code."""

    code = "AUDIT_READ_DENIED"
    message = "Reading the audit log needs the capability audit:read."


class AuditRangeInvalid(UnprocessableEntity):
    """A filter's range is empty: ``from`` after ``to``, or ``statusMin`` above ``statusMax``."""

    code = "AUDIT_RANGE_INVALID"
    message = "The range is empty: its start is after its end."
