"""Dependencies of the account routes: the rate limiter built at startup."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends

from atrium.accounts.limits import LIMITER, AccountLimiter
from atrium.core.deps import StateDep


async def get_limiter(state: StateDep) -> AccountLimiter:
    return state.get(LIMITER)


LimiterDep = Annotated[AccountLimiter, Depends(get_limiter)]
