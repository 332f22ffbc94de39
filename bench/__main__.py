"""Run the benchmarks: ``python -m bench [login authz realtime scheduler dashboard] [options...]``.

Each benchmark is its own module (``python -m bench.<name>``) that reads the test services'
addresses from ``var/test/services.env``; this runner installs the system programs they drive
(wrk for ``authz``, from the system's packages when missing), starts those services (and stops
what it started), then runs the named benchmarks one after another.
"""

from __future__ import annotations

import os
import subprocess
import sys

from atrium import devservices
from atrium.syspackages import SystemPackageError, ensure_program

BENCHMARKS = ("login", "authz", "realtime", "scheduler", "dashboard")
# benchmark -> (program, the Debian package that ships it) it needs on PATH
PROGRAMS = {"authz": [("wrk", "wrk")]}


def main(argv: list[str]) -> int:
    # Names first, then options passed to each benchmark: ``scheduler --sizes 1000``.
    split = next((i for i, arg in enumerate(argv) if arg.startswith("-")), len(argv))
    names, flags = argv[:split] or list(BENCHMARKS), argv[split:]
    unknown = sorted(set(names) - set(BENCHMARKS))
    if unknown:
        print(f"unknown benchmark(s): {', '.join(unknown)}; choose from {BENCHMARKS}")
        return 2
    try:
        for name in names:
            for program, package in PROGRAMS.get(name, []):
                ensure_program(program, package, f"by bench.{name}")
    except SystemPackageError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    environment = {**os.environ, **devservices.up("test")}
    try:
        for name in names:
            print(f"== bench.{name}", flush=True)
            command = [sys.executable, "-m", f"bench.{name}", *flags]
            done = subprocess.run(command, check=False, env=environment)
            if done.returncode != 0:
                return done.returncode
    finally:
        devservices.down("test")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
