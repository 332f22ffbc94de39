"""Typed tasks: mypy rejects a wrong argument to ``.delay()`` and ``.apply_async()``."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.slow
def test_mypy_rejects_wrong_argument_types() -> None:
    target = ROOT / "tests" / "typing_fail" / "wrong_argument.py"
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "mypy",
            "--strict",
            "--config-file",
            str(ROOT / "pyproject.toml"),
            str(target),
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    out = result.stdout
    assert result.returncode == 1, out
    assert 'Argument 1 to "delay" of "TypedTask" has incompatible type "str"; expected "int"' in out
    assert (
        'Argument "y" to "apply_async" of "TypedTask" has incompatible type "str"; expected "int"'
        in out
    )
    assert 'Unexpected keyword argument "z" for "delay" of "TypedTask"' in out
    assert out.count("error:") == 3, out
