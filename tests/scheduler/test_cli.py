"""``atrium tasks add|list`` and ``atrium beat`` print times in the one human format."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
import structlog
from typer.testing import CliRunner, Result

from atrium.cli import cli
from atrium.config import get_settings

ISO_UTC = r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z"
runner = CliRunner()


@pytest.fixture
def database(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("ATRIUM_ENVIRONMENT", "testing")
    monkeypatch.setenv("ATRIUM_SQL__URL", f"sqlite+aiosqlite:///{tmp_path / 'cli.db'}")
    get_settings.cache_clear()
    assert runner.invoke(cli, ["migrate"]).exit_code == 0
    yield
    get_settings.cache_clear()


def _run(*args: str) -> Result:
    result = runner.invoke(cli, list(args))
    assert result.exit_code == 0, result.output
    return result


def test_tasks_add_and_list_print_the_next_run_in_iso_8601_utc(database: None) -> None:
    added = _run("tasks", "add", "ping", "scheduler.ping", "--crontab", "30 6 * * *")
    assert re.search(rf"next run {ISO_UTC}$", added.output.strip()), added.output
    assert re.search(r"T06:30:00\.000Z", added.output)
    listed = _run("tasks", "list")
    assert re.search(rf"\tnext {ISO_UTC}\t", listed.output), listed.output
    assert re.search(r"T06:30:00\.000Z", listed.output)


def test_beat_logs_in_the_format_of_the_api_and_worker(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from atrium.scheduler import beat

    monkeypatch.setenv("ATRIUM_ENVIRONMENT", "local")
    get_settings.cache_clear()
    monkeypatch.setattr(beat, "main", lambda _settings: structlog.get_logger("b").info("beat_up"))
    from atrium.scheduler.cli import beat as beat_command

    beat_command()
    get_settings.cache_clear()
    line = capsys.readouterr().err.strip()
    assert re.match(rf"{ISO_UTC} \[info", line), line
