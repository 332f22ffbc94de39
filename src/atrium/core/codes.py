"""Permission codes that are not routes: capabilities and socket events, declared at build time.

A domain declares them from its ``lifecycle.install`` (no I/O): ``declare(app, DeclaredCode(...))``.
The RBAC domain lists them in the permission catalogue beside the route codes (synced at
startup like routes), roles grant them like route codes, and the realtime domain declares one
``EVENT:<name>`` code per socket event. The core names no domain: this is only the list.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from fastapi import FastAPI

from atrium.core.routing import Access


class CodeKind(StrEnum):
    ROUTE = "route"
    CAPABILITY = "capability"
    EVENT = "event"


@dataclass(frozen=True, slots=True)
class DeclaredCode:
    """One named code: ``files:admin`` (a capability) or ``EVENT:messages:send`` (an event)."""

    code: str
    kind: CodeKind
    summary: str
    access: Access = Access.PERMISSION
    tags: tuple[str, ...] = ()
    # The seeded ``user`` role gets it (what every logged-in user of a stock install needs).
    for_every_user: bool = False


def declare(app: FastAPI, *codes: DeclaredCode) -> None:
    """Add codes to the app's list; declaring one code twice is a bug."""
    found = declared(app)
    known = {item.code for item in found}
    for item in codes:
        if item.code in known:
            raise ValueError(f"the code {item.code!r} is declared twice")
        known.add(item.code)
        found.append(item)
    app.state.declared_codes = found


def declared(app: FastAPI) -> list[DeclaredCode]:
    """Every declared non-route code of the app, in declaration order."""
    found: list[DeclaredCode] = list(getattr(app.state, "declared_codes", []))
    return found
