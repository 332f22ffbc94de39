"""Grants: exact permission codes or patterns, and matching them against a route's code.

A grant reads ``METHOD:/path`` like a code. ``METHOD`` may be ``*`` (any method). In the path a
segment ``*`` matches exactly one segment and a final ``**`` matches the rest (zero or more
segments), so ``*:/api/v1/users/**`` covers ``/api/v1/users`` and everything below it. Grants
are matched against route templates (``GET:/api/v1/users/{user_id}``), never raw URLs.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

METHODS = frozenset({"GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"})
ANY = "*"
REST = "**"
MAX_GRANT_LENGTH = 300


class InvalidGrant(ValueError):
    """A grant that is neither a code nor a well-formed pattern."""


def split_code(code: str) -> tuple[str, str]:
    """``("GET", "/api/v1/x")`` from ``GET:/api/v1/x`` (the path may hold ``:``)."""
    method, sep, path = code.partition(":")
    if not sep:
        raise InvalidGrant(f"{code!r} is not METHOD:/path")
    return method, path


def normalize(grant: str) -> str:
    """The canonical spelling of a grant (method upper-cased); ``InvalidGrant`` if malformed."""
    text = grant.strip()
    if not text or len(text) > MAX_GRANT_LENGTH:
        raise InvalidGrant(f"{grant!r} is empty or longer than {MAX_GRANT_LENGTH} characters")
    method, path = split_code(text)
    method = method.strip().upper()
    if method != ANY and method not in METHODS:
        raise InvalidGrant(f"{grant!r}: the method must be one of {sorted(METHODS)} or '*'")
    _check_path(grant, path)
    return f"{method}:{path}"


def _check_path(grant: str, path: str) -> None:
    if not path.startswith("/") or any(ch.isspace() for ch in path):
        raise InvalidGrant(f"{grant!r}: the path must start with '/' and hold no spaces")
    segments = path.split("/")[1:]
    for index, segment in enumerate(segments):
        if REST in segment and (segment != REST or index != len(segments) - 1):
            raise InvalidGrant(f"{grant!r}: '**' may only be the whole last segment")
        if ANY in segment and segment not in (ANY, REST):
            raise InvalidGrant(f"{grant!r}: '*' must be a whole segment")


def is_pattern(grant: str) -> bool:
    method, path = split_code(grant)
    return method == ANY or any(seg in (ANY, REST) for seg in path.split("/"))


def _compile(grant: str) -> re.Pattern[str]:
    method, path = split_code(grant)
    head = "[A-Z]+" if method == ANY else re.escape(method)
    segments = path.split("/")[1:]
    rest = bool(segments) and segments[-1] == REST
    if rest:
        segments = segments[:-1]
    body = "".join("/" + ("[^/]+" if seg == ANY else re.escape(seg)) for seg in segments)
    tail = "(?:/.*)?" if rest else ""
    return re.compile(f"{head}:{body}{tail}")


def matches(grant: str, code: str) -> bool:
    """Whether one (normalized) grant covers ``code``."""
    if grant == code:
        return True
    return is_pattern(grant) and _compile(grant).fullmatch(code) is not None


@dataclass(frozen=True, slots=True)
class Matcher:
    """A set of grants compiled once: a set lookup for codes, regexes for patterns."""

    exact: frozenset[str]
    patterns: tuple[re.Pattern[str], ...]

    def __call__(self, code: str) -> bool:
        return code in self.exact or any(p.fullmatch(code) for p in self.patterns)


def compile_grants(grants: Iterable[str]) -> Matcher:
    """Compile stored (normalized) grants; a malformed one is skipped, never widened."""
    exact: set[str] = set()
    patterns: list[re.Pattern[str]] = []
    for grant in grants:
        try:
            canonical = normalize(grant)
        except InvalidGrant:
            continue
        if is_pattern(canonical):
            patterns.append(_compile(canonical))
        else:
            exact.add(canonical)
    return Matcher(frozenset(exact), tuple(patterns))


def template_regex(path: str) -> re.Pattern[str]:
    """A regex for concrete URLs of a template (``{x}``: one segment, ``{x:path}``: the rest)."""
    parts = re.split(r"(\{[^}]+\})", path)
    out = []
    for part in parts:
        if part.startswith("{") and part.endswith("}"):
            out.append(".+" if part[1:-1].endswith(":path") else "[^/]+")
        else:
            out.append(re.escape(part))
    return re.compile("".join(out))
