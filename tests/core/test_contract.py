"""The API contract: one envelope for every response, truthful statuses, request ids."""

from __future__ import annotations

import httpx
import pytest

from atrium.config import Settings

pytestmark = pytest.mark.usefixtures("sample_domain")


@pytest.fixture
def sample_domain(settings: Settings) -> None:
    settings.domains = [*settings.domains, "tests.core.sample_domain"]


def _assert_error(response: httpx.Response, status: int, code: str) -> dict[str, object]:
    assert response.status_code == status
    body = response.json()
    assert set(body) >= {"code", "message", "data", "requestId"}
    assert body["code"] == code
    assert body["data"] is None
    assert body["requestId"] == response.headers["x-request-id"]
    return dict(body)


async def test_success_is_enveloped_in_camel_case(client: httpx.AsyncClient) -> None:
    response = await client.post(
        "/api/v1/sample/items", json={"display_name": "Pen", "quantity": 2}
    )
    assert response.status_code == 201
    body = response.json()
    assert body["code"] == "OK"
    assert body["requestId"] == response.headers["x-request-id"]
    data = body["data"]
    assert data["displayName"] == "Pen"
    assert data["id"][14] == "7"  # UUIDv7, as a string
    assert data["createdAt"].endswith(("Z", "+00:00"))


async def test_input_accepts_camel_case(client: httpx.AsyncClient) -> None:
    response = await client.post("/api/v1/sample/items", json={"displayName": "Ink", "quantity": 1})
    assert response.status_code == 201
    assert response.json()["data"]["displayName"] == "Ink"


async def test_request_id_is_taken_from_the_header(client: httpx.AsyncClient) -> None:
    response = await client.get("/nowhere", headers={"X-Request-ID": "trace-abc.123"})
    assert response.headers["x-request-id"] == "trace-abc.123"
    assert response.json()["requestId"] == "trace-abc.123"


async def test_malformed_request_id_is_replaced(client: httpx.AsyncClient) -> None:
    response = await client.get("/nowhere", headers={"X-Request-ID": "bad id\twith tabs"})
    assert response.headers["x-request-id"] != "bad id\twith tabs"


async def test_unknown_route_is_404_in_the_envelope(client: httpx.AsyncClient) -> None:
    _assert_error(await client.get("/api/v1/does-not-exist"), 404, "NOT_FOUND")


async def test_wrong_method_is_405_in_the_envelope(client: httpx.AsyncClient) -> None:
    response = await client.delete("/api/v1/sample/items")
    _assert_error(response, 405, "METHOD_NOT_ALLOWED")
    assert response.headers["allow"]  # Starlette names the first route that matched the path


async def test_invalid_body_is_422_with_field_details(client: httpx.AsyncClient) -> None:
    response = await client.post("/api/v1/sample/items", json={"displayName": "Pen", "quantity": 0})
    body = _assert_error(response, 422, "VALIDATION_ERROR")
    details = body["details"]
    assert isinstance(details, list)
    assert details[0]["loc"] == ["body", "quantity"]
    assert details[0]["type"] == "greater_than_equal"


async def test_malformed_json_is_422(client: httpx.AsyncClient) -> None:
    response = await client.post(
        "/api/v1/sample/items",
        content=b"{not json",
        headers={"content-type": "application/json"},
    )
    _assert_error(response, 422, "VALIDATION_ERROR")


async def test_app_error_keeps_its_code(client: httpx.AsyncClient) -> None:
    body = _assert_error(await client.get("/api/v1/sample/conflict"), 409, "SAMPLE_TAKEN")
    assert body["message"] == "That name is taken."


async def test_bug_is_500_without_internals(client: httpx.AsyncClient) -> None:
    response = await client.get("/api/v1/sample/boom")
    body = _assert_error(response, 500, "INTERNAL_ERROR")
    assert "secret" not in response.text
    assert "hunter2" not in response.text
    assert "RuntimeError" not in response.text
    assert body["message"] == "An unexpected error occurred."


async def test_a_store_that_does_not_answer_is_503_not_500(client: httpx.AsyncClient) -> None:
    response = await client.get("/api/v1/sample/store-down")
    body = _assert_error(response, 503, "SERVICE_UNAVAILABLE")
    assert "127.0.0.1" not in response.text
    assert body["message"] == "A required service is unavailable."


async def test_routes_need_a_permission_by_default(client: httpx.AsyncClient) -> None:
    response = await client.get("/api/v1/sample/protected")
    assert response.status_code in (401, 403)
    assert response.json()["data"] is None


async def test_page_pagination(client: httpx.AsyncClient) -> None:
    response = await client.get("/api/v1/sample/items", params={"page": 3, "size": 20})
    data = response.json()["data"]
    assert data == {"items": [41, 42, 43, 44, 45], "total": 45, "page": 3, "size": 20, "pages": 3}


async def test_page_size_is_bounded(client: httpx.AsyncClient) -> None:
    response = await client.get("/api/v1/sample/items", params={"size": 1000})
    _assert_error(response, 422, "VALIDATION_ERROR")


async def test_openapi_documents_envelope_errors_and_access(client: httpx.AsyncClient) -> None:
    schema = (await client.get("/openapi.json")).json()
    operation = schema["paths"]["/api/v1/sample/items"]["post"]
    assert operation["x-access"] == "public"
    assert "ErrorEnvelope" in str(operation["responses"]["422"])
    assert "ErrorEnvelope" in str(operation["responses"]["500"])
    protected = schema["paths"]["/api/v1/sample/protected"]["get"]
    assert protected["x-permission"] == "GET:/api/v1/sample/protected"
