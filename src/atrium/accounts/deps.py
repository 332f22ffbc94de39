"""Dependencies of the account routes: the rate limiter built at startup, the registration
mode now."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends

from atrium.accounts import registration
from atrium.accounts.limits import LIMITER, AccountLimiter
from atrium.accounts.settings import RegistrationMode
from atrium.core.deps import StateDep


async def get_limiter(state: StateDep) -> AccountLimiter:
    return state.get(LIMITER)


async def registration_mode(state: StateDep) -> RegistrationMode:
    return await registration.mode(state)


LimiterDep = Annotated[AccountLimiter, Depends(get_limiter)]
RegistrationModeDep = Annotated[RegistrationMode, Depends(registration_mode)]
