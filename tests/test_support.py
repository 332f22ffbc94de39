"""The suite's own rules: helpers come from ``tests.support``, never from a conftest, and the
support factories give what they promise."""

from __future__ import annotations

import ast
from collections.abc import Iterator

import httpx

from atrium.core.state import AppState
from tests.support import ROOT
from tests.support.users import new_user, superuser, user_with_grants

SCANNED = ("tests", "bench")
ROLES = "/api/v1/roles"
MENUS = "/api/v1/menus"


def _conftest_imports(tree: ast.AST) -> Iterator[tuple[int, str]]:
    """Every import of a conftest module or of a name from one, with its line."""
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            module = node.module or ""
            if "conftest" in module.split(".") or any(a.name == "conftest" for a in node.names):
                yield node.lineno, ast.unparse(node)
        elif isinstance(node, ast.Import) and any(
            "conftest" in alias.name.split(".") for alias in node.names
        ):
            yield node.lineno, ast.unparse(node)


def test_no_module_imports_from_a_conftest() -> None:
    found = [
        f"{path.relative_to(ROOT)}:{line}: {statement}"
        for folder in SCANNED
        for path in sorted((ROOT / folder).rglob("*.py"))
        for line, statement in _conftest_imports(ast.parse(path.read_text(), str(path)))
    ]
    assert found == [], "import from tests.support instead:\n" + "\n".join(found)


def test_the_scan_sees_every_spelling() -> None:
    source = (
        "from tests.conftest import _settings\n"
        "from tests.files.conftest import form\n"
        "from .conftest import PROBE\n"
        "from tests.rbac import conftest\n"
        "import tests.worker.conftest\n"
        "def f() -> None:\n"
        "    from tests.conftest import _clean\n"
        "from tests.support.users import new_user\n"
        "import conftests_are_not_this\n"
    )
    assert [line for line, _ in _conftest_imports(ast.parse(source))] == [1, 2, 3, 4, 5, 7]


async def test_superuser_passes_every_check(client: httpx.AsyncClient, state: AppState) -> None:
    root = await superuser(state, client)
    nobody = await new_user(state, client, "nobody")
    assert (await client.get(MENUS, headers=root.headers)).status_code == 200
    assert (await client.get(MENUS, headers=nobody.headers)).status_code == 403


async def test_user_with_grants_holds_exactly_those(
    client: httpx.AsyncClient, state: AppState
) -> None:
    alice = await user_with_grants(state, client, "alice", ["GET:/api/v1/roles"])
    assert (await client.get(ROLES, headers=alice.headers)).status_code == 200
    assert (await client.get(MENUS, headers=alice.headers)).status_code == 403
    bob = await user_with_grants(state, client, "bob", ["GET:/api/v1/menus"], role="menu-reader")
    assert (await client.get(MENUS, headers=bob.headers)).status_code == 200
    assert (await client.get(ROLES, headers=bob.headers)).status_code == 403
