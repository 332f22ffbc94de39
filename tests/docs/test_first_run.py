"""The README's first run, as a newcomer does it: ``make dev`` in a fresh copy of the project.

Each test copies the project (tracked and new files, no ``.env``, no ``var/dev``) into a
temporary directory, runs ``make dev`` there on free ports with no ``ATRIUM_*`` variable, reads
what it prints for the first admin, logs in with it through the Swagger login route, then
presses Ctrl-C (SIGINT to make's process group, as a terminal does) and checks that everything
stopped. The developer's own ``var/dev`` is never touched.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import pty
import re
import shutil
import signal
import socket
import subprocess
import termios
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest

from tests.support.live import free_port

ROOT = Path(__file__).resolve().parents[2]
GENERATED = re.compile(r"generated password \(shown once, change it\): (\S+)")
CREATED = re.compile(r"superuser '([^']+)' created")
START_TIMEOUT = 180.0
STOP_TIMEOUT = 30.0
pytestmark = pytest.mark.slow


def _copy_project(dest: Path) -> Path:
    """The working tree as a fresh clone would have it, plus the shared service packages."""
    listing = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=ROOT,
        capture_output=True,
        check=True,
    ).stdout
    for name in filter(None, listing.decode().split("\0")):
        source = ROOT / name
        if source.is_file():
            (dest / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, dest / name)
    (dest / "var").mkdir()
    # Installing the service packages again would take minutes: share the built environment.
    (dest / "var" / "services-venv").symlink_to(ROOT / "var" / "services-venv")
    # The console's npm packages likewise (`make dev` still builds the console in the copy).
    modules = ROOT / "console" / "node_modules"
    if modules.is_dir():
        (dest / "console" / "node_modules").symlink_to(modules)
    assert not (dest / ".env").exists()
    return dest


@dataclass
class Ports:
    api: int = field(default_factory=free_port)
    redis: int = field(default_factory=free_port)
    mongo: int = field(default_factory=free_port)
    s3: int = field(default_factory=free_port)
    mail: int = field(default_factory=free_port)

    def env(self) -> dict[str, str]:
        """A newcomer's shell: no ATRIUM_* setting, no project virtualenv active."""
        venv = str(ROOT / ".venv")
        base = {
            k: v
            for k, v in os.environ.items()
            if not k.startswith("ATRIUM_") and k not in {"VIRTUAL_ENV", "MAKEFLAGS", "MAKELEVEL"}
        }
        path = os.pathsep.join(p for p in base["PATH"].split(os.pathsep) if not p.startswith(venv))
        return {
            **base,
            "PATH": path,
            "ATRIUM_DEV_API_PORT": str(self.api),
            "ATRIUM_DEV_REDIS_PORT": str(self.redis),
            "ATRIUM_DEV_MONGO_PORT": str(self.mongo),
            "ATRIUM_DEV_S3_PORT": str(self.s3),
            "ATRIUM_DEV_MAIL_PORT": str(self.mail),
        }

    def all(self) -> list[int]:
        return [self.api, self.redis, self.mongo, self.s3, self.mail]


class Output:
    """Everything a process printed, read by a thread, searchable while it runs."""

    def __init__(self, read: Callable[[], bytes]) -> None:
        self.text = ""
        self._lock = threading.Condition()
        self._thread = threading.Thread(target=self._pump, args=(read,), daemon=True)
        self._thread.start()

    def _pump(self, read: Callable[[], bytes]) -> None:
        while True:
            try:
                chunk = read()
            except OSError:  # a pty whose other side closed
                chunk = b""
            with self._lock:
                if not chunk:
                    self._lock.notify_all()
                    return
                self.text += chunk.decode(errors="replace")
                self._lock.notify_all()

    def wait_for(self, pattern: str | re.Pattern[str], timeout: float = START_TIMEOUT) -> str:
        regex = re.compile(pattern) if isinstance(pattern, str) else pattern
        deadline = time.monotonic() + timeout
        with self._lock:
            while (found := regex.search(self.text)) is None:
                left = deadline - time.monotonic()
                if left <= 0 or not self._thread.is_alive():
                    pytest.fail(f"{regex.pattern!r} never appeared in:\n{self.text[-6000:]}")
                self._lock.wait(min(left, 0.5))
        return found.group(1) if regex.groups else found.group(0)

    def close(self) -> None:
        self._thread.join(10)


def _wait_ready(api: str, process: subprocess.Popen[bytes], output: Output) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        assert process.poll() is None, f"make dev ended early:\n{output.text[-6000:]}"
        with contextlib.suppress(httpx.HTTPError):
            if httpx.get(f"{api}/health/ready", timeout=2).status_code == 200:
                return
        time.sleep(0.5)
    pytest.fail(f"the API never got ready:\n{output.text[-6000:]}")


def _swagger_login(api: str, username: str, password: str) -> None:
    """What Swagger UI's Authorize form posts."""
    response = httpx.post(
        f"{api}/api/v1/auth/login/swagger",
        data={"username": username, "password": password},
        timeout=10,
    )
    assert response.status_code == 200, response.text
    assert response.json()["access_token"]


def _port_open(port: int) -> bool:
    with socket.socket() as sock:
        sock.settimeout(0.2)
        return sock.connect_ex(("127.0.0.1", port)) == 0


def _stopped(process: subprocess.Popen[bytes], ports: Ports, output: Output) -> None:
    try:
        process.wait(STOP_TIMEOUT)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        pytest.fail(f"make dev did not stop within {STOP_TIMEOUT} s:\n{output.text[-4000:]}")
    deadline = time.monotonic() + 10
    while any(_port_open(p) for p in ports.all()) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert [p for p in ports.all() if _port_open(p)] == [], output.text[-4000:]


@contextlib.contextmanager
def _guard(process: subprocess.Popen[bytes]) -> Iterator[None]:
    """If the test fails half-way, stop what it started (its own process group, by pid)."""
    try:
        yield
    finally:
        if process.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGINT)
            try:
                process.wait(STOP_TIMEOUT)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)


def _developer_state() -> tuple[bool, float | None]:
    state = ROOT / "var" / "dev" / "services.json"
    return state.exists(), state.stat().st_mtime if state.exists() else None


def test_make_dev_without_a_terminal_prints_the_first_admin_and_stops_on_ctrl_c(
    tmp_path: Path,
) -> None:
    before = _developer_state()
    project, ports = _copy_project(tmp_path / "atrium"), Ports()
    process = subprocess.Popen(
        ["make", "dev"],
        cwd=project,
        env=ports.env(),
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    assert process.stdout is not None
    stdout = process.stdout.fileno()
    output = Output(lambda: os.read(stdout, 4096))
    with _guard(process):
        username = output.wait_for(CREATED)
        password = output.wait_for(GENERATED)
        api = f"http://127.0.0.1:{ports.api}"
        _wait_ready(api, process, output)
        output.wait_for(re.escape(f"{api}/docs"))
        _swagger_login(api, username, password)
        console = httpx.get(f"{api}/console/users", timeout=5)  # built by make dev, deep link
        assert console.status_code == 200, console.text
        assert "<title>Atrium Console</title>" in console.text
        os.killpg(process.pid, signal.SIGINT)  # Ctrl-C
        _stopped(process, ports, output)
    output.close()
    assert username == "admin"
    assert "no terminal, so initdb prints a generated password" in output.text
    assert not (project / "var" / "dev" / "services.json").exists()
    assert _developer_state() == before


def _spawn_on_a_terminal(project: Path, ports: Ports) -> tuple[subprocess.Popen[bytes], int]:
    """``make dev`` with a pty as its controlling terminal, as in a developer's shell."""
    leader, follower = pty.openpty()

    def controlling_terminal() -> None:
        os.setsid()
        fcntl.ioctl(follower, termios.TIOCSCTTY, 0)

    process = subprocess.Popen(
        ["make", "dev"],
        cwd=project,
        env={**ports.env(), "TERM": "dumb"},
        stdin=follower,
        stdout=follower,
        stderr=follower,
        preexec_fn=controlling_terminal,  # runs before exec; no thread of ours runs yet
    )
    os.close(follower)
    return process, leader


def test_make_dev_on_a_terminal_asks_for_the_first_admin_password(tmp_path: Path) -> None:
    before = _developer_state()
    project, ports = _copy_project(tmp_path / "atrium"), Ports()
    chosen = "Typed-at-the-prompt-42"
    process, leader = _spawn_on_a_terminal(project, ports)
    output = Output(lambda: os.read(leader, 4096))
    try:
        with _guard(process):
            output.wait_for("Password for admin: ")
            os.write(leader, f"{chosen}\n".encode())
            output.wait_for("Repeat for confirmation: ")
            os.write(leader, f"{chosen}\n".encode())
            output.wait_for(CREATED)
            api = f"http://127.0.0.1:{ports.api}"
            _wait_ready(api, process, output)
            _swagger_login(api, "admin", chosen)
            os.write(leader, b"\x03")  # Ctrl-C, through the terminal's line discipline
            _stopped(process, ports, output)
    finally:
        output.close()
        os.close(leader)
    assert "choose the password of the first admin 'admin'" in output.text
    assert chosen not in output.text  # the typing was hidden
    assert "generated password" not in output.text
    assert _developer_state() == before
