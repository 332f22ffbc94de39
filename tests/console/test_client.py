"""The console's API client is generated from the OpenAPI (`make console-client`): regenerated
here from the app of today, it must equal the checked-in console/src/api/schema.d.ts, so a
route or schema change without a regenerated client fails the suite."""

from __future__ import annotations

import json
import shlex
import shutil
import subprocess
from pathlib import Path

import pytest

from atrium import apireference
from tests.support import ROOT

CONSOLE = ROOT / "console"
CLIENT = CONSOLE / "src" / "api" / "schema.d.ts"
SCHEMA_ARG = "../var/console/openapi.json"
OUTPUT_ARG = "src/api/schema.d.ts"


def _generator_command(schema: Path, output: Path) -> list[str]:
    """The package.json ``client`` script, pointed at these files (one source for its flags)."""
    script = json.loads((CONSOLE / "package.json").read_text())["scripts"]["client"]
    words = shlex.split(script)
    assert SCHEMA_ARG in words, script
    assert OUTPUT_ARG in words, script
    binary = CONSOLE / "node_modules" / ".bin" / words[0]
    if not binary.exists() or shutil.which("node") is None:
        pytest.fail(f"{binary} or node is missing: run `make console` (`make test` installs it)")
    swapped = {SCHEMA_ARG: str(schema), OUTPUT_ARG: str(output)}
    return [str(binary), *(swapped.get(word, word) for word in words[1:])]


def test_the_checked_in_client_is_generated_from_todays_openapi(tmp_path: Path) -> None:
    schema = tmp_path / "openapi.json"
    schema.write_text(apireference.openapi_json(), encoding="utf-8")
    output = tmp_path / "schema.d.ts"
    command = _generator_command(schema, output)
    subprocess.run(command, cwd=CONSOLE, check=True, capture_output=True, timeout=120)
    fresh = output.read_text(encoding="utf-8")
    assert '"/api/v1/auth/login"' in fresh
    assert CLIENT.read_text(encoding="utf-8") == fresh, (
        "console/src/api/schema.d.ts is stale: run `make console-client` and commit it"
    )
