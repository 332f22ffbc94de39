"""One timestamp format on every log line (structlog and the standard library, JSON or not)."""

from __future__ import annotations

import json
import logging
import re
from datetime import datetime, timedelta, timezone

import pytest
import structlog

from atrium.config import Environment, LoggingSettings
from atrium.core.clock import human_time
from atrium.core.logging import configure_logging

ISO_UTC = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z")


@pytest.mark.parametrize("json_output", [True, False])
def test_every_line_carries_an_iso_8601_utc_timestamp(
    json_output: bool, capsys: pytest.CaptureFixture[str]
) -> None:
    configure_logging(LoggingSettings(json_output=json_output), Environment.LOCAL)
    structlog.get_logger("atrium.test").info("from_structlog")
    logging.getLogger("celery.test").warning("from the standard library")
    lines = capsys.readouterr().err.strip().splitlines()
    assert len(lines) == 2, lines
    for line in lines:
        stamp = json.loads(line)["timestamp"] if json_output else line.split(" ", 1)[0]
        assert ISO_UTC.fullmatch(stamp), line


def test_human_time_is_utc_whatever_the_input_zone() -> None:
    paris = datetime(2026, 3, 29, 3, 30, 15, 123456, tzinfo=timezone(timedelta(hours=2)))
    assert human_time(paris) == "2026-03-29T01:30:15.123Z"
    assert human_time(datetime(2026, 1, 1)) == "2026-01-01T00:00:00.000Z"  # naive = UTC
