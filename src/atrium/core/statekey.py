"""The typed slots of ``AppState``, in a module of their own so that declaring one (a domain's
runtime key, the parameters' source) imports none of the stores."""

from __future__ import annotations

from typing import Generic, TypeVar

T = TypeVar("T")


class StateKey(Generic[T]):
    """A typed slot for a domain's own singleton (a key ring, a socket server, a cache)."""

    def __init__(self, name: str) -> None:
        self.name = name

    def __repr__(self) -> str:
        return f"StateKey({self.name!r})"
