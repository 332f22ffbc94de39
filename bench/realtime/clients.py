"""One client process of the realtime benchmark: many Socket.IO clients in one event loop.

``python -m bench.realtime.clients KIND URL TOKENS_FILE OUT_FILE`` connects one client per token
and prints ``READY n``. It records, for every ``notification`` carrying ``data.seq`` and
``data.t0`` (the sender's ``time.monotonic()``; CLOCK_MONOTONIC is system-wide on Linux), how
long it took to arrive. On a line ``STOP`` from stdin it writes ``{seq: [seconds, ...]}`` to
OUT_FILE and exits. The garbage collector is frozen and disabled once connected, so the figures
measure the server, not these clients' collections.

KIND ``raw``: a minimal Socket.IO v5 client over ``websockets`` (handshake with ``auth``,
heartbeat, events): a few microseconds per message, so 500 clients in one process add little
to the last client's latency. KIND ``sio``: python-socketio's ``AsyncClient`` (aiohttp), the
client applications use; it costs the receiving process ~10x more per message.
"""

from __future__ import annotations

import asyncio
import gc
import json
import sys
import time
from collections import defaultdict
from collections.abc import Callable
from contextlib import suppress
from pathlib import Path
from typing import Any

import socketio
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed

CONNECT_CONCURRENCY = 20
Record = Callable[[dict[str, Any]], None]


def recorder(arrivals: dict[int, list[float]]) -> Record:
    def record(payload: dict[str, Any]) -> None:
        data = payload.get("data") or {}
        if "seq" in data:
            arrivals[int(data["seq"])].append(time.monotonic() - float(data["t0"]))

    return record


class RawClient:
    """Engine.IO v4 over a websocket, Socket.IO v5 on top: just enough for the benchmark."""

    def __init__(self, url: str, token: str, record: Record) -> None:
        self.url = url.replace("http://", "ws://") + "/socket.io/?EIO=4&transport=websocket"
        self.token, self.record = token, record
        self.ws: ClientConnection | None = None
        self.task: asyncio.Task[None] | None = None

    async def connect(self) -> None:
        self.ws = await connect(self.url, compression=None, max_size=None, open_timeout=60)
        opened = await self.ws.recv()
        if not (isinstance(opened, str) and opened.startswith("0")):
            raise RuntimeError(f"not an Engine.IO open packet: {opened!r}")
        await self.ws.send("40" + json.dumps({"token": self.token}))
        answer = await self.ws.recv()
        if not (isinstance(answer, str) and answer.startswith("40")):
            raise RuntimeError(f"refused: {answer!r}")
        self.task = asyncio.create_task(self._read(self.ws))

    async def _read(self, ws: ClientConnection) -> None:
        with suppress(ConnectionClosed):
            async for message in ws:
                if message == "2":
                    await ws.send("3")
                elif isinstance(message, str) and message.startswith("42"):
                    event, *args = json.loads(message[2:])
                    if event == "notification" and args:
                        self.record(args[0])

    async def disconnect(self) -> None:
        if self.ws is not None:
            await self.ws.close()
        if self.task is not None:
            await asyncio.gather(self.task, return_exceptions=True)


class SioClient:
    def __init__(self, url: str, token: str, record: Record) -> None:
        self.url, self.token = url, token
        self.client = socketio.AsyncClient(reconnection=False)

        async def notification(payload: dict[str, Any]) -> None:
            record(payload)

        self.client.on("notification", notification)

    async def connect(self) -> None:
        await self.client.connect(
            self.url, auth={"token": self.token}, transports=["websocket"], wait_timeout=60
        )

    async def disconnect(self) -> None:
        await self.client.disconnect()


async def main(kind: str, url: str, tokens: list[str], out: Path) -> None:
    arrivals: dict[int, list[float]] = defaultdict(list)
    record = recorder(arrivals)
    gate = asyncio.Semaphore(CONNECT_CONCURRENCY)
    make = RawClient if kind == "raw" else SioClient

    async def one(token: str) -> RawClient | SioClient:
        client = make(url, token, record)
        async with gate:
            await client.connect()
        return client

    clients = await asyncio.gather(*(one(token) for token in tokens))
    gc.collect()
    gc.freeze()
    gc.disable()
    print(f"READY {len(clients)}", flush=True)
    await asyncio.to_thread(sys.stdin.readline)
    await asyncio.to_thread(out.write_text, json.dumps(arrivals))
    await asyncio.gather(*(client.disconnect() for client in clients), return_exceptions=True)


if __name__ == "__main__":
    kind, url, tokens_file, out_file = sys.argv[1:5]
    asyncio.run(main(kind, url, json.loads(Path(tokens_file).read_text()), Path(out_file)))
