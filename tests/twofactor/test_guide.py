"""The second-factor guide's browser examples, exactly as docs/second-factor.md prints them (with
the frontend guide's ``encryptPassword``), run in Node against a live server: set up a factor
with the password, log in in two steps, renew the recovery codes, enrol with a ticket."""

from __future__ import annotations

import asyncio
import json
import re
import shutil

import httpx
import pytest

from atrium.core.state import AppState
from tests.support import ROOT
from tests.support.live import LiveServer
from tests.support.twofactor import enrolment_ticket, requiring_role
from tests.support.users import PASSWORD, create_user, login, tokens

GUIDE = ROOT / "docs" / "second-factor.md"
FRONTEND = ROOT / "docs" / "frontend-login.md"
BLOCK = re.compile(r"```js\n(.*?)\n```", re.DOTALL)

pytestmark = pytest.mark.skipif(shutil.which("node") is None, reason="needs node")

# What an authenticator app does (RFC 6238 with SHA-1, six digits, 30 s), for the examples'
# ``askCode``; ``offset`` picks a later step, as a phone shows the next code a moment later.
TOTP_JS = """
async function totp(secret, offset = 0) {
  const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
  let bits = "";
  for (const c of secret) bits += alphabet.indexOf(c).toString(2).padStart(5, "0");
  const key = Uint8Array.from(bits.match(/.{8}/g), (b) => parseInt(b, 2));
  const step = Math.floor(Date.now() / 30000) + offset;
  const counter = new DataView(new ArrayBuffer(8));
  counter.setUint32(4, step);
  const hmac = await crypto.subtle.importKey(
    "raw", key, { name: "HMAC", hash: "SHA-1" }, false, ["sign"]);
  const mac = new Uint8Array(await crypto.subtle.sign("HMAC", hmac, counter.buffer));
  const at = mac[19] & 15;
  const value = ((mac[at] & 127) << 24) | (mac[at + 1] << 16) | (mac[at + 2] << 8) | mac[at + 3];
  return String(value % 1000000).padStart(6, "0");
}
"""


def guide_code() -> str:
    """The frontend guide's encryption (its one-step ``login`` left out: the second-factor
    guide's ``login`` replaces it) and every example of the second-factor guide."""
    text = FRONTEND.read_text(encoding="utf-8")
    section = text[text.index("## 2. Encrypt") : text.index("## 2a.")]
    crypto = BLOCK.findall(section)[0]
    crypto = crypto[: crypto.index("async function login(")]
    crypto = re.sub(r"^const API = .*$", "const API = process.env.API;", crypto, flags=re.M)
    return "\n".join([crypto, *BLOCK.findall(GUIDE.read_text(encoding="utf-8")), TOTP_JS])


async def _node(url: str, script: str) -> object:
    program = f"{guide_code()}\n"
    program += f"console.log(JSON.stringify(await (async () => {{ {script} }})()));\n"
    process = await asyncio.create_subprocess_exec(
        "node",
        "--input-type=module",
        "-e",
        program,
        env={"API": url, "PATH": "/usr/bin:/bin"},
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await asyncio.wait_for(process.communicate(), 60)
    assert process.returncode == 0, err.decode()
    return json.loads(out.decode().strip().splitlines()[-1])


async def test_the_guide_sets_up_a_factor_logs_in_and_renews_the_codes(
    live: LiveServer, http: httpx.AsyncClient, state: AppState
) -> None:
    await create_user(state, "reader")
    access = (await tokens(http, "reader"))["accessToken"]
    script = f"""
      let secret;
      const codes = await setUpSecondFactor('{access}', '{PASSWORD}', (started) => {{
        secret = started.secret;
        return totp(secret);
      }});
      const pair = await login('reader', '{PASSWORD}', async () => codes[0]);
      const next = await totp(secret, 1);
      const renewed = await renewRecoveryCodes(pair.accessToken, '{PASSWORD}', next);
      return {{ codes: codes.length, token: Boolean(pair.accessToken), renewed, first: codes[0] }};
    """
    found = await _node(live.url, script)
    assert isinstance(found, dict)
    assert (found["codes"], found["token"], len(found["renewed"])) == (10, True, 10)
    assert found["first"] not in found["renewed"]
    assert (await login(http, "reader")).json()["data"]["secondFactorRequired"] is True


async def test_the_guide_enrols_with_a_ticket(
    live: LiveServer, http: httpx.AsyncClient, state: AppState
) -> None:
    carol = await create_user(state, "carol")
    await requiring_role(http, state, carol.id)
    ticket = enrolment_ticket(await login(http, "carol"))
    script = f"""
      const ask = (started) => totp(started.secret);
      const done = await enrolWithTicket('{ticket}', '{PASSWORD}', ask);
      return {{ codes: done.recoveryCodes.length, token: Boolean(done.tokens.accessToken) }};
    """
    found = await _node(live.url, script)
    assert found == {"codes": 10, "token": True}
