"""``atrium new domain``: names, refusals, registration, and a scaffolded domain that passes
ruff, ``mypy --strict`` and its own tests (both SQL backends) as generated."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from atrium import scaffold
from atrium.cli import cli
from atrium.scaffold import ScaffoldError, domain_names
from tests.support.scaffolding import ROOT, lint, new_domain, ruff, run_tests

# Both SQL backends: the router tests (6) and the task tests (2).
GENERATED_TESTS = 2 * (6 + 2)


@pytest.mark.parametrize(
    ("name", "model", "item", "path"),
    [
        ("notes", "Note", "note", "notes"),
        ("categories", "Category", "category", "categories"),
        ("boxes", "Box", "box", "boxes"),
        ("status", "Status", "status", "status"),
        ("time_entries", "TimeEntry", "time_entry", "time-entries"),
        ("inventory", "Inventory", "inventory", "inventory"),
    ],
)
def test_names_follow_from_the_domains_name(name: str, model: str, item: str, path: str) -> None:
    names = domain_names(name)
    assert (names.package, names.model, names.item, names.path) == (
        f"atrium.{name}",
        model,
        item,
        path,
    )


def test_the_model_class_may_be_chosen() -> None:
    names = domain_names("news", "acme.apps", model="NewsItem")
    assert (names.package, names.model, names.item) == ("acme.apps.news", "NewsItem", "news_item")


@pytest.mark.parametrize(
    ("name", "prefix", "refusal"),
    [
        ("Notes", "atrium", "is not a domain name"),
        ("2notes", "atrium", "is not a domain name"),
        ("time-entries", "atrium", "is not a domain name"),
        ("time__entries", "atrium", "is not a domain name"),
        ("n" * 25, "atrium", "at most 24 characters"),
        ("class", "atrium", "keyword"),
        ("services", "atrium", "would shadow a name the domain's code uses"),
        ("documents", "atrium", "would shadow one the domain imports"),
        ("ids", "atrium", "built-in"),
        ("notes", "acme-apps", "is not a Python package name"),
    ],
)
def test_bad_names_are_refused(name: str, prefix: str, refusal: str) -> None:
    with pytest.raises(ScaffoldError, match=re.escape(refusal)):
        domain_names(name, prefix)


def test_the_command_refuses_a_taken_or_invalid_name_and_writes_nothing(tmp_path: Path) -> None:
    runner = CliRunner()
    command = ["new", "domain", "--root", str(tmp_path), "--package", "acme"]
    first = runner.invoke(cli, [*command, "notes"])
    assert first.exit_code == 0, first.output
    assert "wrote src/acme/notes/domain.py" in first.output
    assert "add 'acme.notes' to ATRIUM_DOMAINS" in first.output
    assert "atrium migrate" in first.output
    written = sorted(tmp_path.rglob("*"))
    again = runner.invoke(cli, [*command, "notes"])
    assert again.exit_code == 1
    assert "a domain named 'notes' exists already: src/acme/notes" in again.output
    invalid = runner.invoke(cli, [*command, "Bad-Name"])
    assert invalid.exit_code == 1
    assert "'Bad-Name' is not a domain name" in invalid.output
    assert sorted(tmp_path.rglob("*")) == written


def _defaults(registry: str) -> tuple[str, ...]:
    for node in ast.parse(registry).body:
        if isinstance(node, ast.Assign) and ast.unparse(node.targets[0]) == "DEFAULT_DOMAINS":
            found: tuple[str, ...] = ast.literal_eval(node.value)
            return found
    raise AssertionError("no DEFAULT_DOMAINS")


def test_registering_appends_to_the_default_domains() -> None:
    current = (ROOT / "src" / "atrium" / "domains.py").read_text(encoding="utf-8")
    updated = scaffold.register(current, "atrium.notes")
    assert _defaults(updated) == (*_defaults(current), "atrium.notes")
    with pytest.raises(ScaffoldError, match="DEFAULT_DOMAINS"):
        scaffold.register("DOMAINS = ['atrium.users']\n", "atrium.notes")


@pytest.mark.parametrize("name", ["a", "stock_transfer_approvals"])
def test_the_shortest_and_longest_names_give_clean_code(tmp_path: Path, name: str) -> None:
    """Line lengths and the import order depend on the name: the extremes pass ruff too."""
    project, _ = new_domain(tmp_path, name)
    ruff(project, [project.root / "src", project.tests_dir])


@pytest.mark.slow
def test_a_scaffolded_domain_passes_lint_and_its_own_tests(
    tmp_path: Path, services: dict[str, str]
) -> None:
    project, output = new_domain(tmp_path, "notes")
    package = project.package_dir
    expected = [
        "domain.py",
        "models.py",
        "documents.py",
        "schemas.py",
        "errors.py",
        "repository.py",
        "service.py",
        "deps.py",
        "router.py",
        "tasks.py",
    ]
    assert all((package / module).is_file() for module in expected)
    revisions = list((package / "migrations").glob("*-create_notes_table.py"))
    assert len(revisions) == 1
    assert (tmp_path / "docs" / "notes.md").is_file()
    assert f"wrote src/{project.prefix}/notes/router.py" in output
    lint(project, [project.root / "src", project.tests_dir], services)
    tests = run_tests(project, services)
    assert tests.passed == GENERATED_TESTS, tests.output
    assert re.search(r"postgresql: \d+ passed", tests.output), tests.output
    assert re.search(r"sqlite: \d+ passed", tests.output), tests.output
