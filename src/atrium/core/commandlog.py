"""Admin commands, recorded: the decorator every state-changing command wears (``audited``) and
the recorders a domain adds (the audit log's, when it is configured).

Without a recorder the decorator only runs the command. With one, the recorder's context is open
while the command runs (to gather what it commits) and it is told of the run when it ends: its
name, its exit status (0 for success) and how long it took, failures included.
"""

from __future__ import annotations

import functools
import time
from collections.abc import Callable
from contextlib import AbstractContextManager, ExitStack
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import ParamSpec, Protocol, TypeVar

import click
import typer

from atrium.core.clock import utcnow

P = ParamSpec("P")
R = TypeVar("R")


@dataclass(frozen=True, slots=True)
class CommandRun:
    name: str  # ``rbac sync``
    started_at: datetime
    duration: float  # seconds
    exit_code: int


class CommandRecorder(Protocol):
    def recording(self) -> AbstractContextManager[object]:
        """Opened around the command while it runs."""

    def record(self, run: CommandRun) -> None:
        """Told of each run once it ended; must not raise."""


_RECORDERS: list[CommandRecorder] = []


def add_recorder(recorder: CommandRecorder) -> None:
    if recorder not in _RECORDERS:
        _RECORDERS.append(recorder)


def remove_recorder(recorder: CommandRecorder) -> None:
    if recorder in _RECORDERS:
        _RECORDERS.remove(recorder)


def audited(name: str) -> Callable[[Callable[P, R]], Callable[P, R]]:
    """Record each run of the decorated command under ``name`` (its signature is kept)."""

    def decorate(command: Callable[P, R]) -> Callable[P, R]:
        @functools.wraps(command)
        def run(*args: P.args, **kwargs: P.kwargs) -> R:
            with ExitStack() as stack:
                for recorder in list(_RECORDERS):
                    stack.enter_context(recorder.recording())
                start, exit_code = time.perf_counter(), 1
                try:
                    result = command(*args, **kwargs)
                    exit_code = 0
                    return result
                except (click.exceptions.Exit, typer.Exit) as exc:
                    exit_code = exc.exit_code
                    raise
                except SystemExit as exc:
                    exit_code = exc.code if isinstance(exc.code, int) else 1
                    raise
                finally:
                    _tell(name, time.perf_counter() - start, exit_code)

        return run

    return decorate


def _tell(name: str, duration: float, exit_code: int) -> None:
    started = utcnow() - timedelta(seconds=duration)
    for recorder in list(_RECORDERS):
        recorder.record(CommandRun(name, started, duration, exit_code))
