"""``atrium new domain NAME``: a working domain, written from the templates beside this module.

For ``notes`` (package ``atrium.notes``) it writes::

    src/atrium/notes/   domain.py (the entry), models.py and migrations/ (its own Alembic
                        branch), documents.py, schemas.py, errors.py, repository.py, service.py,
                        deps.py, router.py, tasks.py
    tests/notes/        conftest.py (enables the domain, migrates its branch), helpers.py,
                        test_router.py (both SQL backends), test_tasks.py
    docs/notes.md       a page to fill in

The templates (``templates/domain/``) are ``string.Template`` files. Where the package's own
imports fall among the other first-party ones depends on its name, so those import blocks are
sorted after rendering; how long a line gets depends on it too, so the written Python is
formatted with the project's ruff (like Alembic's post-write hook in ``alembic.ini``). A test
runs ruff, mypy and the generated tests on scaffolded domains: they pass lint and tests as
generated.

In an Atrium checkout (the root has ``src/atrium/domains.py``) the domain is also registered:
appended to ``DEFAULT_DOMAINS``, and the API reference and the error catalogue, which the suite
checks against the default domains, are regenerated.
"""

from __future__ import annotations

import builtins
import keyword
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path
from string import Template
from uuid import uuid4

TEMPLATES = "templates/domain"
DEFAULT_PREFIX = "atrium"
MAX_NAME_LENGTH = 24
# Atrium's ruff settings, for a root without a pyproject.toml of its own.
RUFF_DEFAULTS = ("--line-length", "100", "--target-version", "py311")
_NAME = re.compile(r"[a-z][a-z0-9]*(?:_[a-z0-9]+)*")
_MODEL = re.compile(r"[A-Z][A-Za-z0-9]*")
# Identifiers of the templates a name must not shadow: the domain's own modules, and the local
# names its code uses beside the ones derived from the name.
_TAKEN = frozenset(
    {
        "admin",
        "body",
        "client",
        "count",
        "created",
        "data",
        "deps",
        "documents",
        "domain",
        "errors",
        "found",
        "helpers",
        "member",
        "migrate",
        "migrations",
        "models",
        "nobody",
        "owner",
        "page",
        "params",
        "principal",
        "repository",
        "router",
        "schemas",
        "service",
        "session",
        "settings",
        "state",
        "task",
        "tasks",
        "tests",
        "user",
        "viewer",
    }
)
_TAKEN_CLASSES = frozenset(
    {"Annotated", "Database", "Document", "Field", "FieldMap", "Page", "Path", "Schema", "User"}
)
_IMPORT = re.compile(
    r"from (?P<source>[\w.]+) import [\w, ]+|import (?P<module>[\w.]+)(?: as \w+)?"
)
_REGISTRY = re.compile(r"(DEFAULT_DOMAINS = \(\n(?:    .*\n)*?)\)")
_ANOTHER = "choose another name, or another model class name with --model"


class ScaffoldError(ValueError):
    """The domain cannot be written: a bad name, or one that is taken."""


@dataclass(frozen=True, slots=True)
class Names:
    """Every name the templates derive from the domain's (``time_entries``: ``TimeEntry``)."""

    name: str
    package: str
    model: str
    item: str

    @property
    def path(self) -> str:
        """The URL segment: ``/api/v1/time-entries``."""
        return self.name.replace("_", "-")

    def substitutions(self) -> dict[str, str]:
        label = self.name.replace("_", " ")
        return {
            "name": self.name,
            "NAME": self.name.upper(),
            "item": self.item,
            "ITEM": self.item.upper(),
            "Model": self.model,
            "package": self.package,
            "path": self.path,
            "label": label,
            "Label": label.capitalize(),
            "item_label": self.item.replace("_", " "),
        }


def singular(name: str) -> str:
    """``notes``: ``note``; ``categories``: ``category``; ``boxes``: ``box``; ``status`` stays."""
    head, _, last = name.rpartition("_")
    if last.endswith("ies") and len(last) > 3:
        last = last[:-3] + "y"
    elif re.search(r"(?:s|x|z|ch|sh)es$", last):
        last = last[:-2]
    elif last.endswith("s") and not re.search(r"(?:ss|us|is)$", last):
        last = last[:-1]
    return f"{head}_{last}" if head else last


def _camel(snake: str) -> str:
    return "".join(part.capitalize() for part in snake.split("_"))


def _snake(camel: str) -> str:
    return re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "_", camel).lower()


def domain_names(name: str, prefix: str = DEFAULT_PREFIX, model: str | None = None) -> Names:
    """The names of a new domain, checked: a ScaffoldError says what is wrong with them."""
    if not _NAME.fullmatch(name) or len(name) > MAX_NAME_LENGTH:
        raise ScaffoldError(
            f"{name!r} is not a domain name: use lower-case letters, digits and single "
            f"underscores, starting with a letter, at most {MAX_NAME_LENGTH} characters "
            "(e.g. notes, time_entries)"
        )
    parts = prefix.split(".")
    if not all(part.isidentifier() and not keyword.iskeyword(part) for part in parts):
        raise ScaffoldError(f"{prefix!r} is not a Python package name (e.g. atrium, acme.apps)")
    if model is not None and not _MODEL.fullmatch(model):
        raise ScaffoldError(f"{model!r} is not a class name (e.g. Note, TimeEntry)")
    model = model or _camel(singular(name))
    item = _snake(model)
    if keyword.iskeyword(name):
        raise ScaffoldError(f"{name!r} is a Python keyword: choose another name")
    if keyword.iskeyword(item) or keyword.issoftkeyword(item) or hasattr(builtins, item):
        raise ScaffoldError(f"{item!r} is a Python keyword or built-in: {_ANOTHER}")
    if item in _TAKEN:
        raise ScaffoldError(f"{item!r} would shadow a name the domain's code uses: {_ANOTHER}")
    if model in _TAKEN_CLASSES:
        raise ScaffoldError(f"the class {model!r} would shadow one the domain imports: {_ANOTHER}")
    return Names(name, f"{prefix}.{name}", model, item)


@dataclass(frozen=True, slots=True)
class Layout:
    """Where a domain's package, tests and docs page go under a project root."""

    root: Path
    package_dir: Path
    tests_dir: Path
    docs_page: Path

    @classmethod
    def of(cls, root: Path, names: Names) -> Layout:
        package_dir = root / "src" / Path(*names.package.split("."))
        return cls(
            root, package_dir, root / "tests" / names.name, root / "docs" / f"{names.name}.md"
        )

    @property
    def registry(self) -> Path:
        """The default domains of an Atrium checkout (the root may have none)."""
        return self.root / "src" / "atrium" / "domains.py"

    def taken(self) -> list[Path]:
        """What exists already where the domain would go."""
        candidates = (
            self.package_dir,
            self.package_dir.with_suffix(".py"),
            self.tests_dir,
            self.docs_page,
        )
        return [path for path in candidates if path.exists()]


@dataclass(slots=True)
class Scaffolded:
    """What ``scaffold`` did: the files written, and the registration in an Atrium checkout."""

    names: Names
    layout: Layout
    written: list[Path] = field(default_factory=list)
    registered: Path | None = None
    regenerated: list[Path] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    def next_steps(self) -> list[str]:
        package, name = self.names.package, self.names.name
        steps = []
        if self.registered is None:
            steps.append(f"add {package!r} to ATRIUM_DOMAINS, after atrium.rbac")
        else:
            steps.append(f"if your .env sets ATRIUM_DOMAINS, add {package!r} to it")
        steps.append("atrium migrate  (creates its table, on the migration branch " + name + ")")
        steps.append(f'make test ARGS="tests/{name}"')
        steps.append(f"say what the domain is for in docs/{name}.md")
        return [*self.problems, *steps]


def _templates() -> Traversable:
    return resources.files("atrium").joinpath(TEMPLATES)


def _walk(folder: Traversable, relative: str = "") -> Iterator[tuple[str, Traversable]]:
    for entry in sorted(folder.iterdir(), key=lambda item: item.name):
        path = f"{relative}{entry.name}"
        if entry.is_dir():
            yield from _walk(entry, f"{path}/")
        elif entry.name.endswith(".tmpl"):
            yield path.removesuffix(".tmpl"), entry


def sort_imports(text: str, package: str) -> str:
    """Sort each block of single-line imports that holds one of ``package``'s, as ruff's isort
    does within a section: plain imports first, then from-imports, each by module."""
    lines, out = text.split("\n"), []
    index = 0
    while index < len(lines):
        end = index
        while end < len(lines) and _IMPORT.fullmatch(lines[end]):
            end += 1
        if end == index:
            out.append(lines[index])
            index += 1
            continue
        block = lines[index:end]
        if any(
            _imported(line) == package or _imported(line).startswith(f"{package}.")
            for line in block
        ):
            block.sort(key=lambda line: (line.startswith("from "), _imported(line).lower()))
        out.extend(block)
        index = end
    return "\n".join(out)


def _imported(line: str) -> str:
    found = _IMPORT.fullmatch(line)
    return (found.group("source") or found.group("module")) if found else ""


def render(names: Names, now: datetime | None = None) -> dict[Path, str]:
    """Every file of the domain, relative to the project root, rendered (nothing written)."""
    now = now or datetime.now(UTC)
    values = {
        **names.substitutions(),
        "revision": uuid4().hex[:12],
        "create_date": now.isoformat(sep=" "),
    }
    layout = Layout.of(Path(), names)
    places = {"package": layout.package_dir, "tests": layout.tests_dir}
    rendered: dict[Path, str] = {}
    for relative, template in _walk(_templates()):
        text = Template(template.read_text(encoding="utf-8")).substitute(values)
        top, _, rest = relative.partition("/")
        if top == "docs":
            target = layout.docs_page
        elif rest == "migrations/revision.py":
            stamp = now.strftime("%Y_%m_%d_%H%M")
            target = layout.package_dir / "migrations" / f"{stamp}-create_{names.name}_table.py"
        else:
            target = places[top] / rest
        if target.suffix == ".py":
            text = sort_imports(text, names.package)
        rendered[target] = text
    return rendered


def scaffold(
    root: Path, name: str, prefix: str = DEFAULT_PREFIX, model: str | None = None
) -> Scaffolded:
    """Write a new domain under ``root``; refuse a bad name or one whose place is taken."""
    names = domain_names(name, prefix, model)
    layout = Layout.of(root, names)
    if taken := layout.taken():
        shown = ", ".join(str(path.relative_to(root)) for path in taken)
        raise ScaffoldError(f"a domain named {name!r} exists already: {shown}")
    result = Scaffolded(names, layout)
    result.written.extend(_parent_packages(layout))
    for relative, text in render(names).items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        result.written.append(path)
    python = [path for path in result.written if path.suffix == ".py"]
    result.problems.extend(format_python(python, root))
    if layout.registry.is_file():
        _register(result)
    return result


def format_python(files: list[Path], root: Path) -> list[str]:
    """Format Python files with ruff, by the root's configuration (else Atrium's); what went
    wrong, if anything."""
    found = shutil.which(
        "ruff", path=os.pathsep.join((str(Path(sys.executable).parent), os.environ.get("PATH", "")))
    )
    if found is None:
        return ["format the written Python (ruff format): ruff was not found"]
    config = root / "pyproject.toml"
    options = ("--config", str(config)) if config.is_file() else RUFF_DEFAULTS
    done = subprocess.run(  # noqa: S603 - the project's ruff, on the files just written
        [found, "format", "--quiet", *options, *map(str, files)],
        capture_output=True,
        text=True,
        check=False,
    )
    return [] if done.returncode == 0 else [f"ruff format failed: {done.stderr.strip()}"]


def _parent_packages(layout: Layout) -> list[Path]:
    """``__init__.py`` for the package prefix's folders that are not packages yet."""
    created = []
    folder = layout.root / "src"
    for part in layout.package_dir.relative_to(folder).parts[:-1]:
        folder = folder / part
        marker = folder / "__init__.py"
        if not marker.exists():
            folder.mkdir(parents=True, exist_ok=True)
            marker.write_text("", encoding="utf-8")
            created.append(marker)
    return created


def register(registry: str, package: str) -> str:
    """``domains.py``'s text with ``package`` appended to ``DEFAULT_DOMAINS``."""
    found = _REGISTRY.search(registry)
    if found is None:
        raise ScaffoldError("domains.py has no `DEFAULT_DOMAINS = (...)` tuple, one per line")
    return f'{registry[: found.end(1)]}    "{package}",\n{registry[found.end(1) :]}'


def _register(result: Scaffolded) -> None:
    registry = result.layout.registry
    try:
        registry.write_text(
            register(registry.read_text(encoding="utf-8"), result.names.package), encoding="utf-8"
        )
    except ScaffoldError as exc:
        result.problems.append(f"register it by hand: {exc}")
        return
    result.registered = registry
    try:
        result.regenerated = _regenerate_references(result.layout.root)
    except subprocess.CalledProcessError as exc:
        tail = (exc.stderr or "").strip().splitlines()[-1:]
        result.problems.append(
            "regenerate the references by hand (./atrium docs api; ./atrium docs errors): "
            + " ".join(tail)
        )


def _regenerate_references(root: Path) -> list[Path]:
    """Rewrite the generated docs in a fresh interpreter, which imports the new registry."""
    source = str(root / "src")
    path = os.pathsep.join(filter(None, (source, os.environ.get("PYTHONPATH"))))
    script = "import sys; from atrium.scaffold import write_references; "
    script += "print('\\n'.join(map(str, write_references(sys.argv[1]))))"
    done = subprocess.run(  # noqa: S603 - this interpreter, a constant script
        [sys.executable, "-c", script, str(root)],
        cwd=root,
        env={**os.environ, "PYTHONPATH": path},
        capture_output=True,
        text=True,
        check=True,
    )
    return [Path(line) for line in done.stdout.splitlines() if line]


def write_references(root: str | Path) -> list[Path]:
    """Regenerate ``docs/api.md`` and ``docs/errors.md`` under ``root`` (those that exist)."""
    from atrium import apireference
    from atrium.core import errorcatalogue

    written = []
    for page, generate in (
        ("api.md", apireference.generate),
        ("errors.md", errorcatalogue.generate),
    ):
        path = Path(root) / "docs" / page
        if path.is_file():
            path.write_text(generate(), encoding="utf-8")
            written.append(path)
    return written
