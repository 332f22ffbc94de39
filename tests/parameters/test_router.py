"""The parameters API on both SQL backends: administrators create, change, reset and delete
parameters; values are checked against their type and declaration; keys and types never
change; a declared parameter is reset, never deleted."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from atrium.core.state import AppState
from atrium.parameters.runtime import PARAMETERS_RUNTIME
from tests.support.admin import API, Actor, actor, data

PARAMETERS = f"{API}/parameters"
REGISTRATION = f"{PARAMETERS}/accounts.registration"


async def _custom(client: httpx.AsyncClient, root: Actor, key: str, kind: str, value: Any) -> Any:
    body = {"key": key, "type": kind, "value": value, "description": f"{key} for tests"}
    return data(await client.post(PARAMETERS, json=body, headers=root.headers), 201)


def _error(answer: httpx.Response) -> tuple[int, str]:
    return answer.status_code, answer.json()["code"]


async def test_custom_parameters_of_every_type_are_created_read_changed_and_deleted(
    client: httpx.AsyncClient, state: AppState
) -> None:
    root = await actor(client, state, "root", superuser=True)
    values: dict[str, Any] = {
        "string": "hello",
        "int": 42,
        "bool": True,
        "json": {"limits": [1, 2], "on": None},
    }
    for kind, value in values.items():
        made = await _custom(client, root, f"shop.{kind}_value", kind, value)
        assert (made["type"], made["value"], made["declared"], made["source"]) == (
            kind,
            value,
            False,
            None,
        )
        assert made["updatedBy"] == str(root.id)
    url = f"{PARAMETERS}/shop.int_value"
    changed = data(await client.patch(url, json={"value": 7}, headers=root.headers))
    assert (changed["value"], changed["description"]) == (7, "shop.int_value for tests")
    assert data(await client.get(url, headers=root.headers))["value"] == 7
    runtime = state.get(PARAMETERS_RUNTIME)
    assert await runtime.get("shop.int_value") == 7
    assert await runtime.get("shop.json_value") == {"limits": [1, 2], "on": None}
    assert await runtime.get("shop.unknown") is None
    data(await client.delete(url, headers=root.headers))
    assert _error(await client.get(url, headers=root.headers)) == (404, "PARAMETER_NOT_FOUND")
    assert await runtime.get("shop.int_value") is None


@pytest.mark.parametrize(
    ("kind", "value"),
    [("int", "7"), ("int", True), ("int", 1.5), ("bool", 0), ("string", 3), ("string", None)],
)
async def test_a_value_of_the_wrong_type_is_a_422_with_its_own_code(
    client: httpx.AsyncClient, state: AppState, kind: str, value: Any
) -> None:
    root = await actor(client, state, "root", superuser=True)
    body = {"key": "shop.typed", "type": kind, "value": value}
    refused = await client.post(PARAMETERS, json=body, headers=root.headers)
    assert _error(refused) == (422, "PARAMETER_VALUE_INVALID")
    await _custom(client, root, "shop.typed", kind, {"int": 1, "bool": False, "string": "s"}[kind])
    again = await client.patch(
        f"{PARAMETERS}/shop.typed", json={"value": value}, headers=root.headers
    )
    assert _error(again) == (422, "PARAMETER_VALUE_INVALID")


async def test_keys_and_types_never_change_and_keys_are_unique_and_dotted(
    client: httpx.AsyncClient, state: AppState
) -> None:
    root = await actor(client, state, "root", superuser=True)
    await _custom(client, root, "shop.name", "string", "Atrium")
    url = f"{PARAMETERS}/shop.name"
    for change in ({"key": "shop.other"}, {"type": "json"}):
        refused = await client.patch(url, json=change, headers=root.headers)
        assert _error(refused) == (422, "VALIDATION_ERROR")
    assert data(await client.get(url, headers=root.headers))["type"] == "string"
    twice = await client.post(
        PARAMETERS, json={"key": "shop.name", "type": "string", "value": "x"}, headers=root.headers
    )
    assert _error(twice) == (409, "PARAMETER_KEY_TAKEN")
    declared = await client.post(
        PARAMETERS,
        json={"key": "accounts.registration", "type": "string", "value": "open"},
        headers=root.headers,
    )
    assert _error(declared) == (409, "PARAMETER_KEY_TAKEN")
    for bad in ("Shop.Name", "shop..name", "shop name", "1shop", "shop.", "x"):
        body = {"key": bad, "type": "string", "value": "x"}
        refused = await client.post(PARAMETERS, json=body, headers=root.headers)
        assert _error(refused) == (422, "VALIDATION_ERROR"), bad
    too_big = {"key": "shop.big", "type": "string", "value": "x" * 20_000}
    assert _error(await client.post(PARAMETERS, json=too_big, headers=root.headers)) == (
        422,
        "PARAMETER_VALUE_INVALID",
    )


async def test_a_declared_parameter_is_overridden_and_reset_never_deleted(
    client: httpx.AsyncClient, state: AppState
) -> None:
    root = await actor(client, state, "root", superuser=True)
    found = data(await client.get(REGISTRATION, headers=root.headers))
    assert found == found | {
        "type": "string",
        "value": "closed",
        "default": "closed",
        "overridden": False,
        "declared": True,
        "source": "accounts",
        "choices": ["closed", "invite", "open"],
    }
    outside = await client.patch(REGISTRATION, json={"value": "sometimes"}, headers=root.headers)
    assert _error(outside) == (422, "PARAMETER_VALUE_INVALID")
    changed = data(await client.patch(REGISTRATION, json={"value": "open"}, headers=root.headers))
    assert (changed["value"], changed["default"], changed["overridden"]) == ("open", "closed", True)
    refused = await client.delete(REGISTRATION, headers=root.headers)
    assert _error(refused) == (409, "PARAMETER_DECLARED")
    reset = data(await client.post(f"{REGISTRATION}/reset", headers=root.headers))
    assert (reset["value"], reset["overridden"]) == ("closed", False)
    await _custom(client, root, "shop.flag", "bool", False)
    custom_reset = await client.post(f"{PARAMETERS}/shop.flag/reset", headers=root.headers)
    assert _error(custom_reset) == (409, "PARAMETER_NOT_DECLARED")


async def test_the_list_pages_by_key_and_filters_by_prefix_source_and_kind(
    client: httpx.AsyncClient, state: AppState
) -> None:
    root = await actor(client, state, "root", superuser=True)
    for name in ("b", "a", "c"):
        await _custom(client, root, f"shop.{name}", "int", 1)
    await _custom(client, root, "shopping.cart", "int", 1)
    await _custom(client, root, "shop_x.y", "int", 1)  # ``_`` is no wildcard in the prefix
    data(await client.patch(REGISTRATION, json={"value": "invite"}, headers=root.headers))

    async def keys(**query: Any) -> list[str]:
        found = data(await client.get(PARAMETERS, params=query, headers=root.headers))
        return [item["key"] for item in found["items"]]

    assert await keys(prefix="shop.") == ["shop.a", "shop.b", "shop.c"]
    assert await keys(prefix="shop.", size=2, page=2) == ["shop.c"]
    assert await keys(source="accounts") == ["accounts.registration"]
    assert "accounts.registration" not in await keys(declared=False)
    assert await keys(declared=True) == ["accounts.registration"]


async def test_the_routes_need_their_permission(client: httpx.AsyncClient, state: AppState) -> None:
    bob = await actor(client, state, "bob")
    for method, url in (("GET", PARAMETERS), ("GET", REGISTRATION), ("POST", PARAMETERS)):
        answer = await client.request(method, url, headers=bob.headers, json={})
        assert _error(answer) == (403, "PERMISSION_DENIED"), (method, url)
    assert (await client.get(PARAMETERS)).status_code == 401
