"""Socket event handlers: validated payloads, injected dependencies, acknowledgements.

A domain declares its handlers in ``<domain>/events.py``::

    socket_router = SocketRouter()

    @socket_router.on("messages:send")
    async def send(payload: MessageCreate, user: SocketUser, session: AsyncSession) -> MessageRead:
        ...

The first parameter whose type is not an injectable is the payload, validated with pydantic.
Injectables are resolved by type: ``SocketContext``, ``SocketUser``, ``AppState``, ``Emitter``,
``AsyncSession`` (committed when the handler returns, rolled back when it raises) and whatever a
domain registers with ``provide``. The client's acknowledgement gets the API envelope:
``{"code": "OK", "message": "OK", "data": ...}`` or ``{"code": "VALIDATION_ERROR", "message",
"details": [...]}``; an unexpected exception is logged and answered ``INTERNAL_ERROR``; the
connection stays up either way.

Every event has a permission code derived from its name (``EVENT:messages:send``), listed in the
permission catalogue, and is protected by default: the caller needs a grant covering the code
(``PERMISSION_DENIED`` ack otherwise; superusers pass). ``on(event, access=Access.AUTHENTICATED)``
opens an event to every logged-in user (the protocol's ``ping`` and ``auth:refresh``);
``for_every_user=True`` asks the seed to grant it to the ``user`` role.
"""

from __future__ import annotations

import inspect
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import AbstractAsyncContextManager, AsyncExitStack, asynccontextmanager
from dataclasses import dataclass
from typing import Any, TypeVar, get_type_hints
from uuid import UUID

import structlog
from pydantic import TypeAdapter, ValidationError
from sqlalchemy.ext.asyncio import AsyncSession

from atrium.core.codes import CodeKind, DeclaredCode
from atrium.core.errors import AppError, InternalError, UnprocessableEntity
from atrium.core.routing import Access
from atrium.core.state import AppState
from atrium.realtime.emitter import Emitter
from atrium.realtime.registry import SocketInfo

log = structlog.get_logger(__name__)

T = TypeVar("T")
Ack = dict[str, Any]
Provider = Callable[["SocketContext"], AbstractAsyncContextManager[Any]]
Handler = Callable[..., Awaitable[Any]]


@dataclass(frozen=True, slots=True)
class SocketUser:
    """The authenticated user behind a socket."""

    user_id: UUID
    session_id: str
    is_superuser: bool
    roles: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class SocketContext:
    """Everything a handler may ask for about the event being handled."""

    state: AppState
    sid: str
    socket: SocketInfo
    emitter: Emitter
    event: str

    @property
    def user(self) -> SocketUser:
        info = self.socket
        return SocketUser(info.user_id, info.session_id, info.is_superuser, info.roles)


def ok_ack(data: Any = None) -> Ack:
    return {"code": "OK", "message": "OK", "data": data}


def error_ack(code: str, message: str, details: list[dict[str, Any]] | None = None) -> Ack:
    ack: Ack = {"code": code, "message": message, "data": None}
    if details:
        ack["details"] = details
    return ack


def app_error_ack(exc: AppError) -> Ack:
    details = [d.model_dump(mode="json") for d in exc.details] if exc.details else None
    return error_ack(exc.error_code, exc.detail_message, details)


def _value(make: Callable[[SocketContext], Any]) -> Provider:
    @asynccontextmanager
    async def provide(ctx: SocketContext) -> AsyncIterator[Any]:
        yield make(ctx)

    return provide


@asynccontextmanager
async def _session(ctx: SocketContext) -> AsyncIterator[AsyncSession]:
    async with ctx.state.db.session() as session:
        yield session


_PROVIDERS: dict[Any, Provider] = {
    SocketContext: _value(lambda ctx: ctx),
    SocketUser: _value(lambda ctx: ctx.user),
    SocketInfo: _value(lambda ctx: ctx.socket),
    AppState: _value(lambda ctx: ctx.state),
    Emitter: _value(lambda ctx: ctx.emitter),
    AsyncSession: _session,
}


def provide(
    kind: type[T], factory: Callable[[SocketContext], AbstractAsyncContextManager[T]]
) -> None:
    """Make ``kind`` injectable into handlers (an async context manager per event)."""
    _PROVIDERS[kind] = factory


EVENT_PREFIX = "EVENT"
EVENT_TAGS = ("socket events",)


def event_code(event: str) -> str:
    """The permission code of a socket event: ``EVENT:messages:send``."""
    return f"{EVENT_PREFIX}:{event}"


class EventHandler:
    """One event's handler, its payload type, its injected parameters and its access level."""

    def __init__(
        self,
        event: str,
        fn: Handler,
        access: Access = Access.PERMISSION,
        for_every_user: bool = False,
    ) -> None:
        if access is Access.PUBLIC:
            raise ValueError(f"socket event {event!r}: sockets are authenticated, none is public")
        self.event, self.fn = event, fn
        self.code, self.access, self.for_every_user = event_code(event), access, for_every_user
        hints = get_type_hints(fn)
        self.payload: tuple[str, TypeAdapter[Any]] | None = None
        self.injected: list[tuple[str, Any]] = []
        for name in inspect.signature(fn).parameters:
            kind = hints.get(name, Any)
            if kind in _PROVIDERS:
                self.injected.append((name, kind))
            elif self.payload is None:
                self.payload = (name, TypeAdapter(kind))
            else:
                raise TypeError(f"handler {fn.__qualname__}: cannot inject {name!r} ({kind!r})")
        returned = hints.get("return", Any)
        self.result: TypeAdapter[Any] | None = (
            None if returned in (None, type(None)) else TypeAdapter(returned)
        )

    def declared(self) -> DeclaredCode:
        """This event's entry in the permission catalogue."""
        summary = (inspect.getdoc(self.fn) or self.event).splitlines()[0]
        return DeclaredCode(
            code=self.code,
            kind=CodeKind.EVENT,
            summary=summary,
            access=self.access,
            tags=EVENT_TAGS,
            for_every_user=self.for_every_user,
        )

    async def __call__(self, ctx: SocketContext, args: tuple[Any, ...]) -> Ack:
        try:
            return await self._run(ctx, args)
        except ValidationError as exc:
            return error_ack(
                UnprocessableEntity.code, "The payload failed validation.", _details(exc)
            )
        except AppError as exc:
            return app_error_ack(exc)
        except Exception:
            log.exception("socket_handler_failed", socket_event=self.event, sid=ctx.sid)
            return error_ack(InternalError.code, InternalError.message)

    async def _run(self, ctx: SocketContext, args: tuple[Any, ...]) -> Ack:
        kwargs: dict[str, Any] = {}
        if self.payload is not None:
            name, adapter = self.payload
            kwargs[name] = adapter.validate_python(args[0] if args else None)
        async with AsyncExitStack() as stack:
            for name, kind in self.injected:
                kwargs[name] = await stack.enter_async_context(_PROVIDERS[kind](ctx))
            result = await self.fn(**kwargs)
        if self.result is None:
            return ok_ack(None)
        return ok_ack(self.result.dump_python(result, mode="json", by_alias=True))


def _details(exc: ValidationError) -> list[dict[str, Any]]:
    return [
        {
            "loc": [part for part in error["loc"] if isinstance(part, str | int)],
            "message": error["msg"],
            "type": error["type"],
        }
        for error in exc.errors()
    ]


class SocketRouter:
    """A domain's socket event handlers (``<domain>/events.py``: ``socket_router``)."""

    def __init__(self) -> None:
        self.handlers: dict[str, EventHandler] = {}

    def on(
        self, event: str, *, access: Access = Access.PERMISSION, for_every_user: bool = False
    ) -> Callable[[Handler], Handler]:
        """Register a handler; the event needs ``EVENT:<event>`` unless ``access`` says
        AUTHENTICATED."""

        def register(fn: Handler) -> Handler:
            if event in self.handlers:
                raise ValueError(f"socket event {event!r} is handled twice")
            self.handlers[event] = EventHandler(event, fn, access, for_every_user)
            return fn

        return register

    def declared(self) -> list[DeclaredCode]:
        """Every event's catalogue entry, by event name."""
        return [self.handlers[event].declared() for event in sorted(self.handlers)]

    def include(self, other: SocketRouter) -> None:
        for event, handler in other.handlers.items():
            if event in self.handlers:
                raise ValueError(f"socket event {event!r} is handled twice")
            self.handlers[event] = handler
