"""Users own users: dependencies point down (core <- users <- auth <- rbac <- features), and no
module outside ``atrium.users`` builds a query on the users table.

Both read the source (``ast``), so a lazy import inside a function counts like one at the top.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa

import atrium
from atrium.users.models import User

SRC = Path(atrium.__file__).parent
FEATURES = {"realtime", "notifications", "files", "scheduler", "worker", "health"}
# What each layer must never import. (Auth's commands open the stores through the app factory,
# ``atrium.main``, which stands above every domain; the users domain has no commands.)
ABOVE: dict[str, set[str]] = {
    "users": {"auth", "rbac", "main", "cli", *FEATURES},
    "auth": {"rbac", *FEATURES},
}
# Calls whose arguments build SQL: naming the users table in one is a query of it.
SQL_CALLS = {"select", "get", "update", "delete", "insert", "select_from", "join", "outerjoin"}
COLUMNS = frozenset(sa.inspect(User).columns.keys())


def _modules(package: Path) -> Iterator[Path]:
    yield from sorted(package.rglob("*.py"))


def _imported(tree: ast.AST) -> Iterator[tuple[int, str]]:
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            yield from ((node.lineno, alias.name) for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            yield node.lineno, node.module


def _layer(module: str) -> str | None:
    parts = module.split(".")
    return parts[1] if parts[0] == "atrium" and len(parts) > 1 else None


@pytest.mark.parametrize("layer", sorted(ABOVE))
def test_a_layer_imports_no_higher_one(layer: str) -> None:
    wrong = []
    for path in _modules(SRC / layer):
        for line, module in _imported(ast.parse(path.read_text(), str(path))):
            if _layer(module) in ABOVE[layer]:
                wrong.append(f"{path.relative_to(SRC)}:{line} imports {module}")
    assert not wrong, f"atrium.{layer} imports a layer above it: {wrong}"


def _user_names(tree: ast.AST) -> set[str]:
    """The names bound to the ``User`` table model in a module (imports and aliases)."""
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module == "atrium.users.models":
            names |= {alias.asname or alias.name for alias in node.names if alias.name == "User"}
    for node in ast.walk(tree):  # ``_USER: Any = User`` and the like
        if isinstance(node, ast.Assign | ast.AnnAssign):
            value, targets = node.value, getattr(node, "targets", [getattr(node, "target", None)])
            if isinstance(value, ast.Name) and value.id in names:
                names |= {t.id for t in targets if isinstance(t, ast.Name)}
    return names


def _queries(tree: ast.AST, names: set[str]) -> Iterator[tuple[int, str]]:
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name):
            if node.value.id in names and node.attr in COLUMNS:
                yield node.lineno, f"{node.value.id}.{node.attr}"
        elif isinstance(node, ast.Call):
            func = node.func
            called = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
            named = [a for a in node.args if isinstance(a, ast.Name) and a.id in names]
            if called in SQL_CALLS and named:
                yield node.lineno, f"{called}({named[0].id}, ...)"


def test_only_the_users_domain_queries_the_users_table() -> None:
    found = []
    for path in _modules(SRC):
        if path.is_relative_to(SRC / "users"):
            continue
        tree = ast.parse(path.read_text(), str(path))
        if names := _user_names(tree):
            found += [f"{path.relative_to(SRC)}:{n} {what}" for n, what in _queries(tree, names)]
    assert not found, f"ask atrium.users.repository instead: {found}"


def test_the_check_sees_a_query() -> None:
    """The scan is not vacuous: the shapes of query other domains used to write are caught."""
    source = (
        "from atrium.users.models import User as Person\n"
        "_P = Person\n"
        "q = select(_P.username).where(_P.id == 1)\n"
        "r = session.get(Person, 1)\n"
    )
    tree = ast.parse(source)
    caught = sorted(what for _, what in _queries(tree, _user_names(tree)))
    assert caught == ["_P.id", "_P.username", "get(Person, ...)"]
