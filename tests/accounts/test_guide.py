"""The frontend guide's account examples, exactly as docs/frontend-login.md prints them, run in
Node (WebCrypto's ``crypto.subtle`` and ``fetch``, the browsers' APIs) against a live server:
register, reset a password, change the email and accept an invitation, each field encrypted by
the guide's own ``encryptPassword``."""

from __future__ import annotations

import asyncio
import json
import re
import shutil

import httpx
import pytest

from atrium.accounts import tokens
from atrium.accounts.models import TokenPurpose
from atrium.core.state import AppState
from tests.support import ROOT
from tests.support.live import LiveServer
from tests.support.users import create_user, login
from tests.support.users import tokens as token_pair

GUIDE = ROOT / "docs" / "frontend-login.md"
BLOCK = re.compile(r"```js\n(.*?)\n```", re.DOTALL)
NEW_PASSWORD = "from-the-Guide-42"

pytestmark = pytest.mark.skipif(shutil.which("node") is None, reason="needs node")


def _section(start: str, end: str) -> str:
    text = GUIDE.read_text(encoding="utf-8")
    return text[text.index(start) : text.index(end)]


def guide_code() -> str:
    """Section 2's encryption and the accounts section's functions (its one-line examples of
    top-level calls left out: the script below makes the calls)."""
    crypto = BLOCK.findall(_section("## 2. Encrypt", "## 3. Call the API"))[0]
    crypto = re.sub(r"^const API = .*$", "const API = process.env.API;", crypto, flags=re.M)
    blocks = BLOCK.findall(_section("## 5a. Accounts", "## 6. Errors"))
    functions = [
        "\n".join(line for line in block.splitlines() if not line.startswith("await "))
        for block in blocks
    ]
    return "\n".join([crypto, *functions])


async def _node(live: LiveServer, script: str, token: str = "") -> object:
    program = f"globalThis.location = {{search: '?token={token}'}};\n{guide_code()}\n"
    program += f"console.log(JSON.stringify(await (async () => {{ {script} }})()));\n"
    process = await asyncio.create_subprocess_exec(
        "node",
        "--input-type=module",
        "-e",
        program,
        env={"API": live.url, "PATH": "/usr/bin:/bin"},
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await asyncio.wait_for(process.communicate(), 60)
    assert process.returncode == 0, err.decode()
    return json.loads(out.decode().strip().splitlines()[-1])


async def _token(state: AppState, purpose: TokenPurpose, **fields: object) -> str:
    async with state.db.session() as session:
        issued = await tokens.issue(session, purpose, 600, **fields)  # type: ignore[arg-type]
        return issued.token


async def test_the_guide_examples_register_reset_change_and_accept(
    live: LiveServer, http: httpx.AsyncClient, state: AppState
) -> None:
    registered = await _node(live, "return register('guide', 'guide@example.com', 'walk-Pass-17');")
    assert registered == {"accepted": True}
    user = await create_user(state, "reader", email="reader@example.com")
    reset = await _token(state, TokenPurpose.RESET_PASSWORD, user_id=user.id)
    await _node(live, f"return resetPassword('{NEW_PASSWORD}');", reset)
    assert (await login(http, "reader", NEW_PASSWORD)).status_code == 200
    access = (await token_pair(http, "reader", NEW_PASSWORD))["accessToken"]
    changed = await _node(
        live, f"return changeEmail('{access}', 'moved@example.com', '{NEW_PASSWORD}');"
    )
    assert changed == {"accepted": True}
    invitation = await _token(state, TokenPurpose.INVITATION, email="joiner@example.com")
    created = await _node(live, "return acceptInvitation('joiner', 'joined-Pass-7');", invitation)
    assert isinstance(created, dict)
    assert created["username"] == "joiner"
    assert (await login(http, "joiner", "joined-Pass-7")).status_code == 200
