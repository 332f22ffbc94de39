"""Scaffolding a domain into a temporary project, and checking it as the project checks itself.

Importable by other tests (the extending tutorial's test builds on a scaffolded domain). The
domain lives under ``<tmp>/src/<prefix>/`` with its tests under ``<tmp>/tests/<name>/``; lint
and its tests run in this project's environment and configuration, the tests in a pytest of
their own with this suite's fixtures (``-p tests.conftest``) and the test services.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from uuid import uuid4

from typer.testing import CliRunner

from atrium.cli import cli

ROOT = Path(__file__).resolve().parents[2]
PYTEST_TIMEOUT = 240


@dataclass(frozen=True)
class Project:
    """A scaffolded domain in a temporary project root."""

    root: Path
    prefix: str
    name: str

    @property
    def package(self) -> str:
        return f"{self.prefix}.{self.name}"

    @property
    def package_dir(self) -> Path:
        return self.root / "src" / self.prefix / self.name

    @property
    def tests_dir(self) -> Path:
        return self.root / "tests" / self.name

    def env(self, services: dict[str, str]) -> dict[str, str]:
        """This process's environment (the test services' addresses included), with the
        temporary package and this project importable."""
        path = os.pathsep.join((str(self.root / "src"), str(ROOT)))
        return {**os.environ, **services, "PYTHONPATH": path, "MYPYPATH": str(self.root / "src")}


def new_domain(tmp_path: Path, name: str, prefix: str = "") -> tuple[Project, str]:
    """``atrium new domain NAME`` into ``tmp_path`` (a fresh package prefix); its output."""
    project = Project(tmp_path, prefix or f"scaffolded_{uuid4().hex[:8]}", name)
    args = ["new", "domain", name, "--root", str(tmp_path), "--package", project.prefix]
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 0, result.output
    return project, result.output


def run(args: list[str], env: dict[str, str] | None = None, timeout: float = 120) -> str:
    """Run a command from the project root; its output, asserting it succeeded."""
    done = subprocess.run(
        args, cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout, check=False
    )
    output = done.stdout + done.stderr
    assert done.returncode == 0, f"{' '.join(args)} failed:\n{output}"
    return output


def ruff(project: Project, paths: list[Path]) -> None:
    """``ruff check`` and ``ruff format --check`` with the project's configuration; the temporary
    package and ``tests`` are first-party, as a package under ``src/`` is."""
    config = ["--config", str(ROOT / "pyproject.toml")]
    first_party = f"lint.isort.known-first-party = ['{project.prefix}', 'tests']"
    files = [str(path) for path in paths]
    run([sys.executable, "-m", "ruff", "check", *config, "--config", first_party, *files])
    run([sys.executable, "-m", "ruff", "format", "--check", *config, *files])


def lint(project: Project, paths: list[Path], services: dict[str, str]) -> None:
    """What ``make lint`` runs: ruff, then ``mypy --strict``."""
    ruff(project, paths)
    files = [str(path) for path in paths]
    run([sys.executable, "-m", "mypy", "--strict", *files], env=project.env(services))


@dataclass(frozen=True)
class TestRun:
    output: str
    passed: int


def run_tests(project: Project, services: dict[str, str], *paths: Path) -> TestRun:
    """Its tests in a pytest of their own (this suite's fixtures, both SQL backends)."""
    args = [sys.executable, "-m", "pytest", "-c", str(ROOT / "pyproject.toml")]
    args += ["--rootdir", str(ROOT), "-p", "tests.conftest", "-p", "no:cacheprovider", "-q"]
    targets = [str(path) for path in paths] or [str(project.tests_dir)]
    output = run([*args, *targets], env=project.env(services), timeout=PYTEST_TIMEOUT)
    summary = output.strip().splitlines()[-1]
    assert not re.search(r"failed|error|skipped|xfail|deselected", summary), output
    found = re.search(r"(\d+) passed", summary)
    assert found is not None, output
    return TestRun(output, int(found.group(1)))
