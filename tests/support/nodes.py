"""Other processes for cross-node tests: an API node (``uvicorn atrium.asgi:app``) or any
``python`` command, started with a test's settings as ``ATRIUM_*`` variables."""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import sys
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
from pydantic import BaseModel, SecretStr

from atrium.config import Settings
from atrium.core.domain import load_domains
from tests.support import ROOT
from tests.support.live import free_port


def settings_env(settings: Settings) -> dict[str, str]:
    """``ATRIUM_*`` variables that rebuild ``settings`` in another process."""
    env = {"ATRIUM_ENVIRONMENT": settings.environment.value, "ATRIUM_ENV_FILE": ""}
    env["ATRIUM_DOMAINS"] = json.dumps(settings.domains)
    load_domains(settings)  # every declared group read, so every one is passed on
    groups = [(name, getattr(settings, name)) for name in type(settings).model_fields]
    groups += [(group.section, group) for group in settings.groups()]
    for name, group in groups:
        if isinstance(group, BaseModel):
            for field, value in group:
                if value is not None:
                    env[f"ATRIUM_{name.upper()}__{field.upper()}"] = _env_value(value)
    return env


def _env_value(value: Any) -> str:
    if isinstance(value, SecretStr):
        return value.get_secret_value()
    if isinstance(value, str | Path):
        return str(value)
    if isinstance(value, BaseModel):
        return value.model_dump_json()
    return json.dumps(value, default=_json_default)


def _json_default(value: Any) -> Any:
    if isinstance(value, BaseModel):
        return value.model_dump(mode="json")
    if isinstance(value, SecretStr):
        return value.get_secret_value()
    return str(value)


def process_env(settings: Settings) -> dict[str, str]:
    """This process's environment without ``ATRIUM_*``, plus ``settings`` as variables."""
    base = {k: v for k, v in os.environ.items() if not k.startswith("ATRIUM_")}
    return {**base, **settings_env(settings), "PYTHONPATH": str(ROOT)}


@contextlib.asynccontextmanager
async def node_process(settings: Settings) -> AsyncIterator[str]:
    """Another API node: ``uvicorn atrium.asgi:app`` in its own process; yields its URL."""
    port = free_port()
    command = ["-m", "uvicorn", "atrium.asgi:app", "--host", "127.0.0.1", "--port", str(port)]
    command += ["--log-level", "warning", "--ws", "websockets-sansio"]
    process = await start_process(command, settings)
    try:
        url = f"http://127.0.0.1:{port}"
        await _wait_healthy(url, process)
        yield url
    finally:
        await stop_process(process)


async def start_process(
    args: list[str], settings: Settings, log: Path | None = None
) -> asyncio.subprocess.Process:
    """``python ARGS`` from the project root with ``settings`` in its environment."""
    output = log.open("wb") if log is not None else None
    try:
        return await asyncio.create_subprocess_exec(
            sys.executable,
            *args,
            cwd=ROOT,
            env=process_env(settings),
            stdout=output,
            stderr=asyncio.subprocess.STDOUT if output else None,
        )
    finally:
        if output is not None:
            output.close()


async def _wait_healthy(url: str, process: asyncio.subprocess.Process) -> None:
    deadline = time.monotonic() + 60
    async with httpx.AsyncClient(timeout=1) as http:
        while time.monotonic() < deadline:
            if process.returncode is not None:
                raise RuntimeError(f"the node exited with {process.returncode}")
            with contextlib.suppress(httpx.HTTPError):
                if (await http.get(f"{url}/health/live")).status_code == 200:
                    return
            await asyncio.sleep(0.1)
    raise RuntimeError("the node did not become healthy")


async def stop_process(process: asyncio.subprocess.Process) -> None:
    """Stop a process we started: SIGTERM, then SIGKILL after 15 s."""
    if process.returncode is None:
        process.terminate()
        try:
            await asyncio.wait_for(process.wait(), 15)
        except TimeoutError:
            process.kill()
            await process.wait()
