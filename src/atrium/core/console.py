"""The Atrium Console (``console/``, a single-page app) served under ``/console`` from its build.

The console is a client of the public API like any other frontend: it logs in through
``/api/v1/auth`` and is given nothing here but its files. So it is mounted beside the API, not in
it (a Starlette mount, not an API route): it has no permission code, is not in the route
catalogue and not in the OpenAPI document, and every environment serves it the same way.

- ``/console/assets/*`` are Vite's content-hashed files: cached for a year, immutable (a new
  build has new names). A missing one is a 404, never the page (a stale tab must not run HTML
  as a script).
- Any other path without a file extension is a screen of the app (``/console/users``, a deep
  link or a reload): it answers ``index.html``, never cached, so a deploy is seen at once, and
  the browser's router draws the screen. Other files of the build (``favicon.svg``) are served
  with revalidation; a missing one is a 404.
- A console that was not built answers a 404 page saying how to build it.

Files are looked up on every request, so a rebuild needs no restart. Responses are compressed
(gzip) for clients that accept it; the page's Content-Security-Policy allows scripts from this
origin only.
"""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI
from starlette.middleware.gzip import GZipMiddleware
from starlette.requests import Request
from starlette.responses import FileResponse, HTMLResponse, PlainTextResponse, Response
from starlette.routing import Route, Router

CONSOLE_URL = "/console"
ASSETS = "assets/"
IMMUTABLE = "public, max-age=31536000, immutable"
REVALIDATE = "no-cache"
# Naive UI writes its styles into <style> elements at run time, hence 'unsafe-inline' for
# styles only; scripts come from this origin alone (the build has no inline script).
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; font-src 'self' data:; connect-src 'self'; object-src 'none'; "
    "base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
)
PAGE_HEADERS = {
    "Cache-Control": REVALIDATE,
    "Content-Security-Policy": CSP,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
}
NOT_BUILT = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Atrium Console: not built</title></head>
<body><main><h1>The Atrium Console is not built</h1>
<p>This server has no console build (the folder <code>ATRIUM_CONSOLE__DIST_DIR</code> names).
Build it with <code>make console</code>
(or <code>npm ci &amp;&amp; npm run build</code> in <code>console/</code>); <code>make dev</code>,
<code>make test</code> and the Docker image build it for you. The API itself works without it.</p>
</main></body></html>
"""


class ConsoleFiles:
    """Answers for the paths under ``/console``, from the build folder ``dist``."""

    def __init__(self, dist: Path) -> None:
        self.dist = dist

    def file(self, path: str) -> Path | None:
        """The build's file at ``path``, never outside the build folder."""
        root = self.dist.resolve()
        candidate = (root / path).resolve()
        if not candidate.is_relative_to(root) or not candidate.is_file():
            return None
        return candidate

    def answer(self, path: str) -> Response:
        index = self.file("index.html")
        if index is None:
            headers = {"Cache-Control": "no-store"}
            return HTMLResponse(NOT_BUILT, status_code=404, headers=headers)
        if path.startswith(ASSETS):
            return self._file(path, IMMUTABLE)
        found = self.file(path) if path else None
        if found is not None and found != index:
            return FileResponse(found, headers={"Cache-Control": REVALIDATE})
        if found is None and "." in path.rsplit("/", 1)[-1]:
            return _missing()
        return FileResponse(index, media_type="text/html; charset=utf-8", headers=PAGE_HEADERS)

    def _file(self, path: str, cache: str) -> Response:
        found = self.file(path)
        if found is None:
            return _missing()
        return FileResponse(found, headers={"Cache-Control": cache})

    async def endpoint(self, request: Request) -> Response:
        return self.answer(str(request.path_params.get("path", "")))


def _missing() -> Response:
    return PlainTextResponse("Not found", status_code=404, headers={"Cache-Control": "no-store"})


def install_console(app: FastAPI, dist: Path) -> None:
    """Mount the console's files at ``/console`` (``/console`` redirects to ``/console/``)."""
    files = ConsoleFiles(dist)
    router = Router(routes=[Route("/{path:path}", files.endpoint, methods=["GET", "HEAD"])])
    app.mount(CONSOLE_URL, GZipMiddleware(router, minimum_size=1024), name="console")
