"""Benchmark: encrypted logins under concurrency, and ``/health/live`` while they run.

Starts the API with uvicorn on a free 127.0.0.1 port against the test services (Redis,
MongoDB-wire, S3 from ``var/test/services.env`` or the environment; SQLite in a temporary
directory), with production password hashing (pwdlib's Argon2id defaults). Measures:

- ``/health/live`` latency on an idle server (baseline);
- login latency (p50/p95/p99) with ``--concurrency`` clients doing ``--logins`` logins;
- ``/health/live`` latency sampled every 10 ms *while* the logins run: hashing runs in
  threads, so the event loop must keep answering.

Prints the figures and appends a section to ``docs/benchmarks.md`` (``--no-write`` to skip).
Run: ``uv run python -m bench.login`` (under a minute on 2 cores).
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from uuid import uuid4

import httpx
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa

from bench import common

ROOT = Path(__file__).resolve().parents[2]
RESULTS = ROOT / "docs" / "benchmarks.md"
USERNAME = "bench-user"
PASSWORD = "Bench-password-123"  # noqa: S105 - a throwaway user in a throwaway database
USER_AGENT = "atrium-bench/1.0"


@dataclass
class Samples:
    values: list[float] = field(default_factory=list)
    errors: int = 0

    def pct(self, q: float) -> float:
        ordered = sorted(self.values)
        return (
            ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))] * 1000 if ordered else 0.0
        )


@dataclass
class Result:
    idle: Samples
    busy: Samples
    logins: Samples
    elapsed: float


def _server_env(services: dict[str, str], workdir: Path, run_id: str) -> dict[str, str]:
    return common.server_env(
        services,
        workdir,
        run_id,
        {
            "ATRIUM_AUTH__LOGIN_RATE_PER_USERNAME": "1000000/minute",
            "ATRIUM_AUTH__LOGIN_RATE_PER_ADDRESS": "1000000/minute",
        },
    )


def _prepare_database(env: dict[str, str]) -> None:
    """Migrate and create the user in a child process that sees the server's settings."""
    script = (
        "import asyncio\n"
        "from atrium.config import Settings\n"
        "from atrium.core import migrate\n"
        "from atrium.core.db import Database\n"
        "from atrium.core.security.passwords import PasswordHasher\n"
        "from atrium.users import service\n"
        "from atrium.users.schemas import UserCreate\n"
        "settings = Settings()\n"
        "migrate.upgrade(settings)\n"
        "async def seed():\n"
        "    db = Database(settings.sql)\n"
        "    async with db.session() as session:\n"
        "        hasher = await PasswordHasher.create(settings.group(PasswordSettings))\n"
        "        policy = service.PasswordPolicy.from_settings(settings.group(PasswordSettings))\n"
        f"        data = UserCreate(username={USERNAME!r}, email='bench@example.com',"
        f" password={PASSWORD!r})\n"
        "        await service.create(session, hasher, policy, data)\n"
        "    await db.dispose()\n"
        "asyncio.run(seed())\n"
    )
    subprocess.run([sys.executable, "-c", script], env=env, check=True, cwd=ROOT)


def _start_server(env: dict[str, str], port: int) -> subprocess.Popen[bytes]:
    command = [
        sys.executable, "-m", "uvicorn", "atrium.asgi:app",
        "--host", "127.0.0.1", "--port", str(port), "--log-level", "warning", "--no-access-log",
    ]  # fmt: skip
    return subprocess.Popen(command, env=env, cwd=ROOT)


async def _wait_ready(base: str, server: subprocess.Popen[bytes]) -> None:
    async with httpx.AsyncClient(base_url=base) as http:
        for _ in range(300):
            if server.poll() is not None:
                sys.exit("the server exited during startup")
            try:
                if (await http.get("/health/live")).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            await asyncio.sleep(0.1)
    sys.exit("the server did not become ready in 30 s")


async def _probe(
    http: httpx.AsyncClient, samples: Samples, stop: asyncio.Event, gap: float
) -> None:
    while not stop.is_set():
        start = time.perf_counter()
        response = await http.get("/health/live")
        samples.values.append(time.perf_counter() - start)
        samples.errors += response.status_code != 200
        await asyncio.sleep(gap)


async def _idle_health(http: httpx.AsyncClient, count: int) -> Samples:
    samples = Samples()
    for _ in range(count):
        start = time.perf_counter()
        await http.get("/health/live")
        samples.values.append(time.perf_counter() - start)
    return samples


def _ciphertexts(key: dict[str, str], count: int) -> list[str]:
    """What browsers send: base64(RSA-OAEP-SHA256(JSON {password, nonce, ts}))."""
    public = serialization.load_pem_public_key(key["pem"].encode())
    assert isinstance(public, rsa.RSAPublicKey)
    oaep = padding.OAEP(mgf=padding.MGF1(hashes.SHA256()), algorithm=hashes.SHA256(), label=None)
    payloads = (
        json.dumps({"password": PASSWORD, "nonce": uuid4().hex, "ts": time.time()}).encode()
        for _ in range(count)
    )
    return [base64.b64encode(public.encrypt(payload, oaep)).decode() for payload in payloads]


async def _logins(
    http: httpx.AsyncClient, bodies: list[dict[str, str]], concurrency: int
) -> Samples:
    samples = Samples()
    queue = list(reversed(bodies))

    async def worker() -> None:
        while queue:
            body = queue.pop()
            start = time.perf_counter()
            response = await http.post("/api/v1/auth/login", json=body)
            if response.status_code == 200:
                samples.values.append(time.perf_counter() - start)
            else:
                samples.errors += 1

    await asyncio.gather(*(worker() for _ in range(concurrency)))
    return samples


async def _measure(base: str, logins: int, concurrency: int) -> Result:
    limits = httpx.Limits(max_connections=concurrency + 4)
    headers = {"User-Agent": USER_AGENT}
    async with (
        httpx.AsyncClient(base_url=base, limits=limits, headers=headers, timeout=60) as http,
        httpx.AsyncClient(base_url=base, timeout=60) as probe_http,
    ):
        idle = await _idle_health(probe_http, 300)
        key = (await http.get("/api/v1/auth/keys/public")).json()["data"]
        warmup = [
            {"username": USERNAME, "password": c, "kid": key["kid"]} for c in _ciphertexts(key, 4)
        ]
        await _logins(http, warmup, 2)
        bodies = [
            {"username": USERNAME, "password": c, "kid": key["kid"]}
            for c in _ciphertexts(key, logins)
        ]
        busy, stop = Samples(), asyncio.Event()
        prober = asyncio.create_task(_probe(probe_http, busy, stop, 0.01))
        start = time.perf_counter()
        timed = await _logins(http, bodies, concurrency)
        elapsed = time.perf_counter() - start
        stop.set()
        await prober
    return Result(idle, busy, timed, elapsed)


def _report(result: Result, logins: int, concurrency: int) -> str:
    idle, busy, timed, elapsed = result.idle, result.busy, result.logins, result.elapsed
    rows = [
        ("login p50", f"{timed.pct(0.50):.0f} ms"),
        ("login p95", f"{timed.pct(0.95):.0f} ms"),
        ("login p99", f"{timed.pct(0.99):.0f} ms"),
        ("login throughput", f"{len(timed.values) / elapsed:.1f} /s"),
        ("login errors", str(timed.errors)),
        ("/health/live p50, idle", f"{idle.pct(0.50):.1f} ms"),
        ("/health/live p99, idle", f"{idle.pct(0.99):.1f} ms"),
        ("/health/live p50, during logins", f"{busy.pct(0.50):.1f} ms"),
        ("/health/live p99, during logins", f"{busy.pct(0.99):.1f} ms"),
        ("/health/live max, during logins", f"{max(busy.values, default=0) * 1000:.1f} ms"),
        ("/health/live samples during logins", f"{len(busy.values)} ({busy.errors} errors)"),
    ]
    when = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    lines = [
        f"## Login (`bench/login`), {when}",
        "",
        f"{logins} RSA-encrypted logins by {concurrency} concurrent clients against one uvicorn "
        f"worker ({os.cpu_count()} cores, Python {platform.python_version()}); Argon2id with "
        "pwdlib's default cost (hashing in threads); SQLite, Redis, MongoDB-wire on 127.0.0.1. "
        "`/health/live` is sampled every 10 ms by a separate client while the logins run.",
        "",
        "| measure | value |",
        "|---|---|",
        *(f"| {name} | {value} |" for name, value in rows),
        "",
    ]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--logins", type=int, default=120)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument(
        "--no-write", action="store_true", help="do not append to docs/benchmarks.md"
    )
    args = parser.parse_args()
    run_id = uuid4().hex[:8]
    with tempfile.TemporaryDirectory(prefix="atrium-bench-login-") as tmp:
        env = _server_env(common.services(), Path(tmp), run_id)
        _prepare_database(env)
        port = common.free_port()
        server = _start_server(env, port)
        try:
            base = f"http://127.0.0.1:{port}"
            asyncio.run(_wait_ready(base, server))
            result = asyncio.run(_measure(base, args.logins, args.concurrency))
        finally:
            server.terminate()
            server.wait(timeout=30)
            common.cleanup_stores(env)
    report = _report(result, args.logins, args.concurrency)
    print(report)
    if not args.no_write:
        with RESULTS.open("a", encoding="utf-8") as handle:
            handle.write(("\n" if RESULTS.exists() and RESULTS.stat().st_size else "") + report)
        print(f"appended to {RESULTS.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
