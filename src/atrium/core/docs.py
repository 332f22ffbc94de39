"""Swagger UI and ReDoc served from packaged assets, so ``/docs`` works with no internet.

FastAPI's own ``/docs`` and ``/redoc`` pages load their JavaScript and CSS from a CDN: offline,
or behind a strict firewall, they are blank. The ``fastapi-offline`` wheel ships the same
Swagger UI and ReDoc bundles; they are served here under ``/docs/assets`` and the pages point
at them (no Google fonts, no online validator badge). Debug environments only, like the
OpenAPI document itself.
"""

from __future__ import annotations

import functools
from importlib import resources
from pathlib import Path
from typing import Any

from fastapi import FastAPI, Request
from fastapi.openapi.docs import (
    get_redoc_html,
    get_swagger_ui_html,
    get_swagger_ui_oauth2_redirect_html,
)
from fastapi.responses import HTMLResponse, Response
from fastapi.staticfiles import StaticFiles

DOCS_URL = "/docs"
REDOC_URL = "/redoc"
OAUTH2_REDIRECT_URL = "/docs/oauth2-redirect"
ASSETS_URL = "/docs/assets"
REDOC_LOGO = "https://cdn.redoc.ly/redoc/logo-mini.svg"

# Swagger UI options: keep the token across reloads, never call the online validator.
SWAGGER_UI_PARAMETERS: dict[str, Any] = {
    "persistAuthorization": True,
    "validatorUrl": None,
    "filter": True,
    "displayRequestDuration": True,
}

DESCRIPTION = """\
**Log in first:** press **Authorize** (right, above the operations), fill *username* and
*password* in the **OAuth2Password** form (the first admin is `admin`; its password is the one
`make dev` printed or `ATRIUM_AUTH__FIRST_SUPERUSER_PASSWORD`), press *Authorize*, then *Close*.
Every call made from this page then carries the token. Each operation lists its access level
(`x-access`) and permission code (`x-permission`); the same reference is in `docs/api.md`.
"""


def assets_dir() -> Path:
    """The folder of the packaged Swagger UI and ReDoc bundles."""
    return Path(str(resources.files("fastapi_offline") / "static"))


@functools.cache
def _redoc_bundle() -> bytes:
    """ReDoc's bundle, its one outside image (the vendor's logo in the menu) made local."""
    text = (assets_dir() / "redoc.standalone.js").read_text(encoding="utf-8")
    return text.replace(REDOC_LOGO, f"{ASSETS_URL}/favicon.png").encode()


async def _redoc_js() -> Response:
    return Response(_redoc_bundle(), media_type="text/javascript; charset=utf-8")


def install_docs(app: FastAPI, openapi_url: str) -> None:
    """Mount the assets; add ``/docs``, its OAuth2 redirect and ``/redoc`` (not in the schema)."""
    redoc_js = f"{ASSETS_URL}/redoc.standalone.js"
    app.add_api_route(redoc_js, _redoc_js, methods=["GET"], include_in_schema=False)
    app.mount(ASSETS_URL, StaticFiles(directory=assets_dir()), name="docs-assets")

    async def swagger_ui(request: Request) -> HTMLResponse:
        root = request.scope.get("root_path", "")
        return get_swagger_ui_html(
            openapi_url=f"{root}{openapi_url}",
            title=f"{app.title} - Swagger UI",
            oauth2_redirect_url=f"{root}{OAUTH2_REDIRECT_URL}",
            swagger_js_url=f"{root}{ASSETS_URL}/swagger-ui-bundle.js",
            swagger_css_url=f"{root}{ASSETS_URL}/swagger-ui.css",
            swagger_favicon_url=f"{root}{ASSETS_URL}/favicon.png",
            swagger_ui_parameters=SWAGGER_UI_PARAMETERS,
        )

    async def oauth2_redirect() -> HTMLResponse:
        return get_swagger_ui_oauth2_redirect_html()

    async def redoc(request: Request) -> HTMLResponse:
        root = request.scope.get("root_path", "")
        return get_redoc_html(
            openapi_url=f"{root}{openapi_url}",
            title=f"{app.title} - ReDoc",
            redoc_js_url=f"{root}{ASSETS_URL}/redoc.standalone.js",
            redoc_favicon_url=f"{root}{ASSETS_URL}/favicon.png",
            with_google_fonts=False,
        )

    for path, page in ((DOCS_URL, swagger_ui), (OAUTH2_REDIRECT_URL, oauth2_redirect)):
        app.add_api_route(path, page, methods=["GET"], include_in_schema=False)
    app.add_api_route(REDOC_URL, redoc, methods=["GET"], include_in_schema=False)
