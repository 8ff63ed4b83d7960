"""`who can`: whole answers (principal class, actions, conditions) for the KMS key policy
patterns, and every witness decided again by the concrete evaluator."""

from __future__ import annotations

from pathlib import Path

import pytest

from policylint.analyze.synthetic import document_from_value, key_snapshot
from policylint.analyze.whocan import who_can
from policylint.analyze.witness import verify
from policylint.evaluate.snapshot import load_snapshot
from policylint.query import CanQuery, parse_query
from tests.analyze.documents import policy, statement

OWN, OTHER, THIRD = "111122223333", "444455556666", "777788889999"
ROOT = f"arn:aws:iam::{OWN}:root"
SAMPLE = Path(__file__).resolve().parents[2] / "samples" / "snapshot" / "snapshot.yaml"
SAMPLE_KEY = "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab"
OWN_ACCOUNT = f"any principal of account `{OWN}` whose IAM policies allow it"
ANYWHERE = "any AWS principal in any other account whose IAM policies allow it"
ANY_SERVICE = "any other service principal (e.g. `example.amazonaws.com`)"


ENABLE_IAM = statement({"AWS": ROOT}, "kms:*")
EBS = {"StringEquals": {"kms:CallerAccount": OWN, "kms:ViaService": "ec2.us-east-1.amazonaws.com"}}

CASES = [
    ("root delegation", policy(ENABLE_IAM), "kms:Decrypt", [(OWN_ACCOUNT, "account", ("kms:Decrypt",), ())]),
    (
        "principal * pinned by kms:CallerAccount, through EBS only",
        policy(statement({"AWS": "*"}, ["kms:Decrypt", "kms:CreateGrant"], condition=EBS)),
        "kms:Decrypt",
        [(OWN_ACCOUNT, "account", ("kms:Decrypt",), ("`kms:ViaService` = `ec2.us-east-1.amazonaws.com`",))],
    ),
    (
        "principal * pinned by an organization",
        policy(statement("*", "kms:Decrypt", condition={"StringEquals": {"aws:PrincipalOrgID": "o-a1b2c3d4e5"}})),
        "kms:Decrypt",
        [("any principal of organization `o-a1b2c3d4e5` whose IAM policies allow it", "organization", ("kms:Decrypt",), ())],
    ),
    (
        "cross-account roots, one as a bare account id",
        policy(ENABLE_IAM, statement({"AWS": [f"arn:aws:iam::{OTHER}:root", THIRD]}, ["kms:Decrypt", "kms:DescribeKey"])),
        "kms:Decrypt",
        [
            (OWN_ACCOUNT, "account", ("kms:Decrypt",), ()),
            (f"any principal of account `{OTHER}` whose IAM policies allow it", "account", ("kms:Decrypt",), ()),
            (f"any principal of account `{THIRD}` whose IAM policies allow it", "account", ("kms:Decrypt",), ()),
        ],
    ),
    (
        "a wildcard action, cross-account: only the actions usable on a key of another account",
        policy(statement({"AWS": f"arn:aws:iam::{OTHER}:root"}, "kms:Re*")),
        "kms:Re*",
        [
            (
                f"any principal of account `{OTHER}` whose IAM policies allow it",
                "account",
                ("kms:ReEncryptFrom", "kms:ReEncryptTo", "kms:RetireGrant", "kms:RevokeGrant"),
                (),
            )
        ],
    ),
    (
        "principal * without condition",
        policy(statement("*", "kms:Decrypt")),
        "kms:Decrypt",
        [(ANYWHERE, "anywhere", ("kms:Decrypt",), ()), (ANY_SERVICE, "any-service", ("kms:Decrypt",), ())],
    ),
    (
        "Allow with NotPrincipal: the role is not excluded without its account",
        policy(statement({"AWS": f"arn:aws:iam::{OWN}:role/Intern"}, "kms:Decrypt", not_principal=True)),
        "kms:Decrypt",
        [(ANYWHERE, "anywhere", ("kms:Decrypt",), ()), (ANY_SERVICE, "any-service", ("kms:Decrypt",), ())],
    ),
    (
        "Deny with NotPrincipal spares the administrator and the root user",
        policy(
            ENABLE_IAM,
            statement({"AWS": [f"arn:aws:iam::{OWN}:role/Admin", ROOT]}, "kms:ScheduleKeyDeletion", "Deny", not_principal=True),
        ),
        "kms:ScheduleKeyDeletion",
        [
            (f"the root user of account `{OWN}`", "root", ("kms:ScheduleKeyDeletion",), ()),
            (f"`arn:aws:iam::{OWN}:role/Admin`, if its IAM policies allow it", "arn", ("kms:ScheduleKeyDeletion",), ()),
        ],
    ),
    (
        "aws:PrincipalArn pattern",
        policy(statement("*", "kms:Decrypt", condition={"ArnLike": {"aws:PrincipalArn": f"arn:aws:iam::{OWN}:role/reports-*"}})),
        "kms:Decrypt",
        [
            (
                f"principals like `arn:aws:iam::{OWN}:role/reports-` in account `{OWN}`, if their IAM policies allow it",
                "arn",
                ("kms:Decrypt",),
                (),
            )
        ],
    ),
    (
        "a Deny on a condition key: the condition under which access remains",
        policy(ENABLE_IAM, statement("*", "kms:*", "Deny", condition={"Bool": {"aws:SecureTransport": "false"}})),
        "kms:Decrypt",
        [(OWN_ACCOUNT, "account", ("kms:Decrypt",), ("`aws:SecureTransport` is absent or not `false`",))],
    ),
]


def _answer(document: dict, action: str):
    snapshot, key = key_snapshot(document_from_value(document, "key-policy", "key.json"), OWN)
    return snapshot, who_can(snapshot, action, key)


@pytest.mark.parametrize(("name", "document", "action", "expected"), CASES, ids=[c[0] for c in CASES])
def test_who_can(name: str, document: dict, action: str, expected: list) -> None:
    _, report = _answer(document, action)
    assert [(a.who, a.kind, a.actions, a.conditions) for a in report.accesses] == expected
    assert report.undecided == ()


@pytest.mark.parametrize(("name", "document", "action", "expected"), CASES, ids=[c[0] for c in CASES])
def test_every_witness_is_allowed(name: str, document: dict, action: str, expected: list) -> None:
    snapshot, report = _answer(document, action)
    witnesses = [w for a in report.accesses for w in a.witnesses]
    assert witnesses
    assert [verify(snapshot, w) for w in witnesses] == ["allowed"] * len(witnesses)


SNAPSHOT_EXPECTED = [
    ("arn:aws:iam::111122223333:role/App", "principal", ("kms:Decrypt", "kms:GenerateDataKey"), ()),
    ("arn:aws:iam::111122223333:role/Batch", "principal", ("kms:Decrypt",), ("`kms:EncryptionContext:Department` = `IT`",)),
    ("arn:aws:iam::111122223333:role/Batch", "principal", ("kms:DescribeKey",), ()),
    ("arn:aws:iam::111122223333:role/Deployer", "principal", ("kms:DescribeKey",), ()),
    (
        "arn:aws:iam::111122223333:user/alice",
        "principal",
        ("kms:Decrypt", "kms:GenerateDataKey"),
        ("`kms:ViaService` = `s3.us-east-1.amazonaws.com`",),
    ),
    ("arn:aws:iam::444455556666:role/Partner", "principal", ("kms:Decrypt", "kms:DescribeKey"), ()),
    (f"any principal of account `{OTHER}` whose IAM policies allow it", "account", ("kms:Decrypt", "kms:DescribeKey"), ()),
    ("`arn:aws:iam::111122223333:role/KeyAdmin`, if its IAM policies allow it", "arn", ("kms:DisableKey", "kms:ScheduleKeyDeletion"), ()),
]


def test_sample_snapshot_grants_scps_and_rcps() -> None:
    """The grant needs its encryption context; the SCP keeps key deletion for KeyAdmin; the
    RCP keeps out 777788889999 (another organization) although the key policy names it."""
    snapshot = load_snapshot(str(SAMPLE))
    report = who_can(snapshot, "kms:*", SAMPLE_KEY)
    found = [(a.who, a.kind, a.actions, a.conditions) for a in report.accesses]
    own = [f for f in found if f[0] == OWN_ACCOUNT]
    assert [f for f in found if f[0] != OWN_ACCOUNT] == SNAPSHOT_EXPECTED
    assert len(own) == 1 and "kms:ScheduleKeyDeletion" not in own[0][2] and "kms:Decrypt" in own[0][2]
    witnesses = [w for a in report.accesses for w in a.witnesses]
    assert [verify(snapshot, w) for w in witnesses] == ["allowed"] * len(witnesses)


def test_given_context_is_fixed() -> None:
    snapshot = load_snapshot(str(SAMPLE))
    report = who_can(snapshot, "kms:Decrypt", SAMPLE_KEY, {"kms:ViaService": "s3.us-east-1.amazonaws.com"})
    alice = [a for a in report.accesses if a.who == "arn:aws:iam::111122223333:user/alice"]
    assert [(a.actions, a.conditions, a.witness.query) for a in alice] == [
        (
            ("kms:Decrypt",),
            (),
            f"can arn:aws:iam::111122223333:user/alice do kms:Decrypt on {SAMPLE_KEY} with kms:ViaService = s3.us-east-1.amazonaws.com",
        )
    ]


def test_witness_queries_parse_back_to_the_same_request() -> None:
    snapshot = load_snapshot(str(SAMPLE))
    report = who_can(snapshot, "kms:*", SAMPLE_KEY)
    for witness in (w for a in report.accesses for w in a.witnesses):
        query = parse_query(witness.query)
        assert isinstance(query, CanQuery)
        context = {e.key: e.values if e.multivalued else e.values[0] for e in query.context}
        assert (query.principal, query.action, query.resource, context) == (
            witness.principal,
            witness.action,
            witness.resource,
            dict(witness.context),
        )


def test_many_principals_alike_are_one_class() -> None:
    principals = {f"arn:aws:iam::{OWN}:role/worker-{n}": {"policies": [{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "kms:Decrypt", "Resource": "*"}]}]} for n in range(30)}
    import json
    import tempfile

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "snapshot.json"
        key = f"arn:aws:kms:us-east-1:{OWN}:key/k"
        path.write_text(json.dumps({"keys": {key: {"policy": policy(ENABLE_IAM)}}, "principals": principals}), encoding="utf-8")
        report = who_can(load_snapshot(str(path)), "kms:Decrypt", key)
    [group] = [a for a in report.accesses if a.kind == "principal"]
    assert group.members == tuple(sorted(principals))
    assert group.who.startswith("30 principals alike: ")
