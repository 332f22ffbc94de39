"""Token codec: the algorithm is pinned, the type is checked, expiry is enforced."""

from __future__ import annotations

import time

import jwt as pyjwt
import pytest

from atrium.core.security.jwt import TokenCodec, TokenError, TokenExpired

SECRET = "s" * 64


def _claims(**overrides: object) -> dict[str, object]:
    now = int(time.time())
    return {
        "sub": "u",
        "sid": "s",
        "jti": "j",
        "typ": "access",
        "iat": now,
        "exp": now + 60,
        **overrides,
    }


def test_round_trip() -> None:
    codec = TokenCodec(SECRET)
    assert codec.decode(codec.encode(_claims()), "access")["sub"] == "u"


def test_expired() -> None:
    codec = TokenCodec(SECRET)
    with pytest.raises(TokenExpired):
        codec.decode(codec.encode(_claims(exp=int(time.time()) - 1)), "access")


@pytest.mark.parametrize(
    "token",
    [
        pyjwt.encode(_claims(), "o" * 64, algorithm="HS256"),  # another key
        pyjwt.encode(_claims(), SECRET, algorithm="HS512"),  # another algorithm
        pyjwt.encode(_claims(), "", algorithm="none"),  # unsigned
        pyjwt.encode(_claims(typ="refresh"), SECRET, algorithm="HS256"),  # another type
        pyjwt.encode({"sub": "u", "typ": "access"}, SECRET, algorithm="HS256"),  # no exp/jti
        "not.a.token",
    ],
    ids=["other-key", "other-alg", "alg-none", "wrong-type", "missing-claims", "garbage"],
)
def test_refused(token: str) -> None:
    with pytest.raises(TokenError):
        TokenCodec(SECRET).decode(token, "access")


def test_only_hmac_algorithms() -> None:
    with pytest.raises(ValueError, match="unsupported"):
        TokenCodec(SECRET, "none")
