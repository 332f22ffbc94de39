"""The parameters domain's rules: typed values, declared or custom, and seeding.

Functions flush and never commit: the caller's session commits, and the commit hook
(``propagation``) makes every node forget what it cached before the caller goes on.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from uuid import UUID

import structlog
from pydantic import JsonValue
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from atrium.core.pages import Page, PageParams, make_page
from atrium.core.parameters import DeclaredParameter, ParameterType, type_problem
from atrium.parameters import repository
from atrium.parameters.declarations import Declaration, Declarations
from atrium.parameters.errors import (
    ParameterDeclared,
    ParameterKeyTaken,
    ParameterNotDeclared,
    ParameterNotFound,
    ParameterValueInvalid,
)
from atrium.parameters.models import Parameter
from atrium.parameters.schemas import ParameterCreate, ParameterRead, ParameterUpdate

log = structlog.get_logger(__name__)


def encode(value: JsonValue, max_bytes: int) -> str:
    """The value as stored JSON text; 422 when it has no JSON form or is too large."""
    try:
        text = json.dumps(value, separators=(",", ":"), ensure_ascii=False, allow_nan=False)
    except (TypeError, ValueError) as exc:
        raise ParameterValueInvalid("The value is not JSON.") from exc
    if len(text.encode()) > max_bytes:
        raise ParameterValueInvalid(f"The value is larger than {max_bytes} bytes as JSON.")
    return text


def _check(declarations: Declarations, row: Parameter, value: JsonValue) -> None:
    found = declarations.get(row.key)
    problem = (
        found.parameter.problem(value)
        if found is not None
        else type_problem(ParameterType(row.type), value)
    )
    if problem is not None:
        raise ParameterValueInvalid(f"{row.key} {problem}.")


def describe(declarations: Declarations, row: Parameter) -> ParameterRead:
    """The row as an administrator sees it, with its declaration (if any) and default."""
    found = declarations.get(row.key)
    declared = found.parameter if found is not None else None
    default = declarations.default(row.key)
    return ParameterRead(
        key=row.key,
        type=ParameterType(row.type),
        value=_decoded(row.value) if row.value is not None else default,
        default=default,
        overridden=row.value is not None,
        declared=declared is not None,
        description=row.description,
        source=row.source,
        choices=list(declared.choices) if declared is not None and declared.choices else None,
        minimum=declared.minimum if declared is not None else None,
        maximum=declared.maximum if declared is not None else None,
        created_at=row.created_at,
        updated_at=row.updated_at,
        updated_by=row.updated_by,
    )


def _decoded(text: str) -> JsonValue:
    try:
        found: JsonValue = json.loads(text)
        return found
    except ValueError:  # edited in SQL: shown as the text it is
        return text


async def list_parameters(
    session: AsyncSession,
    declarations: Declarations,
    params: PageParams,
    *,
    prefix: str | None = None,
    source: str | None = None,
    declared: bool | None = None,
) -> Page[ParameterRead]:
    """One page of parameters, by key."""
    found = await repository.page(session, params, repository.listing(prefix, source, declared))
    items = [describe(declarations, row) for row in found.items]
    return make_page(items, found.total, params)


def _unsaved(found: Declaration) -> Parameter:
    declared = found.parameter
    return Parameter(
        key=declared.key,
        type=declared.type.value,
        description=declared.description,
        source=found.source,
    )


async def get_parameter(session: AsyncSession, declarations: Declarations, key: str) -> Parameter:
    """The row of ``key``; for a declared key not seeded yet, an unsaved one (its default)."""
    row = await repository.by_key(session, key)
    if row is not None:
        return row
    found = declarations.get(key)
    if found is None:
        raise ParameterNotFound()
    return _unsaved(found)


async def _save(session: AsyncSession, row: Parameter) -> None:
    # Two concurrent first writes of one key can both pass the check; the unique index decides.
    session.add(row)
    try:
        await session.flush()
    except IntegrityError as exc:
        raise ParameterKeyTaken() from exc


async def create(
    session: AsyncSession,
    declarations: Declarations,
    data: ParameterCreate,
    actor: UUID | None,
    max_bytes: int,
) -> Parameter:
    """A custom parameter; 409 if the key exists or a domain declares it."""
    if declarations.get(data.key) is not None or await repository.by_key(session, data.key):
        raise ParameterKeyTaken()
    row = Parameter(
        key=data.key, type=data.type.value, description=data.description, updated_by=actor
    )
    _check(declarations, row, data.value)
    row.value = encode(data.value, max_bytes)
    await _save(session, row)
    return row


async def update(
    session: AsyncSession,
    declarations: Declarations,
    row: Parameter,
    data: ParameterUpdate,
    actor: UUID | None,
    max_bytes: int,
) -> Parameter:
    """A new value and/or description; the key and the type never change."""
    if "value" in data.model_fields_set:
        _check(declarations, row, data.value)
        row.value = encode(data.value, max_bytes)
    if data.description is not None:
        row.description = data.description
    row.updated_by = actor
    await _save(session, row)
    return row


async def reset(
    session: AsyncSession, declarations: Declarations, row: Parameter, actor: UUID | None
) -> Parameter:
    """Back to the declared default; 409 ``PARAMETER_NOT_DECLARED`` for a custom one."""
    if declarations.get(row.key) is None:
        raise ParameterNotDeclared()
    row.value = None
    row.updated_by = actor
    await _save(session, row)
    return row


async def delete(session: AsyncSession, declarations: Declarations, row: Parameter) -> None:
    """Delete a custom parameter; 409 ``PARAMETER_DECLARED`` for a declared one."""
    if declarations.get(row.key) is not None:
        raise ParameterDeclared()
    await session.delete(row)
    await session.flush()


async def load_overrides(session: AsyncSession) -> dict[str, JsonValue]:
    """Every parameter holding a value, decoded (a row edited into bad JSON is left out)."""
    found: dict[str, JsonValue] = {}
    for key, text in await repository.overridden(session):
        try:
            found[key] = json.loads(text)
        except ValueError:
            log.warning("parameter_not_json", key=key)
    return found


# --- seeding ---------------------------------------------------------------------------------


@dataclass(slots=True)
class SeedReport:
    added: int = 0
    aligned: int = 0

    @property
    def changed(self) -> bool:
        return bool(self.added or self.aligned)


async def seed(session: AsyncSession, declarations: Declarations) -> SeedReport:
    """A row for every declared parameter that has none; an existing row takes its
    declaration's source and type (a changed type drops the override). Descriptions and values
    administrators set are kept."""
    report = SeedReport()
    rows = await repository.all_keys(session)
    for found in declarations:
        row = rows.get(found.parameter.key)
        if row is None:
            session.add(_unsaved(found))
            report.added += 1
        elif _align(row, found.source, found.parameter):
            report.aligned += 1
    await session.flush()
    return report


def _align(row: Parameter, source: str, declared: DeclaredParameter) -> bool:
    if row.source == source and row.type == declared.type.value:
        return False
    if row.type != declared.type.value:
        row.type, row.value = declared.type.value, None
    row.source = source
    return True
