"""The request context middleware: request id, access log, metrics, and the last-resort 500.

A store that does not answer (Redis or MongoDB: connection refused, lost or timed out) is an
outage, not a bug: whichever route meets one unhandled answers 503 ``SERVICE_UNAVAILABLE``
(retry later), never a 500.

Pure ASGI (no BaseHTTPMiddleware task group) so it costs microseconds on the hot path.
"""

from __future__ import annotations

import re
import time

import structlog
from pymongo.errors import ConnectionFailure as MongoConnectionFailure
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from atrium.core.context import request_id_var
from atrium.core.errors import internal_error_response, unavailable_response
from atrium.core.ids import uuid7
from atrium.core.metrics import HTTP_DURATION, HTTP_REQUESTS
from atrium.core.routing import RouteCatalogue, RouteInfo

log = structlog.get_logger("atrium.access")
_VALID_REQUEST_ID = re.compile(r"^[A-Za-z0-9._:\-]{1,128}$")
REQUEST_ID_HEADER = b"x-request-id"
STORE_OUTAGES = (RedisConnectionError, RedisTimeoutError, MongoConnectionFailure)


def _incoming_request_id(scope: Scope) -> str:
    for name, value in scope["headers"]:
        if name == REQUEST_ID_HEADER:
            text: str = value.decode("latin-1")
            if _VALID_REQUEST_ID.match(text):
                return text
            break
    return str(uuid7())


class RequestContextMiddleware:
    def __init__(self, app: ASGIApp, *, access_log: bool = True) -> None:
        self.app = app
        self.access_log = access_log

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request_id = _incoming_request_id(scope)
        request_id_var.set(request_id)
        structlog.contextvars.bind_contextvars(request_id=request_id)
        header = (REQUEST_ID_HEADER, request_id.encode("latin-1"))
        status = 500
        started = False
        start = time.perf_counter()

        async def send_with_id(message: Message) -> None:
            nonlocal status, started
            if message["type"] == "http.response.start":
                started = True
                status = message["status"]
                message["headers"] = [*message.get("headers", []), header]
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        except STORE_OUTAGES as exc:
            log.warning("store_unavailable", path=self._logged(scope), error=repr(exc))
            if started:
                raise
            status = 503
            await unavailable_response()(scope, receive, send_with_id)
        except Exception:
            log.exception("unhandled_error", method=scope["method"], path=self._logged(scope))
            if started:
                raise
            status = 500
            await internal_error_response()(scope, receive, send_with_id)
        finally:
            self._record(scope, status, time.perf_counter() - start, request_id)
            structlog.contextvars.unbind_contextvars("request_id")

    def _record(self, scope: Scope, status: int, duration: float, request_id: str) -> None:
        route = self._route_template(scope)
        method = scope["method"]
        HTTP_REQUESTS.labels(method, route, str(status)).inc()
        HTTP_DURATION.labels(method, route).observe(duration)
        if self.access_log:
            log.info(
                "request",
                method=method,
                path=self._logged(scope),
                status=status,
                duration_ms=round(duration * 1000, 2),
                request_id=request_id,
            )

    def _info(self, scope: Scope) -> RouteInfo | None:
        catalogue: RouteCatalogue | None = getattr(scope["app"].state, "catalogue", None)
        return catalogue.for_scope(scope) if catalogue else None

    def _logged(self, scope: Scope) -> str:
        # A path holding a secret (a feed URL's token) is logged by its template.
        info = self._info(scope)
        return info.path if info is not None and info.secret_path else str(scope["path"])

    def _route_template(self, scope: Scope) -> str:
        # Label by template, never by raw path, so the label set stays bounded.
        info = self._info(scope)
        if info is not None:
            return info.path
        route = scope.get("route")
        return "(unmatched)" if route is None else str(getattr(route, "path", "(other)"))
