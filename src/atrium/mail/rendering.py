"""Mail bodies from Jinja2 templates: ``NAME.subject``, ``NAME.txt`` and (optional) ``NAME.html``.

A team's folder (``ATRIUM_MAIL__TEMPLATES_DIR``) is searched before the built-in templates, so a
file of the same name replaces Atrium's wording. A domain keeps its own messages in its package's
``templates`` folder and names the package (``render(..., package="atrium.twofactor")``): it is
searched after the team's folder and before the mail domain's own. HTML is autoescaped; an
undefined variable is an error (a mail with a hole in it is never sent).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from jinja2 import (
    BaseLoader,
    ChoiceLoader,
    Environment,
    FileSystemLoader,
    PackageLoader,
    StrictUndefined,
    TemplateNotFound,
    select_autoescape,
)


@dataclass(frozen=True, slots=True)
class Rendered:
    """One message's subject and bodies."""

    subject: str
    text: str
    html: str | None


@lru_cache(maxsize=16)
def environment(templates_dir: Path | None, package: str | None = None) -> Environment:
    loaders: list[BaseLoader] = [FileSystemLoader(templates_dir)] if templates_dir else []
    if package is not None:
        loaders.append(PackageLoader(package, "templates"))
    loaders.append(PackageLoader("atrium.mail", "templates"))
    return Environment(
        loader=ChoiceLoader(loaders),
        autoescape=select_autoescape(enabled_extensions=("html",), default=False),
        undefined=StrictUndefined,
        keep_trailing_newline=True,
    )


def render(
    name: str,
    context: dict[str, Any],
    templates_dir: Path | None = None,
    package: str | None = None,
) -> Rendered:
    """The message ``name`` with ``context`` (from ``package``'s templates too, if named);
    LookupError if it has no subject or text body."""
    env = environment(templates_dir, package)
    try:
        subject = env.get_template(f"{name}.subject").render(context)
        text = env.get_template(f"{name}.txt").render(context)
    except TemplateNotFound as exc:
        raise LookupError(f"no mail template {name!r} ({exc.name} is missing)") from exc
    try:
        html: str | None = env.get_template(f"{name}.html").render(context)
    except TemplateNotFound:
        html = None
    return Rendered(" ".join(subject.split()), text, html)
