"""The analysis against brute force: random key policies from a small vocabulary, every request
of a pool of principals (named, unnamed, of unnamed accounts), actions and context values
decided by the concrete evaluator, compared with what `who_can`, `is_public` and `diff` say."""

from __future__ import annotations

from itertools import product

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from policylint.analyze.diff import diff_documents
from policylint.analyze.public import is_public
from policylint.analyze.synthetic import document_from_value, key_snapshot, with_principals
from policylint.analyze.whocan import who_can
from policylint.analyze.witness import verify
from policylint.evaluate.decision import decide
from policylint.evaluate.snapshot import Snapshot

OWN, OTHER, UNNAMED = "111122223333", "444455556666", "555555555555"
NAMED_ORG, UNNAMED_ORG = "o-aaaaaaaaaa", "o-zzzzzzzzzz"
ACTIONS = ("kms:Decrypt", "kms:Encrypt")
PRINCIPALS = (
    f"arn:aws:iam::{OWN}:root",
    f"arn:aws:iam::{OWN}:role/App",
    f"arn:aws:iam::{OWN}:role/Other",
    f"arn:aws:iam::{OTHER}:role/X",
    f"arn:aws:iam::{UNNAMED}:role/Y",
    f"arn:aws:iam::{UNNAMED}:root",
    "example.amazonaws.com",
)
ROLES = [p for p in PRINCIPALS if ":role/" in p]
VALUES = {
    "kms:ViaService": (None, "s3.us-east-1.amazonaws.com", "ec2.us-east-1.amazonaws.com", "other.amazonaws.com"),
    "aws:PrincipalOrgID": (None, NAMED_ORG, UNNAMED_ORG),
    "aws:SecureTransport": (None, "true", "false"),
}
CONDITION_VALUES = {
    "kms:ViaService": ["s3.us-east-1.amazonaws.com", "ec2.*", "*"],
    "aws:PrincipalOrgID": [NAMED_ORG, "o-*", "*"],
    "kms:CallerAccount": [OWN, OTHER, "1111*"],
    "aws:SecureTransport": ["true", "false"],
}
OPERATORS = ["StringEquals", "StringNotEquals", "StringLike", "StringEqualsIfExists", "ForAllValues:StringEquals", "ForAnyValue:StringLike", "Null"]

principals = st.sampled_from(["*", {"AWS": "*"}, {"AWS": f"arn:aws:iam::{OWN}:root"}, {"AWS": f"arn:aws:iam::{OTHER}:root"}, {"AWS": f"arn:aws:iam::{OWN}:role/App"}])


@st.composite
def conditions(draw: st.DrawFn) -> dict | None:
    if draw(st.booleans()):
        return None
    key = draw(st.sampled_from(sorted(CONDITION_VALUES)))
    if key == "aws:SecureTransport":
        return {"Bool": {key: draw(st.sampled_from(CONDITION_VALUES[key]))}}
    operator = draw(st.sampled_from(OPERATORS))
    value: object = draw(st.sampled_from(["true", "false"])) if operator == "Null" else draw(st.sampled_from(CONDITION_VALUES[key]))
    return {operator: {key: value}}


@st.composite
def statements(draw: st.DrawFn) -> dict:
    body: dict = {
        "Effect": draw(st.sampled_from(["Allow", "Allow", "Deny"])),
        "Principal": draw(principals),
        "Action": sorted(draw(st.sets(st.sampled_from(ACTIONS), min_size=1))),
        "Resource": "*",
    }
    condition = draw(conditions())
    if condition is not None:
        body["Condition"] = condition
    return body


policies = st.lists(statements(), min_size=1, max_size=3).map(lambda s: {"Version": "2012-10-17", "Statement": s})


def _world(document: dict) -> tuple[Snapshot, str]:
    snapshot, key = key_snapshot(document_from_value(document, "key-policy", "key.json"), OWN)
    return with_principals(snapshot, ROLES), key


def _allowed(snapshot: Snapshot, key: str) -> set[tuple[str, str, tuple[tuple[str, str], ...]]]:
    """Every request of the pool the evaluator allows."""
    found = set()
    keys = sorted(VALUES)
    for principal, action, values in product(PRINCIPALS, ACTIONS, product(*(VALUES[k] for k in keys))):
        context = {k: v for k, v in zip(keys, values) if v is not None}
        if "aws:PrincipalOrgID" in context and (principal.startswith(f"arn:aws:iam::{OWN}:") or not principal.startswith("arn:")):
            continue  # the key's account (in the snapshot, without organization) and services have none
        if decide(snapshot, principal, action, key, context).decision == "allowed":
            found.add((principal, action, tuple(sorted(context.items()))))
    return found


def _public_request(request: tuple[str, str, tuple[tuple[str, str], ...]], document: dict) -> bool:
    principal, _, context = request
    org = dict(context).get("aws:PrincipalOrgID")
    if principal.endswith(".amazonaws.com"):
        return True
    return f"::{UNNAMED}:" in principal and org != NAMED_ORG


SETTINGS = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@SETTINGS
@given(policies)
def test_is_public_matches_brute_force(document: dict) -> None:
    snapshot, key = _world(document)
    report = is_public(snapshot, key)
    brute = any(_public_request(r, document) for r in _allowed(snapshot, key))
    if brute:
        assert report.verdict in ("public", "may-be-public")
    for witness in (w for a in report.public for w in a.witnesses):
        assert verify(snapshot, witness) == "allowed"


@SETTINGS
@given(policies)
def test_who_can_covers_every_allowed_request(document: dict) -> None:
    snapshot, key = _world(document)
    report = who_can(snapshot, "kms:*", key)
    for witness in (w for a in report.accesses for w in a.witnesses):
        assert verify(snapshot, witness) == "allowed"
    if report.undecided:
        return
    for principal, action, context in _allowed(snapshot, key):
        account = principal.split(":")[4] if principal.startswith("arn:") else None
        org = dict(context).get("aws:PrincipalOrgID")
        covering = [
            a
            for a in report.accesses
            if action in a.actions
            and (
                (principal.endswith(".amazonaws.com") and a.kind in ("service", "any-service"))
                or (account is not None and a.account == account)
                or a.kind == "anywhere"
                or (a.kind == "organization" and a.organization == org)
            )
        ]
        assert covering, (principal, action, context)


@SETTINGS
@given(policies, policies)
def test_diff_finds_new_access_when_brute_force_does(old: dict, new: dict) -> None:
    old_snapshot, key = _world(old)
    new_snapshot, _ = _world(new)
    report = diff_documents(
        document_from_value(old, "key-policy", "old.json"), document_from_value(new, "key-policy", "new.json"), kind="key-policy", account=OWN
    )
    brute = _allowed(new_snapshot, key) - _allowed(old_snapshot, key)
    if brute:
        assert report.accesses or report.undecided, sorted(brute)[:3]
    for witness in (w for a in report.accesses for w in a.witnesses):
        assert (verify(new_snapshot, witness), verify(old_snapshot, witness) != "allowed") == ("allowed", True)
