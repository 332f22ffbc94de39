"""Bounds that come from settings, declared once on the field: enforced and documented alike.

A schema field marked ``Annotated[str, SettingMax("notifications.max_body_length")]`` is checked
against that setting by :func:`check` (the service calls it with the running settings) and the
OpenAPI document shows the same number (``maxLength``, ``maxItems`` or ``maximum``, by the
field's type): :func:`publish` replaces the marker when the document is built. So changing the
setting changes both, and the documented contract can never drift from the enforced one.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel, GetJsonSchemaHandler
from pydantic.json_schema import JsonSchemaValue
from pydantic_core import CoreSchema

from atrium.config import Settings
from atrium.core.errors import UnprocessableEntity
from atrium.core.responses import ErrorDetail

MARKER = "x-setting-max"
SETTING_KEY = "x-setting"
KEYWORDS = {"string": "maxLength", "array": "maxItems", "integer": "maximum", "number": "maximum"}


@dataclass(frozen=True, slots=True)
class SettingMax:
    """The field's upper bound (length, item count or value) is the setting at this dotted path."""

    setting: str

    def __get_pydantic_json_schema__(
        self, core_schema: CoreSchema, handler: GetJsonSchemaHandler
    ) -> JsonSchemaValue:
        schema = handler(core_schema)
        schema[MARKER] = self.setting
        return schema

    def value(self, settings: Settings) -> int:
        found = settings.lookup(self.setting)
        if not isinstance(found, int | float):
            raise TypeError(f"the setting {self.setting!r} is not a number")
        return int(found)


def _measure(value: Any) -> tuple[int, str] | None:
    """The size compared with the bound, and its unit for the error message."""
    if isinstance(value, str):
        return len(value), " characters"
    if isinstance(value, list | tuple | set | dict):
        return len(value), " items"
    if isinstance(value, int | float) and not isinstance(value, bool):
        return int(value), ""
    return None


def _bounds(model: type[BaseModel]) -> Iterator[tuple[str, str, SettingMax]]:
    for name, info in model.model_fields.items():
        for meta in info.metadata:
            if isinstance(meta, SettingMax):
                yield name, info.alias or name, meta


def check(data: BaseModel, settings: Settings, where: str = "body") -> None:
    """Refuse (422, one detail per field) every value above its setting-defined bound."""
    details: list[ErrorDetail] = []
    for name, wire, bound in _bounds(type(data)):
        limit, measured = bound.value(settings), _measure(getattr(data, name))
        if measured is not None and measured[0] > limit:
            message = f"must be at most {limit}{measured[1]}"
            details.append(ErrorDetail(loc=[where, wire], message=message, type="too_long"))
    if details:
        fields = ", ".join(str(detail.loc[-1]) for detail in details)
        raise UnprocessableEntity(f"Too long or too large: {fields}.", details=details)


def _resolve(node: Any, settings: Settings) -> None:
    if isinstance(node, list):
        for item in node:
            _resolve(item, settings)
        return
    if not isinstance(node, dict):
        return
    setting = node.pop(MARKER, None)
    if setting is not None:
        node[SETTING_KEY] = setting  # which setting, for readers of the document
        value = SettingMax(setting).value(settings)
        kinds = [node.get("type")] + [option.get("type") for option in node.get("anyOf", [])]
        for kind in kinds:
            if kind in KEYWORDS:
                target = node if node.get("type") == kind else _option(node, kind)
                target[KEYWORDS[kind]] = value
    for child in node.values():
        _resolve(child, settings)


def _option(node: dict[str, Any], kind: str) -> dict[str, Any]:
    return next(option for option in node["anyOf"] if option.get("type") == kind)


def publish(app_openapi: Callable[[], dict[str, Any]], settings: Settings) -> dict[str, Any]:
    """Build the OpenAPI document and write each setting-defined bound into it."""
    schema = app_openapi()
    _resolve(schema, settings)
    return schema
