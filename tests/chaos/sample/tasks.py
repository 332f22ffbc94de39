"""The fault-injection suite's slow task: long enough to kill its worker while it runs."""

from __future__ import annotations

import asyncio

from atrium.core.worker.typed import task


@task(name="chaos.nap", schedulable=True)
async def nap(seconds: float = 2.0, tag: str = "") -> str:
    """Sleep ``seconds``, then answer ``tag`` (the run ledger records which worker finished)."""
    await asyncio.sleep(seconds)
    return tag
