"""The subset rule a key is made under, pattern against pattern (no expansion over routes)."""

from __future__ import annotations

from collections.abc import Sequence

import pytest

from atrium.apikeys.errors import ApiKeyInvalidScope, ApiKeyScopeExceeds
from atrium.apikeys.scope import KeyScope, RouteRules, check_subset, normalized
from atrium.core.ids import uuid7
from atrium.rbac.cache import PermissionSet

RULES = RouteRules(
    authenticated=frozenset({"GET:/api/v1/probe/whoami"}),
    identity=frozenset({"POST:/api/v1/auth/password"}),
)


def _owner(grants: Sequence[str], *, superuser: bool = False) -> PermissionSet:
    return PermissionSet(
        uuid7(), exists=True, active=True, is_superuser=superuser, role_ids=(), grants=grants
    )


@pytest.mark.parametrize(
    ("grants", "scopes"),
    [
        (["*:/api/v1/**"], ["GET:/api/v1/users/{user_id}", "DELETE:/api/v1/files/*"]),
        (["GET:/api/v1/users/**"], ["GET:/api/v1/users", "GET:/api/v1/users/*/roles"]),
        (["GET:/api/v1/users/*"], ["GET:/api/v1/users/{user_id}"]),
        (["files:admin"], ["files:admin"]),
        ([], ["GET:/api/v1/probe/whoami"]),  # an AUTHENTICATED route, exactly
    ],
)
def test_scopes_covered_by_a_grant_are_allowed(grants: list[str], scopes: list[str]) -> None:
    check_subset(normalized(scopes), _owner(grants), RULES)


@pytest.mark.parametrize(
    ("grants", "scopes"),
    [
        (["GET:/api/v1/users/*"], ["*:/api/v1/users/*"]),
        (["GET:/api/v1/users/*"], ["GET:/api/v1/users/**"]),
        (["GET:/api/v1/users/{user_id}"], ["GET:/api/v1/users/*"]),
        (["*:/api/v1/**"], ["files:admin"]),  # a route pattern never implies a capability
        ([], ["GET:/api/v1/probe/*"]),  # a pattern over open routes needs a grant
    ],
)
def test_scopes_beyond_the_grants_are_refused(grants: list[str], scopes: list[str]) -> None:
    with pytest.raises(ApiKeyScopeExceeds) as refused:
        check_subset(normalized(scopes), _owner(grants), RULES)
    assert [detail.message for detail in refused.value.details or ()] == scopes


def test_a_superuser_may_scope_anything_but_an_identity_route() -> None:
    root = _owner([], superuser=True)
    check_subset(normalized(["*:/api/v1/**", "files:admin"]), root, RULES)
    with pytest.raises(ApiKeyScopeExceeds):
        check_subset(normalized(["post:/api/v1/auth/password"]), root, RULES)


def test_scopes_are_normalised_and_events_or_garbage_refused() -> None:
    assert normalized(["get:/api/v1/x", "GET:/api/v1/x", " files:admin "]) == [
        "GET:/api/v1/x",
        "files:admin",
    ]
    for bad in (["EVENT:messages:send"], ["GET:api/v1"], ["Files:Admin"], ["x"]):
        with pytest.raises(ApiKeyInvalidScope):
            normalized(bad)


def test_a_key_scope_matches_codes_and_capabilities_exactly() -> None:
    scope = KeyScope(["GET:/api/v1/probe/*", "files:admin"])
    assert scope.allows("GET:/api/v1/probe/alpha")
    assert not scope.allows("GET:/api/v1/probe/items/{item_id}")
    assert not scope.allows("POST:/api/v1/probe/alpha")
    assert scope.allows("files:admin")
    assert not scope.allows("files:admin:more")
