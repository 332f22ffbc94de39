"""Dependencies of the calendar routes: who asks (a data-scope ``Caller``), and the event they ask
for, fetched within their scope (another's is a 404, as if it did not exist).

``calendar:admin`` is the domain's capability: its holders (and so every superuser) reach every
event. It is read from the caller's current grants, never from the token, so losing it takes
effect on the next request; so does being removed from an event's attendees.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from atrium.auth.deps import CurrentPrincipal
from atrium.calendar import service
from atrium.calendar.models import CalendarEvent
from atrium.calendar.schemas import EventID
from atrium.calendar.settings import CalendarSettings
from atrium.core.codes import CodeKind, DeclaredCode
from atrium.core.datascope import Caller
from atrium.core.deps import SessionDep, SettingsDep
from atrium.rbac.deps import data_caller

CALENDAR_ADMIN = DeclaredCode(
    code="calendar:admin",
    kind=CodeKind.CAPABILITY,
    summary="See, change and delete every user's calendar events",
    tags=("calendar",),
)


async def current_caller(request: Request, principal: CurrentPrincipal) -> Caller:
    return await data_caller(request, principal, CALENDAR_ADMIN.code)


CallerDep = Annotated[Caller, Depends(current_caller)]


async def visible_event(event_id: EventID, session: SessionDep, caller: CallerDep) -> CalendarEvent:
    return await service.get_visible(session, caller, event_id)


VisibleEvent = Annotated[CalendarEvent, Depends(visible_event)]


def calendar_settings(settings: SettingsDep) -> CalendarSettings:
    return settings.group(CalendarSettings)


CalendarSettingsDep = Annotated[CalendarSettings, Depends(calendar_settings)]
