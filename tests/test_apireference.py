"""docs/api.md is generated from the OpenAPI and never stale; it covers every operation."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from atrium import apireference
from atrium.cli import cli

ROOT = Path(__file__).resolve().parents[1]
REFERENCE = ROOT / "docs" / "api.md"
REGENERATE = "./atrium docs api  (or: uv run atrium docs api)"


@pytest.fixture(scope="module")
def generated() -> str:
    return apireference.generate()


def test_docs_api_md_is_up_to_date(generated: str) -> None:
    current = REFERENCE.read_text(encoding="utf-8") if REFERENCE.is_file() else ""
    assert current == generated, f"docs/api.md is stale: regenerate it with {REGENERATE}"


def test_every_operation_its_access_and_permission_code_are_listed(generated: str) -> None:
    schema = apireference.reference_app().openapi()
    operations = 0
    for path, item in schema["paths"].items():
        for method, operation in item.items():
            operations += 1
            heading = f"### `{method.upper()} {path}`\n"
            assert heading in generated, heading
            section = generated.split(heading, 1)[1].split("\n### ", 1)[0]
            assert f"Access: **{operation['x-access']}**" in section, section
            if operation["x-access"] == "permission":
                assert f"`{operation['x-permission']}`" in section
            for status in operation["responses"]:
                assert f"\n| {status} | " in section, (heading, status)
    assert operations > 50
    for name in schema["components"]["schemas"]:
        if not name.startswith("Envelope_"):
            assert f'<a id="schema-{name.lower()}"></a>' in generated, name


def test_the_reference_ignores_local_settings(
    generated: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ATRIUM_NOTIFICATIONS__MAX_BODY_LENGTH", "17")
    monkeypatch.setenv("ATRIUM_ENVIRONMENT", "testing")
    assert apireference.generate() == generated
    assert "max length 4000" in generated  # the default, with the setting named
    assert "*(setting `notifications.max_body_length`)*" in generated


def test_each_operation_names_its_domains_error_codes(generated: str) -> None:
    section = generated.split("### `POST /api/v1/notifications/send`\n", 1)[1].split("\n### ")[0]
    assert "`NOTIFICATION_RECIPIENT_NOT_FOUND`" in section
    assert "[error catalogue](errors.md)" in generated


def test_the_cli_writes_and_checks(tmp_path: Path, generated: str) -> None:
    target = tmp_path / "api.md"
    runner = CliRunner()
    stale = runner.invoke(cli, ["docs", "api", "--check", "--output", str(target)])
    assert stale.exit_code == 1
    assert "stale" in stale.output
    written = runner.invoke(cli, ["docs", "api", "--output", str(target)])
    assert written.exit_code == 0, written.output
    assert target.read_text(encoding="utf-8") == generated
    fresh = runner.invoke(cli, ["docs", "api", "--check", "--output", str(target)])
    assert fresh.exit_code == 0, fresh.output
