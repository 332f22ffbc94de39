"""Dependencies of the dictionaries routes: the runtime, and the type and item a path names."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends

from atrium.core.deps import SessionDep, StateDep
from atrium.dictionaries import service
from atrium.dictionaries.models import DictionaryItem, DictionaryType
from atrium.dictionaries.runtime import DICTIONARIES, DictionariesRuntime
from atrium.dictionaries.schemas import DictionaryItemID, DictionaryTypeID


async def get_runtime(state: StateDep) -> DictionariesRuntime:
    return state.get(DICTIONARIES)


async def path_type(type_id: DictionaryTypeID, session: SessionDep) -> DictionaryType:
    return await service.get_type(session, type_id)


TypeDep = Annotated[DictionaryType, Depends(path_type)]


async def path_item(
    found: TypeDep, item_id: DictionaryItemID, session: SessionDep
) -> DictionaryItem:
    return await service.get_item(session, found, item_id)


RuntimeDep = Annotated[DictionariesRuntime, Depends(get_runtime)]
ItemDep = Annotated[DictionaryItem, Depends(path_item)]
