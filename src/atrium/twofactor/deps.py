"""Dependencies of the second factor's routes."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends

from atrium.core.deps import StateDep
from atrium.twofactor.runtime import TWOFACTOR, TwoFactorRuntime


async def get_runtime(state: StateDep) -> TwoFactorRuntime:
    return state.get(TWOFACTOR)


RuntimeDep = Annotated[TwoFactorRuntime, Depends(get_runtime)]
