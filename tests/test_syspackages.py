"""System programs the development commands bring: found where Debian puts them, or a clear
message when they cannot be installed."""

from __future__ import annotations

from pathlib import Path

import pytest

from atrium import syspackages


def test_a_program_on_path_is_found_without_installing(tmp_path: Path) -> None:
    program = tmp_path / "atrium-fake-tool"
    program.write_text("#!/bin/sh\n")
    program.chmod(0o755)
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("PATH", str(tmp_path))
        assert syspackages.ensure_program("atrium-fake-tool", "no-such-package", "here") == str(
            program
        )


def test_a_program_in_sbin_is_found_off_path(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", "/nonexistent")
    found = [p for p in syspackages.EXTRA_DIRS if p.is_dir() and any(p.iterdir())]
    if not found:
        pytest.skip("no sbin directory with programs on this machine")
    program = next(p for p in sorted(found[0].iterdir()) if p.is_file())
    assert syspackages.find_program(program.name) == str(program)


def test_without_a_way_to_install_the_message_names_the_package(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))  # no apt-get, no sudo
    monkeypatch.setattr(syspackages, "EXTRA_DIRS", ())
    with pytest.raises(syspackages.SystemPackageError) as caught:
        syspackages.ensure_program("atrium-missing-tool", "atrium-tool-pkg", "by the tests")
    message = str(caught.value)
    assert "atrium-missing-tool is needed by the tests" in message
    assert "apt-get install -y atrium-tool-pkg" in message
