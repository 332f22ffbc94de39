"""Read access to a file granted by another domain: a file attached to a record of that domain
is readable by whoever may read the record.

A domain installs a reader at startup (``add_reader``): given the request, the caller and the
file, it answers whether the caller may read the file through one of its records. The files
domain asks the installed readers (in order, until one says yes) only when the caller neither
owns the file nor manages all files, and only for reading (metadata and download): changing or
deleting a file stays its owner's. The files domain names no other domain.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from fastapi import Request

from atrium.auth.principal import Principal
from atrium.core.state import AppState, StateKey
from atrium.files.documents import FileObject

FileReader = Callable[[Request, Principal, FileObject], Awaitable[bool]]
FILE_READERS: StateKey[list[FileReader]] = StateKey("files.readers")


def add_reader(state: AppState, reader: FileReader) -> None:
    """Let ``reader`` grant read access to files (called by a domain's startup hook)."""
    found = state.find(FILE_READERS)
    if found is None:
        found = []
        state.set(FILE_READERS, found)
    found.append(reader)


async def granted(request: Request, principal: Principal, doc: FileObject) -> bool:
    """Whether an installed reader lets the caller read ``doc``."""
    state: AppState = request.app.state.atrium
    for reader in state.find(FILE_READERS) or ():
        if await reader(request, principal, doc):
            return True
    return False
