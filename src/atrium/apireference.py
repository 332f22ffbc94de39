"""The API reference (``docs/api.md``), generated from the OpenAPI document and the error classes.

``atrium docs api`` writes it; ``atrium docs api --check`` (and a test) fails when it is stale.
It is built from the default settings only (no ``.env``, no ``ATRIUM_*`` variable), so every
machine generates the same text: limits that come from settings show their default values.
Every operation lists its access level and permission code, parameters, request body, response
``data`` and error statuses (with the codes of the route's domain, from the error catalogue);
every schema its fields. The codes themselves are listed in ``docs/errors.md``
(``core/errorcatalogue.py``).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator
from typing import Any

from fastapi import FastAPI
from fastapi.routing import APIRoute, iter_route_contexts

from atrium.config import default_settings
from atrium.core import errorcatalogue
from atrium.core.errorcatalogue import Entry

METHODS = ("get", "post", "put", "patch", "delete")
REF = "#/components/schemas/"
ENVELOPE = re.compile(r"^Envelope_(.+)_$")
CONSTRAINTS = {
    "minLength": "min length",
    "maxLength": "max length",
    "minimum": "≥",
    "maximum": "≤",
    "exclusiveMinimum": ">",
    "exclusiveMaximum": "<",
    "minItems": "min items",
    "maxItems": "max items",
    "pattern": "pattern",
}
GENERIC_CODES = {
    "400": "BAD_REQUEST, INVALID_CURSOR (cursor pages) or a specific code",
    "401": "AUTH_REQUIRED, AUTH_TOKEN_INVALID, AUTH_TOKEN_EXPIRED, AUTH_TOKEN_REVOKED",
    "403": "PERMISSION_DENIED, AUTH_USER_DISABLED or a specific code",
    "404": "NOT_FOUND or a specific code",
    "409": "CONFLICT or a specific code",
    "413": "PAYLOAD_TOO_LARGE",
    "415": "UNSUPPORTED_MEDIA_TYPE",
    "422": "VALIDATION_ERROR (field details) or a specific code",
    "429": "RATE_LIMITED (Retry-After)",
    "500": "INTERNAL_ERROR",
    "503": "SERVICE_UNAVAILABLE or a specific code",
}
HEADER = """\
# API reference

Generated from the OpenAPI document by `atrium docs api` (`./atrium docs api` or
`make atrium ARGS="docs api"`): do not edit by hand; a test fails when it is stale. It shows the
default settings: limits marked *(setting ...)* follow your configuration, and the running
server's `/openapi.json` (and Swagger UI at `/docs`, local and testing only) shows your values.

Every response is the envelope `{code, message, data, requestId}`; the tables below give the
type of `data`. Errors use the same envelope with `data: null` and, for validation errors,
`details: [{loc, message, type}]`. Access levels: **public** (no token), **authenticated** (any
logged-in user), **permission** (the code shown, granted through a role; superusers pass).
Every error code, its status and when it is raised: the [error catalogue](errors.md).
"""


def reference_app() -> FastAPI:
    from atrium.main import create_app

    return create_app(default_settings())


def openapi_json() -> str:
    """The default app's OpenAPI document as JSON text, the same on every machine."""
    return json.dumps(reference_app().openapi(), indent=2, ensure_ascii=False) + "\n"


def route_domains(app: FastAPI) -> dict[str, str]:
    """``"GET /api/v1/users"`` -> ``"rbac"``: the package whose module defines the endpoint."""
    found: dict[str, str] = {}
    for context in iter_route_contexts(app.routes):
        route = context.original_route
        if isinstance(route, APIRoute) and context.path:
            parts = route.endpoint.__module__.split(".")
            domain = parts[1] if len(parts) > 1 and parts[0] == "atrium" else parts[0]
            for method in route.methods or ():
                found[f"{method.upper()} {context.path}"] = domain
    return found


def generate() -> str:
    """The whole reference, from the default app and the error catalogue of its domains."""
    app = reference_app()
    codes = errorcatalogue.entries(default_settings().domains)
    return render(app.openapi(), codes, route_domains(app))


# --- types ------------------------------------------------------------------------------------


def _ref_name(ref: str) -> str:
    return ref.removeprefix(REF)


def _link(name: str) -> str:
    return f"[{name}](#schema-{name.lower()})"


def type_of(schema: dict[str, Any]) -> str:
    """A short readable type: ``list[[UserRead](#...)]``, ``string (uuid) | null``."""
    if "$ref" in schema:
        return _link(_ref_name(schema["$ref"]))
    if "anyOf" in schema or "oneOf" in schema:
        options: list[dict[str, Any]] = schema.get("anyOf") or schema.get("oneOf") or []
        return " | ".join(type_of(option) for option in options)
    if "enum" in schema:
        return " | ".join(f"`{value!r}`".replace("'", '"') for value in schema["enum"])
    if "const" in schema:
        return f"`{schema['const']!r}`".replace("'", '"')
    kind = schema.get("type", "any")
    if kind == "array":
        return f"list[{type_of(schema.get('items', {}))}]"
    if kind == "object" and isinstance(schema.get("additionalProperties"), dict):
        return f"object of {type_of(schema['additionalProperties'])}"
    if "format" in schema:
        return f"{kind} ({schema['format']})"
    return str(kind)


def constraints(schema: dict[str, Any]) -> str:
    found = [f"{label} {schema[key]}" for key, label in CONSTRAINTS.items() if key in schema]
    for option in schema.get("anyOf", []):
        found += [f"{label} {option[key]}" for key, label in CONSTRAINTS.items() if key in option]
    if "default" in schema:
        found.append(f"default `{_json(schema['default'])}`")
    return ", ".join(found)


def _json(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return f'"{value}"'
    return str(value)


def _cell(text: str | None) -> str:
    return " ".join((text or "").split()).replace("|", "\\|")


# --- operations -------------------------------------------------------------------------------


def _operations(schema: dict[str, Any]) -> Iterator[tuple[str, str, dict[str, Any]]]:
    for path in sorted(schema.get("paths", {})):
        item = schema["paths"][path]
        for method in METHODS:
            if method in item:
                yield path, method, item[method]


def _summary(operation: dict[str, Any]) -> str:
    text = (operation.get("description") or operation.get("summary") or "").strip()
    return text.splitlines()[0] if text else ""


def _access(path: str, method: str, operation: dict[str, Any]) -> str:
    level = operation.get("x-access", "public")
    identity = "; manages identity: never with an API key" if operation.get("x-identity") else ""
    if level == "permission":
        code = operation.get("x-permission", f"{method.upper()}:{path}")
        needs = "".join(f" and capability `{name}`" for name in operation.get("x-capabilities", []))
        return f"**permission** `{code}`{needs}{identity}"
    return f"**{level}**{identity}"


def _parameters(operation: dict[str, Any]) -> list[str]:
    params = operation.get("parameters", [])
    if not params:
        return []
    lines = [
        "",
        "| parameter | in | type | required | rules | description |",
        "|---|---|---|---|---|---|",
    ]
    for param in params:
        schema = param.get("schema", {})
        lines.append(
            f"| `{param['name']}` | {param['in']} | {_cell(type_of(schema))} | "
            f"{'yes' if param.get('required') else 'no'} | {_cell(constraints(schema))} | "
            f"{_cell(param.get('description') or schema.get('description'))} |"
        )
    return lines


def _body_type(content: dict[str, Any]) -> str:
    parts = []
    for media, spec in content.items():
        schema = spec.get("schema", {})
        if "$ref" not in schema and schema.get("type") == "object":
            fields = ", ".join(
                f"`{name}`: {type_of(prop)}"
                + (f" ({constraints(prop)})" if constraints(prop) else "")
                for name, prop in schema.get("properties", {}).items()
            )
            parts.append(f"`{media}` with {fields}")
        else:
            parts.append(f"`{media}`: {type_of(schema)}")
    return "; ".join(parts)


def _request(operation: dict[str, Any]) -> list[str]:
    body = operation.get("requestBody")
    if not body:
        return []
    required = " (required)" if body.get("required") else ""
    return ["", f"Request body{required}: {_body_type(body.get('content', {}))}"]


def _data_type(spec: dict[str, Any]) -> str:
    content = spec.get("content", {})
    if not content:
        return "no body"
    schema = next(iter(content.values())).get("schema", {})
    match = ENVELOPE.match(_ref_name(schema.get("$ref", "")))
    if match:
        return f"envelope, `data`: {_envelope_data(match.group(1))}"
    return _body_type(content)


def _envelope_data(inner: str) -> str:
    """``Page_RoleRead_`` -> ``[Page_RoleRead_](...)``; ``list_MenuNode_`` -> ``list[...]``."""
    if inner.startswith("list_") and inner.endswith("_"):
        return f"list[{_link(inner[5:-1])}]"
    if inner == "NoneType":
        return "null"
    return _link(inner)


Codes = dict[tuple[str, str], list[str]]  # (domain, status) -> the codes it answers with


def _error_line(status: str, spec: dict[str, Any], specific: list[str]) -> str:
    codes = spec.get("x-error-codes") or specific
    listed = ", ".join(f"`{code}`" for code in codes)
    generic = GENERIC_CODES.get(status, "")
    text = f"{listed} (this domain's), else {generic}" if listed else generic
    described = spec.get("description", "")
    if described not in {"Error", ""}:
        text += f"; {described}"
    return f"| {status} | error: {_cell(text)} |"


def _responses(operation: dict[str, Any], domain: str, codes: Codes) -> list[str]:
    responses = operation.get("responses", {})
    lines = ["", "| status | answer |", "|---|---|"]
    for status in sorted(responses):
        spec = responses[status]
        if status.startswith(("2", "3")):
            lines.append(f"| {status} | {_cell(_data_type(spec))} |")
        else:
            lines.append(_error_line(status, spec, codes.get((domain, status), [])))
    return lines


def _operation(
    path: str, method: str, operation: dict[str, Any], domain: str, codes: Codes
) -> list[str]:
    lines = [f"### `{method.upper()} {path}`", "", _summary(operation), ""]
    lines.append(f"Access: {_access(path, method, operation)} (domain `{domain}`)")
    lines += _parameters(operation) + _request(operation)
    lines += _responses(operation, domain, codes)
    return [*lines, ""]


def _tag(operation: dict[str, Any]) -> str:
    tags = operation.get("tags") or ["other"]
    return str(tags[0])


def render_operations(schema: dict[str, Any], domains: dict[str, str], codes: Codes) -> list[str]:
    by_tag: dict[str, list[tuple[str, str, dict[str, Any]]]] = {}
    for path, method, operation in _operations(schema):
        by_tag.setdefault(_tag(operation), []).append((path, method, operation))
    lines = ["## Operations", ""]
    for tag in sorted(by_tag):
        lines += [f"### {tag}", "", "| operation | access | summary |", "|---|---|---|"]
        for path, method, operation in by_tag[tag]:
            anchor = re.sub(r"[^a-z0-9 _-]", "", f"{method} {path}".lower()).replace(" ", "-")
            access = _access(path, method, operation).replace("**", "")
            lines.append(
                f"| [`{method.upper()} {path}`](#{anchor}) | {_cell(access)} | "
                f"{_cell(_summary(operation))} |"
            )
        lines.append("")
    for tag in sorted(by_tag):
        lines += [f"## {tag}", ""]
        for path, method, operation in by_tag[tag]:
            domain = domains.get(f"{method.upper()} {path}", "other")
            lines += _operation(path, method, operation, domain, codes)
    return lines


# --- schemas ----------------------------------------------------------------------------------


def _schema(name: str, schema: dict[str, Any]) -> list[str]:
    lines = [f'<a id="schema-{name.lower()}"></a>', "", f"### {name}", ""]
    if schema.get("description"):
        lines += [_cell(schema["description"]), ""]
    if "enum" in schema:
        return [*lines, f"One of: {type_of(schema)}", ""]
    properties = schema.get("properties", {})
    if not properties:
        return [*lines, f"Type: {type_of(schema)}", ""]
    required = set(schema.get("required", []))
    lines += ["| field | type | required | rules | description |", "|---|---|---|---|---|"]
    for field, prop in properties.items():
        setting = _setting_note(prop)
        lines.append(
            f"| `{field}` | {_cell(type_of(prop))} | {'yes' if field in required else 'no'} | "
            f"{_cell(constraints(prop))}{setting} | {_cell(prop.get('description'))} |"
        )
    return [*lines, ""]


def _setting_note(prop: dict[str, Any]) -> str:
    return f" *(setting `{prop['x-setting']}`)*" if "x-setting" in prop else ""


def render_schemas(schema: dict[str, Any]) -> list[str]:
    components = schema.get("components", {}).get("schemas", {})
    lines = ["## Schemas", ""]
    for name in sorted(components):
        if ENVELOPE.match(name):
            continue  # shown as "envelope, data: X" on each operation
        lines += _schema(name, components[name])
    return lines


# --- error codes ------------------------------------------------------------------------------


def render_errors() -> list[str]:
    return [
        "## Error codes",
        "",
        "Every code, its status, its default message, the domain that raises it and when: the",
        "[error catalogue](errors.md) (generated by `atrium docs errors`).",
        "",
    ]


def _by_domain(codes: Iterable[Entry]) -> Codes:
    found: Codes = {}
    for entry in codes:
        if entry.domain != "core":
            found.setdefault((entry.domain, str(entry.status)), []).append(entry.code)
    return found


def render(schema: dict[str, Any], codes: Iterable[Entry], domains: dict[str, str]) -> str:
    """The reference as Markdown."""
    lines = [HEADER, *render_operations(schema, domains, _by_domain(codes))]
    lines += render_schemas(schema) + render_errors()
    return "\n".join(lines).rstrip() + "\n"
