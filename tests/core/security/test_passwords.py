"""Password hashing: Argon2id, bcrypt upgraded, unknown users cost a verification, no stall."""

from __future__ import annotations

import asyncio
import time

from pwdlib.hashers.bcrypt import BcryptHasher

from atrium.core.security.passwords import PasswordHasher
from atrium.users.settings import PasswordSettings

FAST = PasswordSettings(
    password_hash_time_cost=1, password_hash_memory_kib=1024, password_hash_parallelism=1
)


async def test_argon2id_hash_and_verify() -> None:
    hasher = await PasswordHasher.create(FAST)
    stored = await hasher.hash("pässwörd-1")
    assert stored.startswith("$argon2id$v=19$m=1024,t=1,p=1$")
    assert (await hasher.verify("pässwörd-1", stored)).valid
    assert not (await hasher.verify("password-1", stored)).valid


async def test_bcrypt_verifies_and_asks_for_an_argon2_rehash() -> None:
    hasher = await PasswordHasher.create(FAST)
    legacy = BcryptHasher(rounds=4).hash("old-password")
    result = await hasher.verify("old-password", legacy)
    assert result.valid
    assert result.new_hash is not None
    assert result.new_hash.startswith("$argon2id$")
    assert not (await hasher.verify("x" * 100, legacy)).valid  # bcrypt's 72-byte limit: no 500


async def test_weaker_parameters_are_upgraded() -> None:
    weak = await PasswordHasher.create(FAST)
    strong = await PasswordHasher.create(FAST.model_copy(update={"password_hash_time_cost": 2}))
    result = await strong.verify("pw-123456", await weak.hash("pw-123456"))
    assert result.valid
    assert result.new_hash is not None
    assert "t=2" in result.new_hash


async def test_unknown_hash_or_user_fails_closed() -> None:
    hasher = await PasswordHasher.create(FAST)
    assert not (await hasher.verify("pw", "plaintext-in-the-db")).valid
    assert not (await hasher.verify("pw", None)).valid


async def test_hashing_does_not_block_the_event_loop() -> None:
    """With the default (production) cost, other coroutines keep running meanwhile."""
    hasher = await PasswordHasher.create(PasswordSettings())
    start = time.perf_counter()
    await hasher.hash("pw-123456")
    one_hash = time.perf_counter() - start
    longest_gap = 0.0

    async def ticker() -> None:
        nonlocal longest_gap
        last = time.perf_counter()
        while True:
            await asyncio.sleep(0.002)
            now = time.perf_counter()
            longest_gap, last = max(longest_gap, now - last), now

    task = asyncio.create_task(ticker())
    await asyncio.sleep(0.01)  # the ticker is running
    await asyncio.gather(*(hasher.hash("pw-123456") for _ in range(4)))
    await asyncio.sleep(0.01)  # and has seen the end
    task.cancel()
    hasher.close()
    # Hashing on the loop would stall it for a whole hash; in the pool it barely shows.
    assert longest_gap < one_hash / 2, (
        f"stalled {longest_gap * 1000:.0f} ms, hash {one_hash * 1000:.0f} ms"
    )
