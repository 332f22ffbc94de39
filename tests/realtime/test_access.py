"""Socket events need their codes (``EVENT:<name>``), like routes; refusals are error acks."""

from __future__ import annotations

from typing import cast
from uuid import UUID

import httpx
import pytest

from atrium.core.errors import Forbidden
from atrium.core.ids import uuid7
from atrium.core.routing import Access
from atrium.core.state import AppState
from atrium.rbac.cache import PermissionSet
from atrium.rbac.deps import PERMISSIONS
from atrium.realtime.access import RbacEventPolicy
from tests.support.live import LiveServer, probe
from tests.support.users import give_role, new_user

API = "/api/v1"


async def test_an_event_needs_its_code_and_no_route_pattern_implies_one(
    live: LiveServer, state: AppState, http: httpx.AsyncClient
) -> None:
    """Found 9: any logged-in user could call any event."""
    root = await new_user(state, http, "root", superuser=True)
    alice = await new_user(state, http, "alice")
    await give_role(state, alice.user_id, "wide", ["*:/**"])
    payload = {"text": "hi"}
    async with probe(live.url, alice.access) as client:
        refused = await client.call("test:echo", payload)
        assert refused["code"] == "PERMISSION_DENIED"
        assert refused["details"][0]["message"] == "EVENT:test:echo"
        assert refused["data"] is None
        assert (await client.call("ping"))["code"] == "OK"  # open to every logged-in user
        role = await give_role(state, alice.user_id, "tester", ["EVENT:test:echo"])
        assert (await client.call("test:echo", payload))["code"] == "OK"
        assert (await client.call("test:boom"))["code"] == "PERMISSION_DENIED"
        url = f"{API}/roles/{role}"
        response = await http.patch(url, json={"status": "disabled"}, headers=root.headers)
        assert response.status_code == 200, response.text
        assert (await client.call("test:echo", payload))["code"] == "PERMISSION_DENIED"
        assert client.client.connected
    async with probe(live.url, root.access) as client:
        assert (await client.call("test:echo", payload))["code"] == "OK"  # superusers pass


async def test_event_patterns_cover_a_namespace(
    live: LiveServer, state: AppState, http: httpx.AsyncClient
) -> None:
    alice = await new_user(state, http, "alice")
    await give_role(state, alice.user_id, "tester", ["EVENT:test:*"])
    async with probe(live.url, alice.access) as client:
        assert (await client.call("test:echo", {"text": "hi"}))["code"] == "OK"
        assert (await client.call("messages:read", {"peerId": str(alice.user_id)}))[
            "code"
        ] == "PERMISSION_DENIED"


async def test_the_warm_check_reads_the_in_process_set(
    live: LiveServer, state: AppState, http: httpx.AsyncClient
) -> None:
    alice = await new_user(state, http, "alice")
    await give_role(state, alice.user_id, "tester", ["EVENT:test:echo"])
    async with probe(live.url, alice.access) as client:
        assert (await client.call("test:echo", {"text": "hi"}))["code"] == "OK"
        assert state.get(PERMISSIONS).local.get(alice.user_id) is not None


class _Slots:
    """The state's typed slots alone (the policy reads nothing else)."""

    def __init__(self) -> None:
        self.values: dict[object, object] = {}

    def get(self, key: object) -> object:
        if key not in self.values:
            raise LookupError(f"{key!r} was not set at startup")
        return self.values[key]


class _Fixed:
    def __init__(self, found: PermissionSet) -> None:
        self.found = found

    async def get(self, _user_id: UUID) -> PermissionSet:
        return self.found


async def test_the_policy_works_when_rbac_starts_after_realtime() -> None:
    """The domain order may put RBAC after realtime: the event policy finds its set later."""
    slots = _Slots()
    policy = RbacEventPolicy(cast("AppState", slots))  # before RBAC's start-up set its slot
    user_id = uuid7()
    with pytest.raises(LookupError):
        await policy.authorize(user_id, "EVENT:ping", Access.AUTHENTICATED)
    found = PermissionSet(
        user_id, exists=True, active=True, is_superuser=False, role_ids=(), grants=["EVENT:test:*"]
    )
    slots.values[PERMISSIONS] = _Fixed(found)
    await policy.authorize(user_id, "EVENT:test:echo", Access.PERMISSION)
    with pytest.raises(Forbidden):
        await policy.authorize(user_id, "EVENT:other", Access.PERMISSION)
