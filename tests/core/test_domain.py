"""The domain entry: one declaration per domain, found in one place, checked at start."""

from __future__ import annotations

import ast
import re
import subprocess
import sys
from pathlib import Path

import pytest

from atrium.config import Settings
from atrium.core.domain import DomainError, entry, load_domains
from atrium.domains import DEFAULT_DOMAINS
from atrium.main import create_app

ROOT = Path(__file__).resolve().parents[2]
SRC = ROOT / "src" / "atrium"
DOMAIN_NAMES = sorted(package.rsplit(".", 1)[-1] for package in DEFAULT_DOMAINS)


def _settings(domains: list[str]) -> Settings:
    return Settings(_env_file=None, domains=domains)


def test_every_default_domain_declares_its_entry() -> None:
    domains = load_domains(_settings(list(DEFAULT_DOMAINS)))
    assert domains.packages == list(DEFAULT_DOMAINS)
    for domain in domains:
        for part in ("models", "documents", "router", "tasks", "events", "cli", "errors"):
            # every declared module exists: a typo fails here, not in production
            domain.module(getattr(domain, part))
        domain.hook("startup")
        domain.initdb_step()


def test_a_domain_whose_dependency_is_removed_refuses_to_start() -> None:
    # The first domains after rbac need it too.
    without = ("atrium.rbac", "atrium.apikeys", "atrium.twofactor")
    without_rbac = [package for package in DEFAULT_DOMAINS if package not in without]
    with pytest.raises(DomainError, match=r"atrium\.scheduler needs atrium\.rbac.*not at all"):
        create_app(_settings(without_rbac))
    only_rbac = [package for package in DEFAULT_DOMAINS if package != "atrium.rbac"]
    with pytest.raises(DomainError, match=r"atrium\.apikeys needs atrium\.rbac.*not at all"):
        create_app(_settings(only_rbac))


def test_a_dependency_listed_after_its_dependant_is_refused() -> None:
    reordered = ["atrium.auth", "atrium.users"]
    with pytest.raises(DomainError, match=r"atrium\.auth needs atrium\.users.*after it"):
        load_domains(_settings(reordered))


def test_a_package_without_an_entry_is_refused_clearly() -> None:
    with pytest.raises(DomainError, match=r"'tests\.core' is listed in ATRIUM_DOMAINS but has no"):
        entry("tests.core")
    with pytest.raises(DomainError, match="listed twice"):
        load_domains(_settings(["atrium.health", "atrium.health"]))


def test_capabilities_beat_entries_and_dictionaries_come_from_the_entries() -> None:
    domains = load_domains(_settings(list(DEFAULT_DOMAINS)))
    assert "files:admin" in {code.code for code in domains.capabilities()}
    assert domains.beat_entries()["files.cleanup"].every == 3600
    assert "atrium.files.tasks" in domains.modules("tasks")
    seeds = {seed.code: seed for seed in domains.dictionaries()}
    assert [item.value for item in seeds["user_status"].items] == ["active", "disabled", "pending"]
    assert domains.beat_entries()["accounts.purge_tokens"].crontab == "17 * * * *"
    assert domains.celery_config()["beat_scheduler"] == "atrium.scheduler.beat:DatabaseScheduler"


def _named_domains(path: Path) -> list[str]:
    """Every domain package a module imports or names in a string."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: list[str] = []
    pattern = re.compile(rf"\batrium\.({'|'.join(DOMAIN_NAMES)})\b")
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module:
            found += pattern.findall(node.module)
        elif isinstance(node, ast.Import):
            found += [match for alias in node.names for match in pattern.findall(alias.name)]
        elif isinstance(node, ast.Constant) and isinstance(node.value, str):
            found += pattern.findall(node.value)
    return found


def test_the_core_and_the_settings_name_no_domain() -> None:
    modules = [*sorted((SRC / "core").rglob("*.py")), SRC / "config.py"]
    named = {str(path.relative_to(SRC)): _named_domains(path) for path in modules}
    assert {path: names for path, names in named.items() if names} == {}


def test_importing_the_worker_builds_no_celery_app() -> None:
    code = (
        "import celery._state as s\n"
        "import atrium.core.worker.app, atrium.core.worker.typed, atrium.files.tasks\n"
        "print(len(list(s._get_active_apps())))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT
    )
    assert out.stdout.strip() == "0"
