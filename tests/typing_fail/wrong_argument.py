"""mypy must reject this file: typed tasks keep their parameter types (see test_typing.py)."""

from __future__ import annotations

from atrium.core.worker.typed import SendOptions, task


@task(name="typing.add")
async def add(x: int, y: int = 1) -> int:
    return x + y


add.delay("one")
add.apply_async(SendOptions(countdown=1), 2, y="two")
add.delay(1, z=2)
