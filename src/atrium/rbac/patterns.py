"""Grants: route codes and patterns, socket event codes, capabilities; matching and coverage.

Three kinds of code share one grammar ``HEAD:BODY``:

- **route** ``METHOD:/path`` (``GET:/api/v1/users/{user_id}``). ``METHOD`` may be ``*`` (any
  HTTP method). In the path a segment ``*`` matches exactly one segment and a final ``**``
  matches the rest (zero or more segments), so ``*:/api/v1/users/**`` covers ``/api/v1/users``
  and everything below it. Route grants match route templates, never raw URLs.
- **event** ``EVENT:name`` (``EVENT:messages:send``), one per socket event. An event grant is the
  exact code, ``EVENT:*`` (every event) or ``EVENT:prefix:*`` (every event whose name starts with
  ``prefix:``): event-only patterns.
- **capability** ``domain:name`` in lower case (``files:admin``): a named power that is no route.
  Capabilities are matched exactly: no pattern of any kind implies one.

Patterns of one kind never match codes of another: ``*:/**`` grants every route and no event
and no capability. ``covers(a, b)`` compares two grants (codes or patterns) without expanding
either against the routes of today, so a granted pattern cannot silently grow with new routes.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from atrium.core.codes import CodeKind

METHODS = frozenset({"GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"})
ANY = "*"
REST = "**"
EVENT = "EVENT"
MAX_GRANT_LENGTH = 300
_EVENT_NAME = re.compile(r"^[A-Za-z0-9_.-]+(?::[A-Za-z0-9_.-]+)*$")
_CAPABILITY = re.compile(r"^[a-z][a-z0-9_-]*(?::[a-z0-9][a-z0-9_.-]*)+$")
_ANY_METHOD = "(?:" + "|".join(sorted(METHODS)) + ")"


class InvalidGrant(ValueError):
    """A grant that is neither a code nor a well-formed pattern."""


def split_code(code: str) -> tuple[str, str]:
    """``("GET", "/api/v1/x")`` from ``GET:/api/v1/x`` (the body may hold ``:``)."""
    head, sep, body = code.partition(":")
    if not sep:
        raise InvalidGrant(f"{code!r} is not METHOD:/path, EVENT:name or domain:capability")
    return head, body


def kind_of(grant: str) -> CodeKind:
    """The kind of a (normalized) grant or code."""
    head, body = split_code(grant)
    if body.startswith("/"):
        return CodeKind.ROUTE
    if head == EVENT:
        return CodeKind.EVENT
    return CodeKind.CAPABILITY


def normalize(grant: str) -> str:
    """The canonical spelling of a grant (method upper-cased); ``InvalidGrant`` if malformed."""
    text = grant.strip()
    if not text or len(text) > MAX_GRANT_LENGTH:
        raise InvalidGrant(f"{grant!r} is empty or longer than {MAX_GRANT_LENGTH} characters")
    head, body = split_code(text)
    head = head.strip()
    if body.startswith("/"):
        return _normalize_route(grant, head.upper(), body)
    if head.upper() == EVENT:
        return _normalize_event(grant, body)
    if _CAPABILITY.fullmatch(text) is None:
        raise InvalidGrant(
            f"{grant!r}: not a route (METHOD:/path), an event (EVENT:name) or a capability "
            "(lower-case domain:name, matched exactly, no wildcards)"
        )
    return text


def _normalize_route(grant: str, method: str, path: str) -> str:
    if method != ANY and method not in METHODS:
        raise InvalidGrant(f"{grant!r}: the method must be one of {sorted(METHODS)} or '*'")
    _check_path(grant, path)
    return f"{method}:{path}"


def _normalize_event(grant: str, name: str) -> str:
    base = name[:-2] if name.endswith(":*") else name
    if name != ANY and _EVENT_NAME.fullmatch(base) is None:
        raise InvalidGrant(
            f"{grant!r}: an event grant is EVENT:name, EVENT:prefix:* or EVENT:* "
            "(letters, digits, '_', '.', '-' and ':' between parts)"
        )
    return f"{EVENT}:{name}"


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
    head, body = split_code(grant)
    kind = kind_of(grant)
    if kind is CodeKind.ROUTE:
        return head == ANY or any(seg in (ANY, REST) for seg in body.split("/"))
    if kind is CodeKind.EVENT:
        return body == ANY or body.endswith(":*")
    return False


def _compile(grant: str) -> re.Pattern[str]:
    head, body = split_code(grant)
    if kind_of(grant) is CodeKind.EVENT:
        prefix = "" if body == ANY else body[:-1]  # "messages:" of "messages:*"
        return re.compile(f"{EVENT}:{re.escape(prefix)}[^*]+")
    method = _ANY_METHOD if head == ANY else re.escape(head)
    segments = body.split("/")[1:]
    rest = bool(segments) and segments[-1] == REST
    if rest:
        segments = segments[:-1]
    path = "".join("/" + ("[^/]+" if seg == ANY else re.escape(seg)) for seg in segments)
    tail = "(?:/.*)?" if rest else ""
    return re.compile(f"{method}:{path}{tail}")


def matches(grant: str, code: str) -> bool:
    """Whether one (normalized) grant covers the code ``code``."""
    if grant == code:
        return True
    return is_pattern(grant) and _compile(grant).fullmatch(code) is not None


# --- coverage: a pattern against a pattern --------------------------------------------------


def covers(grant: str, other: str) -> bool:
    """Whether every code ``other`` matches is also matched by ``grant`` (both normalized).

    Decided on the patterns themselves, never by expanding them against today's routes:
    ``*:/api/v1/users/**`` covers ``GET:/api/v1/users/{user_id}`` and ``GET:/api/v1/users/*``;
    ``GET:/api/v1/users/*`` does not cover ``*:/api/v1/users/**``.
    """
    if grant == other:
        return True
    kind = kind_of(grant)
    if kind is not kind_of(other) or kind is CodeKind.CAPABILITY:
        return False
    if kind is CodeKind.EVENT:
        return _event_covers(split_code(grant)[1], split_code(other)[1])
    return _route_covers(grant, other)


def _event_covers(name: str, other: str) -> bool:
    if name == ANY:
        return True
    if not name.endswith(":*"):
        return False  # an exact event code covers only itself (equality was checked)
    prefix = name[:-1]  # keeps the ':'
    base = other[:-1] if other.endswith(":*") else other
    return base.startswith(prefix) and len(base) > len(prefix)


def _route_covers(grant: str, other: str) -> bool:
    method, path = split_code(grant)
    other_method, other_path = split_code(other)
    if method != ANY and method != other_method:
        return False
    mine, theirs = path.split("/")[1:], other_path.split("/")[1:]
    if mine and mine[-1] == REST:
        head = mine[:-1]
        if theirs and theirs[-1] == REST:
            theirs = theirs[:-1]
        return len(theirs) >= len(head) and all(map(_segment_covers, head, theirs))
    if theirs and theirs[-1] == REST:
        return False
    return len(mine) == len(theirs) and all(map(_segment_covers, mine, theirs))


def _segment_covers(segment: str, other: str) -> bool:
    if segment == ANY:
        return other != "" and other != REST  # '*' matches one non-empty segment
    return segment == other


def uncovered(grants: Iterable[str], wanted: Iterable[str]) -> list[str]:
    """The grants of ``wanted`` that no single grant of ``grants`` covers (sorted)."""
    mine = _valid(grants)
    return sorted({w for w in _valid(wanted) if not any(covers(g, w) for g in mine)})


def _valid(grants: Iterable[str]) -> list[str]:
    found = []
    for grant in grants:
        try:
            found.append(normalize(grant))
        except InvalidGrant:
            continue
    return found


# --- compiled sets ---------------------------------------------------------------------------


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
    for canonical in _valid(grants):
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
