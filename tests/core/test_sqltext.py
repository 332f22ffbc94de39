"""Text search in SQL on both backends: case-insensitive, and LIKE's wildcards are searched
characters, not wildcards."""

from __future__ import annotations

from sqlalchemy import select
from sqlmodel import col

from atrium.core.sqltext import contains, like_pattern
from atrium.core.state import AppState
from atrium.dictionaries.models import DictionaryType


def test_the_pattern_escapes_wildcards_and_folds_case() -> None:
    assert like_pattern("50%_Off\\") == "%50\\%\\_off\\\\%"


async def test_contains_matches_the_text_and_nothing_a_wildcard_would(state: AppState) -> None:
    names = ["Sale 50% off", "Sale 500 off", "snake_case", "snakeXcase", "Back\\slash"]
    async with state.db.session() as session:
        for number, name in enumerate(names):
            session.add(DictionaryType(code=f"t{number}", name=name))
    async with state.db.session() as session:

        async def found(text: str) -> list[str]:
            name = col(DictionaryType.name)
            query = select(name).where(contains(name, text))
            return sorted((await session.execute(query.order_by(name))).scalars())

        assert await found("50%") == ["Sale 50% off"]
        assert await found("E_C") == ["snake_case"]
        assert await found("k\\s") == ["Back\\slash"]
        assert await found("SALE") == ["Sale 50% off", "Sale 500 off"]
