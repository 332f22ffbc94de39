"""The dashboard's process singleton: the request rollups, in the app state's slot ``DASHBOARD``."""

from __future__ import annotations

from dataclasses import dataclass

from atrium.core.state import StateKey
from atrium.core.widgets import WidgetSource
from atrium.dashboard.rollups import RequestRollups
from atrium.dashboard.settings import DashboardSettings


@dataclass(slots=True)
class DashboardRuntime:
    settings: DashboardSettings
    rollups: RequestRollups
    widgets: list[WidgetSource]  # every configured domain's (read once at start)


DASHBOARD: StateKey[DashboardRuntime] = StateKey("dashboard.runtime")
