"""A real server on a real port (uvicorn in this process) and real Socket.IO clients."""

from __future__ import annotations

import asyncio
import contextlib
import socket
import time
from collections.abc import AsyncIterator, Mapping
from typing import Any

import socketio
import uvicorn
from fastapi import FastAPI

from atrium.config import Settings
from atrium.main import create_app
from tests.support.stores import clean

EVENT_TIMEOUT = 5.0


def free_socket() -> socket.socket:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    return sock


def free_port() -> int:
    with contextlib.closing(free_socket()) as sock:
        port: int = sock.getsockname()[1]
        return port


class LiveServer:
    """The app served by uvicorn in this process (its lifespan included) on a free port."""

    def __init__(self, app: FastAPI) -> None:
        self.app = app
        self._socket = free_socket()
        self.port: int = self._socket.getsockname()[1]
        config = uvicorn.Config(app, log_level="warning", lifespan="on", ws="websockets-sansio")
        self.server = uvicorn.Server(config)
        self._task: asyncio.Task[None] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    async def start(self) -> None:
        self._task = asyncio.create_task(self.server.serve(sockets=[self._socket]))
        deadline = time.monotonic() + 30
        while not self.server.started:
            if self._task.done() or time.monotonic() > deadline:
                raise RuntimeError("the live server did not start")
            await asyncio.sleep(0.02)

    async def stop(self) -> None:
        self.server.should_exit = True
        if self._task is not None:
            await asyncio.wait_for(self._task, 30)
        self._socket.close()


@contextlib.asynccontextmanager
async def live_server(settings: Settings) -> AsyncIterator[LiveServer]:
    """Serve ``create_app(settings)``; stores are cleaned before it stops."""
    server = LiveServer(create_app(settings))
    await server.start()
    try:
        yield server
    finally:
        with contextlib.suppress(Exception):
            await clean(server.app.state.atrium)
        await server.stop()


class Probe:
    """A Socket.IO client that records every event it receives."""

    def __init__(self) -> None:
        self.client = socketio.AsyncClient(reconnection=False)
        self.events: dict[str, asyncio.Queue[Any]] = {}
        self.refused: Any = None
        self.disconnected = asyncio.Event()
        self.client.on("*", self._record)
        self.client.on("connect_error", self._connect_error)
        self.client.on("disconnect", self._disconnect)

    def queue(self, event: str) -> asyncio.Queue[Any]:
        return self.events.setdefault(event, asyncio.Queue())

    async def _record(self, event: str, *args: Any) -> None:
        await self.queue(event).put(args[0] if len(args) == 1 else args)

    async def _connect_error(self, data: Any) -> None:
        self.refused = data

    async def _disconnect(self, *_: Any) -> None:
        self.disconnected.set()

    async def connect(
        self, url: str, token: str | None = None, headers: Mapping[str, str] | None = None
    ) -> None:
        await self.client.connect(
            url,
            auth={"token": token} if token is not None else None,
            headers=dict(headers or {}),
            transports=["websocket"],
            wait_timeout=EVENT_TIMEOUT,
        )

    async def next(self, event: str, within: float = EVENT_TIMEOUT) -> Any:
        return await asyncio.wait_for(self.queue(event).get(), within)

    async def call(self, event: str, data: Any = None) -> Any:
        return await self.client.call(event, data, timeout=EVENT_TIMEOUT)

    async def close(self) -> None:
        if self.client.connected:
            await self.client.disconnect()
        await self.client.shutdown()


@contextlib.asynccontextmanager
async def probe(url: str, token: str | None = None) -> AsyncIterator[Probe]:
    client = Probe()
    try:
        if token is not None:
            await client.connect(url, token)
        yield client
    finally:
        await client.close()
