"""Structured logging with structlog: JSON outside local, readable in local.

Every process (API, worker, beat, CLI) calls :func:`configure_logging` once, so every line
carries the same ISO 8601 UTC timestamp.
"""

from __future__ import annotations

import logging
import sys

import structlog

from atrium.config import Environment, LoggingSettings
from atrium.core.clock import human_time, utcnow


def _timestamp(
    _logger: object, _method: str, event: structlog.types.EventDict
) -> structlog.types.EventDict:
    """Every line's time, API, worker and beat alike: ISO 8601 UTC (``core.clock.human_time``)."""
    event["timestamp"] = human_time(utcnow())
    return event


def configure_logging(settings: LoggingSettings, environment: Environment) -> None:
    """Route structlog and the standard library through one renderer."""
    json_output = (
        settings.json_output
        if settings.json_output is not None
        else environment is not Environment.LOCAL
    )
    shared: list[structlog.types.Processor] = [
        structlog.contextvars.merge_contextvars,
        structlog.stdlib.add_log_level,
        structlog.stdlib.add_logger_name,
        _timestamp,
        structlog.processors.StackInfoRenderer(),
    ]
    renderer: structlog.types.Processor = (
        structlog.processors.JSONRenderer()
        if json_output
        else structlog.dev.ConsoleRenderer(colors=sys.stderr.isatty())
    )
    structlog.configure(
        processors=[*shared, structlog.stdlib.ProcessorFormatter.wrap_for_formatter],
        logger_factory=structlog.stdlib.LoggerFactory(),
        wrapper_class=structlog.stdlib.BoundLogger,
        cache_logger_on_first_use=True,
    )
    extra: list[structlog.types.Processor] = (
        [structlog.processors.format_exc_info] if json_output else []
    )
    formatter = structlog.stdlib.ProcessorFormatter(
        foreign_pre_chain=shared,
        processors=[
            structlog.stdlib.ProcessorFormatter.remove_processors_meta,
            *extra,
            renderer,
        ],
    )
    handler = logging.StreamHandler()
    handler.setFormatter(formatter)
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(settings.level.upper())
    # uvicorn's own access log duplicates ours.
    logging.getLogger("uvicorn.access").handlers[:] = []
    logging.getLogger("uvicorn.access").propagate = False
