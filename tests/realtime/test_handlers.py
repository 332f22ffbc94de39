"""Socket events: validated payloads, injected dependencies, error acks; the socket stays up."""

from __future__ import annotations

import httpx

from atrium.core.state import AppState
from tests.support.live import LiveServer, probe
from tests.support.users import give_role, new_user


async def test_a_valid_payload_is_handled_with_the_user_injected(
    live: LiveServer, state: AppState, http: httpx.AsyncClient
) -> None:
    alice = await new_user(state, http, "alice")
    await give_role(state, alice.user_id, "tester", ["EVENT:test:echo"])
    async with probe(live.url, alice.access) as client:
        ack = await client.call("test:echo", {"text": "hi", "times": 2})
    assert ack == {
        "code": "OK",
        "message": "OK",
        "data": {"text": "hihi", "userId": str(alice.user_id)},
    }


async def test_bad_payloads_unknown_events_and_bugs_get_error_acks_and_the_socket_stays(
    live: LiveServer, state: AppState, http: httpx.AsyncClient
) -> None:
    alice = await new_user(state, http, "alice")
    await give_role(state, alice.user_id, "tester", ["EVENT:test:*"])
    async with probe(live.url, alice.access) as client:
        invalid = await client.call("test:echo", {"text": "", "times": 9})
        assert invalid["code"] == "VALIDATION_ERROR"
        assert {tuple(d["loc"]) for d in invalid["details"]} == {("text",), ("times",)}
        missing = await client.call("test:echo")
        assert missing["code"] == "VALIDATION_ERROR"
        unknown = await client.call("no:such-event", {})
        assert unknown["code"] == "UNKNOWN_EVENT"
        bug = await client.call("test:boom")
        assert bug == {
            "code": "INTERNAL_ERROR",
            "message": "An unexpected error occurred.",
            "data": None,
        }
        assert client.client.connected
        pong = await client.call("ping")
        assert pong["code"] == "OK"
        assert pong["data"]["node"]
