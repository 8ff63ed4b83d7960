"""Properties of the evaluation logic over generated snapshots (hypothesis, modest sizes):

- adding a Deny statement to any policy never turns a denied request into an allowed one;
- adding an Allow statement to any policy never turns an allowed request into a denied one;
- reordering statements, or the policies of a list, never changes a decision.
"""

from __future__ import annotations

import copy
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from policylint.evaluate.decision import decide
from policylint.evaluate.snapshot import (
    AccountEntry,
    EndpointEntry,
    KeyEntry,
    PrincipalEntry,
    ResourceEntry,
    Snapshot,
)
from policylint.model.build import build_document
from policylint.model.policy import PolicyDocument
from policylint.source.document import SourceDocument

HOME = "111122223333"
OTHER = "444455556666"
ROLE = f"arn:aws:iam::{HOME}:role/App"
SESSION = f"arn:aws:sts::{HOME}:assumed-role/App/s1"
USER = f"arn:aws:iam::{OTHER}:user/bob"
KEY = f"arn:aws:kms:us-east-1:{HOME}:key/k1"
BUCKET = "arn:aws:s3:::bucket"
OBJECT = "arn:aws:s3:::bucket/a/b.txt"

ACTIONS = ("kms:Decrypt", "kms:*", "s3:GetObject", "s3:*", "sts:AssumeRole", "*")
RESOURCES = ("*", KEY, "arn:aws:kms:*:*:key/*", f"{BUCKET}/*", ROLE)
PRINCIPALS: tuple[Any, ...] = (
    "*",
    {"AWS": f"arn:aws:iam::{HOME}:root"},
    {"AWS": OTHER},
    {"AWS": ROLE},
    {"AWS": SESSION},
    {"AWS": USER},
    {"Service": "logs.amazonaws.com"},
)
CONDITIONS: tuple[Any, ...] = (
    None,
    {"StringEquals": {"aws:PrincipalAccount": HOME}},
    {"Bool": {"aws:SecureTransport": "true"}},
    {"StringNotEqualsIfExists": {"aws:SourceVpce": "vpce-1"}},
    {"StringEquals": {"aws:PrincipalOrgID": "o-org1"}},
)

# Where statements live: (slot, whether its statements name principals).
SLOTS: tuple[tuple[str, bool], ...] = (
    ("identity0", False),
    ("identity1", False),
    ("boundary", False),
    ("session", False),
    ("user", False),
    ("scp_root", False),
    ("scp_account", False),
    ("rcp", True),
    ("key", True),
    ("bucket", True),
    ("trust", True),
    ("endpoint", True),
)
# Slots that may be absent altogether (absence is not the same as an empty policy).
OPTIONAL = frozenset({"boundary", "session", "scp_root", "scp_account", "endpoint"})

QUERIES: tuple[tuple[str, str, str, dict[str, Any]], ...] = tuple(
    (principal, action, resource, context)
    for principal in (ROLE, SESSION, USER, f"arn:aws:iam::{HOME}:root", "anonymous", "logs.amazonaws.com")
    for action, resource in (("kms:Decrypt", KEY), ("s3:GetObject", OBJECT), ("sts:AssumeRole", ROLE))
    for context in ({}, {"aws:SourceVpce": "vpce-1", "aws:SecureTransport": "true"})
)


def _statement(with_principal: bool) -> st.SearchStrategy[dict[str, Any]]:
    def build(
        effect: str, action: str, resource: str, principal: Any, condition: Any, not_action: bool, not_principal: bool
    ) -> dict[str, Any]:
        statement: dict[str, Any] = {"Effect": effect, ("NotAction" if not_action else "Action"): action, "Resource": resource}
        if with_principal:
            statement["NotPrincipal" if not_principal and principal != "*" else "Principal"] = principal
        if condition is not None:
            statement["Condition"] = condition
        return statement

    return st.builds(
        build,
        st.sampled_from(("Allow", "Deny")),
        st.sampled_from(ACTIONS),
        st.sampled_from(RESOURCES),
        st.sampled_from(PRINCIPALS),
        st.sampled_from(CONDITIONS),
        st.booleans(),
        st.booleans(),
    )


@st.composite
def specs(draw: st.DrawFn) -> dict[str, list[dict[str, Any]] | None]:
    spec: dict[str, list[dict[str, Any]] | None] = {}
    for slot, with_principal in SLOTS:
        if slot in OPTIONAL and draw(st.booleans()):
            spec[slot] = None
            continue
        spec[slot] = draw(st.lists(_statement(with_principal), max_size=3))
    return spec


def _document(name: str, statements: list[dict[str, Any]]) -> PolicyDocument:
    value = {"Version": "2012-10-17", "Statement": statements}
    return build_document(SourceDocument(path=f"{name}.json", value=value, locator=None))  # type: ignore[arg-type]


def _snapshot(spec: dict[str, list[dict[str, Any]] | None], order: tuple[int, ...] = (0, 1)) -> Snapshot:
    def doc(slot: str) -> PolicyDocument | None:
        statements = spec[slot]
        return None if statements is None else _document(slot, statements)

    identity = [doc("identity0"), doc("identity1")]
    scp_levels = tuple((d,) for d in (doc("scp_root"), doc("scp_account")) if d is not None)
    rcp = doc("rcp")
    return Snapshot(
        path="generated",
        accounts={
            HOME: AccountEntry(account=HOME, organization="o-org1", scps=scp_levels, rcps=((rcp,),) if rcp else ()),
            OTHER: AccountEntry(account=OTHER, organization="o-org2"),
        },
        keys={KEY: KeyEntry(arn=KEY, account=HOME, policy=doc("key"))},
        resources={BUCKET: ResourceEntry(arn=BUCKET, account=HOME, policy=doc("bucket"))},
        principals={
            ROLE: PrincipalEntry(
                arn=ROLE,
                policies=tuple(d for d in (identity[i] for i in order) if d is not None),
                permissions_boundary=doc("boundary"),
                session_policy=doc("session"),
                trust_policy=doc("trust"),
            ),
            USER: PrincipalEntry(arn=USER, policies=(d,) if (d := doc("user")) else ()),
        },
        vpc_endpoints={"vpce-1": EndpointEntry(endpoint="vpce-1", policy=doc("endpoint"))},
    )


def _decisions(snapshot: Snapshot) -> list[str]:
    return [decide(snapshot, *query).decision for query in QUERIES]


def _present_slots(spec: dict[str, list[dict[str, Any]] | None]) -> list[str]:
    return [slot for slot, _ in SLOTS if spec[slot] is not None]


@st.composite
def additions(draw: st.DrawFn, effect: str) -> tuple[dict[str, Any], dict[str, Any]]:
    spec = draw(specs())
    slot = draw(st.sampled_from(_present_slots(spec)))
    with_principal = dict(SLOTS)[slot]
    statement = draw(_statement(with_principal))
    statement["Effect"] = effect
    changed = copy.deepcopy(spec)
    changed[slot] = [*changed[slot], statement]  # type: ignore[misc]
    return spec, changed


@settings(max_examples=60, deadline=None)
@given(additions("Deny"))
def test_adding_a_deny_never_allows_more(pair: tuple[dict[str, Any], dict[str, Any]]) -> None:
    before, after = (_decisions(_snapshot(spec)) for spec in pair)
    for query, old, new in zip(QUERIES, before, after, strict=True):
        if old != "allowed":
            assert new != "allowed", query


@settings(max_examples=60, deadline=None)
@given(additions("Allow"))
def test_adding_an_allow_never_denies_more(pair: tuple[dict[str, Any], dict[str, Any]]) -> None:
    before, after = (_decisions(_snapshot(spec)) for spec in pair)
    for query, old, new in zip(QUERIES, before, after, strict=True):
        if old == "allowed":
            assert new == "allowed", query


@settings(max_examples=60, deadline=None)
@given(specs(), st.randoms(use_true_random=False))
def test_reordering_never_changes_a_decision(spec: dict[str, Any], random: Any) -> None:
    shuffled = copy.deepcopy(spec)
    for statements in shuffled.values():
        if statements is not None:
            random.shuffle(statements)
    assert _decisions(_snapshot(shuffled, order=(1, 0))) == _decisions(_snapshot(spec))
