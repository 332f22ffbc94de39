"""Link tokens: an expired, a reused and a tampered token are each refused with their own code;
only the SHA-256 of the secret is stored; the purge deletes expired rows."""

from __future__ import annotations

from datetime import timedelta

import httpx
from sqlalchemy import select

from atrium.accounts import repository, tokens
from atrium.accounts.models import AccountToken, TokenPurpose
from atrium.core.clock import utcnow
from atrium.core.state import AppState
from atrium.users import service as users_service
from atrium.users.models import UserStatus
from atrium.users.schemas import UserCreate
from tests.accounts.flows import post
from tests.support.users import PASSWORD


async def _pending_token(state: AppState, username: str, ttl: int = 600) -> str:
    async with state.db.session() as session:
        data = UserCreate(username=username, email=f"{username}@example.com", password=PASSWORD)
        user = await users_service.create_hashed(session, data, "x", UserStatus.PENDING)
        issued = await tokens.issue(session, TokenPurpose.VERIFY_EMAIL, ttl, user_id=user.id)
        return issued.token


async def _expire(state: AppState, token: str) -> None:
    async with state.db.session() as session:
        row = await session.get(AccountToken, tokens._parse(token)[0])
        assert row is not None
        row.expires_at = utcnow() - timedelta(seconds=1)


async def test_expired_reused_and_tampered_tokens_have_their_own_codes(
    client: httpx.AsyncClient, state: AppState
) -> None:
    expired = await _pending_token(state, "old")
    await _expire(state, expired)
    used = await _pending_token(state, "twice")
    tampered = await _pending_token(state, "forged")
    head, _, secret = tampered.partition(".")
    forged = f"{head}.{'A' if secret[0] != 'A' else 'B'}{secret[1:]}"
    assert (await post(client, "/verification", {"token": used})).status_code == 200
    answers = {
        name: await post(client, "/verification", {"token": token})
        for name, token in {"expired": expired, "reused": used, "tampered": forged}.items()
    }
    codes = {name: (r.status_code, r.json()["code"]) for name, r in answers.items()}
    assert codes == {
        "expired": (400, "ACCOUNTS_TOKEN_EXPIRED"),
        "reused": (409, "ACCOUNTS_TOKEN_USED"),
        "tampered": (400, "ACCOUNTS_TOKEN_INVALID"),
    }
    garbage = await post(client, "/verification", {"token": "not-a-token"})
    assert garbage.json()["code"] == "ACCOUNTS_TOKEN_INVALID"
    # A token of another flow is no token here.
    reset = await post(client, "/email/confirm", {"token": tampered})
    assert reset.json()["code"] == "ACCOUNTS_TOKEN_INVALID"


async def test_only_the_hash_is_stored_and_the_purge_deletes_expired_rows(state: AppState) -> None:
    token = await _pending_token(state, "hashed")
    await _expire(state, token)
    async with state.db.session() as session:
        rows = list((await session.execute(select(AccountToken))).scalars())
        assert len(rows) == 1
        assert token.partition(".")[2] not in rows[0].secret_hash
        assert len(rows[0].secret_hash) == 64
        assert await repository.purge(session, utcnow() - timedelta(hours=1)) == 0
        assert await repository.purge(session, utcnow()) == 1
