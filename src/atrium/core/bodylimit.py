"""Bounded request bodies and clean text, checked before any route (or access check) reads them.

FastAPI reads and parses a JSON body before the route's dependencies run, access guard
included, so without a bound an anonymous client can make the server read any amount. This
ASGI middleware sits in front of everything:

- a ``Content-Length`` above the largest limit is answered 413 at once, nothing read;
- the body is counted as the app reads it: past the route's limit (the default, or a larger
  one a domain declared with ``allow_larger_body``) the read fails with 413, so a chunked
  body is cut off after at most the limit;
- a JSON body (or one with no content type, which FastAPI reads as JSON) is checked whole
  before the app sees it: valid UTF-8, no NUL and no lone UTF-16 surrogate in its strings,
  nesting and string lengths within bounds; the same holds for url-encoded forms, the path
  and the query string. Such text would otherwise reach the databases (PostgreSQL refuses
  NUL) or the response encoder (a lone surrogate cannot be encoded) and end in a 500.

Every refusal leaves in the envelope: 413 ``PAYLOAD_TOO_LARGE`` or 422 with a stable code.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from urllib.parse import unquote_to_bytes

from fastapi import FastAPI
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from atrium.core.errors import (
    AppError,
    BadRequest,
    InvalidText,
    JsonStringTooLong,
    JsonTooDeep,
    PayloadTooLarge,
    RequestRejected,
    render,
)
from atrium.core.responses import ErrorDetail
from atrium.core.routing import RouteCatalogue

LIMITS_ATTR = "body_limits"
_STRING = re.compile(r'"(?:[^"\\]|\\.)*"', re.DOTALL)
_NOT_BRACKET = re.compile(r"[^\[\]{}]")
_EMPTY_PAIR = re.compile(r"\[\]|\{\}")
# Python's JSON parser takes these bare words (not JSON): stores such as PostgreSQL refuse them.
_NON_FINITE = re.compile(r"-?\b(?:NaN|Infinity)\b")
_ESCAPE = re.compile(r"\\(?:u([0-9a-fA-F]{4})|.)", re.DOTALL)
_JSON_TYPES = ("application/json",)
_FORM_TYPE = "application/x-www-form-urlencoded"


@dataclass(frozen=True, slots=True)
class BodyRules:
    """The bounds: default body size, JSON nesting depth, length of one JSON string."""

    max_body_bytes: int
    max_json_depth: int
    max_json_string_chars: int
    # "METHOD /full/path/{template}" → a larger body limit (declared by a domain).
    larger: dict[str, int] = field(default_factory=dict)

    def for_route(self, key: str | None) -> int:
        return self.larger.get(key, self.max_body_bytes) if key else self.max_body_bytes

    @property
    def largest(self) -> int:
        return max([self.max_body_bytes, *self.larger.values()])


def allow_larger_body(app: FastAPI, method: str, path: str, max_bytes: int) -> None:
    """Let one route (its full path template) read bodies up to ``max_bytes``, e.g. an upload.

    Call it at build time (a domain's ``install``); the route must bound its own reading.
    """
    declared_larger(app)[f"{method.upper()} {path}"] = max_bytes


def declared_larger(app: FastAPI) -> dict[str, int]:
    """The larger limits declared so far (the middleware reads this same mapping)."""
    found: dict[str, int] | None = getattr(app.state, LIMITS_ATTR, None)
    if found is None:
        found = {}
        setattr(app.state, LIMITS_ATTR, found)
    return found


def too_large(limit: int) -> RequestRejected:
    message = f"The request body is larger than the limit of {limit} bytes."
    return RequestRejected(PayloadTooLarge, message)


def invalid_text(where: str, what: str, error: type[AppError] = InvalidText) -> RequestRejected:
    detail = ErrorDetail(loc=[where], message=what, type=error.code.lower())
    message = f"The request's {where} is not acceptable: {what}."
    return RequestRejected(error, message, [detail])


# --- text checks ----------------------------------------------------------------------------


def escape_problem(text: str) -> str | None:
    """What is wrong with the JSON string escapes in ``text``: a NUL or a lone surrogate."""
    if "\\u" not in text:
        return None
    pending: int | None = None  # where a high surrogate's escape ended
    for match in _ESCAPE.finditer(text):
        code = int(match.group(1), 16) if match.group(1) else None
        if pending is not None:
            if match.start() == pending and code is not None and 0xDC00 <= code <= 0xDFFF:
                pending = None
                continue
            return "a lone UTF-16 surrogate"
        if code == 0:
            return "a NUL character"
        if code is not None and 0xD800 <= code <= 0xDBFF:
            pending = match.end()
        elif code is not None and 0xDC00 <= code <= 0xDFFF:
            return "a lone UTF-16 surrogate"
    return None if pending is None else "a lone UTF-16 surrogate"


def too_deep(text: str, max_depth: int) -> bool:
    """Whether the JSON nests deeper than ``max_depth`` (strings ignored; C-speed passes)."""
    brackets = _NOT_BRACKET.sub("", _STRING.sub("", text))
    for _ in range(max_depth):
        if not brackets:
            return False
        reduced = _EMPTY_PAIR.sub("", brackets)
        if reduced == brackets:
            return False  # unbalanced: the JSON parser answers it
        brackets = reduced
    return bool(brackets) and _EMPTY_PAIR.search(brackets) is not None


def longest_string(text: str) -> int:
    return max((len(match) - 2 for match in _STRING.findall(text)), default=0)


def check_json(body: bytes, rules: BodyRules) -> None:
    """Raise a 422 for invalid UTF-8, NUL, lone surrogates, too deep or too long strings."""
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        raise invalid_text("body", "not valid UTF-8") from None
    if "\x00" in text:
        raise invalid_text("body", "a NUL character")
    if problem := escape_problem(text):
        raise invalid_text("body", problem)
    if _NON_FINITE.search(_STRING.sub('""', text)):
        raise invalid_text("body", "a non-finite number (NaN or Infinity is not JSON)")
    if too_deep(text, rules.max_json_depth):
        raise invalid_text("body", f"nested deeper than {rules.max_json_depth} levels", JsonTooDeep)
    if longest_string(text) > rules.max_json_string_chars:
        raise invalid_text(
            "body",
            f"a string longer than {rules.max_json_string_chars} characters",
            JsonStringTooLong,
        )


def check_field(value: str, where: str) -> str:
    """One decoded text field of a multipart form (the body check reads only JSON and
    url-encoded bodies): no NUL. Returns the value."""
    if "\x00" in value:
        raise invalid_text(where, "a NUL character")
    return value


def check_urlencoded(raw: bytes, where: str) -> None:
    """A query string or form: no NUL and valid UTF-8 once percent-decoded."""
    decoded = unquote_to_bytes(raw.replace(b"+", b" "))
    if b"\x00" in decoded:
        raise invalid_text(where, "a NUL character")
    try:
        decoded.decode("utf-8")
    except UnicodeDecodeError:
        raise invalid_text(where, "not valid UTF-8") from None


# --- the middleware -------------------------------------------------------------------------


def _header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope["headers"]:
        if key == name:
            text: str = value.decode("latin-1")
            return text
    return None


def _content_length(scope: Scope) -> int | None:
    raw = _header(scope, b"content-length")
    if raw is None:
        return None
    if not raw.strip().isdigit():
        raise RequestRejected(BadRequest, "Content-Length is not a number.")
    return int(raw)


def _media_type(scope: Scope) -> str | None:
    raw = _header(scope, b"content-type")
    return None if raw is None else raw.split(";", 1)[0].strip().lower()


def _is_json(media: str | None) -> bool:
    return media is None or media in _JSON_TYPES or media.endswith("+json")


class _GuardedBody:
    """The app's ``receive``: counts the body against the route's limit, checks text bodies."""

    def __init__(self, scope: Scope, receive: Receive, rules: BodyRules, declared: int | None):
        self.scope, self.inner, self.rules, self.declared = scope, receive, rules, declared
        self.limit: int | None = None
        self.read = 0

    def _route_limit(self) -> int:
        app = self.scope.get("app")
        catalogue: RouteCatalogue | None = getattr(getattr(app, "state", None), "catalogue", None)
        info = catalogue.for_scope(self.scope) if catalogue else None
        return self.rules.for_route(None if info is None else f"{info.method} {info.path}")

    async def receive(self) -> Message:
        if self.limit is None:  # first read: routing is done, the route is known
            self.limit = self._route_limit()
            if self.declared is not None and self.declared > self.limit:
                raise too_large(self.limit)
            media = _media_type(self.scope)
            if _is_json(media) or media == _FORM_TYPE:
                return await self._whole(media)
        return self._count(await self.inner())

    def _count(self, message: Message) -> Message:
        if message["type"] == "http.request":
            self.read += len(message.get("body", b""))
            if self.limit is not None and self.read > self.limit:
                raise too_large(self.limit)
        return message

    async def _whole(self, media: str | None) -> Message:
        chunks: list[bytes] = []
        while True:
            message = self._count(await self.inner())
            if message["type"] != "http.request":
                return message  # the client went away
            chunks.append(message.get("body", b""))
            if not message.get("more_body", False):
                break
        body = b"".join(chunks)
        if body and media == _FORM_TYPE:
            check_urlencoded(body, "body")
        elif body:
            check_json(body, self.rules)
        return {"type": "http.request", "body": body, "more_body": False}


class BodyLimitMiddleware:
    def __init__(self, app: ASGIApp, *, rules: BodyRules) -> None:
        self.app = app
        self.rules = rules

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        try:
            declared = self._check_request_line(scope)
        except RequestRejected as exc:
            response = render(exc.status_code, exc.error_code, exc.detail, exc.error_details)
            await response(scope, receive, send)
            return
        guarded = _GuardedBody(scope, receive, self.rules, declared)
        await self.app(scope, guarded.receive, send)

    def _check_request_line(self, scope: Scope) -> int | None:
        if "\x00" in scope["path"]:
            raise invalid_text("path", "a NUL character")
        check_urlencoded(scope.get("query_string", b""), "query")
        declared = _content_length(scope)
        if declared is not None and declared > self.rules.largest:
            raise too_large(self.rules.max_body_bytes)
        return declared
