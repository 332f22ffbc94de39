"""Every query of the second factor's tables."""

from __future__ import annotations

from collections.abc import AsyncIterator, Collection
from datetime import datetime
from typing import Any
from uuid import UUID

from sqlalchemy import delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from atrium.twofactor.models import RecoveryCode, SecondFactor

_FACTOR: Any = SecondFactor
_CODE: Any = RecoveryCode
BATCH = 200


async def get(session: AsyncSession, user_id: UUID) -> SecondFactor | None:
    query = select(SecondFactor).where(_FACTOR.user_id == user_id)
    return (await session.execute(query)).scalar_one_or_none()


async def delete_of_user(session: AsyncSession, user_id: UUID) -> None:
    """The user's factor and recovery codes."""
    await session.execute(delete(RecoveryCode).where(_CODE.user_id == user_id))
    await session.execute(delete(SecondFactor).where(_FACTOR.user_id == user_id))


async def replace_codes(session: AsyncSession, user_id: UUID, hashes: Collection[str]) -> None:
    await session.execute(delete(RecoveryCode).where(_CODE.user_id == user_id))
    session.add_all(RecoveryCode(user_id=user_id, code_hash=value) for value in hashes)
    await session.flush()


async def use_code(session: AsyncSession, user_id: UUID, value: str, now: datetime) -> bool:
    """Mark one unused code used; False when it is no unused code of the user (one statement:
    two requests racing with the same code cannot both win)."""
    query = (
        update(RecoveryCode)
        .where(_CODE.user_id == user_id, _CODE.code_hash == value, _CODE.used_at.is_(None))
        .values(used_at=now)
    )
    result: Any = await session.execute(query)
    return bool(result.rowcount == 1)


async def codes_left(session: AsyncSession, user_id: UUID) -> int:
    query = select(func.count()).where(_CODE.user_id == user_id, _CODE.used_at.is_(None))
    return int((await session.execute(query)).scalar_one())


async def batches(session: AsyncSession) -> AsyncIterator[list[SecondFactor]]:
    """Every factor, in id order, ``BATCH`` at a time (key rotation)."""
    after: UUID | None = None
    while True:
        query = select(SecondFactor).order_by(_FACTOR.id).limit(BATCH)
        if after is not None:
            query = query.where(_FACTOR.id > after)
        found = list((await session.execute(query)).scalars())
        if not found:
            return
        yield found
        after = found[-1].id
