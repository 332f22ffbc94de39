"""Recording every state-changing API call, after it completes.

A pure ASGI middleware (installed by the domain) around each ``POST``, ``PUT``, ``PATCH`` and
``DELETE`` under the API prefix that matched a route: it opens a ``Recording`` for the SQL the
call commits, lets the call run, and hands one entry to the writer with the status the client
got (failures included), without waiting for it. Other methods and paths pass straight through.
"""

from __future__ import annotations

import time
from datetime import timedelta
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from atrium.audit.documents import ActorKind, AuditRecord
from atrium.audit.recording import Recording, recording
from atrium.audit.runtime import AUDIT, AuditRuntime
from atrium.auth.principal import Principal
from atrium.core.clock import utcnow
from atrium.core.context import request_id_var
from atrium.core.routing import RouteCatalogue

WRITES = frozenset({"POST", "PUT", "PATCH", "DELETE"})
USER_AGENT_MAX_LENGTH = 512


class AuditMiddleware:
    def __init__(self, app: ASGIApp, *, prefix: str) -> None:
        self.app = app
        self.prefix = prefix

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if not self._audited(scope):
            await self.app(scope, receive, send)
            return
        status = 500  # what the client gets if the call raises
        start = time.perf_counter()

        async def send_status(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        with recording() as found:
            try:
                await self.app(scope, receive, send_status)
            finally:
                self._record(scope, status, time.perf_counter() - start, found)

    def _audited(self, scope: Scope) -> bool:
        return (
            scope["type"] == "http"
            and scope["method"] in WRITES
            and scope["path"].startswith(self.prefix)
        )

    def _record(self, scope: Scope, status: int, duration: float, found: Recording) -> None:
        runtime = _runtime(scope)
        catalogue: RouteCatalogue | None = getattr(scope["app"].state, "catalogue", None)
        route = catalogue.for_scope(scope) if catalogue is not None else None
        if runtime is None or route is None:  # not started, or no route matched: nothing called
            return
        runtime.record(call_entry(scope, route.code, status, duration, found, runtime))


def _runtime(scope: Scope) -> AuditRuntime | None:
    state = getattr(scope["app"].state, "atrium", None)
    return state.find(AUDIT) if state is not None else None


def call_entry(
    scope: Scope,
    code: str,
    status: int,
    duration: float,
    found: Recording,
    runtime: AuditRuntime,
) -> AuditRecord:
    """The entry of one API call."""
    at = utcnow() - timedelta(seconds=duration)
    kind, actor_id, key_id = actor_of(scope.get("state", {}).get("principal"))
    client = scope.get("client")
    return AuditRecord(
        at=at,
        actor_kind=kind,
        actor_id=actor_id,
        key_id=key_id,
        method=scope["method"],
        path=scope["path"],
        code=code,
        target_ids=targets(scope.get("path_params", {}), found),
        status=status,
        duration_ms=round(duration * 1000, 3),
        client_ip=client[0] if client else None,
        user_agent=_header(scope, b"user-agent")[:USER_AGENT_MAX_LENGTH] or None,
        request_id=request_id_var.get() or None,
        changes=found.changes,
        expires_at=runtime.expiry(at),
    )


def actor_of(principal: Any) -> tuple[ActorKind, Any, Any]:
    """``(kind, user id, key id)`` of a request's principal (anonymous if it had none)."""
    if not isinstance(principal, Principal):
        return ActorKind.ANONYMOUS, None, None
    if principal.key_id is not None:
        return ActorKind.APIKEY, principal.user_id, principal.key_id
    return ActorKind.USER, principal.user_id, None


def targets(path_params: dict[str, Any], found: Recording) -> list[str]:
    """The ids a call named in its path, then those of the rows it changed."""
    named = [str(value) for value in path_params.values()]
    return list(dict.fromkeys([*named, *found.entity_ids]))


def _header(scope: Scope, name: bytes) -> str:
    for key, value in scope["headers"]:
        if key == name:
            text: str = value.decode("latin-1")
            return text
    return ""
