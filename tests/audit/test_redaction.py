"""Secrets never reach the log: by column marking (the unit of work) and by name (this rule)."""

from __future__ import annotations

import pytest

from atrium.audit.recording import stored
from atrium.audit.redaction import is_secret
from atrium.core.uow import REDACTED


@pytest.mark.parametrize(
    "name",
    [
        "password",
        "password_hash",
        "secret_hash",
        "client_secret",
        "refresh_token",
        "salt",
        "private_key",
        "key_material",
        "key",
        "totp_secret",
        "recovery_codes",
        "credential",
        "nonce",
        "PasswordHash",
    ],
)
def test_secret_names_are_redacted(name: str) -> None:
    assert is_secret(name)
    assert stored(name, "s3cr3t-value") == REDACTED


@pytest.mark.parametrize(
    "name", ["username", "email", "display_name", "status", "pattern", "role_id", "monkey"]
)
def test_other_fields_are_kept_as_json_carries_them(name: str) -> None:
    assert not is_secret(name)
    assert stored(name, "value") == "value"


def test_an_absent_secret_stays_absent_and_values_become_json() -> None:
    from datetime import UTC, datetime
    from uuid import UUID

    assert stored("password_hash", None) is None
    when = datetime(2026, 12, 7, tzinfo=UTC)
    assert stored("at", when) == "2026-12-07T00:00:00Z"
    assert stored("id", UUID(int=1)) == "00000000-0000-0000-0000-000000000001"
