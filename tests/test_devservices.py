"""The local services manager: env files, ports, and stopping only what we started.

These tests never start the real services (the whole suite runs against them already);
they use `sleep` processes in their place.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from atrium import devservices
from atrium.devservices import Service, ServicesError, State, down, main, status, up

SLEEP = ["sleep", "60"]


@pytest.fixture
def clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    """No service URLs or port overrides from the shell (scripts/test.sh exports some)."""
    for key in [*devservices.URL_KEYS.values(), *(v for v, _ in devservices.DEV_PORTS.values())]:
        monkeypatch.delenv(key, raising=False)


@pytest.fixture
def processes() -> Iterator[list[subprocess.Popen[bytes]]]:
    """Processes a test starts; whatever is left is killed and reaped afterwards."""
    started: list[subprocess.Popen[bytes]] = []
    yield started
    for proc in started:
        if proc.poll() is None:
            proc.kill()
        proc.wait(timeout=5)


def spawn(processes: list[subprocess.Popen[bytes]], cmd: list[str]) -> subprocess.Popen[bytes]:
    proc = subprocess.Popen(cmd, start_new_session=True, stdout=subprocess.PIPE)
    processes.append(proc)
    return proc


def start_time(pid: int) -> int:
    stat = devservices._proc_stat(pid)
    assert stat is not None
    return stat[1]


def record(base: Path, profile: str, *services: Service) -> Path:
    paths = devservices._paths(profile, base)
    devservices._save_state(paths, State(profile, {s.name: s for s in services}))
    paths.env_file.write_text("ATRIUM_REDIS__URL=redis://127.0.0.1:1/0\n")
    return paths.state_file


def closed_port() -> int:
    return devservices._free_ports(1)[0]


# --- env files ------------------------------------------------------------------------------


def test_env_file_round_trips_values_verbatim(tmp_path: Path) -> None:
    values = {
        "ATRIUM_MONGO__URL": "mongodb://127.0.0.1:27027/?directConnection=true",
        "ATRIUM_TEST_POSTGRES_URL": "postgresql+asyncpg://postgres@127.0.0.1:5432/postgres",
        "ODD": "a=b&c d",
    }
    path = tmp_path / "services.env"
    path.write_text(devservices._format_env(values))

    assert devservices._read_env(path) == values
    lines = [line for line in path.read_text().splitlines() if not line.startswith("#")]
    assert lines == [f"{key}={value}" for key, value in values.items()]


def test_env_reads_what_the_last_up_of_a_profile_wrote(tmp_path: Path) -> None:
    assert devservices.env("test", base_dir=tmp_path) == {}  # never started
    values = {"ATRIUM_REDIS__URL": "redis://127.0.0.1:6391/0"}
    env_file = tmp_path / "var" / "test" / "services.env"
    env_file.parent.mkdir(parents=True)
    env_file.write_text(devservices._format_env(values))
    assert devservices.env("test", base_dir=tmp_path) == values


def test_env_parsing_skips_comments_and_understands_dotenv_spellings() -> None:
    text = "# comment\n\nexport A=1\nB='two'\nC=\"three\"\nnot a line\nD=x=y\n"
    assert devservices._parse_env(text) == {"A": "1", "B": "two", "C": "three", "D": "x=y"}


def test_env_file_refuses_values_that_would_break_lines() -> None:
    with pytest.raises(ServicesError):
        devservices._format_env({"KEY": "one\nTWO=2"})


@pytest.mark.usefixtures("clean_env")
def test_dev_env_file_has_the_apps_default_addresses() -> None:
    names = ("redis", "mongo", "s3")
    state = State("dev", {name: Service(name, devservices._dev_port(name)) for name in names})
    paths = devservices._paths("dev", Path("/nowhere"))

    assert devservices._env_file_values(paths, state, {}) == {
        "ATRIUM_REDIS__URL": "redis://127.0.0.1:6390/0",
        "ATRIUM_MONGO__URL": "mongodb://127.0.0.1:27027/?directConnection=true",
        "ATRIUM_STORAGE__ENDPOINT": "127.0.0.1:9010",
        "ATRIUM_STORAGE__ACCESS_KEY": "atrium",
        "ATRIUM_STORAGE__SECRET_KEY": "dev-insecure-storage",
    }


# --- ports ----------------------------------------------------------------------------------


def test_free_ports_are_distinct_and_bindable() -> None:
    ports = devservices._free_ports(4)

    assert len(set(ports)) == 4
    for port in ports:
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", port))


@pytest.mark.usefixtures("clean_env")
def test_dev_up_names_each_taken_port_and_its_override(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with contextlib.ExitStack() as stack:
        ports = {}
        for name, (variable, _) in devservices.DEV_PORTS.items():
            sock = stack.enter_context(socket.socket())
            sock.bind(("127.0.0.1", 0))
            sock.listen()
            ports[name] = sock.getsockname()[1]
            monkeypatch.setenv(variable, str(ports[name]))

        with pytest.raises(ServicesError) as caught:
            up("dev", base_dir=tmp_path)

    message = str(caught.value)
    for name, (variable, _) in devservices.DEV_PORTS.items():
        assert f"{name}: port {ports[name]} is in use" in message
        assert f"{variable}=" in message
    assert not (tmp_path / "var" / "dev" / "services.env").exists()


@pytest.mark.usefixtures("clean_env")
def test_dev_up_uses_urls_preset_by_the_user_instead_of_starting_services(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ATRIUM_REDIS__URL", "redis://cache.invalid:6379/0")
    (tmp_path / ".env").write_text(
        "ATRIUM_MONGO__URL=mongodb://db.invalid:27017\nATRIUM_STORAGE__ENDPOINT=s3.invalid:9000\n"
        "ATRIUM_MAIL__PORT=587\n"
    )

    values = up("dev", base_dir=tmp_path)

    assert values == {
        "ATRIUM_REDIS__URL": "redis://cache.invalid:6379/0",
        "ATRIUM_MONGO__URL": "mongodb://db.invalid:27017",
        "ATRIUM_STORAGE__ENDPOINT": "s3.invalid:9000",
        "ATRIUM_MAIL__PORT": "587",
    }
    assert devservices._read_env(tmp_path / "var" / "dev" / "services.env") == values
    assert status("dev", base_dir=tmp_path)["services"] == {}


@pytest.mark.usefixtures("clean_env")
def test_our_own_addresses_in_dotenv_or_the_shell_are_not_external_services(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # .env copied from .env.example, a shell that exported services.env, a moved port
    (tmp_path / ".env").write_text(
        "ATRIUM_REDIS__URL=redis://127.0.0.1:6390/0\nATRIUM_STORAGE__ENDPOINT=127.0.0.1:9010\n"
    )
    monkeypatch.setenv("ATRIUM_DEV_REDIS_PORT", "6391")
    monkeypatch.setenv("ATRIUM_MONGO__URL", "mongodb://127.0.0.1:27027/?directConnection=true")
    dev = devservices._paths("dev", tmp_path)
    assert devservices._presets(dev, State("dev")) == {}

    test = devservices._paths("test", tmp_path)
    ours = Service("postgres", 41000, ours=True)
    monkeypatch.setenv(
        "ATRIUM_TEST_POSTGRES_URL", "postgresql+asyncpg://postgres@127.0.0.1:41000/postgres"
    )
    assert devservices._presets(test, State("test", {"postgres": ours})) == {}
    monkeypatch.setenv("ATRIUM_TEST_POSTGRES_URL", "postgresql+asyncpg://ci@db.invalid/postgres")
    assert devservices._presets(test, State("test", {"postgres": ours})) == {
        "ATRIUM_TEST_POSTGRES_URL": "postgresql+asyncpg://ci@db.invalid/postgres"
    }


def test_bad_port_override_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ATRIUM_DEV_S3_PORT", "nine")
    with pytest.raises(ServicesError, match="ATRIUM_DEV_S3_PORT"):
        devservices._dev_port("s3")


def test_unknown_profile_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ServicesError, match="unknown profile"):
        up("prod", base_dir=tmp_path)


# --- stopping only what is ours -------------------------------------------------------------


def test_down_stops_the_processes_it_recorded_as_ours(
    tmp_path: Path, processes: list[subprocess.Popen[bytes]]
) -> None:
    proc = spawn(processes, SLEEP)
    svc = Service("redis", closed_port(), pid=proc.pid, ours=True, group=True)
    svc.started = start_time(proc.pid)
    state_file = record(tmp_path, "test", svc)

    down("test", base_dir=tmp_path)

    assert proc.wait(timeout=5) == -signal.SIGTERM
    assert not state_file.exists()
    assert not (tmp_path / "var" / "test" / "services.env").exists()


def test_down_never_signals_a_process_not_started_by_us(
    tmp_path: Path, processes: list[subprocess.Popen[bytes]]
) -> None:
    proc = spawn(processes, SLEEP)
    state_file = record(tmp_path, "test", Service("postgres", 5432, pid=proc.pid, ours=False))

    down("test", base_dir=tmp_path)

    assert proc.poll() is None
    assert not state_file.exists()


def test_down_leaves_alone_a_recorded_pid_now_used_by_another_process(
    tmp_path: Path, processes: list[subprocess.Popen[bytes]]
) -> None:
    proc = spawn(processes, SLEEP)
    reused = Service("mongo", closed_port(), pid=proc.pid, ours=True)
    reused.started = start_time(proc.pid) - 1  # the process we started had another start time
    record(tmp_path, "dev", reused)

    down("dev", base_dir=tmp_path)

    assert proc.poll() is None


def test_down_kills_a_process_that_ignores_sigterm(
    tmp_path: Path, processes: list[subprocess.Popen[bytes]], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(devservices, "STOP_TIMEOUT", 0.3)
    code = (
        "import signal, sys, time; signal.signal(signal.SIGTERM, signal.SIG_IGN); "
        "print('ready', flush=True); time.sleep(60)"
    )
    proc = spawn(processes, [sys.executable, "-c", code])
    assert proc.stdout is not None
    assert proc.stdout.readline() == b"ready\n"
    record(tmp_path, "test", Service("s3", closed_port(), pid=proc.pid, ours=True))

    down("test", base_dir=tmp_path)

    assert proc.wait(timeout=5) == -signal.SIGKILL


def test_a_zombie_counts_as_stopped(processes: list[subprocess.Popen[bytes]]) -> None:
    proc = spawn(processes, ["true"])
    deadline = time.monotonic() + 5
    while (devservices._proc_stat(proc.pid) or ("?", 0))[0] != "Z":
        assert time.monotonic() < deadline, "the child never exited"
        time.sleep(0.01)

    assert not devservices._alive(proc.pid)


# --- status and readiness -------------------------------------------------------------------


def test_status_tells_a_live_process_whose_port_does_not_answer(
    tmp_path: Path, processes: list[subprocess.Popen[bytes]], capsys: pytest.CaptureFixture[str]
) -> None:
    proc = spawn(processes, SLEEP)
    port = closed_port()
    record(tmp_path, "test", Service("mongo", port, pid=proc.pid, ours=True))

    info = status("test", base_dir=tmp_path)

    assert info["running"] is False
    assert info["services"] == {
        "mongo": {
            "host": "127.0.0.1",
            "port": port,
            "pid": proc.pid,
            "ours": True,
            "alive": True,
            "answering": False,
            "log": None,
        }
    }
    assert main(["status", "--profile", "test", "--base-dir", str(tmp_path)]) == 1
    assert "NOT ANSWERING" in capsys.readouterr().out


def test_status_of_a_profile_never_started(tmp_path: Path) -> None:
    info = status("dev", base_dir=tmp_path)

    assert info["running"] is False
    assert info["services"] == {}
    assert info["env_file"] is None


def test_status_with_nothing_running_is_an_answer_not_an_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["status", "--profile", "dev", "--base-dir", str(tmp_path)]) == 0
    assert "dev: no services running" in capsys.readouterr().out


def test_start_failure_names_the_service_and_its_log(tmp_path: Path) -> None:
    log = tmp_path / "logs" / "mongo.log"
    svc = Service("mongo", closed_port(), log=str(log))
    devservices._spawn(svc, ["sh", "-c", "echo address already in use; exit 3"], tmp_path)
    try:
        with pytest.raises(ServicesError) as caught:
            devservices._wait_ready([svc], timeout=5)
    finally:
        assert svc.pid is not None
        with contextlib.suppress(ChildProcessError):
            os.waitpid(svc.pid, 0)

    message = str(caught.value)
    assert message.startswith("mongo exited while starting")
    assert str(log) in message
    assert "address already in use" in message


def test_readiness_times_out_naming_the_port_and_log(
    tmp_path: Path, processes: list[subprocess.Popen[bytes]]
) -> None:
    proc = spawn(processes, SLEEP)
    port = closed_port()
    svc = Service("s3", port, pid=proc.pid, ours=True, log=str(tmp_path / "s3.log"))

    with pytest.raises(ServicesError, match=rf"s3 did not answer on 127\.0\.0\.1:{port}"):
        devservices._wait_ready([svc], timeout=0.2)


@pytest.mark.parametrize(("profile", "kept"), [("test", False), ("cluster", False), ("dev", True)])
def test_down_removes_test_data_only_and_only_inside_var(
    tmp_path: Path, profile: str, kept: bool
) -> None:
    inside = tmp_path / "var" / profile / "mongo"
    outside = tmp_path / "elsewhere"
    for path in (inside, outside):
        path.mkdir(parents=True)
        (path / "data").write_text("x")
    record(
        tmp_path,
        profile,
        Service("mongo", closed_port(), ours=True, data=str(inside)),
        Service("redis", closed_port(), ours=True, data=str(outside)),
    )

    down(profile, base_dir=tmp_path)

    assert inside.exists() is kept
    assert (outside / "data").exists()
