"""A key's scope: what it may call, compiled once, and the subset rule it is made under.

A scope is a list of route codes, route patterns (``GET:/api/v1/files/*``, ``*:/api/v1/**``) and
capabilities (``files:admin``, matched exactly), in the grammar of role grants
(``atrium.rbac.patterns``). Socket events are not for keys (keys are for HTTP).

When a key is made, every scope must be within what its owner may do now, compared pattern with
pattern as the delegation rule does, never by expanding a pattern over today's routes:

- covered by one of the owner's grants (``covers``), or
- exactly the code of a route every logged-in user may call (an AUTHENTICATED route), which the
  owner may call without a grant; a pattern reaching such routes needs a grant covering it;
- anything, for a superuser owner.

No scope may name exactly a route that manages identity (keys can never call one; a pattern may
reach them, and they are refused all the same). When a request comes, the key may use a code only
if the scope covers it and the owner's set allows it then (``atrium.rbac.scoped``): the subset
rule holds every request, not only at creation.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass

from atrium.apikeys.errors import ApiKeyInvalidScope, ApiKeyScopeExceeds
from atrium.core.codes import CodeKind
from atrium.core.responses import ErrorDetail
from atrium.core.routing import Access, RouteInfo
from atrium.rbac.cache import PermissionSet
from atrium.rbac.patterns import InvalidGrant, compile_grants, kind_of, normalize, uncovered


class KeyScope:
    """A key's scopes compiled once (exact codes in a set, patterns as regexes); the
    ``CredentialScope`` the guard checks, hashed by identity (``rbac.scoped`` memoises on it)."""

    __slots__ = ("_matcher", "grants")

    def __init__(self, grants: Iterable[str]) -> None:
        self.grants = tuple(grants)
        self._matcher = compile_grants(self.grants)

    def allows(self, code: str) -> bool:
        return self._matcher(code)

    def __repr__(self) -> str:
        return f"KeyScope({list(self.grants)!r})"


@dataclass(frozen=True, slots=True)
class RouteRules:
    """What the subset rule reads from the route catalogue."""

    authenticated: frozenset[str]  # codes of AUTHENTICATED routes keys may call
    identity: frozenset[str]  # codes of routes no key may call

    @classmethod
    def of(cls, routes: Iterable[RouteInfo]) -> RouteRules:
        routes = list(routes)
        return cls(
            authenticated=frozenset(
                i.code for i in routes if i.access is Access.AUTHENTICATED and not i.identity
            ),
            identity=frozenset(i.code for i in routes if i.identity),
        )


def normalized(scopes: Iterable[str]) -> list[str]:
    """The scopes in canonical spelling, duplicates dropped; 422 for a malformed one."""
    found: list[str] = []
    bad: list[ErrorDetail] = []
    for index, scope in enumerate(scopes):
        try:
            canonical = normalize(scope)
        except InvalidGrant as exc:
            bad.append(_detail(index, str(exc), "invalid_scope"))
            continue
        if kind_of(canonical) is CodeKind.EVENT:
            bad.append(_detail(index, f"{scope!r}: socket events are not for keys", "event"))
            continue
        found.append(canonical)
    if bad:
        raise ApiKeyInvalidScope(details=bad)
    return list(dict.fromkeys(found))


def check_subset(scopes: Collection[str], owner: PermissionSet, rules: RouteRules) -> None:
    """422 ``APIKEY_SCOPE_EXCEEDS_GRANTS`` naming each scope the owner may not hand a key."""
    identity = sorted(scope for scope in scopes if scope in rules.identity)
    rest = [scope for scope in scopes if scope not in rules.identity]
    beyond = [] if owner.is_superuser else uncovered(owner.grants, rest)
    beyond = [scope for scope in beyond if scope not in rules.authenticated]
    if not identity and not beyond:
        return
    details = [_detail(None, scope, "identity_route") for scope in identity]
    details += [_detail(None, scope, "exceeds_grants") for scope in beyond]
    shown = ", ".join([*identity, *beyond][:3])
    raise ApiKeyScopeExceeds(
        f"Not within what you may do yourself, or a route no key may call: {shown}.",
        details=details,
    )


def _detail(index: int | None, message: str, kind: str) -> ErrorDetail:
    loc: list[str | int] = ["body", "scopes"] if index is None else ["body", "scopes", index]
    return ErrorDetail(loc=loc, message=message, type=kind)
