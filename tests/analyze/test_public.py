"""`is ... public` on conditions that look restrictive and are not (and some that are), with
every witness decided again; PL203 on top of the analysis."""

from __future__ import annotations

from pathlib import Path

import pytest

from policylint.analyze.public import is_public
from policylint.analyze.synthetic import document_from_value, key_snapshot
from policylint.analyze.witness import verify
from policylint.evaluate.snapshot import load_snapshot
from policylint.rules.engine import check_loaded
from policylint.settings import Settings
from policylint.source.loader import load_text

OWN = "111122223333"
ORG = "o-a1b2c3d4e5"
ANYWHERE = "any AWS principal in any other account whose IAM policies allow it"
ANY_SERVICE = "any other service principal (e.g. `example.amazonaws.com`)"
IN_ORG = f"any principal of organization `{ORG}` whose IAM policies allow it"
SAMPLE = Path(__file__).resolve().parents[2] / "samples" / "snapshot" / "snapshot.yaml"
SAMPLE_KEY = "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab"


def statement(principal: object, action: object, effect: str = "Allow", condition: dict | None = None) -> dict:
    body: dict = {"Effect": effect, "Principal": principal, "Action": action, "Resource": "*"}
    if condition is not None:
        body["Condition"] = condition
    return body


def anyone(action: object, condition: dict | None = None) -> dict:
    return {"Version": "2012-10-17", "Statement": [statement({"AWS": "*"}, action, condition=condition)]}


DECRYPT = ("kms:Decrypt",)

# (name, key policy, verdict, public classes (who, conditions), cross-account classes (who, conditions))
CASES = [
    (
        "IfExists on the organization: a caller without one gets in",
        anyone("kms:Decrypt", {"StringEqualsIfExists": {"aws:PrincipalOrgID": ORG}}),
        "public",
        [(ANYWHERE, ("`aws:PrincipalOrgID` is absent",)), (ANY_SERVICE, ())],
        [(IN_ORG, ())],
    ),
    (
        "Null only checks that there is an organization",
        anyone("kms:Decrypt", {"Null": {"aws:PrincipalOrgID": "false"}}),
        "public",
        [(ANYWHERE, ("`aws:PrincipalOrgID` is present",))],
        [],
    ),
    (
        "StringLike * matches every organization",
        anyone("kms:Decrypt", {"StringLike": {"aws:PrincipalOrgID": "*"}}),
        "public",
        [(ANYWHERE, ("`aws:PrincipalOrgID` is present",))],
        [],
    ),
    (
        "ForAllValues is true for the empty set",
        anyone("kms:Decrypt", {"ForAllValues:StringEquals": {"aws:PrincipalOrgPaths": [f"{ORG}/r-ab12/*"]}}),
        "public",
        [(ANYWHERE, ("`aws:PrincipalOrgID` is absent and `aws:PrincipalOrgPaths` is absent",)), (ANY_SERVICE, ())],
        [(IN_ORG, (f"`aws:PrincipalOrgPaths` = e.g. `[{ORG}/r-ab12/*]`",))],
    ),
    (
        "ForAnyValue needs a path in the organization",
        anyone("kms:Decrypt", {"ForAnyValue:StringLike": {"aws:PrincipalOrgPaths": [f"{ORG}/r-ab12/*"]}}),
        "not-public",
        [],
        [(IN_ORG, (f"`aws:PrincipalOrgPaths` = e.g. `[{ORG}/r-ab12/]`",))],
    ),
    ("the organization", anyone("kms:Decrypt", {"StringEquals": {"aws:PrincipalOrgID": ORG}}), "not-public", [], [(IN_ORG, ())]),
    (
        "a policy variable of the caller compares the caller with itself",
        anyone("kms:Decrypt", {"StringEquals": {"kms:CallerAccount": "${aws:PrincipalAccount}"}}),
        "public",
        [(ANYWHERE, ())],
        [],
    ),
    (
        "a negated operator lets everyone else in",
        anyone("kms:Decrypt", {"StringNotEquals": {"kms:CallerAccount": "444455556666"}}),
        "public",
        [(ANYWHERE, ()), (ANY_SERVICE, ())],
        [],
    ),
    (
        "a service acting for the key's account",
        {"Version": "2012-10-17", "Statement": [statement("*", "kms:GenerateDataKey", condition={"StringEquals": {"aws:SourceAccount": OWN}})]},
        "not-public",
        [],
        [],
    ),
    (
        "a service acting for any bucket",
        {"Version": "2012-10-17", "Statement": [statement("*", "kms:GenerateDataKey", condition={"ArnLike": {"aws:SourceArn": "arn:aws:s3:::*"}})]},
        "public",
        [(ANY_SERVICE, ("`aws:SourceArn` = e.g. `arn:aws:s3:::x`",))],
        [],
    ),
    (
        "a Deny outside the organization takes back the Allow",
        {
            "Version": "2012-10-17",
            "Statement": [
                statement("*", "kms:Decrypt"),
                statement("*", "kms:*", "Deny", {"StringNotEqualsIfExists": {"aws:PrincipalOrgID": ORG}}),
            ],
        },
        "not-public",
        [],
        [(IN_ORG, ())],
    ),
    (
        "kms:ViaService alone says nothing about the caller",
        anyone("kms:Decrypt", {"StringEquals": {"kms:ViaService": "s3.us-east-1.amazonaws.com"}}),
        "public",
        [
            (ANYWHERE, ("`kms:ViaService` = `s3.us-east-1.amazonaws.com`",)),
            (ANY_SERVICE, ("`kms:ViaService` = `s3.us-east-1.amazonaws.com`",)),
        ],
        [],
    ),
    (
        "a source address range is no account",
        anyone("kms:Decrypt", {"IpAddress": {"aws:SourceIp": "203.0.113.0/24"}}),
        "public",
        [(ANYWHERE, ("`aws:SourceIp` = e.g. `203.0.113.0`",)), (ANY_SERVICE, ("`aws:SourceIp` = e.g. `203.0.113.0`",))],
        [],
    ),
    (
        "another account by name is cross-account access, not public",
        {"Version": "2012-10-17", "Statement": [statement({"AWS": "arn:aws:iam::444455556666:root"}, "kms:Decrypt")]},
        "not-public",
        [],
        [("any principal of account `444455556666` whose IAM policies allow it", ())],
    ),
]


@pytest.mark.parametrize(("name", "document", "verdict", "public", "external"), CASES, ids=[c[0] for c in CASES])
def test_is_public(name: str, document: dict, verdict: str, public: list, external: list) -> None:
    snapshot, key = key_snapshot(document_from_value(document, "key-policy", "key.json"), OWN)
    report = is_public(snapshot, key)
    assert report.verdict == verdict
    assert [(a.who, a.conditions) for a in report.public] == public
    assert [(a.who, a.conditions) for a in report.external] == external
    assert all(a.actions == DECRYPT or a.actions == ("kms:GenerateDataKey",) for a in report.public + report.external)
    witnesses = [w for a in report.public + report.external for w in a.witnesses]
    assert [verify(snapshot, w) for w in witnesses] == ["allowed"] * len(witnesses)


def test_trusted_accounts_and_organization_are_inside() -> None:
    document = {"Version": "2012-10-17", "Statement": [statement({"AWS": ["arn:aws:iam::444455556666:root", "777788889999"]}, "kms:Decrypt")]}
    snapshot, key = key_snapshot(document_from_value(document, "key-policy", "key.json"), OWN)
    report = is_public(snapshot, key, trusted_accounts=["444455556666"])
    assert (report.verdict, [a.who for a in report.external], report.zone) == (
        "not-public",
        ["any principal of account `777788889999` whose IAM policies allow it"],
        ("111122223333", "444455556666"),
    )


def test_sample_snapshot_key_is_not_public() -> None:
    """777788889999 is named by the key policy, but the RCP denies it: no cross-account access."""
    report = is_public(load_snapshot(str(SAMPLE)), SAMPLE_KEY)
    assert (report.verdict, report.public, report.external, report.zone) == ("not-public", (), (), ("111122223333", ORG))


def _pl203(document: str) -> list[tuple[str, str]]:
    outcome = check_loaded(load_text("key.json", document + "\n"), Settings(select=("PL203",)))
    return [(f.pointer, f.message) for f in outcome.findings]


PL203_CASES = [
    (
        "a Deny takes back what the Allow gives: not public (statements alone said it was)",
        '{"Version": "2012-10-17", "Statement": ['
        '{"Sid": "Everyone", "Effect": "Allow", "Principal": "*", "Action": "kms:Decrypt", "Resource": "*"},'
        '{"Sid": "OrgOnly", "Effect": "Deny", "Principal": "*", "Action": "kms:*", "Resource": "*",'
        ' "Condition": {"StringNotEqualsIfExists": {"aws:PrincipalOrgID": "o-a1b2c3d4e5"}}}]}',
        [],
    ),
    (
        "a Deny on plain HTTP leaves the key public",
        '{"Version": "2012-10-17", "Statement": ['
        '{"Sid": "Everyone", "Effect": "Allow", "Principal": "*", "Action": "kms:Decrypt", "Resource": "*"},'
        '{"Sid": "TlsOnly", "Effect": "Deny", "Principal": "*", "Action": "kms:*", "Resource": "*",'
        ' "Condition": {"Bool": {"aws:SecureTransport": "false"}}}]}',
        [
            (
                "/Statement/0/Principal",
                "statement `Everyone` lets principals in any AWS account use the key: no condition limits the caller's account, organization or ARN",
            )
        ],
    ),
]


@pytest.mark.parametrize(("name", "document", "expected"), PL203_CASES, ids=[c[0] for c in PL203_CASES])
def test_pl203_reads_the_whole_policy(name: str, document: str, expected: list) -> None:
    assert _pl203(document) == expected
