"""The app as the fuzzer meets it: ``uvicorn atrium.asgi:app`` in its own process, on PostgreSQL.

A real server over a real socket (the fuzzer's client is synchronous; the app keeps its own
event loop), on PostgreSQL (stricter than SQLite about text: it refuses NUL), initialised by
``atrium initdb`` like a fresh deployment, with a known superuser.
"""

from __future__ import annotations

import contextlib
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from uuid import uuid4

import httpx
from pydantic import SecretStr
from sqlalchemy.engine import make_url

from atrium.auth.settings import AuthSettings
from atrium.config import (
    Environment,
    LoggingSettings,
    MongoSettings,
    RedisSettings,
    Settings,
    SQLSettings,
    StorageSettings,
)
from atrium.users.settings import PasswordSettings
from tests.support import ROOT
from tests.support.live import free_port
from tests.support.nodes import process_env
from tests.support.users import encrypt

SUPERUSER = "fuzz-root"
PASSWORD = "Correct-horse-battery-7"
USER_AGENT = "atrium-fuzz/1.0"
# The fuzzer's Redis database: its own, so the suite's flushes and its keys never meet.
REDIS_DB = 13
SEED_SCHEDULE = {"kind": "interval", "every": 3600}


@dataclass
class FuzzServer:
    url: str
    log: Path

    def login(self) -> dict[str, str]:
        """A fresh session of the superuser: its bearer headers."""
        with httpx.Client(base_url=self.url, timeout=10) as http:
            key = http.get("/api/v1/auth/keys/public").json()["data"]
            body = {"username": SUPERUSER, "password": encrypt(key["pem"], PASSWORD)}
            body["kid"] = key["kid"]
            response = http.post("/api/v1/auth/login", json=body, headers=self.agent)
        assert response.status_code == 200, response.text
        token = response.json()["data"]["accessToken"]
        return {"Authorization": f"Bearer {token}", **self.agent}

    @property
    def agent(self) -> dict[str, str]:
        return {"User-Agent": USER_AGENT}

    def seed(self, headers: dict[str, str]) -> dict[str, str]:
        """One of each resource; their ids by path parameter name (the fuzzer uses them too)."""
        task = {"name": "fuzz-seed", "task": "scheduler.ping", "schedule": SEED_SCHEDULE}
        user = {"username": "fuzz-user", "email": "fuzz@example.com"}
        with httpx.Client(base_url=f"{self.url}/api/v1", headers=headers, timeout=10) as http:

            def created(response: httpx.Response) -> Any:
                assert response.status_code in (200, 201), response.text
                return response.json()["data"]

            ids = {
                "task_id": created(http.post("/scheduler/tasks", json=task))["id"],
                "role_id": created(http.post("/roles", json={"name": "Fuzz", "code": "fuzz"}))[
                    "id"
                ],
                "menu_id": created(http.post("/menus", json={"type": "menu", "name": "Fuzz"}))[
                    "id"
                ],
                "user_id": created(http.post("/users", json=user))["id"],
            }
            sent = created(http.post("/notifications/send", json={"title": "F", "everyone": True}))
            ids["notification_id"] = sent["notifications"][0]["id"]
            upload = {"file": ("fuzz.txt", b"fuzz", "text/plain")}
            ids["file_id"] = created(http.post("/files", files=upload))["id"]
            ids["peer_id"] = ids["user_id"]
            created(http.post("/messages", json={"recipientId": ids["peer_id"], "body": "hi"}))
            ids["session_id"] = created(http.get("/auth/sessions"))[0]["id"]
            ids["key_id"] = created(http.post("/auth/api-keys", json=self._key_body(http)))["id"]
            ids["todo_id"] = created(http.post("/todos", json={"title": "Fuzz"}))["id"]
            document = {"title": "Fuzz", "content": "fuzz", "tags": ["fuzz"]}
            ids["document_id"] = created(http.post("/documents", json=document))["id"]
            ids["event_id"] = created(http.post("/calendar/events", json=SEED_EVENT))["id"]
        return ids

    def api_key(self, headers: dict[str, str]) -> dict[str, str]:
        """A key of the superuser's, scoped to every route: its headers (``X-API-Key``)."""
        with httpx.Client(base_url=f"{self.url}/api/v1", headers=headers, timeout=10) as http:
            response = http.post("/auth/api-keys", json=self._key_body(http, "fuzz-pass"))
        assert response.status_code == 201, response.text
        return {"X-API-Key": response.json()["data"]["key"], **self.agent}

    def _key_body(self, http: httpx.Client, name: str = "fuzz-seed") -> dict[str, Any]:
        key = http.get("/auth/keys/public").json()["data"]
        password = encrypt(key["pem"], PASSWORD)
        return {"name": name, "scopes": ["*:/api/v1/**"], "password": password, "kid": key["kid"]}

    def log_tail(self, lines: int = 60) -> str:
        text = self.log.read_text(errors="replace").splitlines()
        return "\n".join(text[-lines:])


SEED_EVENT = {
    "title": "Fuzz",
    "tz": "Europe/Berlin",
    "start": "2031-03-17T09:00:00",
    "end": "2031-03-17T10:00:00",
    "rrule": "FREQ=WEEKLY;COUNT=10",
    "reminders": [10],
}


def fuzz_settings(services: dict[str, str], sql_url: str, tmp: Path) -> Settings:
    suffix = uuid4().hex[:10]
    redis = make_url(services["ATRIUM_REDIS__URL"]).set(database=str(REDIS_DB))
    return Settings(
        AuthSettings(
            rsa_key_file=tmp / "login-rsa.pem",
            first_superuser_username=SUPERUSER,
            first_superuser_password=SecretStr(PASSWORD),
            # Fresh logins per case, and random logins that must not lock anyone out.
            login_rate_per_username="100000/minute",
            login_rate_per_address="100000/minute",
            lockout_threshold=1_000_000,
        ),
        PasswordSettings(
            password_hash_time_cost=1, password_hash_memory_kib=1024, password_hash_parallelism=1
        ),
        _env_file=None,
        environment=Environment.TESTING,
        sql=SQLSettings(url=sql_url, pool_size=5),
        mongo=MongoSettings(url=services["ATRIUM_MONGO__URL"], database=f"fuzz_{suffix}"),
        redis=RedisSettings(url=redis.render_as_string(hide_password=False)),
        storage=StorageSettings(
            endpoint=services["ATRIUM_STORAGE__ENDPOINT"],
            access_key=services.get("ATRIUM_STORAGE__ACCESS_KEY", "atrium"),
            secret_key=SecretStr(services.get("ATRIUM_STORAGE__SECRET_KEY", "atrium-test")),
            bucket=f"fuzz-{suffix}",
        ),
        logging=LoggingSettings(level="WARNING", access_log=False, json_output=False),
    )


def _atrium(args: list[str], settings: Settings, log: Path) -> None:
    with log.open("ab") as out:
        command = [str(Path(sys.executable).parent / "atrium"), *args]
        subprocess.run(
            command, env=process_env(settings), cwd=ROOT, stdout=out, stderr=out, check=True
        )


def _wait_healthy(url: str, process: subprocess.Popen[Any], log: Path) -> None:
    deadline = time.monotonic() + 60
    with httpx.Client(timeout=1) as http:
        while time.monotonic() < deadline:
            if process.poll() is not None:
                raise RuntimeError(f"the server exited: {log.read_text(errors='replace')[-3000:]}")
            with contextlib.suppress(httpx.HTTPError):
                if http.get(f"{url}/health/ready").status_code == 200:
                    return
            time.sleep(0.1)
    raise RuntimeError("the fuzz server did not become ready")


def clean_stores(settings: Settings) -> None:
    """Drop the fuzz run's MongoDB database, bucket and Redis database."""
    import pymongo
    import redis

    from atrium.core.storage import Storage

    mongo: pymongo.MongoClient[Any]
    with pymongo.MongoClient(settings.mongo.url) as mongo:
        mongo.drop_database(settings.mongo.database)
    with redis.Redis.from_url(settings.redis.url) as client:
        client.flushdb()
    storage = Storage(settings.storage)
    try:
        client_s3, bucket = storage.client, settings.storage.bucket
        if client_s3.bucket_exists(bucket):
            for item in client_s3.list_objects(bucket, recursive=True):
                client_s3.remove_object(bucket, item.object_name or "")
            client_s3.remove_bucket(bucket)
    finally:
        storage.close()


@contextlib.contextmanager
def fuzz_server(settings: Settings, tmp: Path) -> Iterator[FuzzServer]:
    """Migrate and seed (``atrium initdb``), then serve on a free port until the block ends."""
    log = tmp / "server.log"
    _atrium(["initdb", "--no-input"], settings, log)
    port = free_port()
    command = [sys.executable, "-m", "uvicorn", "atrium.asgi:app", "--host", "127.0.0.1"]
    command += ["--port", str(port), "--log-level", "warning", "--no-access-log"]
    with log.open("ab") as out:
        process = subprocess.Popen(
            command, env=process_env(settings), cwd=ROOT, stdout=out, stderr=out
        )
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_healthy(url, process, log)
        yield FuzzServer(url, log)
    finally:
        process.terminate()
        try:
            process.wait(15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
