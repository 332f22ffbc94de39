"""The RBAC domain's refusals of the delegation rule: one class per code, each a 403."""

from __future__ import annotations

from atrium.core.errors import Forbidden


class DelegationDenied(Forbidden):
    """The target (a user's or a role's grants) holds what the caller's grants do not cover."""

    code = "DELEGATION_EXCEEDS_GRANTS"
    message = "This would hand out more than your own grants cover."


class SuperuserOnly(Forbidden):
    """The superuser flag, and any act on a superuser, belong to superusers."""

    code = "DELEGATION_SUPERUSER_ONLY"
    message = "Only a superuser may do this."


class CannotChangeSelf(Forbidden):
    """Nobody changes their own roles or status (or deletes themselves) through the admin API."""

    code = "CANNOT_CHANGE_SELF"
    message = "You cannot change your own account this way."


REFUSALS: tuple[type[Forbidden], ...] = (DelegationDenied, SuperuserOnly, CannotChangeSelf)
