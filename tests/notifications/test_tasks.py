"""The ``notifications.send`` task keeps every rule of the send route, scheduled or not."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from pydantic import ValidationError

from atrium.core.state import AppState
from atrium.notifications.documents import Notification
from atrium.notifications.settings import NotificationSettings
from atrium.notifications.tasks import SendRefused, check_arguments, deliver
from tests.support.users import new_user

NOBODY = "0190d0b4-0000-7000-8000-000000000000"


@pytest.mark.parametrize(
    ("arguments", "code"),
    [
        ({"title": "x" * 5000}, "VALIDATION_ERROR"),
        ({"kind": "not a type name!"}, "VALIDATION_ERROR"),
        ({"title": ""}, "VALIDATION_ERROR"),
        ({"user_ids": []}, "VALIDATION_ERROR"),
        ({"user_ids": ["not-a-uuid"]}, "VALIDATION_ERROR"),
        ({"user_ids": [NOBODY]}, "NOTIFICATION_RECIPIENT_NOT_FOUND"),
        ({"body": "x" * 4001}, "VALIDATION_ERROR"),  # the configured limit, below the schema's
    ],
)
async def test_the_task_refuses_what_the_send_route_refuses(
    state: AppState, client: httpx.AsyncClient, arguments: dict[str, Any], code: str
) -> None:
    alice = await new_user(state, client, "alice")
    call: dict[str, Any] = {"user_ids": [str(alice.user_id)], "title": "Hello", **arguments}
    with pytest.raises(SendRefused) as refused:
        await deliver(state, **call)
    assert str(refused.value).split(":")[0] == code
    assert await Notification.find_all().count() == 0


async def test_a_valid_task_send_is_delivered(state: AppState, client: httpx.AsyncClient) -> None:
    alice = await new_user(state, client, "alice")
    ids = await deliver(state, [str(alice.user_id)], "Export ready", kind="export")
    stored = await Notification.find_all().to_list()
    assert [str(n.id) for n in stored] == ids
    assert (stored[0].title, stored[0].type) == ("Export ready", "export")
    assert stored[0].sender_id is None


async def test_task_sends_share_the_system_senders_rate(
    state: AppState, client: httpx.AsyncClient
) -> None:
    state.settings.group(NotificationSettings).send_rate_per_sender = "2/minute"
    alice = await new_user(state, client, "alice")
    for _ in range(2):
        await deliver(state, [str(alice.user_id)], "Tick")
    with pytest.raises(SendRefused) as refused:
        await deliver(state, [str(alice.user_id)], "Tick")
    assert str(refused.value).startswith("NOTIFICATION_RATE_LIMITED")
    assert await Notification.find_all().count() == 2


def test_the_declared_argument_check_is_the_send_schema() -> None:
    check_arguments([[NOBODY], "Hello"], {"kind": "export"})
    with pytest.raises(ValidationError, match="title"):
        check_arguments([[NOBODY], "x" * 201], {})
