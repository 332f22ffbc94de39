"""Trivial GETs that differ only in what guards them."""

from __future__ import annotations

from functools import cache
from typing import Annotated

from fastapi import APIRouter, Depends, Request

from atrium.auth.deps import bearer_token
from atrium.auth.settings import AuthSettings
from atrium.auth.tokens import ACCESS
from atrium.core.responses import Envelope, ok
from atrium.core.routing import Access, access
from atrium.core.security.jwt import TokenCodec
from atrium.core.state import AppState

PUBLIC = access(Access.PUBLIC)
root_router = APIRouter(prefix="/bench", tags=["bench"])
router = APIRouter(prefix="/bench", tags=["bench"])


@cache
def _codec(secret: str, algorithm: str) -> TokenCodec:
    return TokenCodec(secret, algorithm)


async def decode_only(request: Request) -> str:
    """A bare bearer-token dependency: decode the JWT (signature, expiry, claims) on every
    request, nothing else: the calibration point. (Auth's ``TokenService`` would answer a token
    it verified before from its cache, which is what the checked route is measured with.)"""
    state: AppState = request.app.state.atrium
    settings = state.settings.group(AuthSettings)
    codec = _codec(settings.jwt_secret.get_secret_value(), settings.jwt_algorithm)
    return str(codec.decode(bearer_token(request), ACCESS)["sub"])


@root_router.get("/plain", openapi_extra=PUBLIC)
async def plain() -> Envelope[str]:
    """No dependency at all."""
    return ok("ok")


@root_router.get("/jwt-only", openapi_extra=PUBLIC)
async def jwt_only(user_id: Annotated[str, Depends(decode_only)]) -> Envelope[str]:
    """Only decodes the bearer token."""
    return ok("ok")


@router.get("/open", openapi_extra=PUBLIC)
async def open_route() -> Envelope[str]:
    """Public, under the API guard (which lets it through at once)."""
    return ok("ok")


@router.get("/item")
async def item() -> Envelope[str]:
    """Token or key, session or key record, user status and a permission grant: the full
    check."""
    return ok("ok")
