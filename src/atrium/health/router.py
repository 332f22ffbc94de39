"""Health endpoints (outside the API prefix) and Prometheus metrics."""

from __future__ import annotations

from fastapi import APIRouter, Response
from fastapi.responses import JSONResponse
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from atrium.core.deps import StateDep
from atrium.core.responses import Envelope, error_responses, ok
from atrium.core.routing import Access, access
from atrium.health import service
from atrium.health.errors import NotReady
from atrium.health.schemas import Live, Ready

root_router = APIRouter(tags=["health"])
PUBLIC = access(Access.PUBLIC)


@root_router.get("/health/live", openapi_extra=PUBLIC)
async def live() -> Envelope[Live]:
    """The process is up."""
    return ok(Live())


@root_router.get(
    "/health/ready",
    openapi_extra=PUBLIC,
    response_model=Envelope[Ready],
    responses=error_responses(503),
)
async def ready(state: StateDep) -> Envelope[Ready] | JSONResponse:
    """Every store answers: SQL, MongoDB, Redis and object storage."""
    checks = await service.check_all(service.store_pings(state))
    failed = sorted(name for name, status in checks.items() if status != "ok")
    if not failed:
        return ok(Ready(status="ok", checks=checks))
    message = "Not ready: " + ", ".join(failed) + " unavailable."
    data = Ready(status="unavailable", checks=checks)
    body = Envelope[Ready](code=NotReady.code, message=message, data=data)
    return JSONResponse(body.model_dump(mode="json"), status_code=NotReady.status_code)


@root_router.get("/metrics", openapi_extra=PUBLIC, response_class=Response)
async def metrics() -> Response:
    """Prometheus metrics in the text exposition format."""
    return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)
