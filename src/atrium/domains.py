"""The domains a stock Atrium runs, in dependency order (``ATRIUM_DOMAINS`` replaces the list).

Each package listed has a ``domain.py`` declaring everything it brings (``atrium.core.domain``).
This list is the only place outside a domain that names one: the core and the settings do not.
"""

DEFAULT_DOMAINS = (
    "atrium.health",
    "atrium.users",
    "atrium.auth",
    "atrium.rbac",
    "atrium.apikeys",
    "atrium.twofactor",
    "atrium.realtime",
    "atrium.notifications",
    "atrium.files",
    "atrium.scheduler",
    "atrium.todos",
    "atrium.documents",
    "atrium.calendar",
    "atrium.mail",
    "atrium.accounts",
    "atrium.dictionaries",
    "atrium.parameters",
    "atrium.audit",
    "atrium.monitor",
    "atrium.dashboard",
)
