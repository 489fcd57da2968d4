"""Fuzzing the API with schemathesis: the real app on Chalice's local gateway on loopback, over the fakes.

`FuzzTarget` serves the Chalice app as `make dev` does (infra/devstack/web.py, one thread per connection)
on a free loopback port, with the container of a `World` (tests/fakes) seeded with dossiers and tasks.
`fuzz_operations` sends each operation of the served `/v1/openapi.json` what schemathesis generates from
it, as nobody, as a citizen and as a receiving officer; `fuzz_flows` follows the document's links
(file a dossier → track it → the officer decides its task). Both count what they sent and what broke
the contract: a 5xx, a status the operation does not document, a body or a content type that does not
match it. tests/api/test_fuzz.py runs a bounded, derandomized run; benchmarks/fuzz.py a longer one.
"""

from __future__ import annotations

import itertools
import uuid
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import hypothesis
import hypothesis.errors
import requests
import schemathesis
from hypothesis import HealthCheck, Phase
from hypothesis import strategies as st
from hypothesis.stateful import Bundle, initialize
from schemathesis.checks import not_a_server_error
from schemathesis.core.failures import Failure, FailureGroup
from schemathesis.generation.stateful.state_machine import APIStateMachine, StepInput, StepOutput
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from motcua.domain.models import PrincipalKind
from motcua.domain.roles import Role
from tests.conftest import DEMO_PROVINCE, ROOT
from tests.fakes.identity import InMemoryIdentityProvider
from tests.fakes.signing import InMemoryCertificateStore
from tests.fakes.world import World

# What must hold for every answer: no 5xx; a status the operation documents; a body, a content type and
# headers that match what it documents for that status.
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
    response_headers_conformance,
]
# A body sent as a PDF (`POST /v1/verify`): any bytes, or bytes that start and end as a PDF does.
schemathesis.openapi.media_type(
    "application/pdf",
    st.binary(max_size=2048)
    | st.builds(lambda middle: b"%PDF-1.7\n" + middle + b"\n%%EOF\n", st.binary(max_size=2048)),
)
BUSINESS = "2.001610"  # business registration: received by the Department of Finance
FINANCE = "000.00.01.H99"
SEEDED_DOSSIERS = 3


@dataclass(frozen=True)
class Finding:
    """One broken rule, once per operation, check and status."""

    operation: str
    check: str
    status: int
    title: str
    detail: str
    request: str  # as a curl command, to send it again

    def __str__(self) -> str:
        return f"{self.operation} → {self.status}: {self.check}: {self.title}\n{self.detail}\n{self.request}"


@dataclass
class Tally:
    """What a run sent, and what broke the contract."""

    requests: int = 0
    operations: set[str] = field(default_factory=set)
    statuses: Counter[int] = field(default_factory=Counter)
    answers: Counter[tuple[str, int]] = field(default_factory=Counter)  # (operation, status)
    violating: int = 0  # answers off their documented status, content type, headers or body
    cut_short: int = 0  # stateful runs that Hypothesis ended on a replay that went otherwise
    findings: dict[tuple[str, str, int], Finding] = field(default_factory=dict)
    # The first answer's body for each (operation, identity, status): what a failed assertion shows.
    samples: dict[tuple[str, str, int], str] = field(default_factory=dict)

    def sampled(self, suffix: str) -> str:
        """The sampled answers of the operations whose label ends with `suffix`, one line each."""
        return "\n".join(
            f"{operation} as {identity} → {status}: {body}"
            for (operation, identity, status), body in sorted(self.samples.items())
            if operation.endswith(suffix)
        )

    @property
    def server_errors(self) -> int:
        return sum(n for status, n in self.statuses.items() if status >= 500)

    def add(self, operation: str, status: int, failures: list[Failure], request: str) -> None:
        if any(not _is_server_error(f) for f in failures):
            self.violating += 1
        for failure in failures:
            check = _check_of(failure)
            key = (operation, check, status)
            self.findings.setdefault(
                key, Finding(operation, check, status, failure.title, (failure.message or "")[:800], request)
            )


def _check_of(failure: Failure) -> str:
    checks = getattr(failure, "checks", None)
    return str(checks[0]) if checks else type(failure).__name__


def _is_server_error(failure: Failure) -> bool:
    return _check_of(failure) == "not_a_server_error"


class FuzzTarget:
    """The API on loopback over an in-memory world, with a citizen and an officer signed in."""

    def __init__(self, base_url: str) -> None:
        self.base_url = base_url
        self.session = requests.Session()
        self.schema = schemathesis.openapi.from_url(
            f"{base_url}/v1/openapi.json", config=schemathesis.Config()
        )
        self.schema.config.update(base_url=base_url)
        self.reset()

    def reset(self) -> None:
        """A new world, seeded alike: three business registrations filed, their first tasks open.

        Each stateful scenario starts from it, so that the same steps meet the same state (Hypothesis
        replays a scenario's beginning and expects the same answers to draw the same next steps)."""
        from chalicelib import deps

        world = self.world = World(DEMO_PROVINCE)
        self.citizen = world.citizen("Nguyễn Văn An")
        self.officer = world.staff(FINANCE, Role.RECEIVER, "tiepnhan.taichinh")
        self.tokens = {
            "anonymous": None,
            "citizen": world.verifier.issue(self.citizen),
            "staff": world.verifier.issue(self.officer),
        }
        # Sign-up and sign-in on in-memory user pools, and the CA certificates a verification trusts
        # (the World has neither Cognito nor the table's certificates).
        world.container.__dict__["citizens"] = InMemoryIdentityProvider(world.verifier)
        world.container.__dict__["staff"] = InMemoryIdentityProvider(world.verifier, kind=PrincipalKind.STAFF)
        world.container.__dict__["certificates"] = InMemoryCertificateStore()
        self.codes = [world.file(self.citizen, BUSINESS).code for _ in range(SEEDED_DOSSIERS)]
        world.settle()
        self.task_ids = [t.task_id for code in self.codes for t in world.record(code).tasks]
        deps.set_container(world.container)

    def headers(self, identity: str) -> dict[str, str]:
        token = self.tokens[identity]
        return {} if token is None else {"Authorization": f"Bearer {token}"}

    def known(self) -> dict[str, list[str]]:
        """Path parameters that name objects that exist, for generated cases to aim at."""
        return {
            "code": self.codes,
            "task_id": self.task_ids,
            "agency_code": [FINANCE],
            "procedure_code": [BUSINESS],
            "name": ["receipt", "control-slip"],
        }

    def send(self, case: schemathesis.Case, identity: str, tally: Tally, *, raise_: bool) -> Any:
        """Send `case` as `identity`, count it, and check the answer against the document."""
        response = case.call(session=self.session, headers=self.headers(identity))
        label = case.operation.label
        tally.requests += 1
        tally.operations.add(label)
        tally.statuses[response.status_code] += 1
        tally.answers[(label, response.status_code)] += 1
        tally.samples.setdefault(
            (label, identity, response.status_code), response.content[:300].decode(errors="replace")
        )
        try:
            case.validate_response(response, checks=CHECKS)
        except FailureGroup as group:
            request = case.as_curl_command(headers=dict(response.request.headers))
            tally.add(label, response.status_code, list(group.exceptions), request)
            if raise_:
                raise
        return response


@contextmanager
def fuzz_target() -> Iterator[FuzzTarget]:
    """The app served on a free loopback port, on a seeded in-memory world, for the time of the block."""
    from app import app

    from chalicelib import deps
    from infra.devstack.web import WebServer

    served_as = app.__class__
    server = WebServer(app, host="127.0.0.1", port=0, static_root=ROOT / "frontend")
    server.start()
    try:
        host, port = server.server.server_address[:2]
        yield FuzzTarget(f"http://{host}:{port}")
    finally:
        server.stop()
        deps.set_container(None)
        app.__class__ = served_as  # the local gateway's thread-local requests, for this server only


def run_settings(
    examples: int, *, derandomize: bool, stateful_steps: int | None = None
) -> hypothesis.settings:
    return hypothesis.settings(
        max_examples=examples,
        derandomize=derandomize,
        database=None,
        deadline=None,
        phases=[Phase.explicit, Phase.generate],  # no shrinking: a finding is reported as sent
        suppress_health_check=list(HealthCheck),
        stateful_step_count=stateful_steps or 10,
        report_multiple_bugs=False,
        verbosity=hypothesis.Verbosity.quiet,  # what broke is in the tally; a replay's steps are noise
    )


def fuzz_operation(
    target: FuzzTarget,
    operation: Any,
    identity: str,
    tally: Tally,
    settings: hypothesis.settings,
    *,
    raise_: bool,
) -> None:
    """Generated cases for one operation, as `identity`: valid and invalid ones, some aimed at objects
    that exist (so that a body is read past the lookup of its path's dossier or task)."""
    known = target.known()
    aimed = {
        name: st.sampled_from(known[name])
        for name in (p.name for p in operation.path_parameters)
        if name in known
    }
    valid = operation.as_strategy(schemathesis.GenerationMode.POSITIVE)
    invalid = operation.as_strategy(schemathesis.GenerationMode.NEGATIVE)
    if aimed:
        valid = valid | st.fixed_dictionaries(aimed).flatmap(
            lambda params: operation.as_strategy(schemathesis.GenerationMode.POSITIVE, path_parameters=params)
        )
    strategies = [valid, valid, invalid]  # two valid cases for an invalid one

    @settings
    @hypothesis.given(case=st.one_of(strategies))
    def run(case: schemathesis.Case) -> None:
        target.send(case, identity, tally, raise_=raise_)

    run()


def operations(target: FuzzTarget) -> list[Any]:
    return [result.ok() for result in target.schema.get_all_operations()]


IDENTITIES = ("anonymous", "citizen", "staff")
# Who an operation is for, by its `x-motcua-access`; the others are turned away before anything is read.
CALLERS = {
    "public": {"anonymous"},
    "citizen": {"citizen"},
    "staff": {"staff"},
    "signed_in": {"citizen", "staff"},
}


def fuzz_operations(
    target: FuzzTarget, tally: Tally, *, examples: int, derandomize: bool, raise_: bool = False
) -> None:
    """Every operation as every identity: `examples` cases as those it is for, a fifth as the others."""
    for operation, identity in itertools.product(operations(target), IDENTITIES):
        callers = CALLERS[operation.definition.raw["x-motcua-access"]]
        count = examples if identity in callers else max(2, examples // 5)
        settings = run_settings(count, derandomize=derandomize)
        target.reset()  # each operation meets the same seeded state, whatever the one before did
        try:
            fuzz_operation(target, operation, identity, tally, settings, raise_=raise_)
        except FailureGroup:
            if raise_:
                raise


def flow_machine(target: FuzzTarget, tally: Tally, *, raise_: bool) -> type[APIStateMachine]:
    """The document's links as a state machine, each operation called as who may call it. Every
    scenario starts with a complete filing, which links lead on from (track it, the receiving agency's
    inbox, its task, a decision); schemathesis's own filings are fuzzed data, refused."""
    base = target.schema.as_state_machine()
    filing = target.schema["/v1/dossiers"]["POST"]
    signed_in = itertools.cycle(("citizen", "staff"))

    def identity_for(case: schemathesis.Case) -> str:
        access = case.operation.definition.raw.get("x-motcua-access")
        if access == "signed_in":
            return next(signed_in)
        return {"citizen": "citizen", "staff": "staff"}.get(access, "anonymous")

    class Flows(base):  # type: ignore[misc, valid-type]
        @initialize(target=Bundle("catch_all"))
        def file_a_dossier(self) -> StepOutput:
            # A filing needs files in storage, which only the browser's POST to an upload slot puts
            # there: the harness does what the portal does, then files through the API.
            body = target.world.filing_request(target.citizen, BUSINESS).model_dump(mode="json")
            case = filing.Case(body=body, headers={"Idempotency-Key": str(uuid.uuid4())})
            step = StepInput.initial(case)
            self.recorder.record_case(case=case)  # as schemathesis's own first steps are recorded
            self.control.record_step(step, self.recorder)
            return self._step(step)

        def call(self, case: schemathesis.Case, **kwargs: Any) -> Any:
            response = target.send(case, identity_for(case), tally, raise_=raise_)
            target.world.settle()  # the flows move on, as the routing function would make them
            return response

        def validate_response(self, response: Any, case: schemathesis.Case, **kwargs: Any) -> None:
            pass  # `send` checked it

        def setup(self) -> None:
            target.reset()

    return Flows


BATCH = 25  # scenarios per state machine run


def fuzz_flows(
    target: FuzzTarget, tally: Tally, *, scenarios: int, steps: int, derandomize: bool, raise_: bool = False
) -> None:
    """`scenarios` scenarios, in runs of BATCH. schemathesis steers its choice of first steps by what
    earlier scenarios found, which Hypothesis sees as a flaky strategy when it replays one: such a run
    ends there (counted in `tally.cut_short`) and the next begins."""
    for batch in range(0, scenarios, BATCH):
        machine = flow_machine(target, tally, raise_=raise_)
        settings = run_settings(min(BATCH, scenarios - batch), derandomize=derandomize, stateful_steps=steps)
        try:
            hypothesis.stateful.run_state_machine_as_test(machine, settings=settings)
        except FailureGroup:
            if raise_:
                raise
        except hypothesis.errors.Flaky:
            tally.cut_short += 1
