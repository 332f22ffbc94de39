"""Mail templates: subject, text and HTML from Jinja2; a team's folder wins; holes refused."""

from __future__ import annotations

from pathlib import Path

import pytest
from jinja2 import UndefinedError

from atrium.mail.rendering import environment, render


def test_the_built_in_test_message_has_a_subject_text_and_html() -> None:
    rendered = render("test", {"project": "Acme"})
    assert rendered.subject == "Acme: a test message"
    assert "test message from Acme" in rendered.text
    assert rendered.html is not None
    assert "<strong>Acme</strong>" in rendered.html


def test_html_is_escaped_and_text_is_not() -> None:
    rendered = render("test", {"project": "<b>A&B</b>"})
    assert rendered.html is not None
    assert "&lt;b&gt;A&amp;B&lt;/b&gt;" in rendered.html
    assert "<b>A&B</b>" in rendered.text


def test_a_teams_folder_replaces_a_template_of_the_same_name(tmp_path: Path) -> None:
    (tmp_path / "test.subject").write_text("Ours: {{ project }}\n")
    (tmp_path / "test.txt").write_text("Our words for {{ project }}.\n")
    environment.cache_clear()
    rendered = render("test", {"project": "Acme"}, tmp_path)
    assert (rendered.subject, rendered.text) == ("Ours: Acme", "Our words for Acme.\n")
    assert rendered.html is not None
    assert "<strong>Acme</strong>" in rendered.html


def test_a_missing_template_or_variable_is_refused() -> None:
    with pytest.raises(LookupError, match="no mail template 'nothing'"):
        render("nothing", {})
    with pytest.raises(UndefinedError):
        render("test", {})


def test_a_domains_own_templates_are_found_and_a_teams_folder_still_wins(tmp_path: Path) -> None:
    context = {"project": "Acme", "username": "bob"}
    rendered = render("second_factor_reset", context, package="atrium.twofactor")
    assert rendered.subject == "Acme: your second factor was reset"
    assert "Hello bob" in rendered.text
    with pytest.raises(LookupError):
        render("second_factor_reset", context)  # not without naming the package
    (tmp_path / "second_factor_reset.subject").write_text("Ours: {{ project }}\n")
    rendered = render("second_factor_reset", context, tmp_path, "atrium.twofactor")
    assert rendered.subject == "Ours: Acme"
    assert render("test", context, package="atrium.twofactor").subject == "Acme: a test message"
