"""Dependencies of the scheduler's routes."""

from __future__ import annotations

from typing import Annotated

from celery import Celery
from fastapi import Depends

from atrium.core.deps import StateDep
from atrium.scheduler.lifecycle import CELERY_APP


async def get_celery(state: StateDep) -> Celery:
    return state.get(CELERY_APP)


CeleryDep = Annotated[Celery, Depends(get_celery)]
