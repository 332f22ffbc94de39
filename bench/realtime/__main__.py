"""Benchmark: Socket.IO delivery with 1,000 connected clients, auth and storage in the path.

Starts the API (one uvicorn worker, ``bench.realtime.serve``) on a free 127.0.0.1 port against the
test services (Redis, MongoDB-wire, S3 from ``var/test/services.env`` or the environment; SQLite
in a temporary directory), connects ``--clients`` authenticated websocket clients split over two
client processes (``bench.realtime.clients``), and measures:

- broadcast: an admin ``POST /api/v1/notifications/send {everyone: true}`` (token check,
  permission check, the notification stored in MongoDB, then emitted) until the *last* of the
  clients has it; ``--broadcasts`` of them, one every ``--interval`` seconds;
- single user: the same POST addressed to one user, until that user's socket has it
  (``--singles`` of them, one after the other), with every other client still connected.

The server runs once per garbage-collector variant: Python's defaults, ``gc.freeze()`` after
start-up only, and what Atrium ships (freeze plus larger thresholds); it records its collections,
so the full-collection pauses during the broadcasts are reported too.
Prints the figures, writes ``bench/realtime/results.json`` and appends a section to
``docs/benchmarks.md`` (``--no-write`` to skip). Run: ``uv run python -m bench.realtime``
(about 5 minutes, ``--variants 2`` about 2; every wait is bounded).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from uuid import UUID, uuid4

import httpx
import socketio

from bench import common

ROOT = Path(__file__).resolve().parents[2]
RESULTS = ROOT / "docs" / "benchmarks.md"
RAW = Path(__file__).resolve().parent / "results.json"
PASSWORD = "Bench-password-123"  # noqa: S105 - throwaway users in a throwaway database
USER_AGENT = "atrium-bench/1.0"
WARMUP_SEQ = 1_000_000  # warm-up broadcasts are numbered from here and not counted
SEND = "/api/v1/notifications/send"


@dataclass(frozen=True)
class Seeded:
    admin: str
    probe_user: UUID
    probe: str
    clients: list[str]


def _env(services: dict[str, str], workdir: Path, run_id: str) -> dict[str, str]:
    return common.server_env(
        services,
        workdir,
        run_id,
        {
            "ATRIUM_MONGO__DATABASE": f"bench_rt_{run_id}",
            "ATRIUM_STORAGE__BUCKET": f"bench-rt-{run_id}",
            "ATRIUM_AUTH__ACCESS_TOKEN_TTL_SECONDS": "3600",
            "ATRIUM_AUTH__PASSWORD_HASH_TIME_COST": "1",
            "ATRIUM_AUTH__PASSWORD_HASH_MEMORY_KIB": "1024",
            "ATRIUM_AUTH__PASSWORD_HASH_PARALLELISM": "1",
            # One admin sends hundreds of notifications: measure delivery, not the send limit.
            "ATRIUM_NOTIFICATIONS__SEND_RATE_PER_SENDER": "1000000/minute",
        },
    )


async def _seed(count: int) -> Seeded:
    """Users, and a live session for each minted by the auth domain's own session store."""
    from atrium.auth.sessions import SessionStore
    from atrium.auth.settings import AuthSettings
    from atrium.auth.tokens import ACCESS, TokenService, new_jti
    from atrium.config import Settings
    from atrium.core.domain import load_domains
    from atrium.core.security.passwords import PasswordHasher
    from atrium.core.state import open_state
    from atrium.users import service as users_service
    from atrium.users.schemas import UserCreate
    from atrium.users.settings import PasswordSettings

    settings = Settings()
    state = await open_state(settings, load_domains(settings).document_models())
    try:
        passwords = settings.group(PasswordSettings)
        hasher = await PasswordHasher.create(passwords)
        policy = users_service.PasswordPolicy.from_settings(passwords)
        tokens = TokenService(settings.group(AuthSettings))
        sessions = SessionStore(state.redis, settings)

        async def user(name: str, superuser: bool = False) -> tuple[UUID, str]:
            data = UserCreate(
                username=name, email=f"{name}@example.com", password=PASSWORD,
                is_superuser=superuser,
            )  # fmt: skip
            async with state.db.session() as session:
                created = await users_service.create(session, hasher, policy, data)
            sid = await sessions.create(created.id, superuser, new_jti(), USER_AGENT, "127.0.0.1")
            return created.id, tokens.issue(ACCESS, created.id, sid).token

        _, admin = await user("bench-admin", superuser=True)
        probe_user, probe = await user("bench-probe")
        clients = [(await user(f"bench-{i:04d}"))[1] for i in range(count)]
        return Seeded(admin, probe_user, probe, clients)
    finally:
        await state.close()


async def _wait_healthy(url: str, server: subprocess.Popen[bytes], within: float = 90) -> None:
    deadline = time.monotonic() + within
    async with httpx.AsyncClient(timeout=2) as http:
        while time.monotonic() < deadline:
            if server.poll() is not None:
                raise RuntimeError(f"the server exited with {server.returncode}")
            try:
                if (await http.get(f"{url}/health/live")).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            await asyncio.sleep(0.2)
    raise RuntimeError("the server did not become healthy")


def _start_clients(
    url: str, tokens: list[str], env: dict[str, str], workdir: Path, kind: str
) -> list[tuple[subprocess.Popen[str], Path]]:
    started = []
    half = len(tokens) // 2
    for index, part in enumerate((tokens[:half], tokens[half:])):
        token_file, out = workdir / f"tokens-{index}.json", workdir / f"arrivals-{index}.json"
        token_file.write_text(json.dumps(part))
        command = [sys.executable, "-m", "bench.realtime.clients", kind, url, str(token_file)]
        command.append(str(out))
        process = subprocess.Popen(
            command, cwd=ROOT, env=env, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
        )
        started.append((process, out))
    return started


async def _wait_ready(processes: list[tuple[subprocess.Popen[str], Path]], within: float) -> None:
    for process, _ in processes:
        assert process.stdout is not None
        line = await asyncio.wait_for(asyncio.to_thread(process.stdout.readline), within)
        if not line.startswith("READY"):
            raise RuntimeError(f"a client process failed: {line!r}")


class Prober:
    """The single user's socket, in this process: time from POST to arrival."""

    def __init__(self) -> None:
        self.client = socketio.AsyncClient(reconnection=False)
        self.arrived: asyncio.Queue[float] = asyncio.Queue()
        self.client.on("notification", self._on)

    async def _on(self, payload: dict[str, Any]) -> None:
        data = payload.get("data") or {}
        if payload.get("audience") == "user" and "t0" in data:
            await self.arrived.put(time.monotonic() - float(data["t0"]))


async def _measure(url: str, seeded: Seeded, args: argparse.Namespace) -> dict[str, Any]:
    headers = {"Authorization": f"Bearer {seeded.admin}", "User-Agent": USER_AGENT}
    prober = Prober()
    await prober.client.connect(url, auth={"token": seeded.probe}, transports=["websocket"])
    async with httpx.AsyncClient(base_url=url, headers=headers, timeout=10) as http:

        async def broadcast(seq: int) -> None:
            body = {
                "everyone": True,
                "title": "bench",
                "data": {"seq": seq, "t0": time.monotonic()},
            }
            response = await http.post(SEND, json=body)
            response.raise_for_status()

        for seq in range(args.warmup):
            await broadcast(WARMUP_SEQ + seq)
            await asyncio.sleep(args.interval)
        started = time.monotonic()
        for seq in range(args.broadcasts):
            await broadcast(seq)
            await asyncio.sleep(args.interval)
        broadcasts_done = time.monotonic()
        singles: list[float] = []
        for _ in range(args.singles):
            body = {
                "userIds": [str(seeded.probe_user)],
                "title": "one",
                "data": {"t0": time.monotonic()},
            }
            (await http.post(SEND, json=body)).raise_for_status()
            singles.append(await asyncio.wait_for(prober.arrived.get(), 10))
    await prober.client.disconnect()
    return {
        "window": [started, broadcasts_done],
        "singles_window": [broadcasts_done, time.monotonic()],
        "singles": singles,
    }


def _stop_clients(processes: list[tuple[subprocess.Popen[str], Path]]) -> dict[int, list[float]]:
    arrivals: dict[int, list[float]] = {}
    for process, _ in processes:
        assert process.stdin is not None
        process.stdin.write("STOP\n")
        process.stdin.flush()
    for process, out in processes:
        try:
            process.wait(60)
        except subprocess.TimeoutExpired:
            process.kill()
            continue
        for seq, values in json.loads(out.read_text()).items():
            arrivals.setdefault(int(seq), []).extend(values)
    return arrivals


def _pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))] * 1000 if ordered else 0.0


def _summary(
    measured: dict[str, Any],
    arrivals: dict[int, list[float]],
    gc_stats: dict[str, Any],
    args: argparse.Namespace,
) -> dict[str, Any]:
    counted = {seq: values for seq, values in arrivals.items() if seq < WARMUP_SEQ}
    last = [max(values) for values in counted.values() if values]
    every = [value for values in counted.values() for value in values]
    expected = args.broadcasts * args.clients
    start, end = measured["window"]
    pauses = [p for p in gc_stats.get("pauses", []) if start <= p[0] <= end]
    full = [p[2] for p in pauses if p[1] == 2]
    single_start, single_end = measured["singles_window"]
    during_singles = [
        p[2] for p in gc_stats.get("pauses", []) if single_start <= p[0] <= single_end
    ]
    return {
        "broadcast_last_p50_ms": _pct(last, 0.50),
        "broadcast_last_p99_ms": _pct(last, 0.99),
        "broadcast_last_max_ms": max(last, default=0) * 1000,
        "delivery_p50_ms": _pct(every, 0.50),
        "delivery_p99_ms": _pct(every, 0.99),
        "delivered": f"{len(every)}/{expected}",
        "single_p50_ms": _pct(measured["singles"], 0.50),
        "single_p99_ms": _pct(measured["singles"], 0.99),
        "single_max_ms": max(measured["singles"], default=0) * 1000,
        "full_gc_during_broadcasts": len(full),
        "full_gc_max_ms": max(full, default=0) * 1000,
        "gc_during_broadcasts": len(pauses),
        "frozen_objects": gc_stats.get("frozen", 0),
        "gc_max_during_singles_ms": max(during_singles, default=0) * 1000,
    }


def _start_server(port: int, stats: Path, env: dict[str, str]) -> subprocess.Popen[bytes]:
    command = [sys.executable, "-m", "bench.realtime.serve", str(port), str(stats)]
    return subprocess.Popen(command, cwd=ROOT, env=env)


VARIANTS: dict[str, dict[str, str]] = {
    "Python's GC defaults": {
        "ATRIUM_REALTIME__GC_FREEZE": "false",
        "ATRIUM_REALTIME__GC_THRESHOLDS": "null",
    },
    "gc.freeze() only": {
        "ATRIUM_REALTIME__GC_FREEZE": "true",
        "ATRIUM_REALTIME__GC_THRESHOLDS": "null",
    },
    "shipped: freeze + thresholds 10000,20,100": {
        "ATRIUM_REALTIME__GC_FREEZE": "true",
        "ATRIUM_REALTIME__GC_THRESHOLDS": "[10000,20,100]",
    },
}


async def _variant(
    name: str, env: dict[str, str], seeded: Seeded, workdir: Path, args: argparse.Namespace
) -> dict[str, Any]:
    load_before = os.getloadavg()[0]
    port, stats = common.free_port(), workdir / f"gc-{len(name)}.json"
    server_env = {**env, **VARIANTS[name]}
    server = _start_server(port, stats, server_env)
    clients: list[tuple[subprocess.Popen[str], Path]] = []
    try:
        url = f"http://127.0.0.1:{port}"
        await _wait_healthy(url, server)
        clients = _start_clients(url, seeded.clients, env, workdir, args.client)
        await _wait_ready(clients, within=180)
        measured = await asyncio.wait_for(_measure(url, seeded, args), timeout=300)
        arrivals = await asyncio.to_thread(_stop_clients, clients)
        clients = []
    finally:
        for process, _ in clients:
            process.kill()
        server.terminate()
        await asyncio.to_thread(server.wait, 60)
    gc_stats = json.loads(stats.read_text()) if stats.exists() else {}
    load = f"{load_before:.2f} → {os.getloadavg()[0]:.2f}"
    return {**_summary(measured, arrivals, gc_stats, args), "load": load}


CLIENT_KINDS = {
    "raw": "a minimal Socket.IO v5 client over `websockets`, `bench/realtime/clients.py`",
    "sio": "python-socketio `AsyncClient`",
}

ROWS = [
    ("broadcast, last client p50", "broadcast_last_p50_ms", "ms"),
    ("broadcast, last client p99 (budget < 100 ms)", "broadcast_last_p99_ms", "ms"),
    ("broadcast, last client max", "broadcast_last_max_ms", "ms"),
    ("broadcast, every delivery p50", "delivery_p50_ms", "ms"),
    ("broadcast, every delivery p99", "delivery_p99_ms", "ms"),
    ("deliveries received", "delivered", ""),
    ("one user, REST to socket p50", "single_p50_ms", "ms"),
    ("one user, REST to socket p99 (budget < 10 ms)", "single_p99_ms", "ms"),
    ("one user, REST to socket max", "single_max_ms", "ms"),
    ("full (gen 2) GCs in the server during the broadcasts", "full_gc_during_broadcasts", ""),
    ("longest full GC pause", "full_gc_max_ms", "ms"),
    ("longest GC pause during the one-user sends", "gc_max_during_singles_ms", "ms"),
    ("objects frozen at start-up", "frozen_objects", ""),
    ("machine load average (1 min), before → after", "load", ""),
]


def _report(results: dict[str, dict[str, Any]], args: argparse.Namespace) -> str:
    def cell(value: Any, unit: str) -> str:
        return f"{value:.1f} {unit}" if isinstance(value, float) else f"{value}"

    names = list(results)
    when = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    lines = [
        f"## Realtime (`bench/realtime`), {when}",
        "",
        f"{args.clients} authenticated websocket clients ({CLIENT_KINDS[args.client]}; two "
        f"client processes, their GC disabled while measuring) on one uvicorn worker "
        f"({os.cpu_count()} cores shared by server, clients, Redis and MongoDB-wire; Python "
        f"{platform.python_version()}). Broadcast: {args.broadcasts} admin sends to everyone "
        f"through `POST /api/v1/notifications/send` (token and permission check, stored in "
        f"MongoDB, then emitted), one every {args.interval:g} s, timed from before the POST to the "
        f"arrival at the last client. One user: {args.singles} sends to one user, one after "
        "the other, timed to that user's socket, with every other client connected.",
        "",
        "| measure | " + " | ".join(names) + " |",
        "|---|" + "---|" * len(names),
        *(
            f"| {label} | " + " | ".join(cell(results[n][key], unit) for n in names) + " |"
            for label, key, unit in ROWS
        ),
        "",
    ]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=1000)
    parser.add_argument("--broadcasts", type=int, default=200)
    parser.add_argument("--interval", type=float, default=0.2)
    parser.add_argument("--warmup", type=int, default=10)
    parser.add_argument("--singles", type=int, default=500)
    parser.add_argument(
        "--variants", type=int, nargs="*", default=[0, 1, 2],
        help="which GC variants to run: 0 Python's defaults, 1 freeze only, 2 shipped",
    )  # fmt: skip
    parser.add_argument(
        "--client", choices=["raw", "sio"], default="raw",
        help="raw: a minimal Socket.IO client (cheap per message); sio: python-socketio's",
    )  # fmt: skip
    parser.add_argument("--no-write", action="store_true", help="do not touch docs/benchmarks.md")
    args = parser.parse_args()
    run_id = uuid4().hex[:8]
    variants = [list(VARIANTS)[index] for index in args.variants]
    with tempfile.TemporaryDirectory(prefix="atrium-bench-realtime-") as tmp:
        workdir = Path(tmp)
        env = _env(common.services(), workdir, run_id)
        os.environ.update(env)
        from atrium.config import Settings
        from atrium.core import migrate

        migrate.upgrade(Settings())
        try:
            seeded = asyncio.run(_seed(args.clients))
            results = {
                name: asyncio.run(_variant(name, env, seeded, workdir, args)) for name in variants
            }
        finally:
            common.cleanup_stores(env)
    report = _report(results, args)
    print(report)
    RAW.write_text(json.dumps({"args": vars(args), "results": results}, indent=2) + "\n")
    if not args.no_write:
        with RESULTS.open("a", encoding="utf-8") as handle:
            handle.write(("\n" if RESULTS.exists() and RESULTS.stat().st_size else "") + report)
        print(f"appended to {RESULTS.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
