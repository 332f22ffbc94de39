"""A credential's effective set: its scope intersected with what its owner may do now.

An API key carries a scope (``atrium.auth.principal.CredentialScope``); its owner's effective set
(``PermissionSet``) is read on every request like a session's. ``scoped(owner, scope)`` is the set
the request acts with: it allows a code only when the scope covers it **and** the owner's set
allows it now (an owner who loses a grant takes it from their keys on the next request), and it
is never a superuser's (a superuser's key may do what its scope says, and nothing beyond it:
touching superusers, which needs the flag itself, is not among that).

``grants`` (what the delegation rule reads: ``Actor.of``) is the intersection as patterns can
say it without expanding them: each owner grant some scope covers, each scope some owner grant
covers (for a superuser owner: the scope). Two overlapping patterns neither of which covers the
other give nothing: delegation refuses rather than guess.

The sets are memoised per (owner set, scope) object pair, so a warm request reuses the set (and
its per-code decisions) until the owner's set is invalidated or the key record replaced.
"""

from __future__ import annotations

from collections.abc import Iterable

from atrium.auth.principal import CredentialScope
from atrium.rbac.cache import PermissionSet
from atrium.rbac.patterns import InvalidGrant, covers, normalize

MAX_MEMO = 10_000

_memo: dict[tuple[PermissionSet, CredentialScope], ScopedPermissionSet] = {}


class ScopedPermissionSet(PermissionSet):
    """An owner's set narrowed by a credential's scope."""

    __slots__ = ("owner", "scope")

    def __init__(self, owner: PermissionSet, scope: CredentialScope) -> None:
        super().__init__(
            owner.user_id,
            exists=owner.exists,
            active=owner.active,
            is_superuser=False,
            role_ids=owner.role_ids,
            grants=narrowed(owner, scope),
            epoch=owner.epoch,
        )
        self.owner = owner
        self.scope = scope

    def allows(self, code: str) -> bool:
        decision = self._decisions.get(code)
        if decision is None:
            owner = self.owner
            decision = self.scope.allows(code) and (owner.is_superuser or owner.allows(code))
            self._decisions[code] = decision
        return decision


def scoped(owner: PermissionSet, scope: CredentialScope | None) -> PermissionSet:
    """The set a request acts with: the owner's for a session, narrowed for a credential."""
    if scope is None:
        return owner
    found = _memo.get((owner, scope))
    if found is None:
        if len(_memo) >= MAX_MEMO:
            _memo.clear()
        found = _memo[(owner, scope)] = ScopedPermissionSet(owner, scope)
    return found


def narrowed(owner: PermissionSet, scope: CredentialScope) -> tuple[str, ...]:
    """The grants both the owner's set and the scope cover, as patterns can tell."""
    wanted = _normalized(scope.grants)
    if owner.is_superuser:
        return tuple(wanted)
    held = _normalized(owner.grants)
    both = [g for g in held if any(covers(s, g) for s in wanted)]
    both += [s for s in wanted if any(covers(g, s) for g in held)]
    return tuple(dict.fromkeys(both))


def _normalized(grants: Iterable[str]) -> list[str]:
    found = []
    for grant in grants:
        try:
            found.append(normalize(grant))
        except InvalidGrant:
            continue
    return found
