"""Programs from the system's packages that development commands bring themselves.

``make cluster`` needs nginx and ``make bench`` needs wrk; neither is a Python package, so each
command finds the program, and when it is missing installs the Debian package that ships it
(``apt-get install -y``, as root, or through ``sudo`` when that works without a password). When
neither is possible it stops with a message saying what to run by hand.

Standard library only: it runs before the application's dependencies are needed.
"""

# The only subprocesses here run apt-get (directly or through sudo) with fixed arguments.
# ruff: noqa: S603

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
from pathlib import Path

__all__ = ["SystemPackageError", "ensure_program", "find_program"]

# Debian puts some daemons outside an ordinary user's PATH.
EXTRA_DIRS = (Path("/usr/sbin"), Path("/sbin"), Path("/usr/local/sbin"))
APT_TIMEOUT = 600


class SystemPackageError(RuntimeError):
    """A program is missing and could not be installed; the message says what to do."""


def find_program(program: str) -> str | None:
    """The program's path: on PATH, else in the sbin directories."""
    found = shutil.which(program)
    if found:
        return found
    for folder in EXTRA_DIRS:
        candidate = folder / program
        if candidate.is_file() and os.access(candidate, os.X_OK):
            return str(candidate)
    return None


def _installer() -> list[str] | None:
    """How to run apt-get here: directly as root, through passwordless sudo, or not at all."""
    if shutil.which("apt-get") is None:
        return None
    if os.geteuid() == 0:
        return []
    sudo = shutil.which("sudo")
    if sudo is None:
        return None
    probe = subprocess.run([sudo, "-n", "true"], capture_output=True, check=False)
    return [sudo, "-n"] if probe.returncode == 0 else None


def _run(command: list[str]) -> None:
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    out = subprocess.run(
        command, capture_output=True, text=True, env=env, timeout=APT_TIMEOUT, check=False
    )
    if out.returncode != 0:
        tail = "\n".join(f"{out.stdout}{out.stderr}".strip().splitlines()[-10:])
        raise SystemPackageError(f"`{' '.join(command)}` failed:\n{tail}")


def ensure_program(program: str, package: str, purpose: str) -> str:
    """The path of ``program``, installing Debian's ``package`` first when it is missing."""
    found = find_program(program)
    if found:
        return found
    prefix = _installer()
    if prefix is None:
        raise SystemPackageError(
            f"{program} is needed {purpose} but is not installed, and it cannot be installed "
            f"from here (no apt-get, or neither root nor passwordless sudo): install the "
            f"'{package}' package (e.g. `sudo apt-get install -y {package}`) and retry"
        )
    print(f"{program} not found: installing the system package {package!r} ...", file=sys.stderr)
    try:
        _run([*prefix, "apt-get", "install", "-y", "-qq", package])
    except SystemPackageError:  # a stale package list is the usual reason: refresh it once
        _run([*prefix, "apt-get", "update", "-qq"])
        _run([*prefix, "apt-get", "install", "-y", "-qq", package])
    found = find_program(program)
    if found is None:
        raise SystemPackageError(f"the {package!r} package was installed but {program} is missing")
    return found


def main(argv: list[str] | None = None) -> int:
    """``python -m atrium.syspackages PROGRAM [PACKAGE]``: print its path, installing it."""
    parser = argparse.ArgumentParser(prog="python -m atrium.syspackages", description=__doc__)
    parser.add_argument("program")
    parser.add_argument("package", nargs="?", help="the Debian package (default: the program)")
    parser.add_argument("--purpose", default="here", help="said in the error message")
    args = parser.parse_args(argv)
    try:
        print(ensure_program(args.program, args.package or args.program, args.purpose))
    except SystemPackageError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
