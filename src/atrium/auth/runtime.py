"""The auth domain's per-process objects, built at startup and kept in ``AppState``."""

from __future__ import annotations

from dataclasses import dataclass

from atrium.auth.gate import SecondFactorGate
from atrium.auth.principal import KeyVerifier
from atrium.auth.ratelimit import LoginLimiter
from atrium.auth.sessions import SessionStore
from atrium.auth.tokens import TokenService
from atrium.auth.validity import SessionCache
from atrium.config import Settings
from atrium.core.invalidation import AckedListener
from atrium.core.security.passwords import PasswordHasher
from atrium.core.security.rsa import KeyRing
from atrium.core.state import AppState, StateKey
from atrium.users.service import PasswordPolicy


@dataclass(slots=True)
class AuthRuntime:
    settings: Settings
    keys: KeyRing
    tokens: TokenService
    sessions: SessionStore
    cache: SessionCache
    limiter: LoginLimiter
    hasher: PasswordHasher
    policy: PasswordPolicy
    listener: AckedListener | None = None
    # Set by the API keys domain at startup: the guard hands it every credential that looks
    # like a key (``KeyVerifier.prefix``).
    key_verifier: KeyVerifier | None = None
    # Set by the second-factor domain at startup: asked after every correct password.
    second_factor: SecondFactorGate | None = None


AUTH: StateKey[AuthRuntime] = StateKey("auth.runtime")


def runtime(state: AppState) -> AuthRuntime:
    return state.get(AUTH)
