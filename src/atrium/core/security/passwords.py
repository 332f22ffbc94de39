"""Password hashing: Argon2id (pwdlib) for new hashes; bcrypt hashes verify and are upgraded.

Hashing is CPU-bound (~150 ms of several cores with the default Argon2 parameters), so it
never runs on the event loop: it runs in a small dedicated pool (one thread per core, so
logins cannot take the threads other blocking work needs), whose threads run at a lower
scheduling priority (Linux ``nice`` is per thread, and Argon2's own lane threads inherit it).
Under a burst of logins, the loop's thread still gets a core when it needs one: other
requests keep their latency while logins queue.

The Argon2 cost is configurable (``ATRIUM_AUTH__PASSWORD_HASH_*``); leave it unset in
production to get pwdlib's (argon2-cffi's) recommended defaults. Tests set tiny values.
"""

from __future__ import annotations

import asyncio
import os
import secrets
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from contextlib import suppress
from dataclasses import dataclass
from typing import Any, Protocol, TypeVar

from pwdlib import PasswordHash
from pwdlib.exceptions import UnknownHashError
from pwdlib.hashers.argon2 import Argon2Hasher
from pwdlib.hashers.bcrypt import BcryptHasher

from atrium.core.state import StateKey

T = TypeVar("T")
HASH_THREAD_NICENESS = 10


class HashCost(Protocol):
    """Argon2id's cost, each unset one the library's default (the users domain's settings)."""

    @property
    def password_hash_time_cost(self) -> int | None: ...
    @property
    def password_hash_memory_kib(self) -> int | None: ...
    @property
    def password_hash_parallelism(self) -> int | None: ...


@dataclass(frozen=True, slots=True)
class Verification:
    valid: bool
    # A new hash to store when the old one used another scheme or weaker parameters.
    new_hash: str | None = None


def _lower_priority() -> None:
    with suppress(AttributeError, OSError):  # not Linux, or not permitted: run at normal priority
        os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), HASH_THREAD_NICENESS)


class PasswordHasher:
    """Hash and verify passwords off the event loop."""

    def __init__(self, argon2: Argon2Hasher, dummy_hash: str) -> None:
        self._hash = PasswordHash((argon2, BcryptHasher()))
        # Verified against when the user does not exist, so both paths cost the same.
        self._dummy_hash = dummy_hash
        self._pool = ThreadPoolExecutor(
            max_workers=os.cpu_count() or 2,
            thread_name_prefix="password-hash",
            initializer=_lower_priority,
        )

    @classmethod
    async def create(cls, settings: HashCost) -> PasswordHasher:
        """A hasher with the configured Argon2 cost (unset: the library's defaults)."""
        params: dict[str, Any] = {
            "time_cost": settings.password_hash_time_cost,
            "memory_cost": settings.password_hash_memory_kib,
            "parallelism": settings.password_hash_parallelism,
        }
        argon2 = Argon2Hasher(**{k: v for k, v in params.items() if v is not None})
        dummy = await asyncio.to_thread(argon2.hash, secrets.token_urlsafe(16))
        return cls(argon2, dummy)

    async def _run(self, function: Callable[..., T], *args: Any) -> T:
        return await asyncio.get_running_loop().run_in_executor(self._pool, function, *args)

    async def hash(self, password: str) -> str:
        return await self._run(self._hash.hash, password)

    async def verify(self, password: str, password_hash: str | None) -> Verification:
        """Check a password; with no hash (unknown user) burn the same time and fail."""
        if password_hash is None:
            await self._run(self._verify, password, self._dummy_hash)
            return Verification(valid=False)
        return await self._run(self._verify, password, password_hash)

    def _verify(self, password: str, password_hash: str) -> Verification:
        try:
            valid, new_hash = self._hash.verify_and_update(password, password_hash)
        except (UnknownHashError, ValueError):  # foreign hash; bcrypt refuses > 72 bytes
            return Verification(valid=False)
        return Verification(valid=valid, new_hash=new_hash if valid else None)

    def close(self) -> None:
        """Let the hashing threads go (after the work already queued)."""
        self._pool.shutdown(wait=False)


PASSWORD_HASHER: StateKey[PasswordHasher] = StateKey("core.security.password_hasher")
