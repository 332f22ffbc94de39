"""One error family, one renderer: every failure leaves in the envelope with a stable code.

Each ``AppError`` subclass is one code: its HTTP status, its stable code string and its default
message, and a docstring saying when it is raised. Every subclass registers itself when it is
defined; ``core/errorcatalogue.py`` lists core's (here) and each domain's (``<domain>/errors.py``)
and writes ``docs/errors.md`` from them. A raise may pass a more precise message, never another
code: a code has one status wherever it is raised.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from http import HTTPStatus
from typing import Any, ClassVar

import structlog
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from atrium.core.responses import ErrorDetail, ErrorEnvelope

log = structlog.get_logger(__name__)

_REGISTERED: list[type[AppError]] = []


class AppError(Exception):
    """An expected failure: a status, a stable machine-readable code and a message."""

    status_code: ClassVar[int] = 400
    code: ClassVar[str] = "BAD_REQUEST"
    message: ClassVar[str] = "The request is not valid."

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        _REGISTERED.append(cls)

    def __init__(
        self,
        message: str | None = None,
        *,
        details: Sequence[ErrorDetail] | None = None,
        headers: Mapping[str, str] | None = None,
        data: Mapping[str, Any] | None = None,
    ) -> None:
        self.detail_message = message or self.message
        self.details = list(details) if details else None
        self.headers = dict(headers) if headers else None
        # What the client needs to recover (the current record of a version conflict).
        self.data = dict(data) if data is not None else None
        super().__init__(self.detail_message)

    @property
    def error_code(self) -> str:
        """The code this error answers with (its class's)."""
        return self.code


def registered() -> tuple[type[AppError], ...]:
    """Every ``AppError`` subclass defined so far, in the order they were defined."""
    return tuple(_REGISTERED)


class BadRequest(AppError):
    """The request is malformed in a way no more specific code names (a header, a form)."""

    status_code = 400
    code = "BAD_REQUEST"
    message = "The request is not valid."


class InvalidCursor(BadRequest):
    """A cursor-paginated list got a cursor it did not hand out (or cannot read)."""

    code = "INVALID_CURSOR"
    message = "The cursor is not valid."


class Unauthorized(AppError):
    """No access token was sent (or no access policy is installed: protected routes are closed)."""

    status_code = 401
    code = "AUTH_REQUIRED"
    message = "Authentication is required."


class Forbidden(AppError):
    """The caller is logged in but no grant covers the route's or the event's permission code."""

    status_code = 403
    code = "PERMISSION_DENIED"
    message = "You do not have permission to do this."


class NotFound(AppError):
    """No route matches the path, or a resource with no more specific code does not exist."""

    status_code = 404
    code = "NOT_FOUND"
    message = "The resource was not found."


class MethodNotAllowed(AppError):
    """The path exists, but not for this HTTP method."""

    status_code = 405
    code = "METHOD_NOT_ALLOWED"
    message = HTTPStatus(405).phrase


class NotAcceptable(AppError):
    """The framework cannot answer in a media type the request's ``Accept`` allows."""

    status_code = 406
    code = "NOT_ACCEPTABLE"
    message = HTTPStatus(406).phrase


class Conflict(AppError):
    """The change conflicts with the current state and no more specific code says how."""

    status_code = 409
    code = "CONFLICT"
    message = "The resource conflicts with an existing one."


class PayloadTooLarge(AppError):
    """The request body is larger than its limit (``http.max_body_bytes``, or the route's own)."""

    status_code = 413
    code = "PAYLOAD_TOO_LARGE"
    message = "The payload is too large."


class UnsupportedMediaType(AppError):
    """The request body's media type is not one the route reads."""

    status_code = 415
    code = "UNSUPPORTED_MEDIA_TYPE"
    message = "The media type is not allowed."


class UnprocessableEntity(AppError):
    """The body, query, path or socket payload failed validation (``details`` name each field)."""

    status_code = 422
    code = "VALIDATION_ERROR"
    message = "The request failed validation."


class InvalidText(UnprocessableEntity):
    """The path, query, form or JSON body holds invalid UTF-8, a NUL, a lone surrogate or NaN."""

    code = "INVALID_TEXT"
    message = "The request's text is not acceptable."


class JsonTooDeep(UnprocessableEntity):
    """A JSON body is nested deeper than ``http.max_json_depth`` levels."""

    code = "JSON_TOO_DEEP"
    message = "The request's body is nested too deep."


class JsonStringTooLong(UnprocessableEntity):
    """A JSON body holds a string longer than ``http.max_json_string_chars`` characters."""

    code = "JSON_STRING_TOO_LONG"
    message = "The request's body holds a string that is too long."


class TooManyRequests(AppError):
    """Too many requests from this client (login attempts); wait ``Retry-After`` seconds."""

    status_code = 429
    code = "RATE_LIMITED"
    message = "Too many requests; retry later."


class InternalError(AppError):
    """Any unexpected exception (a bug): logged, and answered without a word of internals."""

    status_code = 500
    code = "INTERNAL_ERROR"
    message = "An unexpected error occurred."


class ServiceUnavailable(AppError):
    """A store the request needs cannot be reached right now; retry later."""

    status_code = 503
    code = "SERVICE_UNAVAILABLE"
    message = "A required service is unavailable."


class TaskQueueUnavailable(ServiceUnavailable):
    """A request's work could not be handed to the worker (the broker did not answer): nothing
    of it was done; retry later."""

    code = "TASK_QUEUE_UNAVAILABLE"
    message = "The task queue is unavailable; try again shortly."


class RequestRejected(StarletteHTTPException):
    """A request refused while its body is read (too large, invalid text), as one error class.

    An HTTP exception rather than an ``AppError``: FastAPI passes HTTP exceptions raised
    while it reads a body through unchanged (anything else becomes a generic 400).
    """

    def __init__(
        self,
        error: type[AppError],
        message: str | None = None,
        details: list[ErrorDetail] | None = None,
    ) -> None:
        super().__init__(error.status_code, message or error.message)
        self.error_code = error.code
        self.error_details = details


_HTTP_CODES = {
    error.status_code: error.code
    for error in (
        BadRequest,
        Unauthorized,
        Forbidden,
        NotFound,
        MethodNotAllowed,
        NotAcceptable,
        PayloadTooLarge,
        UnsupportedMediaType,
        TooManyRequests,
    )
}
# Any other status the framework raises answers with this generic code.
HTTP_ERROR = "HTTP_ERROR"


def render(
    status: int,
    code: str,
    message: str,
    details: list[ErrorDetail] | None = None,
    headers: Mapping[str, str] | None = None,
    data: Mapping[str, Any] | None = None,
) -> JSONResponse:
    """The error envelope as a response."""
    shown = dict(data) if data is not None else None
    body = ErrorEnvelope(code=code, message=message, details=details, data=shown)
    return JSONResponse(body.model_dump(mode="json"), status_code=status, headers=headers)


def internal_error_response() -> JSONResponse:
    return render(InternalError.status_code, InternalError.code, InternalError.message)


def unavailable_response() -> JSONResponse:
    return render(
        ServiceUnavailable.status_code, ServiceUnavailable.code, ServiceUnavailable.message
    )


async def _app_error(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, AppError)
    return render(exc.status_code, exc.code, exc.detail_message, exc.details, exc.headers, exc.data)


async def _http_error(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    status = exc.status_code
    code = _HTTP_CODES.get(status, HTTP_ERROR)
    message = exc.detail if isinstance(exc.detail, str) else HTTPStatus(status).phrase
    if status == 404 and exc.detail == "Not Found":
        message = "No route matches this path."
    if isinstance(exc, RequestRejected):
        return render(status, exc.error_code, message, exc.error_details)
    return render(status, code, message, headers=exc.headers)


async def _validation_error(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    details = [_detail(error) for error in exc.errors()]
    error = UnprocessableEntity
    return render(error.status_code, error.code, error.message, details)


def _detail(error: Mapping[str, Any]) -> ErrorDetail:
    loc = [part for part in error.get("loc", ()) if isinstance(part, str | int)]
    return ErrorDetail(loc=loc, message=str(error.get("msg", "")), type=str(error.get("type", "")))


def install_error_handlers(app: FastAPI) -> None:
    """Render AppError, HTTP errors and validation errors in the envelope."""
    app.add_exception_handler(AppError, _app_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
