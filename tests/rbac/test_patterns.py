"""Grants: exact codes and patterns (``*`` one segment, ``**`` the rest, method ``*``), event
codes and capabilities; coverage of a pattern by a pattern."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from atrium.core.codes import CodeKind
from atrium.rbac.patterns import (
    InvalidGrant,
    compile_grants,
    covers,
    is_pattern,
    kind_of,
    matches,
    normalize,
    template_regex,
    uncovered,
)

USER = "GET:/api/v1/users/{user_id}"


@pytest.mark.parametrize(
    ("grant", "code", "expected"),
    [
        (USER, USER, True),
        (USER, "DELETE:/api/v1/users/{user_id}", False),
        ("*:/api/v1/users/{user_id}", "DELETE:/api/v1/users/{user_id}", True),
        ("GET:/api/v1/users/*", USER, True),
        ("GET:/api/v1/users/*", "GET:/api/v1/users", False),
        ("GET:/api/v1/users/*", "GET:/api/v1/users/{user_id}/roles", False),
        ("GET:/api/v1/*/{user_id}", USER, True),
        ("*:/api/v1/users/**", "GET:/api/v1/users", True),
        ("*:/api/v1/users/**", "PUT:/api/v1/users/{user_id}/roles", True),
        ("*:/api/v1/users/**", "GET:/api/v1/usersx", False),
        ("*:/api/v1/users/**", "GET:/api/v1/roles", False),
        ("GET:/**", "GET:/api/v1/anything/at/all", True),
        ("GET:/**", "POST:/api/v1/anything", False),
        ("GET:/api/v1/files/{key:path}", "GET:/api/v1/files/{key:path}", True),
    ],
)
def test_grant_matching(grant: str, code: str, expected: bool) -> None:
    assert matches(grant, code) is expected
    assert compile_grants([grant])(code) is expected


@pytest.mark.parametrize(
    "grant",
    [
        "",
        "GET",
        "FETCH:/api/v1/users",
        "GET:api/v1/users",
        "GET:/api/v1/**/users",
        "GET:/api/v1/us*rs",
        "GET:/api/v1/users/**x",
        "GET:/api v1",
        "GET:/" + "x" * 400,
    ],
)
def test_malformed_grants_are_refused(grant: str) -> None:
    with pytest.raises(InvalidGrant):
        normalize(grant)


def test_normalize_upper_cases_the_method() -> None:
    assert normalize(" get:/api/v1/users ") == "GET:/api/v1/users"
    assert is_pattern("*:/api/v1/users")
    assert not is_pattern("GET:/api/v1/users")


def test_a_malformed_stored_grant_matches_nothing() -> None:
    matcher = compile_grants(["GET:/api/v1/**/x", "nonsense"])
    assert not matcher("GET:/api/v1/a/x")


def test_regex_characters_in_paths_are_literal() -> None:
    assert not matches("GET:/api/v1/a.c", "GET:/api/v1/abc")
    assert not matches("GET:/api/v1/a.c/*", "GET:/api/v1/abc/x")


def test_template_regex_matches_concrete_urls() -> None:
    regex = template_regex("/api/v1/users/{user_id}/roles")
    assert regex.fullmatch("/api/v1/users/123/roles")
    assert not regex.fullmatch("/api/v1/users/1/2/roles")
    assert template_regex("/files/{key:path}").fullmatch("/files/a/b/c")


# --- kinds: events and capabilities ---------------------------------------------------------


@pytest.mark.parametrize(
    ("grant", "canonical"),
    [
        ("event:messages:send", "EVENT:messages:send"),
        ("EVENT:*", "EVENT:*"),
        ("EVENT:messages:*", "EVENT:messages:*"),
        (" files:admin ", "files:admin"),
        ("audit:read", "audit:read"),
    ],
)
def test_events_and_capabilities_normalize(grant: str, canonical: str) -> None:
    assert normalize(grant) == canonical


@pytest.mark.parametrize(
    "grant",
    [
        "files:*",
        "Files:Admin",
        "files:",
        "EVENT:",
        "EVENT:a*",
        "EVENT:*:send",
        "EVENT:a b",
        "x:y z",
    ],
)
def test_malformed_events_and_capabilities_are_refused(grant: str) -> None:
    with pytest.raises(InvalidGrant):
        normalize(grant)


@pytest.mark.parametrize(
    ("grant", "code", "expected"),
    [
        ("EVENT:messages:send", "EVENT:messages:send", True),
        ("EVENT:messages:send", "EVENT:messages:read", False),
        ("EVENT:messages:*", "EVENT:messages:send", True),
        ("EVENT:messages:*", "EVENT:notifications:read", False),
        ("EVENT:messages:*", "EVENT:messagesx:send", False),
        ("EVENT:*", "EVENT:ping", True),
        ("EVENT:*", "files:admin", False),
        ("*:/**", "EVENT:ping", False),
        ("*:/**", "files:admin", False),
        ("GET:/**", "files:admin", False),
        ("files:admin", "files:admin", True),
        ("files:admin", "files:admin2", False),
        ("EVENT:*", "GET:/api/v1/users", False),
    ],
)
def test_kinds_never_imply_each_other(grant: str, code: str, expected: bool) -> None:
    assert matches(grant, code) is expected
    assert compile_grants([grant])(code) is expected
    assert covers(grant, code) is expected


def test_kind_of() -> None:
    assert kind_of("GET:/api/v1/x") is CodeKind.ROUTE
    assert kind_of("*:/**") is CodeKind.ROUTE
    assert kind_of("EVENT:ping") is CodeKind.EVENT
    assert kind_of("files:admin") is CodeKind.CAPABILITY


# --- coverage: a pattern against a pattern ----------------------------------------------------


@pytest.mark.parametrize(
    ("grant", "other", "expected"),
    [
        ("*:/api/v1/users/**", USER, True),
        ("*:/api/v1/users/**", "GET:/api/v1/users/*", True),
        ("*:/api/v1/users/**", "GET:/api/v1/users/**", True),
        ("*:/api/v1/users/**", "*:/api/v1/users", True),
        ("GET:/api/v1/users/*", "*:/api/v1/users/**", False),
        ("GET:/api/v1/users/*", USER, True),
        ("GET:/api/v1/users/*", "GET:/api/v1/users/*/roles", False),
        (USER, "GET:/api/v1/users/*", False),
        ("GET:/api/v1/users/**", "*:/api/v1/users/{user_id}", False),
        ("*:/api/v1/**", "*:/api/v1/users/**", True),
        ("*:/api/v1/users/*/**", "*:/api/v1/users/**", False),
        ("GET:/**", "GET:/api/v1/**", True),
        ("*:/**", "files:admin", False),
        ("EVENT:*", "EVENT:messages:*", True),
        ("EVENT:messages:*", "EVENT:*", False),
        ("EVENT:messages:*", "EVENT:messages:send:*", True),
        ("EVENT:messages:send", "EVENT:messages:*", False),
    ],
)
def test_coverage_compares_patterns(grant: str, other: str, expected: bool) -> None:
    assert covers(grant, other) is expected


def test_uncovered_lists_what_no_single_grant_covers() -> None:
    mine = ["*:/api/v1/users/**", "EVENT:messages:*", "not a grant"]
    wanted = ["GET:/api/v1/users/{user_id}", "EVENT:messages:send", "files:admin", "GET:/x"]
    assert uncovered(mine, wanted) == ["GET:/x", "files:admin"]
    assert uncovered([], []) == []


METHODS_USED = ("GET", "POST", "DELETE")
LITERALS = ("a", "b", "{id}")
FRESH = "z"  # a segment no pattern names: stands for every route added later
methods = st.sampled_from(["GET", "POST", "*"])
segments = st.sampled_from([*LITERALS, "*"])


@st.composite
def route_patterns(draw: st.DrawFn) -> str:
    parts = draw(st.lists(segments, max_size=3))
    if draw(st.booleans()):
        parts.append("**")
    return normalize(f"{draw(methods)}:/" + "/".join(parts))


@st.composite
def route_codes(draw: st.DrawFn) -> str:
    parts = draw(st.lists(st.sampled_from([*LITERALS, FRESH]), max_size=5))
    return f"{draw(st.sampled_from(METHODS_USED))}:/" + "/".join(parts)


def _universe() -> list[str]:
    """Every code of up to five segments over the literals and one fresh segment."""
    paths: list[list[str]] = [[]]
    frontier: list[list[str]] = [[]]
    for _ in range(5):
        frontier = [[*path, seg] for path in frontier for seg in [*LITERALS, FRESH]]
        paths += frontier
    return [f"{method}:/" + "/".join(path) for method in METHODS_USED for path in paths]


UNIVERSE = _universe()


@settings(max_examples=300, deadline=None)
@given(route_patterns(), route_patterns(), route_codes())
def test_coverage_is_sound(grant: str, other: str, code: str) -> None:
    """What ``other`` matches, a grant that covers it matches too."""
    if covers(grant, other) and matches(other, code):
        assert matches(grant, code)


@settings(max_examples=300, deadline=None)
@given(route_patterns(), route_codes())
def test_coverage_of_a_code_is_matching(grant: str, code: str) -> None:
    assert covers(grant, code) is matches(grant, code)


@settings(max_examples=150, deadline=None)
@given(route_patterns(), route_patterns())
def test_coverage_is_complete(grant: str, other: str) -> None:
    """A refusal is never spurious: some code ``other`` matches is one ``grant`` does not."""
    if not covers(grant, other):
        mine, theirs = compile_grants([grant]), compile_grants([other])
        assert any(theirs(code) and not mine(code) for code in UNIVERSE), (grant, other)
