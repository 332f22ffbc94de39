"""The task names the workers can run, for beat's check of rows written in plain SQL or settings.

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
    "from atrium.worker.app import celery_app, registered_task_names\n"
    "print(json.dumps(registered_task_names(celery_app)))\n"
)


class TaskNames(Protocol):
    def known(self) -> frozenset[str] | None:
        """The registered names, or None while unknown (then nothing is checked)."""
        ...


class InProcess:
    """Names from an app whose task modules this process imports anyway (tests, the API)."""

    def __init__(self, app: Celery) -> None:
        self.app = app
        self._names: frozenset[str] | None = None

    def known(self) -> frozenset[str] | None:
        if self._names is None:
            from atrium.worker.app import registered_task_names

            self._names = frozenset(registered_task_names(self.app))
        return self._names


class FromChild:
    """Names listed by a child process, asked once, in a thread (never blocks beat)."""

    def __init__(self, timeout: float = CHILD_TIMEOUT) -> None:
        self.timeout = timeout
        self._names: frozenset[str] | None = None
        self._thread: threading.Thread | None = None

    def known(self) -> frozenset[str] | None:
        if self._thread is None:
            self._thread = threading.Thread(target=self._ask, name="atrium-task-names", daemon=True)
            self._thread.start()
        return self._names

    def _ask(self) -> None:
        try:
            done = subprocess.run(  # noqa: S603 - this interpreter, a constant script
                [sys.executable, "-c", _LIST_NAMES],
                capture_output=True,
                text=True,
                timeout=self.timeout,
                check=True,
            )
            names = frozenset(json.loads(done.stdout.strip().splitlines()[-1]))
        except Exception as exc:  # beat goes on without the check
            log.warning("beat_task_names_unavailable", error=repr(exc))
            return
        self._names = names
        log.info("beat_task_names_known", count=len(names))
