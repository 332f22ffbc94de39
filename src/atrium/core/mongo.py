"""MongoDB through Beanie on PyMongo's async client."""

from __future__ import annotations

from collections.abc import Sequence

from beanie import Document, init_beanie
from pymongo import AsyncMongoClient

from atrium.config import MongoSettings

MongoClient = AsyncMongoClient[dict[str, object]]


class Mongo:
    """The client and database, opened in the lifespan or a worker's init."""

    def __init__(self, settings: MongoSettings) -> None:
        self.client: MongoClient = AsyncMongoClient(
            settings.url,
            serverSelectionTimeoutMS=settings.timeout_ms,
            connectTimeoutMS=settings.timeout_ms,
            tz_aware=True,
            uuidRepresentation="standard",
        )
        self.database = self.client[settings.database]

    async def init_documents(self, models: Sequence[type[Document]]) -> None:
        """Register the document models with Beanie and create their indexes."""
        await init_beanie(database=self.database, document_models=list(models))

    async def ping(self) -> None:
        await self.client.admin.command("ping")

    async def close(self) -> None:
        await self.client.close()
