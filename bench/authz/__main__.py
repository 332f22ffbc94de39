"""Benchmark: the permission check's latency, and what it costs an HTTP GET.

Part 1, in process (the app with its lifespan, real Redis and SQLite): the latency of
``Permissions.get`` + ``allows`` for a user whose only role grants the benchmark route's code:
warm in process (no network), warm in Redis (local entry dropped each time: one Redis
round-trip), cold (Redis entry dropped too: Redis read, three SQL queries, conditional fill);
and the whole policy when warm, with an access token (token, session validity, permission) and
with an API key scoped to the route (key, owner's permission, scope).

Part 2, HTTP: one uvicorn worker pinned to CPU 0 serving trivial GETs that differ only in their
guard, loaded one after another by wrk (pinned to CPU 1) in the same run: ``/bench/plain`` (no
dependency), ``/api/v1/bench/open`` (public, through the API guard), ``/bench/jwt-only`` (a bare
JWT-decoding dependency: the calibration point) and ``/api/v1/bench/item`` (authenticated and
permission-checked, for a non-superuser) twice: with an access token and with an API key of the
same user (``Authorization: Bearer`` both). For each: requests/s, latency, and the server's CPU
time per request (from /proc). Redis commands issued while the checked routes run are counted:
the warm path must issue none.

Budget: each checked GET keeps >= 0.4 of the unauthenticated trivial GET's throughput, and
reaches at least the throughput of the bare JWT-decoding dependency in the same run.
Needs wrk (installed from the system's packages when missing) and the test services
(``var/test/services.env`` or the environment). Run: ``uv run python -m bench.authz`` (about a
minute); ``--no-write`` to only print.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import platform
import re
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from uuid import uuid4

import httpx

from atrium.syspackages import SystemPackageError, ensure_program
from atrium.users.settings import PasswordSettings
from bench import common

ROOT = Path(__file__).resolve().parents[2]
RESULTS = ROOT / "docs" / "benchmarks.md"
DOMAIN = "bench.authz.domain"
USERNAME = "bench-reader"
PASSWORD = "Bench-password-123"  # noqa: S105 - a throwaway user in a throwaway database
USER_AGENT = "atrium-bench/1.0"
CODE = "GET:/api/v1/bench/item"
BUDGET = 0.4


def _domains(first: bool) -> str:
    """The default domains (RBAC and API keys included) with the benchmark's routes first or
    last."""
    from atrium.domains import DEFAULT_DOMAINS

    domains = list(DEFAULT_DOMAINS)
    domains = [DOMAIN, *domains] if first else [*domains, DOMAIN]
    return "[" + ",".join(f'"{d}"' for d in domains) + "]"


def _env(services: dict[str, str], workdir: Path, run_id: str) -> dict[str, str]:
    return common.server_env(
        services,
        workdir,
        run_id,
        {
            "ATRIUM_DOMAINS": _domains(first=False),
            "ATRIUM_AUTH__LOGIN_RATE_PER_USERNAME": "1000000/minute",
            "ATRIUM_AUTH__LOGIN_RATE_PER_ADDRESS": "1000000/minute",
        },
    )


# --- part 1: latency, in process ---------------------------------------------------------------


@dataclass
class Timing:
    name: str
    micros: list[float]

    def pct(self, q: float) -> float:
        ordered = sorted(self.micros)
        return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]

    @property
    def mean(self) -> float:
        return sum(self.micros) / len(self.micros)


async def _seed(state: Any) -> Any:
    """A user whose one role grants exactly the benchmark route's code."""
    from atrium.core.security.passwords import PASSWORD_HASHER
    from atrium.rbac import repository
    from atrium.rbac.models import Role
    from atrium.users import service as users_service
    from atrium.users.schemas import UserCreate

    policy = users_service.PasswordPolicy.from_settings(state.settings.group(PasswordSettings))
    data = UserCreate(username=USERNAME, email="reader@example.com", password=PASSWORD)
    async with state.db.session() as session:
        user = await users_service.create(session, state.get(PASSWORD_HASHER), policy, data)
        role = Role(name="Bench reader", code="bench-reader")
        session.add(role)
        await session.flush()
        await repository.set_grants(session, role.id, [CODE, "GET:/api/v1/other/*"])
        await repository.set_user_roles(session, user.id, [role.id])
    return user


async def _timed(name: str, count: int, step: Any, before: Any = None) -> Timing:
    micros = []
    for _ in range(count):
        if before is not None:
            await before()
        start = time.perf_counter_ns()
        await step()
        micros.append((time.perf_counter_ns() - start) / 1000)
    return Timing(name, micros)


async def _latency(count: int) -> tuple[list[Timing], str]:
    from asgi_lifespan import LifespanManager
    from fastapi import Request

    from atrium.core.access import ACCESS_POLICY
    from atrium.main import create_app
    from atrium.rbac.deps import PERMISSIONS

    app = create_app()
    async with LifespanManager(app, startup_timeout=60):
        state = app.state.atrium
        user = await _seed(state)
        transport = httpx.ASGITransport(app=app)
        token = await _login(transport, "http://bench")
        key = await _api_key(transport, "http://bench", token)
        permissions, policy = state.get(PERMISSIONS), state.get(ACCESS_POLICY)
        route = next(info for info in app.state.catalogue if info.code == CODE)

        def scope(credential: str) -> dict[str, Any]:
            headers = [
                (b"authorization", f"Bearer {credential}".encode()),
                (b"user-agent", USER_AGENT.encode()),
            ]
            return {"type": "http", "app": app, "headers": headers, "method": "GET", "path": "/"}

        async def check() -> None:
            assert (await permissions.get(user.id)).allows(CODE)

        async def drop_local() -> None:
            permissions.local.flush()

        async def drop_both() -> None:
            permissions.local.flush()
            await state.redis.delete(permissions.store.entry_key(user.id))

        async def full() -> None:
            await policy.authorize(Request(scope(token)), route)

        async def full_key() -> None:
            await policy.authorize(Request(scope(key)), route)

        await check()
        await full_key()
        timings = [
            await _timed("warm, in process (get + allows)", count, check),
            await _timed("warm in Redis (one round-trip)", count // 10, check, drop_local),
            await _timed("cold (Redis miss, SQL, fill)", count // 20, check, drop_both),
            await _timed("whole policy, warm (JWT, session, permission)", count, full),
            await _timed("whole policy, warm (API key, permission, scope)", count, full_key),
        ]
        backend = state.db.engine.dialect.name
    return timings, backend


async def _login(transport: httpx.AsyncBaseTransport | None, base: str) -> str:
    import base64
    import json

    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import padding, rsa

    async with httpx.AsyncClient(transport=transport, base_url=base) as http:
        key = (await http.get("/api/v1/auth/keys/public")).json()["data"]
        public = serialization.load_pem_public_key(key["pem"].encode())
        assert isinstance(public, rsa.RSAPublicKey)
        oaep = padding.OAEP(
            mgf=padding.MGF1(hashes.SHA256()), algorithm=hashes.SHA256(), label=None
        )
        payload = json.dumps({"password": PASSWORD, "nonce": uuid4().hex, "ts": time.time()})
        body = {
            "username": USERNAME,
            "password": base64.b64encode(public.encrypt(payload.encode(), oaep)).decode(),
            "kid": key["kid"],
        }
        response = await http.post(
            "/api/v1/auth/login", json=body, headers={"User-Agent": USER_AGENT}
        )
        response.raise_for_status()
        return str(response.json()["data"]["accessToken"])


async def _api_key(transport: httpx.AsyncBaseTransport | None, base: str, token: str) -> str:
    """An API key of the benchmark user scoped to the checked route (made with the password)."""
    import base64
    import json

    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import padding, rsa

    headers = {"Authorization": f"Bearer {token}", "User-Agent": USER_AGENT}
    async with httpx.AsyncClient(transport=transport, base_url=base, headers=headers) as http:
        key = (await http.get("/api/v1/auth/keys/public")).json()["data"]
        public = serialization.load_pem_public_key(key["pem"].encode())
        assert isinstance(public, rsa.RSAPublicKey)
        oaep = padding.OAEP(
            mgf=padding.MGF1(hashes.SHA256()), algorithm=hashes.SHA256(), label=None
        )
        payload = json.dumps({"password": PASSWORD, "nonce": uuid4().hex, "ts": time.time()})
        body = {
            "name": "bench",
            "scopes": [CODE],
            "password": base64.b64encode(public.encrypt(payload.encode(), oaep)).decode(),
            "kid": key["kid"],
        }
        response = await http.post("/api/v1/auth/api-keys", json=body)
        response.raise_for_status()
        return str(response.json()["data"]["key"])


# --- part 2: HTTP throughput -------------------------------------------------------------------


@dataclass
class Load:
    """One route's load, summed over the rounds."""

    name: str
    path: str
    credential: str | None  # None, "token" or "key"
    requests: int = 0
    seconds: float = 0.0
    cpu_seconds: float = 0.0
    errors: int = 0
    p50s: list[float] = field(default_factory=list)
    p99s: list[float] = field(default_factory=list)

    @property
    def rps(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0

    @property
    def cpu_us(self) -> float:
        return self.cpu_seconds / max(self.requests, 1) * 1e6

    @property
    def p50_ms(self) -> float:
        return statistics.median(self.p50s) if self.p50s else 0.0

    @property
    def p99_ms(self) -> float:
        return statistics.median(self.p99s) if self.p99s else 0.0


TOKEN, KEY = "token", "key"
LOADS = (
    ("unauthenticated trivial GET (no dependency)", "/bench/plain", None),
    ("public GET through the API guard", "/api/v1/bench/open", None),
    ("bare JWT-decoding dependency (calibration)", "/bench/jwt-only", TOKEN),
    ("permission-checked GET, access token", "/api/v1/bench/item", TOKEN),
    ("permission-checked GET, API key", "/api/v1/bench/item", KEY),
)
CHECKED = (TOKEN, KEY)


def _cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _millis(text: str) -> float:
    found = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text)
    if found is None:
        raise RuntimeError(f"unexpected wrk latency {text!r}")
    value, unit = found.groups()
    return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0}[unit]


def _wrk(
    base: str, load: Load, credentials: dict[str, str], seconds: int, connections: int, pid: int
) -> None:
    """One wrk run against ``load``'s route, added to its totals."""
    command = ["taskset", "-c", "1", "wrk", "-t1", f"-c{connections}", f"-d{seconds}s", "--latency"]
    if load.credential is not None:
        command += ["-H", f"Authorization: Bearer {credentials[load.credential]}"]
    command += ["-H", f"User-Agent: {USER_AGENT}", base + load.path]
    before = _cpu_seconds(pid)
    out = subprocess.run(command, check=True, capture_output=True, text=True).stdout
    load.cpu_seconds += _cpu_seconds(pid) - before
    requests = int(_find(r"(\d+) requests in", out))
    load.requests += requests
    load.seconds += requests / float(_find(r"Requests/sec:\s+([\d.]+)", out))
    # The latency distribution's lines ("    50%    8.93ms"), not a "+/- Stdev" of "87.50%".
    load.p50s.append(_millis(_find(r"(?m)^\s*50%\s+([\d.]+[a-z]+)[ \t]*$", out)))
    load.p99s.append(_millis(_find(r"(?m)^\s*99%\s+([\d.]+[a-z]+)[ \t]*$", out)))
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    load.errors += int(errors.group(1)) if errors else 0


def _find(pattern: str, text: str) -> str:
    found = re.search(pattern, text)
    if found is None:
        raise RuntimeError(f"unexpected wrk output (no {pattern!r}):\n{text}")
    return found.group(1)


async def _redis_commands(url: str) -> dict[str, int]:
    """Calls per command so far (``INFO commandstats``), for the whole Redis server."""
    from redis.asyncio import Redis

    redis = Redis.from_url(url)
    try:
        stats: dict[str, Any] = await redis.info("commandstats")
        return {name.removeprefix("cmdstat_"): int(v["calls"]) for name, v in stats.items()}
    finally:
        await redis.aclose()


def _difference(before: dict[str, int], after: dict[str, int]) -> dict[str, int]:
    counts = {name: calls - before.get(name, 0) for name, calls in after.items()}
    counts["info"] = counts.get("info", 0) - 1  # our own second INFO
    return {name: calls for name, calls in sorted(counts.items()) if calls > 0}


@dataclass
class Position:
    name: str
    loads: list[Load]
    redis_calls: dict[str, int]


def _throughput(env: dict[str, str], first: bool, args: Any) -> Position:
    """One server, the benchmark's routes registered first or last; the routes loaded in turn,
    round after round, so background drift hits them all alike."""
    from tests.rbac.server import free_port

    port = free_port()
    command = ["taskset", "-c", "0", sys.executable, "-m", "uvicorn", "atrium.asgi:app"]
    command += ["--host", "127.0.0.1", "--port", str(port), "--log-level", "warning"]
    server_env = {**env, "ATRIUM_DOMAINS": _domains(first)}
    server = subprocess.Popen([*command, "--no-access-log"], env=server_env, cwd=ROOT)
    base = f"http://127.0.0.1:{port}"
    try:
        _wait_ready(base, server)
        token = asyncio.run(_login(None, base))
        credentials = {TOKEN: token, KEY: asyncio.run(_api_key(None, base, token))}
        for name, path, auth in LOADS:  # warm up every route (and the caches)
            _wrk(base, Load(name, path, auth), credentials, 1, args.connections, server.pid)
        loads = [Load(name, path, auth) for name, path, auth in LOADS]
        redis_calls: dict[str, int] = {}
        for _ in range(args.rounds):
            for load in loads:
                before = asyncio.run(_redis_commands(env["ATRIUM_REDIS__URL"]))
                _wrk(base, load, credentials, args.seconds, args.connections, server.pid)
                if load.path == "/api/v1/bench/item":
                    after = asyncio.run(_redis_commands(env["ATRIUM_REDIS__URL"]))
                    redis_calls = _add(redis_calls, _difference(before, after))
        name = "registered first" if first else "registered last (after every default domain)"
        return Position(name, loads, redis_calls)
    finally:
        server.terminate()
        server.wait(timeout=30)


def _add(total: dict[str, int], more: dict[str, int]) -> dict[str, int]:
    return {name: total.get(name, 0) + more.get(name, 0) for name in sorted({*total, *more})}


def _wait_ready(base: str, server: subprocess.Popen[str] | subprocess.Popen[bytes]) -> None:
    for _ in range(600):
        if server.poll() is not None:
            sys.exit("the server exited during startup")
        try:
            if httpx.get(base + "/health/live").status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.1)
    sys.exit("the server did not become ready in 60 s")


# --- report ------------------------------------------------------------------------------------


def _report(timings: list[Timing], backend: str, positions: list[Position], args: Any) -> str:
    when = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    lines = [
        f"## Permission check (`bench/authz`), {when}",
        "",
        f"Python {platform.python_version()}, {os.cpu_count()} cores, load average "
        f"{os.getloadavg()[0]:.1f} at the end; Redis on 127.0.0.1; {backend} database. A "
        "non-superuser whose one role grants the route's code.",
        "",
        "| check latency (in process) | mean | p50 | p99 | samples |",
        "|---|---|---|---|---|",
        *(
            f"| {t.name} | {t.mean:.1f} µs | {t.pct(0.5):.1f} µs | {t.pct(0.99):.1f} µs | "
            f"{len(t.micros)} |"
            for t in timings
        ),
        "",
        f"One uvicorn worker pinned to CPU 0, wrk -t1 -c{args.connections} pinned to CPU 1; in "
        f"each server the {len(LOADS)} loads run in turn, {args.rounds} rounds of "
        f"{args.seconds} s each (requests/s and CPU are totals over the rounds, latencies the "
        "median of the rounds').",
    ]
    for position in positions:
        lines += ["", *_position_table(position)]
    return "\n".join([*lines, ""])


def _position_table(position: Position) -> list[str]:
    baseline, public, bare = position.loads[0], position.loads[1], position.loads[2]
    checked = [load for load in position.loads if load.path == "/api/v1/bench/item"]
    requests = sum(load.requests for load in checked)
    # Background traffic (pub/sub health-check PINGs) is allowed; per-request traffic is not.
    total = sum(position.redis_calls.values())
    seen = ", ".join(f"{name} {calls}" for name, calls in position.redis_calls.items()) or "none"
    no_round_trip = total < requests / 100
    return [
        f"Benchmark routes {position.name}:",
        "",
        "| GET | requests/s | vs trivial | vs bare JWT | p50 | p99 | server CPU / request | "
        "non-2xx |",
        "|---|---|---|---|---|---|---|---|",
        *(
            f"| {load.name} (`{load.path}`) | {load.rps:,.0f} | {load.rps / baseline.rps:.2f} | "
            f"{load.rps / bare.rps:.2f} | {load.p50_ms:.2f} ms | {load.p99_ms:.2f} ms | "
            f"{load.cpu_us:.0f} µs | {load.errors} |"
            for load in position.loads
        ),
        "",
        f"Redis commands (every client) while the {requests:,} checked requests ran: "
        f"{total} ({seen}): {'no' if no_round_trip else 'a'} per-request round-trip.",
        "",
        *(_verdict(load, baseline, public, bare, no_round_trip) for load in checked),
    ]


def _verdict(load: Load, baseline: Load, public: Load, bare: Load, no_round_trip: bool) -> str:
    ratio, cpu_ratio = load.rps / baseline.rps, baseline.cpu_us / max(load.cpu_us, 1e-9)
    versus_bare = load.rps / bare.rps
    within = ratio >= BUDGET and versus_bare >= 1.0 and no_round_trip
    return (
        f"- {load.name}: {ratio:.2f} of the trivial GET by throughput ({cpu_ratio:.2f} by server "
        f"CPU per request), {versus_bare:.2f} of the bare JWT-decoding dependency; "
        f"{'within' if within else 'OUTSIDE'} the budget (>= {BUDGET} of trivial, >= 1.00 of bare "
        f"JWT). The check costs {load.cpu_us - public.cpu_us:.0f} µs of server CPU per request "
        "over the public GET at the same position."
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--seconds", type=int, default=5, help="wrk duration per route and round")
    parser.add_argument("--rounds", type=int, default=3, help="rounds over the loads")
    parser.add_argument("--connections", type=int, default=64)
    parser.add_argument("--checks", type=int, default=20000, help="latency samples (warm)")
    parser.add_argument("--no-write", action="store_true", help="do not append to docs")
    args = parser.parse_args()
    try:
        ensure_program("wrk", "wrk", "by bench.authz")
    except SystemPackageError as exc:
        sys.exit(f"error: {exc}")
    run_id = uuid4().hex[:8]
    with tempfile.TemporaryDirectory(prefix="atrium-bench-authz-") as tmp:
        env = _env(common.services(), Path(tmp), run_id)
        os.environ.update(env)
        from atrium.config import get_settings
        from atrium.core import migrate

        migrate.upgrade(get_settings())
        timings, backend = asyncio.run(_latency(args.checks))
        positions = [_throughput(env, first, args) for first in (True, False)]
        common.cleanup_stores(env)
    report = _report(timings, backend, positions, args)
    print(report)
    if not args.no_write:
        with RESULTS.open("a", encoding="utf-8") as handle:
            handle.write(("\n" if RESULTS.exists() and RESULTS.stat().st_size else "") + report)
        print(f"appended to {RESULTS.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
