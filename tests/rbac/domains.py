"""The domains the RBAC tests run with: RBAC itself (even where an environment left it out)
and the probe routes (``tests.rbac.probe``)."""

from __future__ import annotations

from atrium.config import Settings
from tests.support.settings import fast_auth

RBAC = "atrium.rbac"
PROBE = "tests.rbac.probe"


def with_rbac(settings: Settings) -> Settings:
    """Cheap hashing, generous login limits, RBAC and the probe routes mounted."""
    fast_auth(settings, login_rate_per_username="1000/minute", login_rate_per_address="1000/minute")
    domains = [domain for domain in settings.domains if domain != PROBE]
    if RBAC not in domains:  # an environment that left it out
        domains.insert(domains.index("atrium.auth") + 1, RBAC)
    settings.domains = [*domains, PROBE]
    return settings
