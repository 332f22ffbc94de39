"""One class per error code, one status per code, and docs/errors.md generated from them."""

from __future__ import annotations

import importlib
import pkgutil
import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

import atrium
from atrium.cli import cli
from atrium.config import default_settings
from atrium.core import errorcatalogue
from atrium.core.errorcatalogue import Entry
from atrium.core.errors import AppError, Conflict, NotFound, registered

ROOT = Path(__file__).resolve().parents[2]
CATALOGUE = ROOT / "docs" / "errors.md"
REGENERATE = "./atrium docs errors  (or: uv run atrium docs errors)"
SAMPLE_DOMAIN = "tests.core.sample_domain"


@pytest.fixture(scope="module")
def generated() -> str:
    return errorcatalogue.generate()


@pytest.fixture(scope="module")
def catalogue() -> list[Entry]:
    return errorcatalogue.entries(default_settings().domains)


def _import_every_atrium_module() -> None:
    for module in pkgutil.walk_packages(atrium.__path__, "atrium."):
        if module.name != "atrium.asgi":  # builds an app from the environment
            importlib.import_module(module.name)


def test_docs_errors_md_is_up_to_date(generated: str) -> None:
    current = CATALOGUE.read_text(encoding="utf-8") if CATALOGUE.is_file() else ""
    assert current == generated, f"docs/errors.md is stale: regenerate it with {REGENERATE}"


def test_one_class_and_one_status_per_code(catalogue: list[Entry]) -> None:
    statuses: dict[str, set[int]] = {}
    for entry in catalogue:
        statuses.setdefault(entry.code, set()).add(entry.status)
    assert {code: found for code, found in statuses.items() if len(found) > 1} == {}
    assert errorcatalogue.conflicts(catalogue) == {}
    assert len(catalogue) > 60


def test_two_classes_with_one_code_are_found() -> None:
    def entry(error: type[AppError], domain: str) -> Entry:
        return Entry("TAKEN", error.status_code, error.message, domain, "", error)

    twice = errorcatalogue.conflicts([entry(Conflict, "a"), entry(NotFound, "b")])
    assert [found.status for found in twice["TAKEN"]] == [409, 404]


def test_every_error_class_of_atrium_is_in_the_catalogue(catalogue: list[Entry]) -> None:
    _import_every_atrium_module()
    catalogued = {entry.error for entry in catalogue}
    outside = [
        f"{error.__module__}.{error.__qualname__}"
        for error in registered()
        if error.__module__.startswith("atrium.") and error not in catalogued
    ]
    assert outside == [], "declare error classes in core/errors.py or <domain>/errors.py"


def test_every_class_has_its_own_code_status_message_and_when(catalogue: list[Entry]) -> None:
    for entry in catalogue:
        assert re.fullmatch(r"[A-Z][A-Z0-9_]+", entry.code), entry.code
        assert 400 <= entry.status < 600, entry.code
        assert entry.message, entry.code
        assert entry.when, f"{entry.error.__qualname__} needs a docstring saying when"
        assert "code" in vars(entry.error), f"{entry.error.__qualname__} inherits its code"


def test_error_codes_name_their_status_and_domain(generated: str) -> None:
    assert "| `NOTIFICATION_RECIPIENT_NOT_FOUND` | 404 | notifications |" in generated
    assert "| `VALIDATION_ERROR` | 422 | core" in generated
    assert "| `AUTH_USER_DISABLED` | 403 | auth |" in generated


def test_the_api_reference_links_the_catalogue() -> None:
    reference = (ROOT / "docs" / "api.md").read_text(encoding="utf-8")
    assert "[error catalogue](errors.md)" in reference


def test_a_domain_outside_the_package_declares_its_codes_the_same_way() -> None:
    modules = errorcatalogue.error_modules([SAMPLE_DOMAIN, "tests.worker.sample_domain"])
    assert modules == {"atrium.core.errors": "core", f"{SAMPLE_DOMAIN}.errors": SAMPLE_DOMAIN}
    found = {entry.code: entry for entry in errorcatalogue.entries([SAMPLE_DOMAIN])}
    assert found["SAMPLE_TAKEN"].status == 409
    assert found["SAMPLE_TAKEN"].domain == SAMPLE_DOMAIN
    assert "NOT_FOUND" in found
    assert "ROLE_NOT_FOUND" not in found


def test_the_cli_writes_and_checks(tmp_path: Path, generated: str) -> None:
    target = tmp_path / "errors.md"
    runner = CliRunner()
    stale = runner.invoke(cli, ["docs", "errors", "--check", "--output", str(target)])
    assert stale.exit_code == 1
    assert "stale" in stale.output
    written = runner.invoke(cli, ["docs", "errors", "--output", str(target)])
    assert written.exit_code == 0, written.output
    assert target.read_text(encoding="utf-8") == generated
    fresh = runner.invoke(cli, ["docs", "errors", "--check", "--output", str(target)])
    assert fresh.exit_code == 0, fresh.output
