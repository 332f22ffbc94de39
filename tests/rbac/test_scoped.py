"""A credential's effective set: its scope intersected with its owner's set, never a superuser's;
what delegation reads is the intersection as patterns can tell it."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from atrium.core.ids import uuid7
from atrium.rbac.cache import PermissionSet
from atrium.rbac.delegation import Actor
from atrium.rbac.patterns import compile_grants
from atrium.rbac.scoped import ScopedPermissionSet, scoped


class KeyScope:
    """A credential's scope as the guard hands it (``auth.principal.CredentialScope``)."""

    def __init__(self, grants: Iterable[str]) -> None:
        self.grants = tuple(grants)
        self._matcher = compile_grants(self.grants)

    def allows(self, code: str) -> bool:
        return self._matcher(code)


def _owner(grants: Sequence[str], *, superuser: bool = False) -> PermissionSet:
    return PermissionSet(
        uuid7(), exists=True, active=True, is_superuser=superuser, role_ids=(), grants=grants
    )


def test_a_code_needs_both_the_scope_and_the_owner() -> None:
    owner = _owner(["GET:/api/v1/users/*", "files:admin"])
    found = scoped(owner, KeyScope(["*:/api/v1/users/**", "audit:read"]))
    assert isinstance(found, ScopedPermissionSet)
    assert not found.is_superuser
    assert found.allows("GET:/api/v1/users/{user_id}")
    assert not found.allows("DELETE:/api/v1/users/{user_id}")  # the owner may not
    assert not found.allows("files:admin")  # the scope does not say so
    assert not found.allows("audit:read")  # the owner does not hold it


def test_a_superusers_key_is_its_scope() -> None:
    found = scoped(_owner([], superuser=True), KeyScope(["GET:/api/v1/**"]))
    assert found.allows("GET:/api/v1/roles")
    assert not found.allows("POST:/api/v1/roles")
    assert Actor.of(found) == Actor(found.user_id, False, ("GET:/api/v1/**",))


def test_delegation_reads_the_intersection_patterns_can_tell() -> None:
    owner = _owner(["GET:/api/v1/users/*", "*:/api/v1/roles/**", "GET:/api/v1/a/*/x"])
    scope = KeyScope(["*:/api/v1/users/**", "GET:/api/v1/roles/*", "GET:/api/v1/*/b/x"])
    found = scoped(owner, scope)
    # Each owner grant a scope covers, each scope an owner grant covers; the overlapping pair
    # (``GET:/api/v1/a/*/x`` and ``GET:/api/v1/*/b/x``) gives nothing.
    assert found.grants == ("GET:/api/v1/users/*", "GET:/api/v1/roles/*")


def test_sessions_keep_their_set_and_keys_reuse_theirs() -> None:
    owner = _owner(["GET:/api/v1/users/*"])
    assert scoped(owner, None) is owner
    scope = KeyScope(["GET:/api/v1/users/*"])
    assert scoped(owner, scope) is scoped(owner, scope)
    assert scoped(_owner(["GET:/api/v1/users/*"]), scope) is not scoped(owner, scope)
