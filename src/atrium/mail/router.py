"""What the embedded catcher caught, over HTTP: local and testing only (mounted by
``lifecycle.install``), behind a permission like any route (superusers pass)."""

from __future__ import annotations

import asyncio
from typing import Annotated

from fastapi import APIRouter, Path, Query

from atrium.core.deps import StateDep
from atrium.core.responses import Envelope, error_responses, ok
from atrium.mail.catcher import CaughtMail, caught, one
from atrium.mail.settings import MailSettings

caught_router = APIRouter(prefix="/mail", tags=["mail"])

MailID = Annotated[str, Path(description="A caught message's id", max_length=200)]


@caught_router.get("/caught", responses=error_responses(409))
async def list_caught(
    state: StateDep,
    limit: Annotated[int, Query(ge=1, le=200, description="At most this many, newest first")] = 50,
) -> Envelope[list[CaughtMail]]:
    """The messages the embedded catcher caught, newest first (local and testing only)."""
    folder = state.settings.group(MailSettings).catcher_dir
    return ok(await asyncio.to_thread(caught, folder, limit))


@caught_router.get("/caught/{mail_id}", responses=error_responses(404, 409))
async def get_caught(mail_id: MailID, state: StateDep) -> Envelope[CaughtMail]:
    """One caught message with its text and HTML bodies (local and testing only)."""
    folder = state.settings.group(MailSettings).catcher_dir
    return ok(await asyncio.to_thread(one, folder, mail_id))
