"""Grants: exact codes and patterns (``*`` one segment, ``**`` the rest, method ``*``)."""

from __future__ import annotations

import pytest

from atrium.rbac.patterns import (
    InvalidGrant,
    compile_grants,
    is_pattern,
    matches,
    normalize,
    template_regex,
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
