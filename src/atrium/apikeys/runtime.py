"""The API keys domain's per-process objects, built at startup and kept in ``AppState``."""

from __future__ import annotations

from dataclasses import dataclass

from atrium.apikeys.cache import VerifiedKeys
from atrium.apikeys.scope import RouteRules
from atrium.apikeys.settings import ApiKeySettings
from atrium.apikeys.usage import UsageRecorder
from atrium.apikeys.verifier import ApiKeyVerifier
from atrium.core.invalidation import AckedListener
from atrium.core.state import StateKey


@dataclass(slots=True)
class ApiKeysRuntime:
    settings: ApiKeySettings
    cache: VerifiedKeys
    usage: UsageRecorder
    verifier: ApiKeyVerifier
    # What the subset rule reads from the route catalogue, taken once the app is assembled.
    rules: RouteRules
    listener: AckedListener | None = None


APIKEYS: StateKey[ApiKeysRuntime] = StateKey("apikeys.runtime")
