"""Deployment files: compose services get every setting they need, ports agree with the env files.

No Docker engine runs here, so these read the files instead of running them.
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
import yaml
from pydantic import BaseModel

from atrium.cluster import (
    COMPOSE_PROXY,
    ROLES,
    SHARED_VARIABLES,
    Cluster,
    Topology,
    render_nginx,
    stack_env,
)
from atrium.config import ConsoleSettings, Environment, Settings
from atrium.core.domain import load_domains

ROOT = Path(__file__).resolve().parents[1]
APP_SERVICES = ("api", "worker", "beat")
DATA_PATHS = {
    "postgres": "/var/lib/postgresql/data",
    "mongo": "/data/db",
    "redis": "/data",
    "minio": "/data",
}
# Which compose service serves each URL variable.
URL_SERVICES = {
    "ATRIUM_SQL__URL": "postgres",
    "ATRIUM_TEST_POSTGRES_URL": "postgres",
    "ATRIUM_MONGO__URL": "mongo",
    "ATRIUM_REDIS__URL": "redis",
    "ATRIUM_STORAGE__ENDPOINT": "minio",
}
SECRETS = {
    "POSTGRES_PASSWORD": "pg-secret",
    "MINIO_ROOT_USER": "minio-user",
    "MINIO_ROOT_PASSWORD": "minio-secret-value",
    "ATRIUM_AUTH__JWT_SECRET": "a-real-jwt-secret-0123456789abcdef",
    "ATRIUM_AUTH__RSA_PRIVATE_KEYS": '{"k1": "/run/secrets/login.pem"}',
    "ATRIUM_TWOFACTOR__ENCRYPTION_KEYS": '["AcPwXQj6RrpP67_fWcmPxfE3u2BhLm1Dut9UBKcfmOM="]',
}
_VARIABLE = re.compile(r"\$\{([A-Z0-9_]+)(?::?[-?]([^}]*))?\}")


def _compose(name: str) -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load((ROOT / name).read_text())
    return data


def _env_file(name: str) -> dict[str, list[str]]:
    """``KEY=VALUE`` lines, including commented-out examples (``# KEY=VALUE``)."""
    values: dict[str, list[str]] = {}
    for line in (ROOT / name).read_text().splitlines():
        match = re.match(r"^#?\s*(ATRIUM_[A-Z0-9_]+)=(.*)$", line)
        if match:
            values.setdefault(match.group(1), []).append(match.group(2))
    return values


def _substitute(value: str) -> str:
    def replace(match: re.Match[str]) -> str:
        name, default = match.group(1), match.group(2) or ""
        return SECRETS.get(name, default if not match.group(0).count(":?") else "")

    return _VARIABLE.sub(replace, value)


def _published_ports(service: dict[str, Any]) -> set[int]:
    return {int(str(port).split(":")[-2]) for port in service.get("ports", [])}


def _port(url: str) -> int:
    parts = urlsplit(url if "://" in url else f"http://{url}")
    assert parts.port is not None, url
    return parts.port


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in [name for name in os.environ if name.startswith("ATRIUM_")]:
        monkeypatch.delenv(name)


@pytest.mark.parametrize("service", APP_SERVICES)
def test_app_services_get_a_valid_production_configuration(
    service: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    environment = _compose("docker-compose.yml")["services"][service]["environment"]
    for name, value in environment.items():
        monkeypatch.setenv(name, _substitute(str(value)))
    settings = Settings(_env_file=None)
    assert settings.environment is Environment.PRODUCTION
    assert settings.sql.url.startswith("postgresql+asyncpg://atrium:pg-secret@postgres:5432/")
    assert urlsplit(settings.mongo.url).hostname == "mongo"
    assert urlsplit(settings.redis.url).hostname == "redis"
    assert settings.storage.endpoint == "minio:9000"
    assert settings.storage.secret_key.get_secret_value() == "minio-secret-value"


@pytest.mark.parametrize("file", ["docker-compose.yml", "docker-compose-pytest.yml"])
def test_stores_have_healthchecks_and_real_data_paths(file: str) -> None:
    services = _compose(file)["services"]
    for name, data_path in DATA_PATHS.items():
        service = services[name]
        assert service["healthcheck"]["test"], name
        mounts = [str(m).split(":")[-1] for m in service.get("volumes", [])]
        mounts += list(service.get("tmpfs", []))
        assert data_path in mounts, (name, mounts)


def test_app_services_wait_for_healthy_stores() -> None:
    services = _compose("docker-compose.yml")["services"]
    for name in APP_SERVICES:
        depends = services[name]["depends_on"]
        assert depends["migrate"]["condition"] == "service_completed_successfully"
        assert depends["redis"]["condition"] == "service_healthy"


@pytest.mark.parametrize(
    ("compose", "env_file"),
    [("docker-compose.yml", ".env.example"), ("docker-compose-pytest.yml", ".env.pytest")],
)
def test_published_ports_agree_with_env_file(compose: str, env_file: str) -> None:
    services = _compose(compose)["services"]
    values = _env_file(env_file)
    checked = 0
    for variable, service in URL_SERVICES.items():
        for url in values.get(variable, []):
            if url.startswith("sqlite"):
                continue
            assert _port(url) in _published_ports(services[service]), (variable, url)
            checked += 1
    assert checked >= 4


def _fields(model: BaseModel, prefix: str) -> list[str]:
    names: list[str] = []
    for name in type(model).model_fields:
        value = getattr(model, name)
        if isinstance(value, BaseModel):
            names += _fields(value, f"{prefix}{name.upper()}__")
        else:
            names.append(prefix + name.upper())
    return names


def test_env_example_lists_every_setting() -> None:
    listed = _env_file(".env.example")
    settings = Settings(_env_file=None)
    load_domains(settings)  # every domain's settings groups too
    names = _fields(settings, "ATRIUM_")
    names += [n for g in settings.groups() for n in _fields(g, f"ATRIUM_{g.section.upper()}__")]
    assert [name for name in names if name not in listed] == []


def test_env_example_loads_in_local(monkeypatch: pytest.MonkeyPatch) -> None:
    settings = Settings(_env_file=ROOT / ".env.example")
    assert settings.environment is Environment.LOCAL
    assert settings.storage.secret_key.get_secret_value()  # the dev default, not empty


def _dockerfile_env() -> dict[str, str]:
    text = (ROOT / "Dockerfile").read_text().replace("\\\n", " ")
    found: dict[str, str] = {}
    for line in text.splitlines():
        if line.startswith("ENV "):
            found.update(re.findall(r'([A-Z_]+)=("[^"]*"|\S+)', line))
    return found


def test_the_image_runs_as_production_unless_told_otherwise() -> None:
    assert _dockerfile_env().get("ATRIUM_ENVIRONMENT") == "production"


@pytest.mark.parametrize("service", [*APP_SERVICES, "migrate"])
def test_compose_app_services_default_to_production(service: str) -> None:
    environment = _compose("docker-compose.yml")["services"][service]["environment"]
    assert _substitute(str(environment["ATRIUM_ENVIRONMENT"])) == "production"


# --- the same topology as the local cluster (make cluster, atrium.cluster) ---------------------


def _directives(config: str, name: str) -> list[str]:
    """The arguments of every ``name ...;`` directive in an nginx config (comments dropped)."""
    lines = [line.split("#", 1)[0].strip() for line in config.splitlines()]
    found = [line for line in lines if line.startswith(f"{name} ") and line.endswith(";")]
    return [line[len(name) :].strip().rstrip(";") for line in found]


@pytest.mark.parametrize("role", ROLES)
def test_compose_runs_each_role_as_many_times_as_the_local_cluster(role: str) -> None:
    service = _compose("docker-compose.yml")["services"][role]
    assert service["deploy"]["replicas"] == Topology().counts()[role]
    assert service["command"][:2] == ["atrium", {"api": "serve"}.get(role, role)]


def test_the_compose_proxy_config_is_the_template_rendered() -> None:
    proxy = _compose("docker-compose.yml")["services"]["proxy"]
    assert "./deploy/nginx/nginx.conf:/etc/nginx/nginx.conf:ro" in proxy["volumes"]
    assert proxy["image"].startswith("nginx:")
    assert proxy["depends_on"]["api"]["condition"] == "service_healthy"
    rendered = (ROOT / "deploy" / "nginx" / "nginx.conf").read_text()
    assert rendered == render_nginx(COMPOSE_PROXY), "run: python -m atrium.cluster compose-config"


def test_the_compose_proxy_sends_to_the_api_replicas_on_their_port() -> None:
    services = _compose("docker-compose.yml")["services"]
    command = services["api"]["command"]
    port = command[command.index("--port") + 1]
    config = render_nginx(COMPOSE_PROXY)
    assert [s.split()[0] for s in _directives(config, "server")] == [f"api:{port}"]
    assert services["proxy"]["ports"] == [f"8000:{_directives(config, 'listen')[0]}"]


@pytest.mark.parametrize("stack", ["compose", "local"])
def test_both_proxies_pass_websockets_and_fail_over(stack: str, tmp_path: Path) -> None:
    if stack == "compose":
        config = render_nginx(COMPOSE_PROXY)
    else:
        config = render_nginx(Cluster(tmp_path, {}, Topology(nodes=3)).proxy_config())
        assert len(_directives(config, "server")) == 3
    headers = _directives(config, "proxy_set_header")
    assert "Upgrade $http_upgrade" in headers
    assert "Connection $connection_upgrade" in headers
    assert "X-Forwarded-For $remote_addr" in headers  # overwritten, never appended
    assert "X-Request-ID $atrium_request_id" in headers
    assert _directives(config, "proxy_http_version") == ["1.1"]
    assert "error timeout" in _directives(config, "proxy_next_upstream")[0]
    assert not _directives(config, "ip_hash")  # no stickiness: websocket transport


def test_compose_gives_every_app_service_the_settings_the_local_cluster_sets() -> None:
    services = _compose("docker-compose.yml")["services"]
    store_env = {
        "ATRIUM_REDIS__URL": "redis://127.0.0.1:1/0",
        "ATRIUM_MONGO__URL": "mongodb://127.0.0.1:2/?directConnection=true",
        "ATRIUM_STORAGE__ENDPOINT": "127.0.0.1:3",
        "ATRIUM_STORAGE__ACCESS_KEY": "atrium",
        "ATRIUM_STORAGE__SECRET_KEY": "x",
        "ATRIUM_TEST_POSTGRES_URL": "postgresql+asyncpg://postgres@127.0.0.1:4/postgres",
    }
    local = stack_env(store_env, "postgresql+asyncpg://postgres@127.0.0.1:4/atrium_cluster")
    assert set(SHARED_VARIABLES) <= set(local)
    for role in ROLES:
        assert set(SHARED_VARIABLES) <= set(services[role]["environment"]), role
    trusted = json.loads(services["api"]["environment"]["ATRIUM_PROXY__TRUSTED_ADDRESSES"])
    assert trusted == [services["proxy"]["networks"]["default"]["ipv4_address"]]


def test_the_image_builds_the_console_where_the_app_serves_it_from() -> None:
    """A build stage runs the lock file's install and the build; the app's default folder,
    relative to the image's working directory, receives it."""
    text = (ROOT / "Dockerfile").read_text()
    assert "COPY console/package.json console/package-lock.json ./\nRUN npm ci" in text
    assert "RUN npm run build" in text
    assert f"COPY --from=console /console/dist ./{ConsoleSettings().dist_dir}\n" in text
    assert "WORKDIR /app\n" in text
    ignored = (ROOT / ".dockerignore").read_text().splitlines()
    assert {"console/node_modules", "console/dist", ".env"} <= set(ignored)
