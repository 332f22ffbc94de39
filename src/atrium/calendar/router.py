"""The calendar API: events (create, read, edit, delete, ``.ics`` export), the occurrences in a
range, an attendee's answer, and the caller's iCalendar feed (issue or rotate, status, revoke)
with its public URL.

Each route needs a permission code derived from its method and path, granted through roles (the
seeded ``user`` role holds them all); superusers pass. The feed URL is public: the secret in it
is the credential. Within a route, the rules of ``service.py`` decide.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response
from pydantic import AwareDatetime

from atrium.auth.deps import CurrentPrincipal
from atrium.calendar import feeds, ics, service
from atrium.calendar.deps import CalendarSettingsDep, CallerDep, VisibleEvent
from atrium.calendar.schemas import (
    EventCreate,
    EventRead,
    EventUpdate,
    FeedCreated,
    FeedRead,
    OccurrenceRead,
    ResponseUpdate,
)
from atrium.core.datascope import Reach
from atrium.core.deps import SessionDep
from atrium.core.pages import Page
from atrium.core.pagination import PageParamsDep
from atrium.core.responses import Envelope, error_responses, ok
from atrium.core.routing import Access, secret_path

router = APIRouter(prefix="/calendar", tags=["calendar"])
ONE = error_responses(401, 403, 404)
WRITE = error_responses(401, 403, 404, 422)
ICS: dict[int | str, dict[str, Any]] = {
    200: {"content": {"text/calendar": {"schema": {"type": "string"}}}}
}

From = Annotated[AwareDatetime, Query(alias="from", description="Range start (with offset)")]
To = Annotated[AwareDatetime, Query(alias="to", description="Range end, exclusive")]
ScopeQuery = Annotated[
    Reach, Query(description="own: I organise; shared: I attend; all: every one I may see")
]
TitleQuery = Annotated[str | None, Query(max_length=200, description="The title contains it")]


@router.get("/events", responses=error_responses(401, 403, 422))
async def list(
    start: From,
    end: To,
    session: SessionDep,
    caller: CallerDep,
    params: PageParamsDep,
    settings: CalendarSettingsDep,
    scope: ScopeQuery = Reach.ALL,
    q: TitleQuery = None,
) -> Envelope[Page[OccurrenceRead]]:
    """Occurrences of my events (organised or attended) in a range, recurrences expanded."""
    window = service.Window(start, end, scope, q)
    found = await service.list_occurrences(session, caller, window, params, settings.max_range_days)
    return ok(found)


@router.post("/events", status_code=201, responses=error_responses(401, 403, 422))
async def create(
    body: EventCreate, session: SessionDep, principal: CurrentPrincipal
) -> Envelope[EventRead]:
    """Create an event organised by the caller."""
    created = await service.create(session, principal.user_id, body)
    return ok(await service.read(session, created))


@router.get("/events/{event_id}.ics", response_class=Response, responses={**ONE, **ICS})
async def export(event: VisibleEvent) -> Response:
    """One event as an iCalendar (.ics) file."""
    body = ics.calendar([event])
    headers = {"Content-Disposition": f'attachment; filename="{event.id}.ics"'}
    return Response(body, media_type=ics.MEDIA_TYPE, headers=headers)


@router.get("/events/{event_id}", responses=ONE)
async def get(event: VisibleEvent, session: SessionDep) -> Envelope[EventRead]:
    """One event I organise or attend."""
    return ok(await service.read(session, event))


@router.patch("/events/{event_id}", responses=WRITE)
async def update(
    event: VisibleEvent, body: EventUpdate, session: SessionDep, caller: CallerDep
) -> Envelope[EventRead]:
    """Edit an event (organiser only): times, rule, exceptions, attendees, reminders."""
    changed = await service.update(session, caller, event, body)
    return ok(await service.read(session, changed))


@router.delete("/events/{event_id}", responses=ONE)
async def delete(event: VisibleEvent, session: SessionDep, caller: CallerDep) -> Envelope[None]:
    """Delete an event (organiser only)."""
    await service.delete(session, caller, event)
    return ok(None, message="Deleted")


@router.put("/events/{event_id}/response", responses=WRITE)
async def respond(
    event: VisibleEvent, body: ResponseUpdate, session: SessionDep, caller: CallerDep
) -> Envelope[EventRead]:
    """Accept or decline an event I am invited to."""
    answered = await service.respond(session, caller, event, body.response)
    return ok(await service.read(session, answered))


@router.get("/feed", responses=error_responses(401, 403))
async def feed_status(session: SessionDep, principal: CurrentPrincipal) -> Envelope[FeedRead]:
    """Whether my iCalendar feed URL is active (the secret is never shown again)."""
    found = await feeds.status(session, principal.user_id)
    created = found.created_at if found else None
    return ok(FeedRead(active=found is not None, created_at=created))


@router.post("/feed", status_code=201, responses=error_responses(401, 403))
async def feed_issue(
    request: Request, session: SessionDep, principal: CurrentPrincipal
) -> Envelope[FeedCreated]:
    """Issue my feed URL, or rotate it (the old URL stops working); shown once."""
    secret, token = await feeds.issue(session, principal.user_id)
    # This route's own path, ``.../calendar/feed``, is the feed URL's stem.
    path = f"{request.url.path}s/{secret}.ics"
    url = str(request.url.replace(path=path, query=""))
    return ok(FeedCreated(url=url, path=path, created_at=token.created_at))


@router.delete("/feed", responses=error_responses(401, 403))
async def feed_revoke(session: SessionDep, principal: CurrentPrincipal) -> Envelope[FeedRead]:
    """Revoke my feed URL: the next fetch of it is a 404."""
    await feeds.revoke(session, principal.user_id)
    return ok(FeedRead(active=False), message="Revoked")


@router.get(
    "/feeds/{token}.ics",
    response_class=Response,
    openapi_extra=secret_path(Access.PUBLIC),
    responses={**error_responses(404), **ICS},
)
async def feed(token: str, session: SessionDep) -> Response:
    """My events as an iCalendar feed for calendar apps (the secret URL is the credential)."""
    return Response(await feeds.feed(session, token), media_type=ics.MEDIA_TYPE)
