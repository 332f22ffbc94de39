"""Liveness, readiness (naming what failed) and metrics."""

from __future__ import annotations

import httpx
from fastapi import FastAPI
from pydantic import SecretStr

from atrium.core.state import AppState
from atrium.core.storage import Storage


async def test_live(client: httpx.AsyncClient) -> None:
    response = await client.get("/health/live")
    assert response.status_code == 200
    assert response.json()["data"] == {"status": "ok"}


async def test_ready_when_every_store_answers(client: httpx.AsyncClient) -> None:
    response = await client.get("/health/ready")
    assert response.status_code == 200
    checks = response.json()["data"]["checks"]
    assert checks == {"sql": "ok", "mongo": "ok", "redis": "ok", "storage": "ok"}


async def test_ready_names_the_store_that_failed(
    client: httpx.AsyncClient, app: FastAPI, state: AppState
) -> None:
    healthy = state.storage
    broken = state.settings.storage.model_copy(
        update={"endpoint": "127.0.0.1:9", "secret_key": SecretStr("x")}
    )
    state.storage = Storage(broken)
    try:
        response = await client.get("/health/ready")
    finally:
        state.storage = healthy
    assert response.status_code == 503
    body = response.json()
    assert body["code"] == "NOT_READY"
    assert "storage" in body["message"]
    assert body["data"]["checks"]["storage"] in ("error", "timeout")
    assert body["data"]["checks"]["sql"] == "ok"


async def test_metrics_count_requests_by_route_template(client: httpx.AsyncClient) -> None:
    await client.get("/health/live")
    text = (await client.get("/metrics")).text
    assert 'atrium_http_requests_total{method="GET",route="/health/live",status="200"}' in text
