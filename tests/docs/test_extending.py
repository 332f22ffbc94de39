"""docs/extending.md, run as written: scaffold ``notes``, check every excerpt against what the
scaffold wrote, write every file block into the domain in order, then run ruff, ``mypy --strict``
and the domain's tests (the scaffolded ones and the tutorial's) on both SQL backends.

The tutorial speaks of ``atrium.notes``; the test's domain lives in a temporary package, so the
blocks are moved there (``atrium.notes`` becomes ``<prefix>.notes``) as the scaffold would have
written them: the package's imports sorted, the lines formatted.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from uuid import uuid4

import pytest

from atrium.scaffold import format_python, sort_imports
from tests.support.scaffolding import ROOT, Project, lint, new_domain, ruff, run_tests

DOC = ROOT / "docs" / "extending.md"
BLOCK = re.compile(r"<!-- (file|excerpt): (\S+) -->\n```python\n(.*?)```\n", re.DOTALL)
PACKAGE = "atrium.notes"
# Both SQL backends: the scaffold's tests (8), the capability's (2), the schedule's (1) and the
# socket event's (2).
TESTS = 2 * (8 + 2 + 1 + 2)


@dataclass(frozen=True)
class Block:
    kind: str
    path: str
    code: str


def blocks(kind: str) -> list[Block]:
    found = [Block(*match) for match in BLOCK.findall(DOC.read_text(encoding="utf-8"))]
    return [block for block in found if block.kind == kind]


def place(project: Project, path: str) -> Path:
    """Where a path of the tutorial (``src/atrium/notes/x.py``, ``tests/notes/x.py``) is."""
    for prefix, folder in (("src/atrium/notes/", project.package_dir), ("tests/notes/", None)):
        if path.startswith(prefix):
            return (folder or project.tests_dir) / path.removeprefix(prefix)
    raise AssertionError(f"{path}: the tutorial writes only into the notes domain and its tests")


def moved(code: str, project: Project) -> str:
    return sort_imports(re.sub(r"\batrium\.notes\b", project.package, code), project.package)


def test_the_tutorial_starts_from_the_scaffold_and_is_linked() -> None:
    text = DOC.read_text(encoding="utf-8")
    assert "\n./atrium new domain notes\n" in text
    assert len(blocks("file")) >= 6
    assert len(blocks("excerpt")) >= 4
    assert "(docs/extending.md)" in (ROOT / "README.md").read_text(encoding="utf-8")
    assert "(extending.md)" in (ROOT / "docs" / "architecture.md").read_text(encoding="utf-8")


def test_every_file_block_passes_ruff_as_printed(tmp_path: Path) -> None:
    """The code on the page is lint-clean and formatted as it stands (``atrium.notes``)."""
    project = Project(tmp_path, "atrium", "notes")
    written = []
    for index, block in enumerate(blocks("file")):
        path = tmp_path / str(index) / block.path
        path.parent.mkdir(parents=True)
        path.write_text(block.code, encoding="utf-8")
        written.append(path)
    ruff(project, written)


@pytest.mark.slow
def test_the_tutorial_builds_a_domain_that_passes_lint_and_its_tests(
    tmp_path: Path, services: dict[str, str]
) -> None:
    project, _ = new_domain(tmp_path, "notes", prefix=f"tutorial_{uuid4().hex[:8]}")
    for block in blocks("excerpt"):
        scaffolded = place(project, block.path).read_text(encoding="utf-8")
        assert moved(block.code, project) in scaffolded, f"{block.path} lacks:\n{block.code}"
    written = []
    for block in blocks("file"):
        path = place(project, block.path)
        path.write_text(moved(block.code, project), encoding="utf-8")
        written.append(path)
    assert format_python(written, tmp_path) == []
    lint(project, [project.root / "src", project.tests_dir], services)
    tests = run_tests(project, services)
    assert tests.passed == TESTS, tests.output
