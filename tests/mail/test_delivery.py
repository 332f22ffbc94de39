"""Delivery over real SMTP: the test profile's catcher receives the message as sent."""

from __future__ import annotations

from uuid import uuid4

import pytest

from atrium.mail.catcher import caught
from atrium.mail.delivery import TRANSIENT, build, deliver
from atrium.mail.rendering import Rendered
from tests.support.live import free_port as closed_port
from tests.support.settings import mail_settings


async def test_a_message_reaches_the_smtp_server_with_both_bodies(
    services: dict[str, str],
) -> None:
    settings = mail_settings(services)
    subject = f"hello {uuid4().hex}"
    rendered = Rendered(subject, "plain words\n", "<p>rich words</p>\n")
    await deliver(settings, build(settings, ["bob@example.com"], rendered, "<id-1@example.com>"))
    found = [mail for mail in caught(settings.catcher_dir, 200) if mail.subject == subject]
    assert len(found) == 1
    assert found[0].to == ["bob@example.com"]
    assert found[0].sender == "Atrium <no-reply@localhost>"
    assert found[0].text == "plain words\n"
    assert found[0].html == "<p>rich words</p>\n"


async def test_a_server_that_does_not_answer_is_a_transient_failure(
    services: dict[str, str],
) -> None:
    settings = mail_settings(services, port=closed_port(), timeout_seconds=2)
    message = build(settings, ["bob@example.com"], Rendered("s", "t", None))
    with pytest.raises(TRANSIENT):
        await deliver(settings, message)
