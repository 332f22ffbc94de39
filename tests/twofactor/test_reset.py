"""An administrator resets a lost second factor: only for users they cover (the delegation
rule), never their own, only superusers on superusers; the user's sessions end and the event is
recorded. (The mail it sends is in ``test_reset_mail``.)"""

from __future__ import annotations

import httpx

from atrium.core.ids import uuid7
from atrium.core.redis import create_redis
from atrium.core.state import AppState
from atrium.rbac.changes import WATCHED
from atrium.rbac.propagation import AccessHook
from atrium.twofactor.documents import FactorAction, SecondFactorEvent
from tests.support.admin import API, actor, create_role, data, set_roles
from tests.support.twofactor import enable
from tests.support.users import PASSWORD, bearer, login, new_user, user_with_grants

ME = f"{API}/auth/me"
RESET = f"{API}/users/{{}}/second-factor"
RESET_CODE = "DELETE:/api/v1/users/{user_id}/second-factor"


def _code(response: httpx.Response) -> str:
    return str(response.json()["code"])


async def test_a_covering_admin_resets_it_and_the_users_sessions_end(
    client: httpx.AsyncClient, state: AppState
) -> None:
    bob = await new_user(state, client, "bob")
    await enable(client, bob.headers)
    helpdesk = await user_with_grants(
        state, client, "helpdesk", [RESET_CODE, "GET:/api/v1/probe/**"]
    )
    answer = await client.delete(RESET.format(bob.user_id), headers=helpdesk.headers)
    assert data(answer)["userId"] == str(bob.user_id)
    assert (await client.get(ME, headers=bob.headers)).status_code == 401
    assert "accessToken" in data(await login(client, "bob"))  # the password alone again
    [event] = await SecondFactorEvent.find(
        SecondFactorEvent.user_id == bob.user_id, SecondFactorEvent.action == FactorAction.RESET
    ).to_list()
    assert event.actor_id == helpdesk.user_id
    again = await client.delete(RESET.format(bob.user_id), headers=helpdesk.headers)
    assert (again.status_code, _code(again)) == (404, "TWOFACTOR_NOT_ENABLED")


async def test_the_delegation_rule_bounds_who_may_reset_whom(
    client: httpx.AsyncClient, state: AppState
) -> None:
    root = await actor(client, state, "root", superuser=True)
    carol = await new_user(state, client, "carol")
    role_id = await create_role(client, root, "finance", ["*:/api/v1/scheduler/**"])
    await set_roles(client, root, carol.user_id, [role_id])
    carol = await new_user(state, client, "carol2")  # a second holder, with a factor
    await set_roles(client, root, carol.user_id, [role_id])
    pair = data(await login(client, "carol2"))
    await enable(client, bearer(pair["accessToken"]))
    helpdesk = await user_with_grants(state, client, "helpdesk", [RESET_CODE])
    refused = await client.delete(RESET.format(carol.user_id), headers=helpdesk.headers)
    assert (refused.status_code, _code(refused)) == (403, "DELEGATION_EXCEEDS_GRANTS")
    own = await client.delete(RESET.format(helpdesk.user_id), headers=helpdesk.headers)
    assert (own.status_code, _code(own)) == (403, "CANNOT_CHANGE_SELF")
    boss = await new_user(state, client, "boss", superuser=True)
    await enable(client, boss.headers)
    refused = await client.delete(RESET.format(boss.user_id), headers=helpdesk.headers)
    assert (refused.status_code, _code(refused)) == (403, "DELEGATION_SUPERUSER_ONLY")
    plain = await new_user(state, client, "plain")
    denied = await client.delete(RESET.format(carol.user_id), headers=plain.headers)
    assert (denied.status_code, _code(denied)) == (403, "PERMISSION_DENIED")
    # The factors are still there: step one still asks for them.
    assert data(await login(client, "carol2"))["secondFactorRequired"] is True
    assert data(await login(client, "boss", PASSWORD))["secondFactorRequired"] is True
    assert (
        await client.delete(RESET.format(carol.user_id), headers=root.headers)
    ).status_code == 200
    missing = await client.delete(RESET.format(uuid7()), headers=root.headers)
    assert (missing.status_code, _code(missing)) == (404, "USER_NOT_FOUND")


async def test_a_reset_whose_sessions_cannot_be_ended_answers_503_not_success(
    client: httpx.AsyncClient, state: AppState
) -> None:
    bob = await new_user(state, client, "bob")
    await enable(client, bob.headers)
    root = await user_with_grants(state, client, "root", [RESET_CODE])
    down = create_redis(state.settings.redis.model_copy(update={"url": "redis://127.0.0.1:1"}))
    hook = AccessHook(state.db, down, state.settings)  # a node whose Redis is unreachable
    state.db.on_commit(hook, WATCHED)
    try:
        answer = await client.delete(RESET.format(bob.user_id), headers=root.headers)
    finally:
        state.db.hooks.remove(hook)
        await down.aclose()
    assert (answer.status_code, _code(answer)) == (503, "RBAC_PROPAGATION_FAILED")
    again = await client.delete(RESET.format(bob.user_id), headers=root.headers)
    assert _code(again) == "TWOFACTOR_NOT_ENABLED"  # the reset itself stands
