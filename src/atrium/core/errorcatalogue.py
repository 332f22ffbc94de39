"""The error catalogue (``docs/errors.md``): every code, its status, message, domain and when.

Each ``AppError`` subclass registers itself when it is defined (``core/errors.py``). Core's generic
ones live in ``core/errors.py``, each domain's in ``<domain>/errors.py``: ``error_modules`` is the
one place that finds those modules (each domain's entry names its own), so a domain's codes are
catalogued by declaring the module, and a class defined anywhere else is not (a test says so).
``atrium docs errors`` writes the page and ``--check`` (and a test) fails when it is stale; like
``docs/api.md`` it is built from the default settings, so every machine generates the same text.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from atrium.config import default_settings
from atrium.core.domain import entry as domain_entry
from atrium.core.errors import HTTP_ERROR, AppError, registered

CORE_MODULE = "atrium.core.errors"
HEADER = f"""\
# Error codes

Generated from the error classes by `atrium docs errors` (`./atrium docs errors` or
`make atrium ARGS="docs errors"`): do not edit by hand; a test fails when it is stale. Core's
codes are declared in `src/atrium/core/errors.py`, each domain's in `<domain>/errors.py`: one
class per code, so a code has one HTTP status wherever it is raised.

Every error answers in the envelope `{{code, message, data: null, requestId}}` with the status
below; validation errors add `details: [{{loc, message, type}}]`, rate limits a `Retry-After`
header. Socket acknowledgements and `connect_error` data carry the same codes (without a status).
The message is the default: some answers say more (the limit, the id, the rule broken). Any other
HTTP status the framework answers with comes with the code `{HTTP_ERROR}`. Which statuses each
operation answers with: the [API reference](api.md).
"""


@dataclass(frozen=True, slots=True)
class Entry:
    """One code of the catalogue: the class that declares it, and the domain it belongs to."""

    code: str
    status: int
    message: str
    domain: str
    when: str
    error: type[AppError]


def error_modules(domains: Iterable[str]) -> dict[str, str]:
    """``{module: domain}`` for core's errors and every domain's declared errors module
    (imported), the domains given by package."""
    found = {CORE_MODULE: "core"}
    for package in domains:
        domain = domain_entry(package)
        if (module := domain.module(domain.errors)) is not None:
            found[module.__name__] = package.removeprefix("atrium.")
    return found


def entries(domains: Iterable[str]) -> list[Entry]:
    """Every code core and these domains declare, by code (a code twice means two classes)."""
    modules = error_modules(domains)
    found = [_entry(error, modules[error.__module__]) for error in _declared(modules)]
    return sorted(found, key=lambda entry: (entry.code, entry.domain))


def _declared(modules: dict[str, str]) -> list[type[AppError]]:
    return [error for error in registered() if error.__module__ in modules]


def _entry(error: type[AppError], domain: str) -> Entry:
    when = " ".join((error.__dict__.get("__doc__") or "").split()).replace("``", "`")
    return Entry(error.code, error.status_code, error.message, domain, when, error)


def conflicts(catalogue: Iterable[Entry]) -> dict[str, list[Entry]]:
    """The codes declared by more than one class (each could answer with its own status)."""
    by_code: dict[str, list[Entry]] = {}
    for entry in catalogue:
        by_code.setdefault(entry.code, []).append(entry)
    return {code: found for code, found in by_code.items() if len(found) > 1}


def _cell(text: str) -> str:
    return text.replace("|", "\\|")


def render(catalogue: Iterable[Entry]) -> str:
    """The catalogue as Markdown: one row per code."""
    lines = [HEADER, "| code | status | domain | message | when |", "|---|---|---|---|---|"]
    lines += [
        f"| `{e.code}` | {e.status} | {e.domain} | {_cell(e.message)} | {_cell(e.when)} |"
        for e in catalogue
    ]
    return "\n".join(lines) + "\n"


def generate() -> str:
    """The page, from the default settings' domains; refused while a code has two classes."""
    catalogue = entries(default_settings().domains)
    if twice := conflicts(catalogue):
        raise ValueError(f"codes declared by more than one class: {sorted(twice)}")
    return render(catalogue)
