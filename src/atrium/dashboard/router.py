"""The dashboard's routes: figures over a range (behind ``dashboard:read``) and "my" widgets."""

from __future__ import annotations

from fastapi import APIRouter, Depends

from atrium.auth.deps import CurrentPrincipal
from atrium.core.clock import utcnow
from atrium.core.deps import SessionDep, StateDep
from atrium.core.responses import Envelope, error_responses, ok
from atrium.core.routing import Access, access
from atrium.core.widgets import gather
from atrium.dashboard import service
from atrium.dashboard.deps import NEEDS_DASHBOARD_READ, RangeDep, require_dashboard_read
from atrium.dashboard.runtime import DASHBOARD
from atrium.dashboard.schemas import (
    FileFigures,
    LoginFigures,
    MyDashboard,
    NotificationFigures,
    RequestFigures,
    RunFigures,
    UserFigures,
    WidgetItemRead,
    WidgetRead,
)

router = APIRouter(prefix="/dashboard", tags=["dashboard"])
figures = APIRouter(dependencies=[Depends(require_dashboard_read)])
FIGURE = {"openapi_extra": NEEDS_DASHBOARD_READ, "responses": error_responses(401, 403, 422)}


@figures.get("/users", **FIGURE)  # type: ignore[arg-type]
async def users(found: RangeDep, session: SessionDep) -> Envelope[UserFigures]:
    """Users: all of them, those created and those who logged in within the range."""
    return ok(await service.user_figures(session, found))


@figures.get("/logins", **FIGURE)  # type: ignore[arg-type]
async def logins(found: RangeDep) -> Envelope[LoginFigures]:
    """Login successes and failures per day."""
    return ok(await service.login_figures(found))


@figures.get("/requests", **FIGURE)  # type: ignore[arg-type]
async def requests(found: RangeDep) -> Envelope[RequestFigures]:
    """API requests per day: count, 4xx, 5xx and the p95 latency."""
    return ok(await service.request_figures(found))


@figures.get("/runs", **FIGURE)  # type: ignore[arg-type]
async def runs(found: RangeDep) -> Envelope[RunFigures]:
    """Scheduler runs dispatched within the range, per status."""
    return ok(await service.run_figures(found))


@figures.get("/files", **FIGURE)  # type: ignore[arg-type]
async def files(found: RangeDep) -> Envelope[FileFigures]:
    """Stored files created within the range: count and bytes per content type."""
    return ok(await service.file_figures(found))


@figures.get("/notifications", **FIGURE)  # type: ignore[arg-type]
async def notifications(found: RangeDep) -> Envelope[NotificationFigures]:
    """Notifications sent per day."""
    return ok(await service.notification_figures(found))


@router.get("/me", openapi_extra=access(Access.AUTHENTICATED), responses=error_responses(401))
async def me(
    principal: CurrentPrincipal, session: SessionDep, state: StateDep
) -> Envelope[MyDashboard]:
    """The caller's own widgets: their open to-dos, today's events."""
    sources = state.get(DASHBOARD).widgets
    found = await gather(sources, session, principal.user_id, utcnow())
    widgets = [
        WidgetRead(
            name=widget.name,
            title=widget.title,
            total=widget.total,
            items=[
                WidgetItemRead(id=i.id, title=i.title, at=i.at, detail=i.detail)
                for i in widget.items
            ],
        )
        for widget in found
    ]
    return ok(MyDashboard(widgets=widgets))


router.include_router(figures)
