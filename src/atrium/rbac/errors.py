"""The RBAC domain's errors: roles, grants, menus, the catalogue, delegation, propagation.

One class per code (status, code, default message). The delegation rule's refusals are 403s.
"""

from __future__ import annotations

from atrium.core.errors import (
    Conflict,
    Forbidden,
    NotFound,
    ServiceUnavailable,
    UnprocessableEntity,
)


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


class RoleNotFound(NotFound):
    """A role asked for (or one of the roles to assign or delete) does not exist."""

    code = "ROLE_NOT_FOUND"
    message = "No such role."


class RoleNameTaken(Conflict):
    """A role is created or renamed with a name another role has."""

    code = "ROLE_NAME_TAKEN"
    message = "A role with this name exists."


class RoleCodeTaken(Conflict):
    """A role is created or changed with a code another role has."""

    code = "ROLE_CODE_TAKEN"
    message = "A role with this code exists."


class RoleExists(Conflict):
    """Two concurrent role creations passed the checks; the unique index refused the later one."""

    code = "ROLE_EXISTS"
    message = "A role with this name or code exists."


class InvalidGrants(UnprocessableEntity):
    """Some grants are neither permission codes nor patterns (one detail per bad grant)."""

    code = "INVALID_GRANT"
    message = "Some grants are not codes or patterns."


class MenuNotFound(NotFound):
    """A menu asked for, a parent menu, or a menu to give a role does not exist."""

    code = "MENU_NOT_FOUND"
    message = "No such menu."


class MenuParentIsButton(Conflict):
    """A menu is placed under a button (buttons hold no menus)."""

    code = "MENU_PARENT_IS_BUTTON"
    message = "A button cannot hold other menus."


class MenuCycle(Conflict):
    """A menu is moved under itself or one of its descendants."""

    code = "MENU_CYCLE"
    message = "A menu cannot move under itself."


class MenuButtonCodeRequired(UnprocessableEntity):
    """A button menu is created or changed without a button code."""

    code = "MENU_BUTTON_CODE_REQUIRED"
    message = "A button needs a button code."


class PermissionNotFound(NotFound):
    """No permission in the catalogue has the id asked for."""

    code = "PERMISSION_NOT_FOUND"
    message = "No such permission."


class PermissionNotStale(Conflict):
    """A permission that a route, capability or event still declares is asked to be deleted."""

    code = "PERMISSION_NOT_STALE"
    message = "Only stale permissions can be deleted."


class RbacPropagationFailed(ServiceUnavailable):
    """An access change is committed but Redis could not tell every node yet; retry the request."""

    code = "RBAC_PROPAGATION_FAILED"
    message = "The change is saved but could not reach every server yet; retry the request."
