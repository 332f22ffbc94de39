"""Admin commands are recorded once each when they end: the system as actor, the command's
name, its exit status, and the SQL rows it changed (secrets redacted)."""

from __future__ import annotations

import asyncio
import csv
import io
import json
from collections.abc import Iterator
from typing import Any
from uuid import uuid4

import pytest
import typer
from pymongo import MongoClient
from typer.testing import CliRunner

from atrium.audit.cli import COMMAND_LOG, CommandLog
from atrium.audit.documents import COLLECTION
from atrium.cli import cli
from atrium.config import Settings, get_settings
from atrium.core.commandlog import add_recorder, audited, remove_recorder
from atrium.core.domain import open_database
from atrium.core.security.passwords import PasswordHasher
from atrium.core.uow import REDACTED
from atrium.users import service as users_service
from atrium.users.schemas import UserCreate
from atrium.users.settings import PasswordSettings
from tests.support.users import PASSWORD


@pytest.fixture
def recorded(settings: Settings) -> Iterator[None]:
    """The command log, pointed at this test's MongoDB database (dropped afterwards)."""
    log = CommandLog(lambda: settings)
    remove_recorder(COMMAND_LOG)  # the one ``atrium.cli`` added, for the process's settings
    add_recorder(log)
    yield
    remove_recorder(log)
    add_recorder(COMMAND_LOG)
    with _mongo(settings) as client:
        client.drop_database(settings.mongo.database)


def _mongo(settings: Settings) -> MongoClient[dict[str, Any]]:
    return MongoClient(settings.mongo.url, uuidRepresentation="standard")


def _stored(settings: Settings) -> list[dict[str, Any]]:
    with _mongo(settings) as client:
        return list(client[settings.mongo.database][COLLECTION].find({}))


async def _create_user(settings: Settings, username: str) -> None:
    policy = users_service.PasswordPolicy.from_settings(settings.group(PasswordSettings))
    data = UserCreate(username=username, email=f"{username}@example.com", password=PASSWORD)
    hasher = await PasswordHasher.create(settings.group(PasswordSettings))
    async with open_database(settings) as db, db.session() as session:
        await users_service.create(session, hasher, policy, data)


def test_a_command_is_recorded_with_what_it_changed(settings: Settings, recorded: None) -> None:
    username = f"cli-{uuid4().hex[:8]}"

    @audited("users add")
    def command() -> None:
        asyncio.run(_create_user(settings, username))

    command()
    [entry] = _stored(settings)
    assert (entry["actor_kind"], entry["method"], entry["code"]) == (
        "system",
        "CLI",
        "cli:users add",
    )
    assert (entry["status"], entry["path"]) == (0, "atrium users add")
    fields = {c["field"]: c["new"] for c in entry["changes"] if c["entity"] == "users"}
    assert fields["username"] == username
    assert fields["password_hash"] == REDACTED
    assert entry["target_ids"]


def test_a_failed_command_is_recorded_with_its_exit_status(
    settings: Settings, recorded: None
) -> None:
    @audited("users fail")
    def command() -> None:
        raise typer.Exit(code=3)

    with pytest.raises(typer.Exit):
        command()
    [entry] = _stored(settings)
    assert (entry["code"], entry["status"], entry["changes"]) == ("cli:users fail", 3, [])


@pytest.fixture
def cli_database(monkeypatch: pytest.MonkeyPatch, settings: Settings) -> Iterator[Settings]:
    """``atrium`` commands pointed at this test's MongoDB database (dropped afterwards)."""
    monkeypatch.setenv("ATRIUM_ENVIRONMENT", "testing")
    monkeypatch.setenv("ATRIUM_MONGO__URL", settings.mongo.url)
    monkeypatch.setenv("ATRIUM_MONGO__DATABASE", settings.mongo.database)
    get_settings.cache_clear()
    yield settings
    get_settings.cache_clear()
    with _mongo(settings) as client:
        client.drop_database(settings.mongo.database)


def test_audit_tail_and_export_read_the_log(cli_database: Settings) -> None:
    for name in ("first", "second"):
        audited(f"demo {name}")(lambda: None)()
    runner = CliRunner()
    tail = runner.invoke(cli, ["audit", "tail", "-n", "1"])
    assert tail.exit_code == 0, tail.output
    [line] = [json.loads(text) for text in tail.output.splitlines()]
    assert (line["code"], line["actorKind"]) == ("cli:demo second", "system")
    exported = runner.invoke(
        cli, ["audit", "export", "--format", "csv", "--code", "cli:demo first"]
    )
    rows = list(csv.DictReader(io.StringIO(exported.output)))
    assert [(row["code"], row["status"]) for row in rows] == [("cli:demo first", "0")]


def test_an_empty_range_is_refused_with_a_message(cli_database: Settings) -> None:
    args = ["audit", "export", "--from", "2026-12-02", "--to", "2026-12-01"]
    refused = CliRunner().invoke(cli, args)
    assert refused.exit_code == 1
    assert "start is after its end" in refused.output
