"""The API for the realtime benchmark: ``uvicorn atrium.asgi:app`` with GC pauses recorded.

``python -m bench.realtime.serve PORT STATS_FILE``; on SIGTERM it shuts down and writes every
garbage collection it saw as ``[monotonic end, generation, seconds]`` to STATS_FILE, with the
number of objects frozen at start-up and the thresholds in force.
"""

from __future__ import annotations

import gc
import json
import signal
import sys
import time
from pathlib import Path
from typing import Any

import uvicorn

_pauses: list[tuple[float, int, float]] = []
_started = [0.0]


def _on_gc(phase: str, info: dict[str, Any]) -> None:
    now = time.perf_counter()
    if phase == "start":
        _started[0] = now
    else:
        _pauses.append((time.monotonic(), int(info["generation"]), now - _started[0]))


def main(port: int, stats: Path) -> None:
    def write(*_: object) -> None:
        summary = {
            "pauses": _pauses,
            "frozen": gc.get_freeze_count(),
            "thresholds": gc.get_threshold(),
        }
        stats.write_text(json.dumps(summary))
        sys.exit(0)

    # uvicorn restores this handler after its graceful shutdown and re-raises SIGTERM into it.
    signal.signal(signal.SIGTERM, write)
    gc.callbacks.append(_on_gc)
    config = uvicorn.Config(
        "atrium.asgi:app",
        host="127.0.0.1",
        port=port,
        log_level="warning",
        access_log=False,
        ws="websockets-sansio",
    )
    uvicorn.Server(config).run()
    write()


if __name__ == "__main__":
    main(int(sys.argv[1]), Path(sys.argv[2]))
