"""After every commit that changes a parameter: every node forgets its snapshot before the
caller goes on (``cache.announce``).

One commit hook on the table, hung on the database wherever SQL is opened (``lifecycle.attach``:
the API, a worker, ``atrium initdb``). When Redis cannot be reached the change stays saved and
the caller gets 503 ``PARAMETER_PROPAGATION_FAILED``; nodes catch up when their lease ends.
"""

from __future__ import annotations

from atrium.core.invalidation import AnnouncingHook
from atrium.parameters.cache import announce
from atrium.parameters.errors import ParameterPropagationFailed
from atrium.parameters.models import Parameter

TABLES = frozenset({str(Parameter.__tablename__)})


class ParameterChangeHook(AnnouncingHook):
    """The commit hook: any change to the parameters, announced once per commit."""

    tables = TABLES
    failure = ParameterPropagationFailed

    async def announce(self) -> None:
        await announce(self.redis, self.settings)
