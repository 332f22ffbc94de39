"""A domain's one entry: everything it brings, declared in ``<package>/domain.py``.

``settings.domains`` (``ATRIUM_DOMAINS``) lists domain packages in dependency order. Each has a
``domain.py`` whose ``domain = Domain(...)`` names what it brings::

    domain = Domain(
        "billing",
        requires=("accounts",),      # listed before it, or the app refuses to start
        settings=(BillingSettings,),
        models=".models",            # SQLModel tables
        migration_branch="billing",
        router=".router",            # ``router`` (under the API prefix) and/or ``root_router``
        documents=".documents",      # ``DOCUMENTS``: its Beanie models
        capabilities=(BILLING_ADMIN,),
        tasks=".tasks",              # Celery tasks (schedulable ones say so in their decorator)
        beat={"billing.invoice": StaticPeriodicTask(task="billing.invoice", crontab="0 3 * * *")},
        parameters=(DeclaredParameter("billing.grace_days", ParameterType.INT, ...),),
        lifecycle=".lifecycle",      # install / startup / shutdown / attach / worker_startup
        widgets=".widgets",          # ``WIDGETS``: the caller's own records on the dashboard
    )

Modules are named, not imported, so a worker never imports routers and a command never imports
tasks: each part is imported when something asks for it (names starting with ``.`` are relative
to the package). ``load_domains`` is the one place that finds domains; it checks that every
domain a domain requires is listed before it, and reads (and so checks) every settings group.
"""

from __future__ import annotations

import importlib
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator, Mapping, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING, Any, TypeVar

from atrium.config import Settings, SettingsGroup, StaticPeriodicTask
from atrium.core.codes import DeclaredCode
from atrium.core.db import Database
from atrium.core.parameters import DeclaredParameter
from atrium.core.redis import RedisClient

if TYPE_CHECKING:
    from beanie import Document
    from fastapi import APIRouter

    from atrium.core.state import AppState

T = TypeVar("T")


class DomainError(RuntimeError):
    """The configured domains cannot run together (a missing entry or dependency)."""


@dataclass(frozen=True, slots=True)
class DictionaryItem:
    """One entry of a dictionary a domain seeds: the stored value and what the frontend shows."""

    value: str
    label: str


@dataclass(frozen=True, slots=True)
class DictionarySeed:
    """A dictionary (drop-down values) a domain seeds, e.g. the statuses of its records."""

    code: str
    name: str
    items: tuple[DictionaryItem, ...]

    @classmethod
    def from_enum(cls, code: str, name: str, values: type[StrEnum]) -> DictionarySeed:
        """One item per member, labelled from its value (``in_progress``: "In progress")."""
        items = tuple(
            DictionaryItem(member.value, member.value.replace("_", " ").capitalize())
            for member in values
        )
        return cls(code, name, items)


@dataclass(frozen=True, slots=True)
class InitContext:
    """What an ``initdb`` step gets: the settings, whether it may ask, where to report."""

    settings: Settings
    interactive: bool
    echo: Callable[[str], None]


InitStep = Callable[[InitContext], Awaitable[None]]


@dataclass(frozen=True, slots=True)
class Domain:
    """Everything a domain brings; every part is optional."""

    package: str
    requires: tuple[str, ...] = ()
    settings: tuple[type[SettingsGroup], ...] = ()
    # SQL: the module of its SQLModel tables, the Alembic branch of its migrations, and (for a
    # domain outside this repository) the folder of its revision files, relative to the package.
    models: str | None = None
    migration_branch: str | None = None
    migrations: str | None = None
    documents: str | None = None
    router: str | None = None
    capabilities: tuple[DeclaredCode, ...] = ()
    tasks: str | None = None
    beat: Mapping[str, StaticPeriodicTask] = field(default_factory=dict)
    # Celery configuration it sets (the scheduler sets ``beat_scheduler``).
    celery: Mapping[str, object] = field(default_factory=dict)
    # Socket events: a module with ``socket_router`` (the realtime domain mounts them).
    events: str | None = None
    # Commands: a module with ``register(cli: typer.Typer)``.
    cli: str | None = None
    # ``atrium initdb`` runs every domain's step, in domain order, after migrating.
    initdb: str | None = None
    dictionaries: tuple[DictionarySeed, ...] = ()
    # Settings administrators may override at runtime (read with ``core.parameters.current``).
    parameters: tuple[DeclaredParameter, ...] = ()
    errors: str | None = None
    lifecycle: str | None = None
    # "My" widgets on the dashboard: a module with ``WIDGETS`` (``atrium.core.widgets``).
    widgets: str | None = None

    @property
    def name(self) -> str:
        """The short name (``files``): error catalogue, logs."""
        return self.package.rsplit(".", 1)[-1]

    def module(self, part: str | None) -> ModuleType | None:
        """Import one of its declared modules (None if it declares none)."""
        if part is None:
            return None
        return importlib.import_module(part, self.package if part.startswith(".") else None)

    def qualified(self, part: str | None) -> str | None:
        """A declared module's absolute name (Celery imports task modules by name)."""
        if part is None:
            return None
        return f"{self.package}{part}" if part.startswith(".") else part

    def attribute(self, part: str | None, name: str, kind: type[T]) -> T | None:
        """``name`` of a declared module, checked to be a ``kind``."""
        module = self.module(part)
        if module is None or not hasattr(module, name):
            return None
        found = getattr(module, name)
        if not isinstance(found, kind):
            raise DomainError(f"{module.__name__}.{name} is not a {kind.__name__}")
        return found

    def hook(self, name: str) -> Callable[..., Any] | None:
        """A lifecycle hook (``install``, ``startup``, ``shutdown``, ``attach``,
        ``worker_startup``) if it has one."""
        module = self.module(self.lifecycle)
        found = getattr(module, name, None) if module is not None else None
        return found if callable(found) else None

    def routers(self) -> tuple[APIRouter | None, APIRouter | None]:
        """``(router, root_router)``: under the API prefix, and at the root."""
        from fastapi import APIRouter

        return (
            self.attribute(self.router, "router", APIRouter),
            self.attribute(self.router, "root_router", APIRouter),
        )

    def document_models(self) -> list[type[Document]]:
        return list(self.attribute(self.documents, "DOCUMENTS", list) or [])

    def initdb_step(self) -> InitStep | None:
        if self.initdb is None:
            return None
        module_name, _, function = self.initdb.partition(":")
        found = getattr(self.module(module_name), function or "initdb", None)
        if not callable(found):
            raise DomainError(f"{self.package}: initdb step {self.initdb!r} is not a function")
        step: InitStep = found
        return step

    def migrations_folder(self) -> Path | None:
        """The folder of its own revision files, if it keeps them in its package."""
        if self.migrations is None:
            return None
        package = importlib.import_module(self.package)
        return Path(next(iter(package.__path__))) / self.migrations


class Domains(Sequence[Domain]):
    """The configured domains, in order, with what the app, a worker and the CLI gather."""

    def __init__(self, domains: Sequence[Domain]) -> None:
        self._domains = list(domains)

    def __getitem__(self, index: int) -> Domain:  # type: ignore[override]
        return self._domains[index]

    def __len__(self) -> int:
        return len(self._domains)

    def __iter__(self) -> Iterator[Domain]:
        return iter(self._domains)

    @property
    def packages(self) -> list[str]:
        return [domain.package for domain in self._domains]

    def has(self, package: str) -> bool:
        return package in self.packages

    def document_models(self) -> list[type[Document]]:
        return [model for domain in self._domains for model in domain.document_models()]

    def modules(self, part: str) -> list[str]:
        """Absolute names of one kind of declared module (``"tasks"``, ``"models"``...)."""
        found = [domain.qualified(getattr(domain, part)) for domain in self._domains]
        return [name for name in found if name is not None]

    def import_all(self, part: str) -> list[ModuleType]:
        return [importlib.import_module(name) for name in self.modules(part)]

    def capabilities(self) -> list[DeclaredCode]:
        return [code for domain in self._domains for code in domain.capabilities]

    def beat_entries(self) -> dict[str, StaticPeriodicTask]:
        return {name: entry for domain in self._domains for name, entry in domain.beat.items()}

    def celery_config(self) -> dict[str, object]:
        return {key: value for domain in self._domains for key, value in domain.celery.items()}

    def dictionaries(self) -> list[DictionarySeed]:
        return [seed for domain in self._domains for seed in domain.dictionaries]

    def parameters(self) -> list[tuple[str, DeclaredParameter]]:
        """``(domain name, declaration)`` of every overridable setting."""
        return [
            (domain.name, declared) for domain in self._domains for declared in domain.parameters
        ]

    def migrations_folders(self) -> list[Path]:
        found = [domain.migrations_folder() for domain in self._domains]
        return [folder for folder in found if folder is not None]


def entry(package: str) -> Domain:
    """The ``domain`` declared by ``<package>.domain``."""
    try:
        module = importlib.import_module(f"{package}.domain")
    except ModuleNotFoundError as exc:
        if exc.name not in (package, f"{package}.domain"):
            raise
        raise DomainError(
            f"{package!r} is listed in ATRIUM_DOMAINS but has no {package}.domain module "
            "declaring `domain = Domain(...)`"
        ) from exc
    found = getattr(module, "domain", None)
    if not isinstance(found, Domain):
        raise DomainError(f"{package}.domain has no `domain = Domain(...)`")
    if found.package != package:
        raise DomainError(f"{package}.domain declares the package {found.package!r}")
    return found


def check_order(domains: Sequence[Domain]) -> None:
    """Every required domain is listed, before the domain that needs it; none twice."""
    seen: set[str] = set()
    for domain in domains:
        if domain.package in seen:
            raise DomainError(f"{domain.package} is listed twice in ATRIUM_DOMAINS")
        for needed in domain.requires:
            if needed not in seen:
                where = "after it" if needed in {d.package for d in domains} else "not at all"
                raise DomainError(
                    f"{domain.package} needs {needed}, which ATRIUM_DOMAINS lists {where}: "
                    f"list {needed} before {domain.package}"
                )
        seen.add(domain.package)


def load_domains(settings: Settings) -> Domains:
    """The configured domains' entries, checked: the one place domains are found."""
    found = [entry(package) for package in settings.domains]
    check_order(found)
    # Every group read now: a bad value fails at start, not at first use.
    settings.read_groups(model for domain in found for model in domain.settings)
    return Domains(found)


def attach_commit_hooks(
    settings: Settings, db: Database, redis: RedisClient, domains: Domains | None = None
) -> None:
    """Hang every domain's commit hooks on ``db``: the API, a worker and a command commit
    through the same unit of work."""
    for domain in domains if domains is not None else load_domains(settings):
        if attach := domain.hook("attach"):
            attach(db, redis, settings)


async def start_worker_parts(state: AppState, domains: Domains) -> None:
    """Every domain's ``worker_startup(state)``: the per-process objects its tasks read (a worker
    runs no lifespan, so ``startup`` never runs there)."""
    for domain in domains:
        if ready := domain.hook("worker_startup"):
            await ready(state)


@asynccontextmanager
async def open_database(settings: Settings) -> AsyncIterator[Database]:
    """SQL for a command, with every domain's commit hooks (and the Redis they reach)."""
    from atrium.core.state import open_state

    state = await open_state(settings, mongo=False, storage=False)
    try:
        attach_commit_hooks(settings, state.db, state.redis)
        yield state.db
    finally:
        await state.close()
