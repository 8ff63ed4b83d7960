"""PL301-PL303: whole findings (rule, severity, message, pointer) for identity policies, and the
shipped identity policy samples."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from policylint.rules.engine import check_loaded
from policylint.settings import Settings
from policylint.source.loader import load_text

CODES = ("PL301", "PL302", "PL303")
SAMPLES = Path(__file__).resolve().parents[2] / "samples" / "identity-policies"
KEY = "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab"
ALIAS = "arn:aws:kms:us-east-1:111122223333:alias/app"


def findings(document: str, kind: str | None = None) -> list[tuple[str, str, str, str]]:
    outcome = check_loaded(load_text("policy.json", document), Settings(select=CODES, kind=kind))
    return [(f.rule, f.severity, f.message, f.pointer) for f in outcome.findings]


def policy(*statements: dict) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)}, indent=1)


ALL_USE = "`kms:Decrypt`, `kms:ReEncryptFrom` and `kms:GenerateDataKey*`"
ALL_ADMIN = "`kms:PutKeyPolicy`, `kms:CreateGrant` and `kms:ScheduleKeyDeletion`"

CASES = [
    # --- PL301 kms-usage-on-all-keys
    (
        "PL301 explicit actions on *",
        None,
        policy({"Sid": "App", "Effect": "Allow", "Action": ["kms:Decrypt", "kms:GenerateDataKey", "kms:DescribeKey"], "Resource": "*"}),
        [("PL301", "warning", "statement `App` allows `kms:Decrypt` and `kms:GenerateDataKey` on every KMS key (`*`)", "/Statement/0/Resource")],
    ),
    (
        "PL301 and PL302 through kms:*, * and NotAction, on all-keys patterns",
        None,
        policy(
            {"Effect": "Allow", "Action": "kms:*", "Resource": ["arn:aws:s3:::bucket/*", "arn:aws:kms:*:111122223333:key/*"]},
            {"Effect": "Allow", "Action": "*", "Resource": "arn:*:kms:us-east-1:*:*"},
            {"Effect": "Allow", "NotAction": ["iam:*", "kms:Decrypt"], "NotResource": "arn:aws:s3:::audit/*"},
        ),
        [
            ("PL301", "warning", f"statement 0 allows {ALL_USE} on every KMS key (`arn:aws:kms:*:111122223333:key/*`)", "/Statement/0/Resource/1"),
            ("PL302", "warning", f"statement 0 allows {ALL_ADMIN} on every KMS key (`arn:aws:kms:*:111122223333:key/*`)", "/Statement/0/Resource/1"),
            ("PL301", "warning", f"statement 1 allows {ALL_USE} on every KMS key (`arn:*:kms:us-east-1:*:*`)", "/Statement/1/Resource"),
            ("PL302", "warning", f"statement 1 allows {ALL_ADMIN} on every KMS key (`arn:*:kms:us-east-1:*:*`)", "/Statement/1/Resource"),
            (
                "PL301",
                "warning",
                "statement 2 allows `kms:ReEncryptFrom` and `kms:GenerateDataKey*` on every KMS key (every resource outside `NotResource`)",
                "/Statement/2/NotResource",
            ),
            ("PL302", "warning", f"statement 2 allows {ALL_ADMIN} on every KMS key (every resource outside `NotResource`)", "/Statement/2/NotResource"),
        ],
    ),
    (
        "PL301 conditions that do not narrow: IfExists, negated, ForAllValues, wildcard-only values, other keys",
        None,
        policy(
            {
                "Effect": "Allow",
                "Action": "kms:ReEncryptFrom",
                "Resource": "*",
                "Condition": {
                    "StringEqualsIfExists": {"kms:ViaService": "s3.us-east-1.amazonaws.com"},
                    "StringNotEquals": {"aws:ResourceTag/team": "other"},
                    "ForAllValues:StringEquals": {"kms:ResourceAliases": "alias/app"},
                    "StringLike": {"kms:RequestAlias": "alias/*"},
                    "StringEquals": {"aws:ResourceAccount": "111122223333"},
                },
            }
        ),
        [("PL301", "warning", "statement 0 allows `kms:ReEncryptFrom` on every KMS key (`*`)", "/Statement/0/Resource")],
    ),
    (
        "PL301 narrowed by service, alias, tag or encryption context; other actions; specific keys; Deny",
        None,
        policy(
            {"Effect": "Allow", "Action": "kms:Decrypt", "Resource": "*", "Condition": {"StringLike": {"kms:ViaService": "s3.*.amazonaws.com"}}},
            {"Effect": "Allow", "Action": "kms:Decrypt", "Resource": "*", "Condition": {"ForAnyValue:StringEquals": {"aws:CalledVia": "athena.amazonaws.com"}}},
            {"Effect": "Allow", "Action": "kms:Decrypt", "Resource": "*", "Condition": {"ForAnyValue:StringEquals": {"kms:ResourceAliases": "alias/app"}}},
            {"Effect": "Allow", "Action": "kms:Decrypt", "Resource": "*", "Condition": {"Null": {"aws:ResourceTag/project": "false"}}},
            {"Effect": "Allow", "Action": "kms:Decrypt", "Resource": "*", "Condition": {"StringEquals": {"kms:EncryptionContext:aws:s3:arn": "arn:aws:s3:::reports"}}},
            {"Effect": "Allow", "Action": ["kms:Encrypt", "kms:DescribeKey", "kms:List*"], "Resource": "*"},
            {"Effect": "Allow", "Action": "kms:Decrypt", "Resource": [KEY, "arn:aws:kms:*:111122223333:key/mrk-*"]},
            {"Effect": "Deny", "Action": "kms:*", "Resource": "*"},
            {"Effect": "Allow", "NotAction": "kms:*", "Resource": "*"},
            {"Effect": "Allow", "Action": "*", "NotResource": "arn:aws:kms:*:*:*"},
        ),
        [],
    ),
    (
        "PL301 template placeholders stand for one value, not a wildcard",
        None,
        policy(
            {"Effect": "Allow", "Action": "kms:Decrypt", "Resource": "arn:aws:kms:${AWS::Region}:${AWS::AccountId}:key/${KeyId}"},
            {"Effect": "Allow", "Action": "kms:Decrypt", "Resource": "arn:aws:kms:${AWS::Region}:${AWS::AccountId}:key/*"},
        ),
        [("PL301", "warning", "statement 1 allows `kms:Decrypt` on every KMS key (`arn:aws:kms:${AWS::Region}:${AWS::AccountId}:key/*`)", "/Statement/1/Resource")],
    ),
    (
        "PL301 only identity policies",
        "scp",
        policy({"Effect": "Allow", "Action": "kms:Decrypt", "Resource": "*"}),
        [],
    ),
    # --- PL302 kms-admin-on-all-keys
    (
        "PL302 CreateGrant without the AWS-resource condition, PutKeyPolicy through a wildcard",
        None,
        policy(
            {"Effect": "Allow", "Action": ["kms:CreateGrant", "kms:DescribeKey"], "Resource": "*"},
            {"Effect": "Allow", "Action": ["kms:Put*", "kms:CreateGrant"], "Resource": "*", "Condition": {"Bool": {"kms:GrantIsForAWSResource": "true"}}},
            {"Effect": "Allow", "Action": "kms:CreateGrant", "Resource": "*", "Condition": {"Bool": {"kms:GrantIsForAWSResource": "false"}}},
        ),
        [
            ("PL302", "warning", "statement 0 allows `kms:CreateGrant` on every KMS key (`*`)", "/Statement/0/Resource"),
            ("PL302", "warning", "statement 1 allows `kms:PutKeyPolicy` on every KMS key (`*`)", "/Statement/1/Resource"),
            ("PL302", "warning", "statement 2 allows `kms:CreateGrant` on every KMS key (`*`)", "/Statement/2/Resource"),
        ],
    ),
    (
        "PL302 grants for AWS resources, named keys, via a service, account-level actions",
        None,
        policy(
            {"Effect": "Allow", "Action": ["kms:CreateGrant", "kms:ListGrants", "kms:RevokeGrant"], "Resource": "*", "Condition": {"Bool": {"kms:GrantIsForAWSResource": True}}},
            {"Effect": "Allow", "Action": ["kms:PutKeyPolicy", "kms:ScheduleKeyDeletion"], "Resource": KEY},
            {"Effect": "Allow", "Action": "kms:CreateGrant", "Resource": "*", "Condition": {"StringEquals": {"kms:ViaService": "ec2.us-east-1.amazonaws.com"}}},
            {"Effect": "Allow", "Action": ["kms:CreateKey", "kms:ListAliases"], "Resource": "*"},
        ),
        [],
    ),
    # --- PL303 kms-alias-as-resource
    (
        "PL303 alias ARNs for key operations, in Allow and Deny",
        None,
        policy(
            {"Sid": "App", "Effect": "Allow", "Action": ["kms:Decrypt", "kms:GenerateDataKey"], "Resource": [KEY, ALIAS]},
            {"Effect": "Deny", "Action": ["kms:*", "kms:CreateAlias"], "Resource": "arn:aws:kms:*:111122223333:alias/prod-*"},
            {"Effect": "Allow", "NotAction": "s3:*", "Resource": ALIAS},
        ),
        [
            (
                "PL303",
                "error",
                f"`{ALIAS}` is an alias ARN, not the key behind the alias, so statement `App` does not allow `kms:Decrypt` and `kms:GenerateDataKey` on that key",
                "/Statement/0/Resource/1",
            ),
            (
                "PL303",
                "error",
                "`arn:aws:kms:*:111122223333:alias/prod-*` is an alias ARN, not the key behind the alias, so statement 1 does not deny the key operations of `kms:*` on that key",
                "/Statement/1/Resource",
            ),
            ("PL303", "error", f"`{ALIAS}` is an alias ARN, not the key behind the alias, so statement 2 does not allow key operations on that key", "/Statement/2/Resource"),
        ],
    ),
    (
        "PL303 alias operations, key ARNs, other services' aliases",
        None,
        policy(
            {"Effect": "Allow", "Action": ["kms:CreateAlias", "kms:UpdateAlias", "kms:DeleteAlias", "kms:ListAliases"], "Resource": [ALIAS, KEY]},
            {"Effect": "Allow", "Action": "kms:Decrypt", "Resource": KEY, "Condition": {"ForAnyValue:StringEquals": {"kms:ResourceAliases": "alias/app"}}},
            {"Effect": "Allow", "Action": "lambda:InvokeFunction", "Resource": "arn:aws:lambda:us-east-1:111122223333:function:f:alias/live"},
        ),
        [],
    ),
    (
        "PL303 only identity policies",
        "key-policy",
        policy({"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:root"}, "Action": "kms:Decrypt", "Resource": ALIAS}),
        [],
    ),
]


@pytest.mark.parametrize(("name", "kind", "document", "expected"), CASES, ids=[c[0] for c in CASES])
def test_identity_rules(name: str, kind: str | None, document: str, expected: list) -> None:
    assert findings(document, kind) == expected


SAMPLE_FINDINGS = {
    "app-key-arn.json": [],
    "kms-star-on-all-keys.json": [
        ("PL301", "warning", f"statement `KmsEverything` allows {ALL_USE} on every KMS key (`*`)", "/Statement/0/Resource"),
        ("PL302", "warning", f"statement `KmsEverything` allows {ALL_ADMIN} on every KMS key (`*`)", "/Statement/0/Resource"),
    ],
    "alias-as-resource.json": [
        (
            "PL303",
            "error",
            "`arn:aws:kms:eu-west-1:111122223333:alias/orders` is an alias ARN, not the key behind the alias, so statement `UseOrdersKey` does not allow `kms:Decrypt`, `kms:Encrypt` and `kms:GenerateDataKey` on that key",
            "/Statement/0/Resource",
        )
    ],
    "service-scoped-decrypt.json": [],
}


@pytest.mark.parametrize("name", sorted(SAMPLE_FINDINGS))
def test_samples(name: str) -> None:
    path = SAMPLES / name
    outcome = check_loaded(load_text(str(path), path.read_text(encoding="utf-8")), Settings(select=CODES))
    assert [(f.rule, f.severity, f.message, f.pointer) for f in outcome.findings] == SAMPLE_FINDINGS[name]


def test_every_sample_is_tested() -> None:
    assert sorted(p.name for p in SAMPLES.glob("*.json")) == sorted(SAMPLE_FINDINGS)
