"""One error family, one renderer: every failure leaves in the envelope with a stable code."""

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


class AppError(Exception):
    """An expected failure: a status, a stable machine-readable code and a message."""

    status_code: ClassVar[int] = 400
    code: ClassVar[str] = "BAD_REQUEST"
    message: ClassVar[str] = "The request is not valid."

    def __init__(
        self,
        message: str | None = None,
        *,
        code: str | None = None,
        details: Sequence[ErrorDetail] | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        self.detail_message = message or self.message
        self.error_code = code or self.code
        self.details = list(details) if details else None
        self.headers = dict(headers) if headers else None
        super().__init__(self.detail_message)


class BadRequest(AppError):
    pass


class Unauthorized(AppError):
    status_code = 401
    code = "AUTH_REQUIRED"
    message = "Authentication is required."


class Forbidden(AppError):
    status_code = 403
    code = "PERMISSION_DENIED"
    message = "You do not have permission to do this."


class NotFound(AppError):
    status_code = 404
    code = "NOT_FOUND"
    message = "The resource was not found."


class Conflict(AppError):
    status_code = 409
    code = "CONFLICT"
    message = "The resource conflicts with an existing one."


class PayloadTooLarge(AppError):
    status_code = 413
    code = "PAYLOAD_TOO_LARGE"
    message = "The payload is too large."


class UnsupportedMediaType(AppError):
    status_code = 415
    code = "UNSUPPORTED_MEDIA_TYPE"
    message = "The media type is not allowed."


class UnprocessableEntity(AppError):
    status_code = 422
    code = "VALIDATION_ERROR"
    message = "The request failed validation."


class TooManyRequests(AppError):
    status_code = 429
    code = "RATE_LIMITED"
    message = "Too many requests; retry later."


class ServiceUnavailable(AppError):
    status_code = 503
    code = "SERVICE_UNAVAILABLE"
    message = "A required service is unavailable."


class RequestRejected(StarletteHTTPException):
    """A request refused while its body is read (too large, invalid text).

    An HTTP exception rather than an ``AppError``: FastAPI passes HTTP exceptions raised
    while it reads a body through unchanged (anything else becomes a generic 400).
    """

    def __init__(
        self, status: int, code: str, message: str, details: list[ErrorDetail] | None = None
    ) -> None:
        super().__init__(status, message)
        self.error_code = code
        self.error_details = details


_HTTP_CODES = {
    400: "BAD_REQUEST",
    401: "AUTH_REQUIRED",
    403: "PERMISSION_DENIED",
    404: "NOT_FOUND",
    405: "METHOD_NOT_ALLOWED",
    406: "NOT_ACCEPTABLE",
    413: "PAYLOAD_TOO_LARGE",
    415: "UNSUPPORTED_MEDIA_TYPE",
    429: "RATE_LIMITED",
}


def render(
    status: int,
    code: str,
    message: str,
    details: list[ErrorDetail] | None = None,
    headers: Mapping[str, str] | None = None,
) -> JSONResponse:
    """The error envelope as a response."""
    body = ErrorEnvelope(code=code, message=message, details=details)
    return JSONResponse(body.model_dump(mode="json"), status_code=status, headers=headers)


def internal_error_response() -> JSONResponse:
    return render(500, "INTERNAL_ERROR", "An unexpected error occurred.")


async def _app_error(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, AppError)
    return render(exc.status_code, exc.error_code, exc.detail_message, exc.details, exc.headers)


async def _http_error(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    status = exc.status_code
    code = _HTTP_CODES.get(status, "HTTP_ERROR")
    message = exc.detail if isinstance(exc.detail, str) else HTTPStatus(status).phrase
    if status == 404 and exc.detail == "Not Found":
        message = "No route matches this path."
    if isinstance(exc, RequestRejected):
        return render(status, exc.error_code, message, exc.error_details)
    return render(status, code, message, headers=exc.headers)


async def _validation_error(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    details = [_detail(error) for error in exc.errors()]
    return render(422, "VALIDATION_ERROR", "The request failed validation.", details)


def _detail(error: Mapping[str, Any]) -> ErrorDetail:
    loc = [part for part in error.get("loc", ()) if isinstance(part, str | int)]
    return ErrorDetail(loc=loc, message=str(error.get("msg", "")), type=str(error.get("type", "")))


def install_error_handlers(app: FastAPI) -> None:
    """Render AppError, HTTP errors and validation errors in the envelope."""
    app.add_exception_handler(AppError, _app_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
