"""Caught mail over HTTP: local and testing only, behind a permission, 404 and 409 as codes."""

from __future__ import annotations

from uuid import uuid4

import httpx
from fastapi import FastAPI
from pydantic import SecretStr

from atrium.auth.settings import AuthSettings
from atrium.config import Environment, Settings
from atrium.core.state import AppState
from atrium.mail.delivery import build, deliver
from atrium.mail.rendering import Rendered
from atrium.mail.settings import MailSettings
from atrium.main import create_app
from tests.support.settings import with_twofactor_key
from tests.support.users import bearer, new_user, superuser

CAUGHT = "/api/v1/mail/caught"


async def _send(state: AppState, subject: str) -> None:
    settings = state.settings.group(MailSettings)
    rendered = Rendered(subject, "text body\n", "<p>html body</p>\n")
    await deliver(settings, build(settings, ["carol@example.com"], rendered))


async def test_a_superuser_reads_what_was_caught(
    client: httpx.AsyncClient, state: AppState
) -> None:
    root = await superuser(state, client)
    subject = f"caught {uuid4().hex}"
    await _send(state, subject)
    listed = await client.get(CAUGHT, params={"limit": 200}, headers=bearer(root.access))
    assert listed.status_code == 200
    found = [mail for mail in listed.json()["data"] if mail["subject"] == subject]
    assert len(found) == 1
    assert found[0]["to"] == ["carol@example.com"]
    one = await client.get(f"{CAUGHT}/{found[0]['id']}", headers=bearer(root.access))
    assert one.status_code == 200
    assert (one.json()["data"]["text"], one.json()["data"]["html"]) == (
        "text body\n",
        "<p>html body</p>\n",
    )
    missing = await client.get(f"{CAUGHT}/nothing-here", headers=bearer(root.access))
    assert (missing.status_code, missing.json()["code"]) == (404, "MAIL_NOT_FOUND")


async def test_caught_mail_needs_a_permission(client: httpx.AsyncClient, state: AppState) -> None:
    plain = await new_user(state, client, "plain")
    refused = await client.get(CAUGHT, headers=bearer(plain.access))
    assert refused.status_code == 403
    assert (await client.get(CAUGHT)).status_code == 401


async def test_without_a_catcher_the_answer_says_so(
    client: httpx.AsyncClient, state: AppState
) -> None:
    root = await superuser(state, client)
    state.settings.group(MailSettings).catcher_dir = None
    refused = await client.get(CAUGHT, headers=bearer(root.access))
    assert (refused.status_code, refused.json()["code"]) == (409, "MAIL_CATCHER_OFF")


def test_there_is_no_caught_mail_route_outside_debug(app: FastAPI, settings: Settings) -> None:
    real = {"jwt_secret": SecretStr("p" * 64), "rsa_private_keys": {"k1": "unused.pem"}}
    settings.set_group(settings.group(AuthSettings).model_copy(update=real))
    with_twofactor_key(settings)
    settings.environment = Environment.PRODUCTION
    paths = {getattr(route, "path", "") for route in create_app(settings).routes}
    assert not {path for path in paths if path.startswith("/api/v1/mail")}
