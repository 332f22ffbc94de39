"""After every commit that changes a dictionary type or item: every node forgets what it holds
before the caller goes on (``cache.announce``).

One commit hook on both tables, hung on the database wherever SQL is opened
(``lifecycle.attach``: the API, a worker, ``atrium initdb``). When Redis cannot be reached the
change stays saved and the caller gets 503 ``DICTIONARY_PROPAGATION_FAILED``; nodes catch up when
their lease ends.
"""

from __future__ import annotations

from atrium.core.invalidation import AnnouncingHook
from atrium.dictionaries.cache import announce
from atrium.dictionaries.errors import DictionaryPropagationFailed
from atrium.dictionaries.models import DictionaryItem, DictionaryType

TABLES = frozenset({str(DictionaryType.__tablename__), str(DictionaryItem.__tablename__)})


class DictionaryChangeHook(AnnouncingHook):
    """The commit hook: any change to the dictionaries, announced once per commit."""

    tables = TABLES
    failure = DictionaryPropagationFailed

    async def announce(self) -> None:
        await announce(self.redis, self.settings)
