"""JSON Web Tokens with PyJWT: HMAC-signed, the algorithm pinned on decode, typed claims."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import jwt as pyjwt

HMAC_ALGORITHMS = frozenset({"HS256", "HS384", "HS512"})
REQUIRED_CLAIMS = ("exp", "iat", "jti", "sub", "typ")


class TokenError(Exception):
    """A token that must not be accepted: malformed, forged, of the wrong type."""


class TokenExpired(TokenError):
    """A well-formed token whose ``exp`` has passed."""


class TokenCodec:
    """Encodes and decodes one family of tokens with one secret and one pinned algorithm."""

    def __init__(self, secret: str, algorithm: str = "HS256", leeway_seconds: int = 0) -> None:
        if algorithm not in HMAC_ALGORITHMS:
            raise ValueError(f"unsupported JWT algorithm {algorithm!r}; use one of HS256/384/512")
        self._secret = secret
        self.algorithm = algorithm
        self._leeway = leeway_seconds

    def encode(self, claims: Mapping[str, Any]) -> str:
        return pyjwt.encode(dict(claims), self._secret, algorithm=self.algorithm)

    def decode(self, token: str, token_type: str) -> dict[str, Any]:
        """The claims of a valid token of ``token_type``; raises ``TokenError`` otherwise."""
        try:
            claims: dict[str, Any] = pyjwt.decode(
                token,
                self._secret,
                algorithms=[self.algorithm],  # pinned: "none" or RS256 headers are refused
                options={"require": list(REQUIRED_CLAIMS)},
                leeway=self._leeway,
            )
        except pyjwt.ExpiredSignatureError as exc:
            raise TokenExpired("the token has expired") from exc
        except pyjwt.PyJWTError as exc:
            raise TokenError("the token is not valid") from exc
        if claims.get("typ") != token_type:
            raise TokenError(f"expected a {token_type} token")
        return claims
