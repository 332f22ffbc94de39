"""``atrium mail caught|show``: what the catcher caught, from the command line."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from uuid import uuid4

from atrium.mail.catcher import caught
from atrium.mail.delivery import build, deliver
from atrium.mail.rendering import Rendered
from tests.support import ROOT
from tests.support.settings import mail_settings

ATRIUM = str(Path(sys.executable).parent / "atrium")


def _atrium(*args: str, catcher: Path | None) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("ATRIUM_")}
    env["ATRIUM_ENV_FILE"] = ""
    if catcher is not None:
        env["ATRIUM_MAIL__CATCHER_DIR"] = str(catcher)
    return subprocess.run(
        [ATRIUM, "mail", *args], env=env, cwd=ROOT, capture_output=True, text=True, check=False
    )


async def test_the_cli_lists_and_shows_caught_mail(services: dict[str, str]) -> None:
    settings = mail_settings(services)
    subject = f"cli {uuid4().hex}"
    await deliver(settings, build(settings, ["frank@example.com"], Rendered(subject, "hi\n", None)))
    listed = _atrium("caught", "--limit", "200", catcher=settings.catcher_dir)
    assert listed.returncode == 0, listed.stderr
    assert subject in listed.stdout
    (mail_id,) = [mail.id for mail in caught(settings.catcher_dir, 200) if mail.subject == subject]
    shown = _atrium("show", mail_id, catcher=settings.catcher_dir)
    assert shown.returncode == 0, shown.stderr
    assert f"Subject: {subject}" in shown.stdout
    assert "hi" in shown.stdout
    missing = _atrium("show", "no-such-id", catcher=settings.catcher_dir)
    assert (missing.returncode, "No such caught message." in missing.stderr) == (1, True)


def test_without_a_catcher_the_cli_says_so() -> None:
    refused = _atrium("caught", catcher=None)
    assert refused.returncode == 1
    assert "ATRIUM_MAIL__CATCHER_DIR" in refused.stderr
