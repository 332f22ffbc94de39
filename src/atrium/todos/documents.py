"""What the ``todos.count`` task found, in MongoDB: one document per owner."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from beanie import Document
from pymongo import ASCENDING, DESCENDING, IndexModel


class TodoCount(Document):
    """How many todos one owner had when the task counted them."""

    owner_id: UUID
    total: int
    counted_at: datetime

    class Settings:
        name = "todos_counts"
        indexes = [IndexModel([("owner_id", ASCENDING), ("counted_at", DESCENDING)])]


DOCUMENTS = [TodoCount]
