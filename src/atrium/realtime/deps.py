"""Annotated dependencies of the realtime domain."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends

from atrium.core.deps import StateDep
from atrium.realtime.emitter import Emitter, emitter
from atrium.realtime.server import REALTIME, RealtimeServer


async def get_realtime(state: StateDep) -> RealtimeServer:
    return state.get(REALTIME)


async def get_emitter(state: StateDep) -> Emitter:
    return emitter(state)


RealtimeDep = Annotated[RealtimeServer, Depends(get_realtime)]
EmitterDep = Annotated[Emitter, Depends(get_emitter)]
