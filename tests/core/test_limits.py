"""Setting-defined bounds: one declaration, enforced by the services and shown in the OpenAPI."""

from __future__ import annotations

import json
from typing import Annotated, Any

import pytest

from atrium.config import Environment, Settings, StorageSettings
from atrium.core import limits
from atrium.core.errors import UnprocessableEntity
from atrium.core.limits import SettingMax
from atrium.core.schemas import Schema
from atrium.main import create_app
from atrium.notifications.settings import NotificationSettings


def _openapi(settings: Settings) -> dict[str, Any]:
    schema: dict[str, Any] = create_app(settings).openapi()
    return schema


def _bounds(schema: dict[str, Any]) -> dict[str, Any]:
    components = schema["components"]["schemas"]
    send = components["NotificationSend"]["properties"]
    upload = schema["paths"]["/api/v1/files"]["post"]["requestBody"]["content"]
    return {
        "body": send["body"]["maxLength"],
        "recipients": send["userIds"]["maxItems"],
        "message": components["MessageCreate"]["properties"]["body"]["maxLength"],
        "direct": components["UploadCreate"]["properties"]["size"]["maximum"],
        "upload": upload["multipart/form-data"]["schema"]["properties"]["file"]["maxLength"],
    }


def test_the_openapi_shows_the_default_limits() -> None:
    schema = _openapi(Settings(environment=Environment.TESTING))
    defaults, storage = NotificationSettings(), StorageSettings()
    assert _bounds(schema) == {
        "body": defaults.max_body_length,
        "recipients": defaults.max_recipients,
        "message": defaults.max_body_length,
        "direct": storage.direct_upload_max_bytes,
        "upload": storage.max_upload_bytes,
    }
    assert (defaults.max_body_length, defaults.max_recipients) == (4000, 1000)
    assert limits.MARKER not in json.dumps(schema)


def test_changing_a_setting_changes_the_openapi() -> None:
    settings = Settings(
        NotificationSettings(max_body_length=123, max_recipients=7),
        environment=Environment.TESTING,
        storage=StorageSettings(max_upload_bytes=2048, direct_upload_max_bytes=4096),
    )
    assert _bounds(_openapi(settings)) == {
        "body": 123,
        "recipients": 7,
        "message": 123,
        "direct": 4096,
        "upload": 2048,
    }


class Sample(Schema):
    note: Annotated[str, SettingMax("notifications.max_body_length")] = ""
    user_ids: Annotated[list[int], SettingMax("notifications.max_recipients")] = []


def test_check_enforces_the_same_setting() -> None:
    settings = Settings(
        NotificationSettings(max_body_length=5, max_recipients=2), environment=Environment.TESTING
    )
    limits.check(Sample(note="12345", user_ids=[1, 2]), settings)
    with pytest.raises(UnprocessableEntity) as refused:
        limits.check(Sample(note="123456", user_ids=[1, 2, 3]), settings)
    details = [(d.loc, d.message) for d in refused.value.details or []]
    assert details == [
        (["body", "note"], "must be at most 5 characters"),
        (["body", "userIds"], "must be at most 2 items"),
    ]
