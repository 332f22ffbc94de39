"""The Socket.IO server of an API node: connect auth, rooms, presence, revocation, expiry.

- Connect: the access token in ``auth: {token}`` (or ``Authorization: Bearer``) is checked like
  an HTTP request's (signature, expiry, live session, token not revoked) and the user must be
  active. A refusal carries ``{"message", "data": {"code"}}`` the client can read.
- Rooms: ``user:{id}`` and ``role:{code}`` for each of the user's active roles; a role change
  moves the user's sockets between role rooms on every node before it is reported done
  (``atrium.realtime.rooms``).
- Events: each needs its ``EVENT:<name>`` code unless declared for any logged-in user
  (``atrium.realtime.access``); a refusal is an error ack, the socket stays.
- Revocation: every node listens to the auth events and disconnects its own sockets of a
  revoked session or user (``auth:ended`` with the reason first).
- Expiry: ``auth:expiring`` some time before the token expires; a client answers with
  ``auth:refresh`` and a fresh token; otherwise ``auth:ended`` (``token_expired``) and disconnect.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from dataclasses import replace
from typing import Any

import socketio
import structlog
from socketio.exceptions import ConnectionRefusedError as SocketRefused

from atrium.auth import deps as auth_deps
from atrium.auth.errors import AuthTokenRevoked, AuthUserDisabled
from atrium.auth.runtime import AUTH
from atrium.config import Settings
from atrium.core.clock import utcnow
from atrium.core.errors import AppError, ServiceUnavailable, Unauthorized
from atrium.core.state import AppState, StateKey
from atrium.realtime import names
from atrium.realtime.access import EVENT_POLICY
from atrium.realtime.emitter import NAMESPACE, Emitter, ServerTransport, channel
from atrium.realtime.errors import AuthUserMismatch, UnknownEvent
from atrium.realtime.handlers import (
    EventHandler,
    SocketContext,
    SocketRouter,
    app_error_ack,
)
from atrium.realtime.manager import RedisManager
from atrium.realtime.presence import Presence, new_node_id
from atrium.realtime.registry import RecentRevocations, Revocation, SocketInfo, SocketRegistry
from atrium.realtime.revocation import RevocationListener
from atrium.realtime.roles import RBAC_DOMAIN, roles_of, roles_of_many
from atrium.realtime.rooms import OnChange, RecentRoomChanges, RoomListener, Users
from atrium.realtime.settings import RealtimeSettings
from atrium.users import service as users_service

log = structlog.get_logger(__name__)

SUBSCRIBE_TIMEOUT_SECONDS = 5.0


def cors_policy(settings: Settings) -> tuple[OriginPolicy, bool]:
    """Allowed browser origins and whether credentials are allowed (never ``*`` with them).

    A listed origin, or the server's own (a page it served, the console under ``/console``):
    Socket.IO's own check takes a list as the whole truth and would refuse its own pages."""
    origins = list(settings.cors.allow_origins)
    if "*" in origins:
        return "*", False
    return AllowedOrigins(origins), settings.cors.allow_credentials


OriginPolicy = str | Callable[[str, dict[str, Any]], bool]
_PAGE_SCHEMES = {"ws": "http", "wss": "https"}


class AllowedOrigins:
    """The origin check handed to Socket.IO: listed origins, and the request's own origin."""

    def __init__(self, origins: list[str]) -> None:
        self.origins = frozenset(origins)

    def __call__(self, origin: str, environ: dict[str, Any]) -> bool:
        return origin in self.origins or origin == _own_origin(environ)


def _own_origin(environ: dict[str, Any]) -> str | None:
    """``scheme://host`` of the request, as the client addressed it (``Host``; the scheme of
    the ASGI scope, which a trusted proxy's ``X-Forwarded-Proto`` has already set)."""
    host = environ.get("HTTP_HOST")
    if not isinstance(host, str) or not host:
        return None
    scope = environ.get("asgi.scope") or {}
    scheme = str(scope.get("scheme", "http"))
    return f"{_PAGE_SCHEMES.get(scheme, scheme)}://{host}"


def _token(auth: Any, environ: dict[str, Any]) -> str:
    raw = auth.get("token") if isinstance(auth, dict) else None
    if not isinstance(raw, str) or not raw.strip():
        raw = str(environ.get("HTTP_AUTHORIZATION", ""))
    scheme, _, rest = raw.strip().partition(" ")
    token = rest.strip() if scheme.lower() == "bearer" else raw.strip()
    if not token:
        raise Unauthorized("An access token is required: connect with auth: {token}.")
    return token


class RealtimeServer:
    """One node's Socket.IO server and the bookkeeping of its sockets."""

    def __init__(self, settings: Settings, router: SocketRouter) -> None:
        self.settings = settings
        self.router = router
        self.node_id = new_node_id()
        self.manager = RedisManager(settings.redis.url, channel(settings))
        origins, credentials = cors_policy(settings)
        rt = settings.group(RealtimeSettings)
        self.sio = socketio.AsyncServer(
            async_mode="asgi",
            client_manager=self.manager,
            cors_allowed_origins=origins,
            cors_credentials=credentials,
            ping_interval=rt.ping_interval_seconds,
            ping_timeout=rt.ping_timeout_seconds,
            max_http_buffer_size=rt.max_message_bytes,
            logger=False,
            engineio_logger=False,
        )
        self.emitter = Emitter(ServerTransport(self.sio))
        self.registry = SocketRegistry()
        self.revocations = RecentRevocations()
        self.room_changes = RecentRoomChanges()
        self._access_watchers: list[OnChange] = []
        self._rooms_listener: RoomListener | None = None
        self._state: AppState | None = None
        self._presence: Presence | None = None
        self._listener: RevocationListener | None = None
        self._timers: dict[str, list[asyncio.TimerHandle]] = {}
        self._tasks: set[asyncio.Task[None]] = set()
        self.sio.on("connect", self._on_connect)
        self.sio.on("disconnect", self._on_disconnect)
        self.sio.on("*", self._on_unknown)
        for event, handler in router.handlers.items():
            self.sio.on(event, self._dispatcher(handler))

    def asgi_app(self) -> socketio.ASGIApp:
        """The ASGI app to mount at realtime's ``path`` setting (it takes every path below)."""
        return socketio.ASGIApp(self.sio, socketio_path=None)

    @property
    def state(self) -> AppState:
        if self._state is None:
            raise RuntimeError("the realtime server has not been started")
        return self._state

    @property
    def presence(self) -> Presence:
        if self._presence is None:
            raise RuntimeError("the realtime server has not been started")
        return self._presence

    # --- lifecycle ------------------------------------------------------------------------

    async def start(self, state: AppState) -> None:
        """Subscribe to the Socket.IO channel and the auth events; start presence."""
        self._state = state
        self._presence = Presence(state.redis, self.settings, self.node_id)
        await self._presence.start(self.registry)
        self.sio.manager_initialized = True
        self.manager.initialize()
        try:
            await asyncio.wait_for(self.manager.ready.wait(), SUBSCRIBE_TIMEOUT_SECONDS)
        except TimeoutError:
            log.warning("socketio_pubsub_not_ready", channel=self.manager.channel)
        self._listener = RevocationListener(
            state.redis, self.settings, self._on_revocation, self._revalidate
        )
        await self._listener.start()
        if RBAC_DOMAIN in self.settings.domains:
            # Imported here: realtime works without the RBAC domain configured.
            from atrium.rbac.cache import USERS_CHANGED
            from atrium.rbac.cache import channel as rbac_channel

            self._rooms_listener = RoomListener(
                state.redis, rbac_channel(self.settings), USERS_CHANGED, self._on_role_change
            )
            await self._rooms_listener.start()

    async def stop(self) -> None:
        """Disconnect every local socket and leave the shared state."""
        await self.sio.shutdown()
        for sid in list(self._timers):
            self._cancel_timers(sid)
        if self._rooms_listener is not None:
            await self._rooms_listener.stop()
        if self._listener is not None:
            await self._listener.stop()
        if self._presence is not None:
            await self._presence.stop()
        thread = getattr(self.manager, "thread", None)
        if isinstance(thread, asyncio.Task | asyncio.Future):
            thread.cancel()
            await asyncio.gather(thread, return_exceptions=True)
        await self.manager.close()

    # --- connect / disconnect -------------------------------------------------------------

    async def _on_connect(self, sid: str, environ: dict[str, Any], auth: Any = None) -> None:
        checked_at = time.monotonic()
        try:
            info = await self._identify(sid, _token(auth, environ), checked_at)
        except AppError as exc:
            raise SocketRefused(exc.detail_message, {"code": exc.error_code}) from None
        except Exception:
            log.exception("socket_connect_failed", sid=sid)
            raise SocketRefused(
                "The token could not be checked right now.", {"code": ServiceUnavailable.code}
            ) from None
        self.registry.add(info)
        if self.revocations.revoked(info):  # revoked while we were checking
            self.registry.remove(sid)
            raise SocketRefused(AuthTokenRevoked.message, {"code": AuthTokenRevoked.code})
        for room in self._rooms(info):
            await self.sio.enter_room(sid, room)
        if self.room_changes.since(info.user_id, checked_at):  # changed while we were checking
            await self.move_rooms(frozenset({info.user_id}))
        self._schedule(info)
        await self._presence_add(info)

    async def _identify(self, sid: str, token: str, checked_at: float) -> SocketInfo:
        state = self.state
        principal = await auth_deps.authenticate_token(state, token)
        async with state.db.session() as session:
            user = await users_service.get(session, principal.user_id)
        if user is None:
            raise AuthTokenRevoked("The account no longer exists.")
        if not user.is_active:
            raise AuthUserDisabled()
        return SocketInfo(
            sid=sid,
            user_id=principal.user_id,
            session_id=principal.session_id,
            jti=principal.jti,
            is_superuser=principal.is_superuser,
            expires_at=principal.expires_at,
            roles=await roles_of(state, principal.user_id),
            connected_at=utcnow(),
            checked_at=checked_at,
        )

    @staticmethod
    def _rooms(info: SocketInfo) -> list[str]:
        return [names.user_room(info.user_id), *(names.role_room(r) for r in info.roles)]

    async def _on_disconnect(self, sid: str, reason: Any = None) -> None:
        self._cancel_timers(sid)
        if self.registry.remove(sid) is not None:
            try:
                await self.presence.remove(sid)
            except Exception as exc:  # the heartbeat rewrites presence later
                log.warning("presence_remove_failed", sid=sid, error=repr(exc))

    async def _presence_add(self, info: SocketInfo) -> None:
        try:
            await self.presence.add(info)
        except Exception as exc:
            log.warning("presence_add_failed", sid=info.sid, error=repr(exc))

    # --- token refresh and expiry ---------------------------------------------------------

    async def refresh(self, sid: str, token: str) -> SocketInfo:
        """Take a fresh access token for an open socket (same user); rooms follow its roles."""
        current = self.registry.get(sid)
        if current is None:
            raise Unauthorized("This socket is not authenticated.")
        fresh = await self._identify(sid, token, time.monotonic())
        if fresh.user_id != current.user_id:
            raise AuthUserMismatch()
        info = replace(fresh, connected_at=current.connected_at)
        self.registry.replace(info)
        await self._join_only(info)
        self._schedule(info)
        return info

    async def _join_only(self, info: SocketInfo) -> None:
        """Make the socket's user and role rooms ``info``'s (from the rooms it is really in;
        rooms a domain joined it to are left alone)."""
        ours = (names.user_room(""), names.role_room(""))
        rooms = self.sio.rooms(info.sid, namespace=NAMESPACE)
        joined = {room for room in rooms if isinstance(room, str) and room.startswith(ours)}
        wanted = set(self._rooms(info))
        for room in sorted(joined - wanted):
            await self.sio.leave_room(info.sid, room, namespace=NAMESPACE)
        for room in sorted(wanted - joined):
            await self.sio.enter_room(info.sid, room, namespace=NAMESPACE)

    # --- role changes ---------------------------------------------------------------------

    def watch_access(self, watcher: OnChange) -> None:
        """Call ``watcher`` on every RBAC change of these users' access (None: anyone's), after
        the role rooms moved and before the change is acknowledged: a domain whose rooms need a
        permission takes out the sockets that lost it (``scheduler.live``)."""
        self._access_watchers.append(watcher)

    async def _on_role_change(self, users: Users) -> None:
        self.room_changes.add(users)
        await self.move_rooms(users)
        for watcher in self._access_watchers:
            try:
                await watcher(users)
            except Exception:  # one domain's failure must not hold the others (nor the ack)
                log.exception("realtime_access_watcher_failed")

    async def move_rooms(self, users: Users) -> None:
        """Re-read the roles of these users (every local one for None) and move their sockets."""
        targets = {info.user_id for info in self.registry.all()} if users is None else users
        local = [user_id for user_id in sorted(targets) if self.registry.of_user(user_id)]
        if not local:
            return
        found = await roles_of_many(self.state, local)
        for user_id, roles in found.items():
            for sid in self.registry.of_user(user_id):
                current = self.registry.get(sid)
                if current is None:
                    continue
                info = replace(current, roles=roles)
                self.registry.replace(info)
                await self._join_only(info)

    def _schedule(self, info: SocketInfo) -> None:
        self._cancel_timers(info.sid)
        loop = asyncio.get_running_loop()
        remaining = max(0.0, (info.expires_at - utcnow()).total_seconds())
        warn_in = remaining - self.settings.group(RealtimeSettings).token_expiry_warning_seconds
        handles = [loop.call_later(remaining, self._spawn, self._expire, info.sid, info.jti)]
        if remaining > 0:  # already inside the warning window: warn at once
            delay = max(0.0, warn_in)
            handles.append(loop.call_later(delay, self._spawn, self._warn, info.sid, info.jti))
        self._timers[info.sid] = handles

    def _cancel_timers(self, sid: str) -> None:
        for handle in self._timers.pop(sid, ()):
            handle.cancel()

    def _spawn(self, fn: Any, sid: str, jti: str) -> None:
        task: asyncio.Task[None] = asyncio.create_task(fn(sid, jti))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _warn(self, sid: str, jti: str) -> None:
        if self.sio.manager.is_pre_connected(sid, NAMESPACE):  # still in its connect handler
            loop = asyncio.get_running_loop()
            self._timers.setdefault(sid, []).append(
                loop.call_later(0.05, self._spawn, self._warn, sid, jti)
            )
            return
        info = self.registry.get(sid)
        if info is not None and info.jti == jti:
            data = {"expiresAt": info.expires_at.isoformat()}
            await self.sio.emit(names.AUTH_EXPIRING, data, to=sid, ignore_queue=True)

    async def _expire(self, sid: str, jti: str) -> None:
        info = self.registry.get(sid)
        if info is not None and info.jti == jti:
            await self.end(sid, names.TOKEN_EXPIRED)

    async def end(self, sid: str, reason: str) -> None:
        """Tell a local socket why, then disconnect it."""
        await self.sio.emit(names.AUTH_ENDED, {"reason": reason}, to=sid, ignore_queue=True)
        await self.sio.disconnect(sid, ignore_queue=True)

    # --- revocation -----------------------------------------------------------------------

    async def _on_revocation(self, revocation: Revocation) -> None:
        self.revocations.add(revocation)
        if revocation.session_id is not None:
            sids = self.registry.of_session(revocation.session_id)
        elif revocation.user_id is not None:
            sids = self.registry.of_user(revocation.user_id, revocation.except_session)
        else:
            sids = []
        for sid in sids:
            await self.end(sid, names.SESSION_REVOKED)
        if sids:
            log.info("sockets_revoked", count=len(sids), user_id=str(revocation.user_id))

    async def _revalidate(self) -> None:
        """After a lost subscription: disconnect the sockets whose session is gone."""
        sessions = self.state.get(AUTH).sessions
        for info in self.registry.all():
            if await sessions.validity(info.session_id, info.jti) is None:
                await self.end(info.sid, names.SESSION_REVOKED)

    # --- events ---------------------------------------------------------------------------

    def _dispatcher(self, handler: EventHandler) -> Any:
        async def dispatch(sid: str, *args: Any) -> dict[str, Any]:
            info = self.registry.get(sid)
            if info is None:
                return app_error_ack(Unauthorized("This socket is not authenticated."))
            try:
                policy = self.state.get(EVENT_POLICY)
                await policy.authorize(info.user_id, handler.code, handler.access)
            except AppError as exc:
                return app_error_ack(exc)
            ctx = SocketContext(self.state, sid, info, self.emitter, handler.event)
            return await handler(ctx, args)

        return dispatch

    async def _on_unknown(self, event: str, sid: str, *args: Any) -> dict[str, Any]:
        return app_error_ack(UnknownEvent(f"No handler for the event {event!r}."))


REALTIME: StateKey[RealtimeServer] = StateKey("realtime.server")
