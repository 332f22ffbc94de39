"""The system monitor's routes: everything at once, or the nodes or the workers alone."""

from __future__ import annotations

from fastapi import APIRouter

from atrium.core.responses import Envelope, error_responses, ok
from atrium.monitor.deps import MONITOR_READ, MonitorDep
from atrium.monitor.schemas import NodeRead, Snapshot, WorkersRead

router = APIRouter(prefix="/monitor", tags=["monitor"])
REFUSED = error_responses(401, 403)
# Besides its own code, every route needs the capability: said in the OpenAPI for clients and
# for the test that walks every route.
NEEDS_CAPABILITY = {"x-capabilities": [MONITOR_READ.code]}


@router.get("", responses=REFUSED, openapi_extra=NEEDS_CAPABILITY)
async def get(monitor: MonitorDep) -> Envelope[Snapshot]:
    """Nodes, workers and queues, beat, stores and Redis, in one snapshot."""
    return ok(await monitor.snapshot())


@router.get("/nodes", responses=REFUSED, openapi_extra=NEEDS_CAPABILITY)
async def nodes(monitor: MonitorDep) -> Envelope[list[NodeRead]]:
    """The API nodes whose heartbeat has not expired."""
    return ok(await monitor.nodes())


@router.get("/workers", responses=REFUSED, openapi_extra=NEEDS_CAPABILITY)
async def workers(monitor: MonitorDep) -> Envelope[WorkersRead]:
    """The Celery workers that answer now, and the depth of their queues."""
    return ok(await monitor.workers.get())
