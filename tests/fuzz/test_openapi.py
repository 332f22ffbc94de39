"""Fuzzing every operation of the OpenAPI: no server error, every response as documented.

Schemathesis walks the app's own ``/openapi.json``, so an operation added later is fuzzed
without touching this file. Each operation gets ``FUZZ_EXAMPLES`` generated cases (valid and
invalid input) from a fixed seed, as a superuser and as an anonymous caller, against a real
server (``tests/fuzz/server.py``). Checks: no 5xx, the response's schema and content type
match what the operation documents for that status.

A third caller is an API key of the superuser's scoped to every route (``X-API-Key``): every
operation once more, identity routes refused. Operations that end the caller's own session would
log the superuser out for every later case, so they run in their own pass, each case with a
fresh login (``SESSION_ENDING``). When
an operation outside that list ends the session anyway, the superuser pass notices (a 401
with a token that no longer works), logs in again and fails, naming the operation.

Before fuzzing, one resource of each kind is created (``FuzzServer.seed``): where a path names
one of them (``{task_id}``, ``{role_id}``, ...), some cases aim at it, so updates and deletes
meet real rows. A stateful pass follows the links schemathesis infers from the schema
(create, then read, update, delete).

``make fuzz`` runs the same tests longer, with a random seed (``FUZZ_EXAMPLES``,
``FUZZ_SEED``; the seed used is printed, ``FUZZ_SEED=<it>`` replays it).
"""

from __future__ import annotations

import os
import random
import re
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, seed, settings
from hypothesis import strategies as st
from hypothesis.errors import Flaky
from hypothesis.stateful import get_state_machine_test
from schemathesis import Case
from schemathesis.checks import not_a_server_error
from schemathesis.generation.modes import GenerationMode
from schemathesis.schemas import APIOperation
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
)

from tests.fuzz.server import (
    FuzzServer,
    clean_stores,
    fuzz_server,
    fuzz_settings,
)
from tests.support.postgres import postgres_database

Operation = APIOperation[Any, Any, Any, Any]
FuzzCase = Case[Any]
EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "20"))
# Unset: the fixed seed below (the same cases every run); "random": a new seed each run, shown
# in the summary line so that ``FUZZ_SEED=<it>`` replays the run.
SEED = os.environ.get("FUZZ_SEED", "20261202")
if SEED == "random":
    SEED = str(random.SystemRandom().randrange(2**32))
# Stateful scenarios (sequences of linked calls) and the steps in each.
STATEFUL_SCENARIOS = int(os.environ.get("FUZZ_SCENARIOS", "40"))
STATEFUL_STEPS = 10
STATEFUL_ROUNDS = 20
CHECKS = [not_a_server_error, response_schema_conformance, content_type_conformance]
REQUEST_TIMEOUT = 30
PATH_PARAMETER = re.compile(r"\{(\w+)\}")

# Operations that end the session of the caller: fuzzed in their own pass, a fresh login each.
SESSION_ENDING = {
    "POST /api/v1/auth/logout": "revokes the session its token belongs to",
    "DELETE /api/v1/auth/sessions": "revokes the caller's sessions",
    "DELETE /api/v1/auth/sessions/{session_id}": "revokes one session, possibly the caller's",
    "POST /api/v1/auth/password": "a change of the caller's password ends their sessions",
}
# Operations not fuzzed at all, with the reason (none today: keep it that way if you can).
EXCLUDED: dict[str, str] = {}

pytestmark = pytest.mark.fuzz


class Fuzz:
    """The server, the superuser's current session, and what was run."""

    def __init__(self, server: FuzzServer) -> None:
        self.server = server
        self.headers = server.login()
        self.last: str | None = None
        self.cases: dict[tuple[str, str], int] = {}
        self.failures: list[str] = []
        # Ids of seeded resources by path parameter name: some cases aim at real objects.
        self.known: dict[str, str] = {}
        self.key_headers: dict[str, str] | None = None
        self.started = time.monotonic()

    def count(self, caller: str, case: FuzzCase) -> None:
        key = (caller, case.operation.label)
        self.cases[key] = self.cases.get(key, 0) + 1

    def total(self, caller: str) -> int:
        return sum(n for (who, _), n in self.cases.items() if who == caller)

    def session_alive(self) -> bool:
        with httpx.Client(base_url=self.server.url, timeout=10) as http:
            return http.get("/api/v1/auth/me", headers=self.headers).status_code == 200

    def as_superuser(self, case: FuzzCase) -> None:
        self.validate(case, self.superuser_call(case))

    def superuser_call(self, case: FuzzCase) -> Any:
        """Call with the superuser's session; fail if an earlier call ended that session."""
        self.count("superuser", case)
        response = case.call(headers=self.headers, timeout=REQUEST_TIMEOUT)
        if response.status_code == 401 and not self.session_alive():
            ended_by, self.last = self.last, None
            self.headers = self.server.login()
            pytest.fail(
                f"the superuser's session ended after {ended_by}: if that operation ends the "
                "caller's session, list it in SESSION_ENDING"
            )
        self.last = case.operation.label
        return response

    def as_anonymous(self, case: FuzzCase) -> None:
        self.count("anonymous", case)
        self.validate(case, case.call(headers=self.server.agent, timeout=REQUEST_TIMEOUT))

    def as_api_key(self, case: FuzzCase) -> None:
        self.count("API key", case)
        if self.key_headers is None:
            self.key_headers = self.server.api_key(self.headers)
        self.validate(case, case.call(headers=self.key_headers, timeout=REQUEST_TIMEOUT))

    def with_fresh_login(self, case: FuzzCase) -> None:
        self.count("superuser, fresh session", case)
        response = case.call(headers=self.server.login(), timeout=REQUEST_TIMEOUT)
        self.validate(case, response)

    def validate(self, case: FuzzCase, response: Any) -> None:
        try:
            case.validate_response(response, checks=CHECKS)
        except Exception as exc:
            self.failures.append(f"{case.operation.label} [{response.status_code}]: {exc}"[:2000])
            if response.status_code >= 500:
                print(f"--- server log ---\n{self.server.log_tail()}")
            raise

    def summary(self) -> list[str]:
        by_caller: dict[str, tuple[int, int]] = {}
        for (caller, _), count in self.cases.items():
            operations, cases = by_caller.get(caller, (0, 0))
            by_caller[caller] = (operations + 1, cases + count)
        lines = [f"{c}: {o} operations, {n} cases" for c, (o, n) in sorted(by_caller.items())]
        seconds = time.monotonic() - self.started
        return [*lines, f"{seconds:.0f} s, {EXAMPLES} examples per operation, seed {SEED}"]


@pytest.fixture(scope="module")
def fuzz(services: dict[str, str], tmp_path_factory: pytest.TempPathFactory) -> Iterator[Fuzz]:
    tmp = tmp_path_factory.mktemp("fuzz")
    with postgres_database(services["ATRIUM_TEST_POSTGRES_URL"], "atrium_fuzz") as sql_url:
        config = fuzz_settings(services, sql_url, tmp)
        try:
            with fuzz_server(config, tmp) as server:
                state = Fuzz(server)
                state.known = server.seed(state.headers)
                yield state
                _report(state, tmp)
        finally:
            clean_stores(config)


def _report(state: Fuzz, tmp: Path) -> None:
    lines = state.summary()
    (tmp / "summary.txt").write_text("\n".join(lines) + "\n")
    print("\nfuzz: " + "; ".join(lines))


@pytest.fixture(scope="module")
def fuzz_schema(fuzz: Fuzz) -> Any:
    return schemathesis.openapi.from_url(f"{fuzz.server.url}/openapi.json")


def operations(schema: Any) -> list[Operation]:
    """Every operation of the schema (a broken one fails here), minus ``EXCLUDED``."""
    found = [result.ok() for result in schema.get_all_operations()]
    return [operation for operation in found if operation.label not in EXCLUDED]


def _strategy(operation: Operation, known: dict[str, str]) -> st.SearchStrategy[FuzzCase]:
    """Valid and invalid cases; where a path names a seeded resource, also cases aimed at it."""
    modes = (GenerationMode.POSITIVE, GenerationMode.NEGATIVE)
    strategies = [operation.as_strategy(generation_mode=mode) for mode in modes]
    aimed = {name: known[name] for name in PATH_PARAMETER.findall(operation.path) if name in known}
    if aimed:
        strategies += [
            operation.as_strategy(generation_mode=mode, path_parameters=aimed) for mode in modes
        ]
    return st.one_of(*strategies)


def _fuzz_settings(test: Callable[..., None]) -> Callable[..., None]:
    configured = settings(
        max_examples=EXAMPLES,
        deadline=None,
        database=None,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
        print_blob=True,
    )(test)
    return seed(int(SEED))(configured)


def fuzz_operations(
    subtests: pytest.Subtests,
    selected: list[Operation],
    call: Callable[[FuzzCase], None],
    known: dict[str, str],
) -> None:
    """Run ``call`` on generated cases of each operation, one subtest per operation."""
    assert selected
    for operation in selected:
        with subtests.test(msg=operation.label):

            @_fuzz_settings
            @given(case=_strategy(operation, known))
            def run(case: FuzzCase) -> None:
                call(case)

            run()


def test_every_operation_as_a_superuser(
    fuzz: Fuzz, fuzz_schema: Any, subtests: pytest.Subtests
) -> None:
    selected = [op for op in operations(fuzz_schema) if op.label not in SESSION_ENDING]
    fuzz_operations(subtests, selected, fuzz.as_superuser, fuzz.known)


def test_every_operation_as_an_anonymous_caller(
    fuzz: Fuzz, fuzz_schema: Any, subtests: pytest.Subtests
) -> None:
    fuzz_operations(subtests, operations(fuzz_schema), fuzz.as_anonymous, fuzz.known)


def test_every_operation_with_an_api_key(
    fuzz: Fuzz, fuzz_schema: Any, subtests: pytest.Subtests
) -> None:
    fuzz_operations(subtests, operations(fuzz_schema), fuzz.as_api_key, fuzz.known)


def test_session_ending_operations_with_a_fresh_login(
    fuzz: Fuzz, fuzz_schema: Any, subtests: pytest.Subtests
) -> None:
    selected = [op for op in operations(fuzz_schema) if op.label in SESSION_ENDING]
    fuzz_operations(subtests, selected, fuzz.with_fresh_login, fuzz.known)


def test_linked_operations_in_sequence_as_a_superuser(fuzz: Fuzz, fuzz_schema: Any) -> None:
    """Stateful: follow the links inferred from the schema (create, then read, update, delete)."""
    schema = fuzz_schema.exclude(
        func=lambda ctx: ctx.operation.label in {*SESSION_ENDING, *EXCLUDED}
    )
    schema.config.phases.stateful.enabled = True
    machine: Any = schema.as_state_machine()

    class Scenario(machine):  # type: ignore[misc]
        def call(self, case: FuzzCase, **kwargs: Any) -> Any:
            return fuzz.superuser_call(case)

        def validate_response(
            self, response: Any, case: FuzzCase, *args: Any, **kwargs: Any
        ) -> None:
            fuzz.validate(case, response)

        def _repr_step(self, rule: Any, data: Any, result: Any) -> str:
            return ""  # the failure itself is recorded with its case

    failed_before, started = len(fuzz.failures), fuzz.total("superuser")
    for round_number in range(STATEFUL_ROUNDS):
        _run_scenarios(Scenario, round_number, fuzz)
        if fuzz.total("superuser") - started >= STATEFUL_SCENARIOS * STATEFUL_STEPS // 2:
            break
    assert fuzz.failures[failed_before:] == []
    assert schema.statistic.transitions.total > 50  # the links were inferred


def _run_scenarios(machine: Any, round_number: int, fuzz: Fuzz) -> None:
    run = get_state_machine_test(
        machine,
        settings=settings(
            max_examples=STATEFUL_SCENARIOS,
            stateful_step_count=STATEFUL_STEPS,
            deadline=None,
            database=None,
            phases=[Phase.generate],
            suppress_health_check=list(HealthCheck),
        ),
        _min_steps=2,
        _flaky_state={"selecting_rule": False},
    )
    run = seed(int(SEED) + round_number)(run)
    # A scenario's next steps depend on what the server answered, so Hypothesis may find a
    # replay inconsistent and stop the round: that is no failure of the app. Failures of the
    # app are recorded as they happen (Fuzz.validate) and asserted by the caller; anything
    # else is an error of this harness.
    recorded = len(fuzz.failures)
    try:
        run()
    except Flaky:
        pass
    except Exception:
        if len(fuzz.failures) == recorded:
            raise


def test_the_lists_name_real_operations(fuzz_schema: Any) -> None:
    labels = {result.ok().label for result in fuzz_schema.get_all_operations()}
    assert set(SESSION_ENDING) <= labels
    assert set(EXCLUDED) <= labels
    assert len(labels) > 50
