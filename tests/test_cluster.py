"""The local multi-node stack (``atrium.cluster``, ``make cluster``).

The slow test runs it for real, two API nodes behind nginx with a worker and a beat: logins and
authorised requests through the proxy reach both nodes, a Socket.IO client connected through the
proxy over websocket gets notifications sent through either node, a node killed with SIGKILL
under load costs at most the responses it was writing, and it comes back on its port. Then the
cluster stops and no process of it is left. The others check the runner's naming, its refusals
and its signal handling without starting anything.
"""

from __future__ import annotations

import asyncio
import json
import os
import re
import signal
import time
from collections import Counter
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path
from uuid import uuid4

import httpx
import jwt
import pytest

from atrium.cluster import (
    COMPOSE_PROXY,
    Cluster,
    ClusterError,
    StopRequested,
    Topology,
    render_nginx,
    stop_on_signals,
)
from atrium.config import RedisSettings, Settings
from atrium.syspackages import SystemPackageError, ensure_program
from tests.support.live import probe
from tests.support.nodes import process_env
from tests.support.postgres import postgres_database
from tests.support.settings import settings_for
from tests.support.users import PASSWORD, bearer, tokens

ADMIN = "admin"
ACCESS = re.compile(
    r'"(?P<request>[A-Z]+ \S+) HTTP/[\d.]+" (?P<status>\d+) .* upstream=(?P<up>.+?) '
    r"upstream_status=.* t=(?P<t>[\d.]+)$"
)
LOAD_CLIENTS = 4
POLLING = {"EIO": "4", "transport": "polling"}


@pytest.fixture(scope="module")
def nginx() -> str:
    try:
        return ensure_program("nginx", "nginx", "for the cluster tests")
    except SystemPackageError as exc:
        pytest.skip(f"nginx is not installed and cannot be installed here: {exc}")


@pytest.fixture
def cluster_settings(services: dict[str, str], process_redis_url: str) -> Iterator[Settings]:
    """The test stores, a PostgreSQL database of the cluster's own, the workers' Redis database."""
    with postgres_database(services["ATRIUM_TEST_POSTGRES_URL"], "atrium_cluster_test") as url:
        settings = settings_for(services, url, uuid4().hex[:12])
        settings.redis = RedisSettings(url=process_redis_url)
        yield settings


@pytest.fixture
async def cluster(cluster_settings: Settings, nginx: str, tmp_path: Path) -> AsyncIterator[Cluster]:
    env = process_env(cluster_settings)
    env["ATRIUM_AUTH__FIRST_SUPERUSER_USERNAME"] = ADMIN
    env["ATRIUM_AUTH__FIRST_SUPERUSER_PASSWORD"] = PASSWORD
    env["ATRIUM_PROXY__TRUSTED_ADDRESSES"] = '["127.0.0.1"]'
    topology = Topology(nodes=2, workers=1, beats=1, worker_concurrency=1, worker_pool="solo")
    stack = Cluster(tmp_path / "cluster", env, topology, nginx=nginx)
    await asyncio.to_thread(stack.prepare)
    await asyncio.to_thread(stack.start)
    try:
        yield stack
    finally:
        await asyncio.to_thread(stack.stop)
    assert stack.leftovers() == []


@dataclass(frozen=True)
class Proxied:
    """One request in the proxy's access log."""

    request: str
    status: int
    upstreams: list[str]  # the nodes tried, in order (more than one: failed over)
    at: float  # when it was answered (Unix time)


def proxied(cluster: Cluster) -> list[Proxied]:
    found = []
    for line in cluster.proxy.log.read_text().splitlines():
        if match := ACCESS.search(line):
            upstreams = [up.strip() for up in match["up"].split(",")]
            found.append(
                Proxied(match["request"], int(match["status"]), upstreams, float(match["t"]))
            )
    return found


async def logged(cluster: Cluster, fragment: str, within: float = 5.0) -> list[int]:
    """Statuses of the requests whose line contains ``fragment``, once there is one."""
    deadline = time.monotonic() + within
    while True:
        found = [p.status for p in proxied(cluster) if fragment in p.request]
        if found or time.monotonic() > deadline:
            return found
        await asyncio.sleep(0.05)


async def load(http: httpx.AsyncClient, headers: dict[str, str], until: float) -> Counter[int]:
    """Authorised GETs through the proxy, back to back, until ``until``: their statuses."""
    statuses: Counter[int] = Counter()
    while time.monotonic() < until:
        try:
            response = await http.get("/api/v1/auth/sessions", headers=headers)
            statuses[response.status_code] += 1
        except httpx.HTTPError:
            statuses[0] += 1  # no answer at all
    return statuses


@pytest.mark.slow
async def test_two_nodes_behind_the_proxy_share_logins_sockets_and_survive_a_killed_node(
    cluster: Cluster,
) -> None:
    api_1, api_2 = cluster.role("api")
    async with httpx.AsyncClient(base_url=cluster.proxy_url, timeout=10) as http:
        pair = await tokens(http, ADMIN)  # key from one node, login answered by either
        headers = bearer(pair["accessToken"])
        for _ in range(6):
            response = await http.get("/api/v1/auth/sessions", headers=headers)
            assert response.status_code == 200, response.text
        served = {p.upstreams[-1] for p in proxied(cluster) if "/auth/sessions" in p.request}
        assert served == {f"127.0.0.1:{api_1.port}", f"127.0.0.1:{api_2.port}"}

        # A socket through the proxy gets what either node sends: one of them is the other node.
        user_id = jwt.decode(pair["accessToken"], options={"verify_signature": False})["sub"]
        async with probe(cluster.proxy_url, pair["accessToken"]) as client:
            for node in (api_1, api_2):
                body = {"userIds": [user_id], "title": node.name, "type": "test"}
                response = await http.post(
                    f"{node.url}/api/v1/notifications/send", json=body, headers=headers
                )
                assert response.status_code == 201, response.text
            titles = {(await client.next("notification"))["title"] for _ in range(2)}
            assert titles == {"api-1", "api-2"}
        # nginx logs an upgraded connection when it closes: give it a moment.
        assert await logged(cluster, "transport=websocket") == [101]

        # Why polling would need stickiness: an Engine.IO session lives on the node that made it.
        opened = await http.get(f"{api_1.url}/socket.io/", params=POLLING)
        assert opened.status_code == 200, opened.text
        polling = {**POLLING, "sid": json.loads(opened.text[opened.text.index("{") :])["sid"]}
        close = b"1"  # the Engine.IO packet that ends a session
        elsewhere = await http.post(f"{api_2.url}/socket.io/", params=polling, content=close)
        assert elsewhere.status_code == 400
        home = await http.post(f"{api_1.url}/socket.io/", params=polling, content=close)
        assert home.status_code == 200

        # SIGKILL one node under load: every GET still answered, the survivor serving them all.
        until = time.monotonic() + 3.0
        loads = [asyncio.create_task(load(http, headers, until)) for _ in range(LOAD_CLIENTS)]
        await asyncio.sleep(1.0)
        killed_at = time.time()
        await asyncio.to_thread(cluster.kill, "api-1", signal.SIGKILL)
        statuses = sum(await asyncio.gather(*loads), Counter[int]())
        assert api_1.returncode == -signal.SIGKILL
        # Only a response being written at the instant of the kill can be lost (nginx cannot
        # replay once headers went out): at most one per client, none afterwards.
        lost = sum(count for status, count in statuses.items() if status != 200)
        assert set(statuses) <= {200, 0, 502}, statuses
        assert lost <= LOAD_CLIENTS, statuses
        after = [p for p in proxied(cluster) if p.at > killed_at + 0.2]
        assert {p.status for p in after} == {200}
        assert {p.upstreams[-1] for p in after} == {f"127.0.0.1:{api_2.port}"}

        # The node comes back on its port and takes requests again.
        await asyncio.to_thread(cluster.start_node, "api-1")
        assert api_1.pid is not None
        response = await http.get(f"{api_1.url}/api/v1/auth/sessions", headers=headers)
        assert response.status_code == 200, response.text


def signal_self(sig: signal.Signals) -> None:
    os.kill(os.getpid(), sig)
    time.sleep(5)  # interrupted by the handler


def test_the_runner_stops_on_sigint_even_when_started_with_it_ignored() -> None:
    """A background job of a non-interactive shell starts with SIGINT ignored: Ctrl-C or
    ``kill -INT`` must still stop the cluster."""
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        with stop_on_signals(), pytest.raises(StopRequested):
            signal_self(signal.SIGINT)
        assert signal.getsignal(signal.SIGINT) is signal.SIG_IGN  # restored afterwards
    finally:
        signal.signal(signal.SIGINT, previous)


def test_sigterm_stops_the_runner_too() -> None:
    with stop_on_signals(), pytest.raises(StopRequested, match="SIGTERM"):
        signal_self(signal.SIGTERM)


def test_the_topology_names_each_process_and_gives_api_nodes_their_own_ports(
    tmp_path: Path,
) -> None:
    stack = Cluster(tmp_path, {}, Topology(nodes=3, workers=2, beats=1))
    assert list(stack.nodes) == ["api-1", "api-2", "api-3", "worker-1", "worker-2", "beat-1"]
    ports = {node.port for node in stack.role("api")} | {stack.proxy_port}
    assert len(ports) == 4
    assert "--hostname=worker-2@%h" in stack.node("worker-2").command  # distinct Celery names
    assert stack.node("beat-1").port is None
    assert stack.node("api-1").pid is None  # not started
    with pytest.raises(ClusterError, match="no node 'api-9'"):
        stack.node("api-9")


@pytest.mark.parametrize("counts", [(0, 2, 2), (2, -1, 2), (2, 2, -1)])
def test_a_topology_without_api_nodes_or_with_negative_counts_is_refused(
    counts: tuple[int, int, int],
) -> None:
    with pytest.raises(ClusterError):
        Topology(*counts)


def test_a_template_placeholder_the_renderer_does_not_know_is_refused(tmp_path: Path) -> None:
    template = tmp_path / "nginx.conf.template"
    template.write_text("listen {{listen}};\nresolver {{resolver}};\n")
    with pytest.raises(ClusterError, match="placeholder"):
        render_nginx(COMPOSE_PROXY, template)
