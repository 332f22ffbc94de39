"""Text search in SQL the same on SQLite and PostgreSQL: a case-insensitive "contains" whose
``%``, ``_`` and ``\\`` are the searched characters, not wildcards (a user typing ``50%`` finds
``50%``, not everything starting with 50)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, func


def like_pattern(text: str) -> str:
    """``%text%`` with LIKE's wildcards escaped (by ``\\``), lower-cased."""
    escaped = text.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def contains(column: Any, text: str) -> ColumnElement[bool]:
    """``column`` contains ``text``, case-insensitively."""
    result: ColumnElement[bool] = func.lower(column).like(like_pattern(text), escape="\\")
    return result


def starts_with(column: Any, text: str) -> ColumnElement[bool]:
    """``column`` starts with ``text`` (case-sensitively: keys and codes are lower case)."""
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    result: ColumnElement[bool] = column.like(f"{escaped}%", escape="\\")
    return result
