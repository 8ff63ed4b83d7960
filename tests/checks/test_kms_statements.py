"""PL210-PL214: whole findings (rule, severity, message, pointer), and the default key policies
raise nothing from these rules."""

from __future__ import annotations

import json

import pytest

from policylint.rules.engine import check_loaded
from policylint.settings import Settings
from policylint.source.loader import load_text

CODES = ("PL210", "PL211", "PL212", "PL213", "PL214")
MINE = CODES + ("PL101", "PL102", "PL103", "PL104", "PL105", "PL106", "PL107", "PL108", "PL301", "PL302", "PL303")
ROOT = {"Sid": "Root", "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:root"}, "Action": "kms:*", "Resource": "*"}


def findings(document: str, kind: str | None = None, account: str | None = None, select: tuple[str, ...] = CODES) -> list[tuple[str, str, str, str]]:
    settings = Settings(select=select, kind=kind, account=account)
    outcome = check_loaded(load_text("policy.json", document), settings)
    return [(f.rule, f.severity, f.message, f.pointer) for f in outcome.findings]


def policy(*statements: dict) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)}, indent=1)


NOT_CROSS = "KMS does not allow `{}` from another account, so granting it to account `444455556666` has no effect"

CASES = [
    # --- PL210 key-policy-resource-not-star
    (
        "PL210 alias ARN, key ARN and another service's ARN",
        None,
        None,
        policy(
            ROOT,
            {"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:role/App"}, "Action": "kms:Decrypt", "Resource": "arn:aws:kms:us-east-1:111122223333:alias/app"},
            {"Effect": "Deny", "Principal": {"AWS": "*"}, "Action": "kms:ScheduleKeyDeletion", "Resource": ["arn:aws:kms:*:111122223333:key/*", "arn:aws:s3:::backups"]},
        ),
        [
            ("PL210", "warning", "`arn:aws:kms:us-east-1:111122223333:alias/app` is an alias ARN: a key policy statement applies only to its own key, so it matches nothing", "/Statement/1/Resource"),
            ("PL210", "warning", "`arn:aws:kms:*:111122223333:key/*` in a key policy matches only when it names this key; `*` always means this key", "/Statement/2/Resource/0"),
            ("PL210", "warning", "`arn:aws:s3:::backups` is not this key's ARN, so in a key policy it matches nothing; `*` means this key", "/Statement/2/Resource/1"),
        ],
    ),
    (
        "PL210 template placeholders in an ARN",
        None,
        None,
        policy(ROOT, {"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:role/App"}, "Action": "kms:Decrypt", "Resource": "arn:aws:kms:${AWS::Region}:${AWS::AccountId}:key/*"}),
        [("PL210", "warning", "`arn:aws:kms:${AWS::Region}:${AWS::AccountId}:key/*` in a key policy matches only when it names this key; `*` always means this key", "/Statement/1/Resource")],
    ),
    (
        "PL210 only key policies",
        "resource-policy",
        None,
        policy({"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:root"}, "Action": "kms:Decrypt", "Resource": "arn:aws:kms:us-east-1:111122223333:key/k"}),
        [],
    ),
    # --- PL211 account-level-action-in-key-policy
    (
        "PL211 explicit account-level actions, any case, Allow and Deny",
        None,
        None,
        policy(
            ROOT,
            {"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:role/Auditor"}, "Action": ["kms:DescribeKey", "kms:listaliases", "kms:CreateCustomKeyStore"], "Resource": "*"},
            {"Effect": "Deny", "Principal": {"AWS": "*"}, "Action": "kms:GenerateRandom", "Resource": "*"},
        ),
        [
            ("PL211", "warning", "`kms:ListAliases` is not an operation on a key, so a key policy cannot allow or deny it", "/Statement/1/Action/1"),
            ("PL211", "warning", "`kms:CreateCustomKeyStore` is not an operation on a key, so a key policy cannot allow or deny it", "/Statement/1/Action/2"),
            ("PL211", "warning", "`kms:GenerateRandom` is not an operation on a key, so a key policy cannot allow or deny it", "/Statement/2/Action"),
        ],
    ),
    (
        "PL211 wildcards, and identity policies, are fine",
        None,
        None,
        policy(ROOT, {"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:role/Admin"}, "Action": ["kms:List*", "kms:Create*"], "Resource": "*"}),
        [],
    ),
    (
        "PL211 identity policies are not concerned",
        "identity-policy",
        None,
        policy({"Effect": "Allow", "Action": ["kms:ListAliases", "kms:CreateKey"], "Resource": "*"}),
        [],
    ),
    # --- PL212 action-not-usable-cross-account
    (
        "PL212 explicit and wildcard actions for another account",
        None,
        "111122223333",
        policy(
            ROOT,
            {
                "Sid": "Partner",
                "Effect": "Allow",
                "Principal": {"AWS": ["arn:aws:iam::444455556666:role/Ops", "arn:aws:iam::111122223333:role/Local", "777788889999"]},
                "Action": ["kms:Decrypt", "kms:PutKeyPolicy", "kms:Get*", "kms:ReEncrypt*", "kms:CreateKey"],
                "Resource": "*",
            },
            {"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::444455556666:root"}, "Action": ["kms:*", "kms:TagResource"], "Resource": "*"},
        ),
        [
            (
                "PL212",
                "warning",
                "KMS does not allow `kms:PutKeyPolicy` from another account, so granting it to accounts `444455556666` and `777788889999` has no effect",
                "/Statement/1/Action/1",
            ),
            (
                "PL212",
                "warning",
                "`kms:Get*` grants accounts `444455556666` and `777788889999` actions KMS does not allow from another account: `kms:GetKeyLastUsage`, `kms:GetKeyPolicy` and `kms:GetParametersForImport`",
                "/Statement/1/Action/2",
            ),
            ("PL211", "warning", "`kms:CreateKey` is not an operation on a key, so a key policy cannot allow or deny it", "/Statement/1/Action/4"),
            (
                "PL212",
                "warning",
                "`kms:*` grants account `444455556666` actions KMS does not allow from another account: `kms:CancelKeyDeletion`, `kms:CreateAlias`, `kms:DeleteAlias`, `kms:DeleteImportedKeyMaterial` and 21 more",
                "/Statement/2/Action/0",
            ),
            ("PL212", "warning", NOT_CROSS.format("kms:TagResource"), "/Statement/2/Action/1"),
        ],
    ),
    (
        "PL212 inferred account: the root allowed kms:PutKeyPolicy, even when another root appears more often",
        None,
        None,
        policy(
            ROOT,
            {"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::444455556666:root"}, "Action": ["kms:Decrypt", "kms:ScheduleKeyDeletion"], "Resource": "*"},
            {"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::444455556666:root"}, "Action": "kms:CreateGrant", "Resource": "*"},
        ),
        [("PL212", "warning", NOT_CROSS.format("kms:ScheduleKeyDeletion"), "/Statement/1/Action/1")],
    ),
    (
        "PL212 nothing when the key's account is unknown",
        None,
        None,
        policy(
            {"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::${AWS::AccountId}:root"}, "Action": "kms:*", "Resource": "*"},
            {"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::444455556666:root"}, "Action": "kms:*", "Resource": "*"},
        ),
        [],
    ),
    (
        "PL212 only operations usable across accounts",
        None,
        "111122223333",
        policy(
            ROOT,
            {"Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "kms:*", "Resource": "*", "Condition": {"StringEquals": {"kms:CallerAccount": "444455556666"}}},
            {"Effect": "Deny", "Principal": {"AWS": "arn:aws:iam::444455556666:root"}, "Action": "kms:*", "Resource": "*"},
            {"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::444455556666:root"}, "Action": ["kms:Encrypt", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:CreateGrant", "kms:RetireGrant", "kms:DescribeKey", "kms:GetPublicKey"], "Resource": "*"},
        ),
        [],
    ),
    # --- PL213 encryption-context-set-operator
    (
        "PL213 ForAllValues in a key policy, negated ForAnyValue",
        None,
        None,
        policy(
            ROOT,
            {
                "Effect": "Allow",
                "Principal": {"AWS": "arn:aws:iam::111122223333:role/App"},
                "Action": "kms:Decrypt",
                "Resource": "*",
                "Condition": {"ForAllValues:StringEquals": {"kms:EncryptionContext:Department": "IT"}, "ForAnyValue:StringNotLike": {"kms:EncryptionContext:Project": "x*"}},
            },
        ),
        [
            (
                "PL213",
                "error",
                "`ForAllValues` on the single-valued key `kms:EncryptionContext:Department` is also true when the request has no such encryption context; KMS rejects this key policy (`OverlyPermissiveCondition`)",
                "/Statement/1/Condition/ForAllValues:StringEquals/kms:EncryptionContext:Department",
            ),
            (
                "PL213",
                "error",
                "`ForAnyValue` on the single-valued key `kms:EncryptionContext:Project` is false when the request has no such encryption context, unlike `StringNotLike`",
                "/Statement/1/Condition/ForAnyValue:StringNotLike/kms:EncryptionContext:Project",
            ),
        ],
    ),
    (
        "PL213 ForAllValues in an identity policy",
        None,
        None,
        policy({"Effect": "Allow", "Action": "kms:Decrypt", "Resource": "*", "Condition": {"ForAllValues:StringEqualsIfExists": {"kms:encryptioncontext:aws:s3:arn": "arn:aws:s3:::b"}}}),
        [
            (
                "PL213",
                "error",
                "`ForAllValues` on the single-valued key `kms:encryptioncontext:aws:s3:arn` is also true when the request has no such encryption context",
                "/Statement/0/Condition/ForAllValues:StringEqualsIfExists/kms:encryptioncontext:aws:s3:arn",
            )
        ],
    ),
    (
        "PL213 plain operators, positive ForAnyValue, EncryptionContextKeys",
        None,
        None,
        policy(
            {
                "Effect": "Allow",
                "Action": "kms:Decrypt",
                "Resource": "*",
                "Condition": {
                    "StringEquals": {"kms:EncryptionContext:a": "1"},
                    "ForAnyValue:StringEquals": {"kms:EncryptionContext:b": "2", "kms:EncryptionContextKeys": "a"},
                    "ForAllValues:StringEquals": {"kms:EncryptionContextKeys": ["a", "b"]},
                },
            }
        ),
        [],
    ),
    # --- PL214 via-service-format
    (
        "PL214 malformed values, Like patterns that match nothing",
        None,
        None,
        policy(
            ROOT,
            {
                "Effect": "Allow",
                "Principal": {"AWS": "*"},
                "Action": "kms:Decrypt",
                "Resource": "*",
                "Condition": {
                    "StringEquals": {"kms:CallerAccount": "111122223333", "kms:ViaService": ["ec2.amazonaws.com", "s3.us-east-1.amazonaws.com", "s3"]},
                    "StringNotLike": {"kms:ViaService": ["*.s3.amazonaws.com", "S3.*"]},
                },
            },
        ),
        [
            ("PL214", "error", "`ec2.amazonaws.com` is not a `kms:ViaService` value: expected `SERVICE.REGION.amazonaws.com`, such as `s3.us-east-1.amazonaws.com`", "/Statement/1/Condition/StringEquals/kms:ViaService/0"),
            ("PL214", "error", "`s3` is not a `kms:ViaService` value: expected `SERVICE.REGION.amazonaws.com`, such as `s3.us-east-1.amazonaws.com`", "/Statement/1/Condition/StringEquals/kms:ViaService/2"),
            ("PL214", "error", "`*.s3.amazonaws.com` is not a `kms:ViaService` value: expected `SERVICE.REGION.amazonaws.com`, such as `s3.us-east-1.amazonaws.com`", "/Statement/1/Condition/StringNotLike/kms:ViaService/0"),
            ("PL214", "error", "`S3.*` is not a `kms:ViaService` value: expected `SERVICE.REGION.amazonaws.com`, such as `s3.us-east-1.amazonaws.com`", "/Statement/1/Condition/StringNotLike/kms:ViaService/1"),
        ],
    ),
    (
        "PL214 well-formed values and patterns, variables, wildcards left to PL104",
        "identity-policy",
        None,
        policy(
            {
                "Effect": "Allow",
                "Action": "kms:Decrypt",
                "Resource": "*",
                "Condition": {
                    "StringEquals": {"kms:ViaService": ["ec2.us-gov-west-1.amazonaws.com", "rds.cn-north-1.amazonaws.com.cn", "s3.*.amazonaws.com"]},
                    "StringLike": {"kms:ViaService": ["s3.*", "*.amazonaws.com", "rds.us-east-?.amazonaws.com", "sqs.${aws:RequestedRegion}.amazonaws.com"]},
                    "StringEqualsIgnoreCase": {"kms:ViaService": "DynamoDB.EU-WEST-1.amazonaws.com"},
                },
            }
        ),
        [],
    ),
]


@pytest.mark.parametrize(("name", "kind", "account", "document", "expected"), CASES, ids=[c[0] for c in CASES])
def test_kms_statement_rules(name: str, kind: str | None, account: str | None, document: str, expected: list) -> None:
    assert findings(document, kind, account) == expected


ADMIN_ACTIONS = [
    "kms:Create*", "kms:Describe*", "kms:Enable*", "kms:List*", "kms:Put*", "kms:Update*", "kms:Revoke*", "kms:Disable*",
    "kms:Get*", "kms:Delete*", "kms:TagResource", "kms:UntagResource", "kms:ScheduleKeyDeletion", "kms:CancelKeyDeletion", "kms:RotateKeyOnDemand",
]
USERS = ["arn:aws:iam::111122223333:role/App", "arn:aws:iam::444455556666:root"]
DEFAULT_KEY_POLICIES = [
    (
        "AWS default key policy",
        {"Version": "2012-10-17", "Id": "key-default-1", "Statement": [dict(ROOT, Sid="Enable IAM User Permissions")]},
    ),
    (
        "console default key policy, with an external account",
        {
            "Version": "2012-10-17",
            "Id": "key-consolepolicy-3",
            "Statement": [
                dict(ROOT, Sid="Enable IAM User Permissions"),
                {"Sid": "Allow access for Key Administrators", "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:role/KeyAdmin"}, "Action": ADMIN_ACTIONS, "Resource": "*"},
                {"Sid": "Allow use of the key", "Effect": "Allow", "Principal": {"AWS": USERS}, "Action": ["kms:Encrypt", "kms:Decrypt", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:DescribeKey"], "Resource": "*"},
                {
                    "Sid": "Allow attachment of persistent resources",
                    "Effect": "Allow",
                    "Principal": {"AWS": USERS},
                    "Action": ["kms:CreateGrant", "kms:ListGrants", "kms:RevokeGrant"],
                    "Resource": "*",
                    "Condition": {"Bool": {"kms:GrantIsForAWSResource": "true"}},
                },
            ],
        },
    ),
]


@pytest.mark.parametrize(("name", "document"), DEFAULT_KEY_POLICIES, ids=[d[0] for d in DEFAULT_KEY_POLICIES])
@pytest.mark.parametrize("account", [None, "111122223333"])
def test_default_key_policies_raise_no_error_or_warning(name: str, document: dict, account: str | None) -> None:
    found = findings(json.dumps(document, indent=2), account=account, select=MINE)
    assert [f for f in found if f[1] != "info"] == []


def test_positions() -> None:
    text = (
        '{"Version": "2012-10-17", "Statement": [\n'
        '  {"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:root"}, "Action": "kms:*", "Resource": "*"},\n'
        '  {"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:role/A"}, "Action": "kms:ListKeys",\n'
        '   "Resource": "arn:aws:kms:us-east-1:111122223333:alias/a"}\n'
        "]}\n"
    )
    outcome = check_loaded(load_text("policy.json", text), Settings(select=CODES))
    located = [(f.rule, f.range.start.line, f.range.start.column, f.range.end.column) for f in outcome.findings]
    assert located == [("PL211", 3, 91, 105), ("PL210", 4, 16, 60)]
