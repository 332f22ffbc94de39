"""The one envelope every response uses: code, message, data, request id."""

from __future__ import annotations

from typing import Any, Generic, TypeVar

from pydantic import Field

from atrium.core.context import current_request_id
from atrium.core.schemas import Schema

T = TypeVar("T")

OK = "OK"


class Envelope(Schema, Generic[T]):
    code: str = OK
    message: str = "OK"
    data: T
    request_id: str | None = Field(default_factory=current_request_id)


class ErrorDetail(Schema):
    loc: list[str | int] = []
    message: str
    type: str


class ErrorEnvelope(Schema):
    code: str
    message: str
    # Set by a few errors only (a version conflict carries the current record).
    data: dict[str, Any] | None = None
    request_id: str | None = Field(default_factory=current_request_id)
    details: list[ErrorDetail] | None = None


def ok(data: T, message: str = "OK") -> Envelope[T]:
    """Wrap a successful result."""
    return Envelope[T](data=data, message=message)


def _error_response(status: int, description: str) -> dict[str, Any]:
    return {"model": ErrorEnvelope, "description": description}


# Documented on every route; routes add their own specific ones.
COMMON_ERROR_RESPONSES: dict[int | str, dict[str, Any]] = {
    422: _error_response(422, "Validation error, with field details"),
    500: _error_response(500, "Unexpected error (no internals disclosed)"),
}
AUTH_ERROR_RESPONSES: dict[int | str, dict[str, Any]] = {
    401: _error_response(401, "Missing, invalid, expired or revoked token"),
    403: _error_response(403, "The caller lacks the route's permission"),
}


def error_responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI entries for the given error statuses, all in the error envelope."""
    return {status: _error_response(status, "Error") for status in statuses}
