"""A user an administrator creates gets a set-your-password link by mail (no typed password);
the admin password reset takes the password RSA-encrypted."""

from __future__ import annotations

import httpx

from atrium.core.state import AppState
from tests.accounts.flows import reset
from tests.support.accounts import address, mail_to, token_in
from tests.support.admin import actor, data
from tests.support.users import login, sealed

PASSWORD = "set-by-Me-123"


async def test_an_admin_created_user_sets_their_password_from_the_mail(
    client: httpx.AsyncClient, state: AppState, services: dict[str, str], worker: object
) -> None:
    admin = await actor(client, state, "root", superuser=True)
    email = address("lee")
    body = {"username": "lee", "email": email}
    typed = await client.post(
        "/api/v1/users", json={**body, "password": "typed-by-Admin-1"}, headers=admin.headers
    )
    assert typed.status_code == 422  # a typed password is refused, not silently dropped
    made = data(await client.post("/api/v1/users", json=body, headers=admin.headers), 201)
    mail = await mail_to(services, email, "set your password")
    assert "https://app.example.com/reset-password?token=" in mail.text
    assert (await reset(client, token_in(mail), PASSWORD)).status_code == 200
    assert (await login(client, "lee", PASSWORD)).status_code == 200
    sealed_body = await sealed(client, "admin-Chosen-77")
    url = f"/api/v1/users/{made['id']}/password"
    plain = await client.post(url, json={"password": "admin-Chosen-77"}, headers=admin.headers)
    assert plain.status_code == 422  # a plain password is refused: the kid is missing
    assert (await client.post(url, json=sealed_body, headers=admin.headers)).status_code == 200
    assert (await login(client, "lee", "admin-Chosen-77")).status_code == 200
