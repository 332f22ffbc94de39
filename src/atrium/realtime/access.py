"""Who may call which socket event: the policy slot, and the RBAC-backed default.

Like HTTP routes, events are protected by default: an event that needs a permission is refused
unless an installed policy says yes. When ``atrium.rbac`` is configured and nothing else was
installed, the policy reads the caller's effective permission set (in process when warm: no
network) and needs a grant covering the event's code; superusers pass, disabled or deleted
users are refused whatever the event.
"""

from __future__ import annotations

from typing import Protocol
from uuid import UUID

from atrium.core.errors import Forbidden
from atrium.core.responses import ErrorDetail
from atrium.core.routing import Access
from atrium.core.state import AppState, StateKey

RBAC_DOMAIN = "atrium.rbac"


class EventPolicy(Protocol):
    async def authorize(self, user_id: UUID, code: str, access: Access) -> None:
        """Return to allow; raise an ``AppError`` to refuse."""


EVENT_POLICY: StateKey[EventPolicy] = StateKey("realtime.event_policy")


def denied(code: str) -> Forbidden:
    return Forbidden(
        f"This event needs the permission {code}.",
        details=[ErrorDetail(loc=["permission"], message=code, type="missing_permission")],
    )


class ClosedPolicy:
    """No access policy: events that need a permission are refused."""

    async def authorize(self, user_id: UUID, code: str, access: Access) -> None:
        if access is not Access.AUTHENTICATED:
            raise denied(code)


class RbacEventPolicy:
    """The caller's RBAC permission set decides (the same set the HTTP check uses)."""

    def __init__(self, state: AppState) -> None:
        # Imported here: realtime works without the RBAC domain configured.
        from atrium.rbac.deps import PERMISSIONS
        from atrium.rbac.policy import refusal

        # Looked up when the first event arrives: RBAC may start after realtime (domain order).
        self._state, self._key = state, PERMISSIONS
        self._refusal = refusal

    async def authorize(self, user_id: UUID, code: str, access: Access) -> None:
        found = await self._state.get(self._key).get(user_id)
        if (problem := self._refusal(found)) is not None:
            raise problem
        if access is Access.AUTHENTICATED or found.is_superuser:
            return
        if not found.allows(code):
            raise denied(code)


def install_default_policy(state: AppState) -> None:
    if state.find(EVENT_POLICY) is not None:
        return
    if RBAC_DOMAIN in state.settings.domains:
        state.set(EVENT_POLICY, RbacEventPolicy(state))
    else:
        state.set(EVENT_POLICY, ClosedPolicy())
