"""The second-factor gate a login passes after the password: defined here, installed by the
domain that owns second factors (``AuthRuntime.second_factor``), so auth imports none of it.

After a correct password for an active user, ``_password_login`` asks the gate. ``None`` lets the
login open a session at once; a ``SecondFactorChallenge`` is the answer of step one instead of
tokens (step two is the gate owner's route, which opens the session with
``atrium.auth.service.open_session``). The gate may also refuse the login with an ``AppError``
(a role requires a second factor the user has not set up).
"""

from __future__ import annotations

from typing import Protocol

from sqlalchemy.ext.asyncio import AsyncSession

from atrium.auth.principal import ClientInfo
from atrium.auth.schemas import SecondFactorChallenge
from atrium.users.models import User


class SecondFactorGate(Protocol):
    """Asked after the password: does this login need a second step?"""

    async def challenge(
        self, db: AsyncSession, user: User, client: ClientInfo
    ) -> SecondFactorChallenge | None:
        """A challenge for step two, ``None`` for no second step, or an ``AppError``."""
