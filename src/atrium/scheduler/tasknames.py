"""The task names the workers can run and those that may be scheduled, for beat's check of rows
written in plain SQL or settings, and for the ops API.

A task is scheduled from the database only if it opted in (``@task(..., schedulable=True)`` or
``schedule_permission=...``, ``worker.typed``); ``schedulable_tasks`` lists those with the
permission code each needs. Beat skips (with a warning) rows of tasks that are not listed.

Beat does not import the domains' task modules itself: they pull in most of the application
(about 25 MB, a sixth of beat's memory budget at 100k tasks). A short-lived child process with
the same environment imports them once and prints the names; until it answers (or if it fails)
beat checks nothing and dispatches as before.
"""

from __future__ import annotations

import json
import subprocess
import sys
import threading
from typing import Protocol

import structlog
from celery import Celery

log = structlog.get_logger(__name__)

CHILD_TIMEOUT = 120.0
_LIST_NAMES = (
    "import json\n"
    "from atrium.scheduler.tasknames import schedulable_tasks\n"
    "from atrium.config import get_settings\n"
    "from atrium.core.worker.app import create_celery, registered_task_names\n"
    "app = create_celery(get_settings())\n"
    "names = registered_task_names(app)\n"
    "print(json.dumps({'names': names, 'schedulable': sorted(schedulable_tasks(app))}))\n"
)


def schedulable_tasks(app: Celery) -> dict[str, str | None]:
    """Every task that may be scheduled from the database, with the permission it needs."""
    from atrium.core.worker.app import registered_task_names
    from atrium.core.worker.typed import schedule_declaration

    found: dict[str, str | None] = {}
    for name in registered_task_names(app):
        declaration = schedule_declaration(app.tasks[name])
        if declaration is not None:
            found[name] = declaration.permission
    return found


class TaskNames(Protocol):
    def known(self) -> frozenset[str] | None:
        """The registered names, or None while unknown (then nothing is checked)."""
        ...

    def schedulable(self) -> frozenset[str] | None:
        """The names that opted in to scheduling, or None while unknown."""
        ...


class InProcess:
    """Names from an app whose task modules this process imports anyway (tests, the API)."""

    def __init__(self, app: Celery) -> None:
        self.app = app
        self._names: frozenset[str] | None = None
        self._schedulable: frozenset[str] | None = None

    def known(self) -> frozenset[str] | None:
        if self._names is None:
            from atrium.core.worker.app import registered_task_names

            self._names = frozenset(registered_task_names(self.app))
        return self._names

    def schedulable(self) -> frozenset[str] | None:
        if self._schedulable is None:
            self._schedulable = frozenset(schedulable_tasks(self.app))
        return self._schedulable


class FromChild:
    """Names listed by a child process, asked once, in a thread (never blocks beat)."""

    def __init__(self, timeout: float = CHILD_TIMEOUT) -> None:
        self.timeout = timeout
        self._names: frozenset[str] | None = None
        self._schedulable: frozenset[str] | None = None
        self._thread: threading.Thread | None = None

    def known(self) -> frozenset[str] | None:
        if self._thread is None:
            self._thread = threading.Thread(target=self._ask, name="atrium-task-names", daemon=True)
            self._thread.start()
        return self._names

    def schedulable(self) -> frozenset[str] | None:
        self.known()
        return self._schedulable

    def _ask(self) -> None:
        try:
            done = subprocess.run(  # noqa: S603 - this interpreter, a constant script
                [sys.executable, "-c", _LIST_NAMES],
                capture_output=True,
                text=True,
                timeout=self.timeout,
                check=True,
            )
            listed = json.loads(done.stdout.strip().splitlines()[-1])
            names, schedulable = frozenset(listed["names"]), frozenset(listed["schedulable"])
        except Exception as exc:  # beat goes on without the check
            log.warning("beat_task_names_unavailable", error=repr(exc))
            return
        self._schedulable = schedulable  # first: a reader that sees the names sees both
        self._names = names
        log.info("beat_task_names_known", count=len(names), schedulable=len(schedulable))
