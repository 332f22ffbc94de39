"""Counting every request under the API prefix for the rollups, with its status and duration.

A pure ASGI middleware (installed by the domain): it notes the status the client got (500 if the
call raised) and hands it with the duration to the process's ``RequestRollups``, which only adds
to a dictionary. Other paths and protocols pass straight through.
"""

from __future__ import annotations

import time

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from atrium.dashboard.runtime import DASHBOARD


class RequestRollupMiddleware:
    def __init__(self, app: ASGIApp, *, prefix: str) -> None:
        self.app = app
        self.prefix = prefix

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not scope["path"].startswith(self.prefix):
            await self.app(scope, receive, send)
            return
        status = 500  # what the client gets if the call raises
        start = time.perf_counter()

        async def send_status(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, send_status)
        finally:
            state = getattr(scope["app"].state, "atrium", None)
            runtime = state.find(DASHBOARD) if state is not None else None
            if runtime is not None:
                runtime.rollups.observe(status, (time.perf_counter() - start) * 1000)
