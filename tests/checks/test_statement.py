"""PL101-PL108: whole findings (rule, severity, message, pointer) for documents of each kind."""

from __future__ import annotations

import json

import pytest

from policylint.rules.engine import check_loaded
from policylint.settings import Settings
from policylint.source.loader import load_text

CODES = ("PL101", "PL102", "PL103", "PL104", "PL105", "PL106", "PL107", "PL108")
ROOT = {"Sid": "Root", "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:root"}, "Action": "kms:*", "Resource": "*"}


def findings(document: str, kind: str | None = None) -> list[tuple[str, str, str, str]]:
    outcome = check_loaded(load_text("policy.json", document), Settings(select=CODES, kind=kind))
    return [(f.rule, f.severity, f.message, f.pointer) for f in outcome.findings]


def policy(*statements: dict, version: str | None = "2012-10-17") -> str:
    document: dict = {"Version": version} if version is not None else {}
    document["Statement"] = list(statements)
    return json.dumps(document, indent=1)


CASES = [
    # --- PL101 allow-with-not-principal
    (
        "PL101 NotPrincipal with Allow in a key policy",
        None,
        policy(ROOT, {"Sid": "AllButGuest", "Effect": "Allow", "NotPrincipal": {"AWS": "arn:aws:iam::111122223333:user/Guest"}, "Action": "kms:Decrypt", "Resource": "*"}),
        [("PL101", "warning", "statement `AllButGuest` allows every principal not listed in `NotPrincipal`, including anonymous ones", "/Statement/1/NotPrincipal")],
    ),
    (
        "PL101 NotPrincipal with Deny",
        None,
        policy(ROOT, {"Effect": "Deny", "NotPrincipal": {"AWS": "arn:aws:iam::111122223333:root"}, "Action": "kms:PutKeyPolicy", "Resource": "*"}),
        [],
    ),
    (
        "PL101 not for identity policies (PL009 reports the element there)",
        "identity-policy",
        policy({"Effect": "Allow", "NotPrincipal": {"AWS": "arn:aws:iam::111122223333:user/Guest"}, "Action": "s3:GetObject", "Resource": "*"}),
        [],
    ),
    # --- PL102 allow-with-not-action-or-resource
    (
        "PL102 NotAction and NotResource, one finding each",
        None,
        policy({"Effect": "Allow", "NotAction": "iam:*", "NotResource": "arn:aws:s3:::audit/*"}),
        [
            ("PL102", "warning", "statement 0 allows every action not listed in `NotAction`, including actions added later", "/Statement/0/NotAction"),
            ("PL102", "warning", "statement 0 allows access to every resource not listed in `NotResource`", "/Statement/0/NotResource"),
        ],
    ),
    (
        "PL102 NotAction with Deny",
        None,
        policy({"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}, {"Effect": "Deny", "NotAction": "sts:GetSessionToken", "Resource": "*"}),
        [],
    ),
    # --- PL103 for-all-values-vacuous
    (
        "PL103 ForAllValues on a multivalued key in an Allow",
        None,
        policy({"Sid": "Tags", "Effect": "Allow", "Action": "ec2:CreateTags", "Resource": "*", "Condition": {"ForAllValues:StringEquals": {"aws:TagKeys": ["team"]}}}),
        [
            (
                "PL103",
                "warning",
                "`ForAllValues:StringEquals` is also true when the request has no `aws:TagKeys`, so statement `Tags` allows requests without it",
                "/Statement/0/Condition/ForAllValues:StringEquals/aws:TagKeys",
            )
        ],
    ),
    (
        "PL103 ForAllValues on a single-valued key, Deny included",
        None,
        policy({"Effect": "Deny", "Action": "s3:*", "Resource": "*", "Condition": {"ForAllValues:StringLike": {"aws:sourcevpc": "vpc-*"}}}),
        [
            (
                "PL103",
                "warning",
                "`aws:sourcevpc` is single-valued: `ForAllValues:StringLike` is also true when the request has no `aws:sourcevpc`",
                "/Statement/0/Condition/ForAllValues:StringLike/aws:sourcevpc",
            )
        ],
    ),
    (
        "PL103 unknown key in an Allow: only the vacuous case",
        None,
        policy({"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*", "Condition": {"ForAllValues:StringEquals": {"example:Unknown": "x"}}}),
        [
            (
                "PL103",
                "warning",
                "`ForAllValues:StringEquals` is also true when the request has no `example:Unknown`, so statement 0 allows requests without it",
                "/Statement/0/Condition/ForAllValues:StringEquals/example:Unknown",
            )
        ],
    ),
    (
        "PL103 guarded by Null false (boolean), ForAnyValue or a plain operator",
        None,
        policy(
            {"Effect": "Allow", "Action": "ec2:CreateTags", "Resource": "*", "Condition": {"ForAllValues:StringEquals": {"aws:TagKeys": "a"}, "Null": {"aws:TagKeys": False}}},
            {"Effect": "Allow", "Action": "ec2:CreateTags", "Resource": "*", "Condition": {"ForAllValues:StringEquals": {"aws:TagKeys": "a"}, "ForAnyValue:StringLike": {"aws:TagKeys": "*"}}},
            {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*", "Condition": {"ForAllValues:StringEquals": {"aws:SourceVpc": "vpc-1"}, "StringLike": {"aws:SourceVpc": "vpc-*"}}},
        ),
        [],
    ),
    (
        "PL103 ForAnyValue...IfExists and Null true do not guard",
        None,
        policy({"Effect": "Allow", "Action": "ec2:CreateTags", "Resource": "*", "Condition": {"ForAllValues:StringEquals": {"aws:TagKeys": "a"}, "ForAnyValue:StringEqualsIfExists": {"aws:TagKeys": "a"}, "Null": {"aws:TagKeys": "true"}}}),
        [
            (
                "PL103",
                "warning",
                "`ForAllValues:StringEquals` is also true when the request has no `aws:TagKeys`, so statement 0 allows requests without it",
                "/Statement/0/Condition/ForAllValues:StringEquals/aws:TagKeys",
            )
        ],
    ),
    (
        "PL103 negated operators, Deny on multivalued keys, GrantOperations on CreateGrant, encryption context",
        None,
        policy(
            {"Effect": "Allow", "Action": "ec2:CreateTags", "Resource": "*", "Condition": {"ForAllValues:StringNotLike": {"aws:TagKeys": "aws:*"}}},
            {"Effect": "Deny", "Action": "ec2:CreateTags", "Resource": "*", "Condition": {"ForAllValues:StringEquals": {"aws:TagKeys": "a"}}},
            {"Effect": "Allow", "Action": "kms:CreateGrant", "Resource": "*", "Condition": {"ForAllValues:StringEquals": {"kms:GrantOperations": ["Decrypt"]}}},
            {"Effect": "Allow", "Action": "kms:Decrypt", "Resource": "*", "Condition": {"ForAllValues:StringEquals": {"kms:EncryptionContext:team": "a"}}},
        ),
        [],
    ),
    (
        "PL103 GrantOperations next to other actions",
        None,
        policy({"Effect": "Allow", "Action": ["kms:CreateGrant", "kms:ListGrants"], "Resource": "*", "Condition": {"ForAllValues:StringEquals": {"kms:GrantOperations": ["Decrypt"]}}}),
        [
            (
                "PL103",
                "warning",
                "`ForAllValues:StringEquals` is also true when the request has no `kms:GrantOperations`, so statement 0 allows requests without it",
                "/Statement/0/Condition/ForAllValues:StringEquals/kms:GrantOperations",
            )
        ],
    ),
    # --- PL104 wildcard-in-exact-operator
    (
        "PL104 wildcards compared literally",
        None,
        policy(
            {
                "Effect": "Allow",
                "Action": "kms:Decrypt",
                "Resource": "*",
                "Condition": {
                    "StringEquals": {"aws:PrincipalArn": "arn:aws:iam::111122223333:role/Deploy*"},
                    "ForAnyValue:StringNotEqualsIgnoreCase": {"aws:TagKeys": ["ok", "a*b?"]},
                    "StringEqualsIfExists": {"aws:ResourceTag/x": "?"},
                },
            }
        ),
        [
            ("PL104", "warning", "`StringEquals` compares `arn:aws:iam::111122223333:role/Deploy*` literally: `*` matches only itself", "/Statement/0/Condition/StringEquals/aws:PrincipalArn"),
            ("PL104", "warning", "`StringNotEqualsIgnoreCase` compares `a*b?` literally: `*` and `?` match only themselves", "/Statement/0/Condition/ForAnyValue:StringNotEqualsIgnoreCase/aws:TagKeys/1"),
            ("PL104", "warning", "`StringEquals` compares `?` literally: `?` matches only itself", "/Statement/0/Condition/StringEqualsIfExists/aws:ResourceTag~1x"),
        ],
    ),
    (
        "PL104 ArnEquals honours wildcards; ${*} and other variables are not wildcards",
        None,
        policy(
            {
                "Effect": "Allow",
                "Action": "kms:Decrypt",
                "Resource": "*",
                "Condition": {
                    "ArnEquals": {"aws:PrincipalArn": "arn:aws:iam::*:role/Deploy*"},
                    "StringEquals": {"aws:ResourceTag/pattern": "a${*}b${?}", "aws:PrincipalTag/team": "${aws:ResourceTag/team}"},
                },
            }
        ),
        [],
    ),
    # --- PL105 like-without-wildcard
    (
        "PL105 Like values without wildcards",
        None,
        policy({"Effect": "Allow", "Action": "sqs:SendMessage", "Resource": "*", "Condition": {"StringLike": {"aws:PrincipalTag/team": ["pay*", "payments"]}, "ArnNotLike": {"aws:SourceArn": "arn:aws:sns:us-east-1:111122223333:a${*}"}}}),
        [
            ("PL105", "info", "`payments` has no wildcard, so `StringLike` compares it exactly", "/Statement/0/Condition/StringLike/aws:PrincipalTag~1team/1"),
            ("PL105", "info", "`arn:aws:sns:us-east-1:111122223333:a${*}` has no wildcard, so `ArnNotLike` compares it exactly", "/Statement/0/Condition/ArnNotLike/aws:SourceArn"),
        ],
    ),
    (
        "PL105 patterns, and ArnEquals is not a Like operator",
        None,
        policy({"Effect": "Allow", "Action": "s3:ListBucket", "Resource": "*", "Condition": {"StringLike": {"s3:prefix": ["home/${aws:username}/*", "a?"]}, "ArnEquals": {"aws:SourceArn": "arn:aws:sns:us-east-1:111122223333:a"}}}),
        [],
    ),
    # --- PL106 redundant-action
    (
        "PL106 entries covered by wildcards, any case",
        None,
        policy({"Effect": "Allow", "Action": ["kms:Decrypt", "kms:*", "KMS:describe*", "s3:GetObject", "*:Get*"], "Resource": "*"}),
        [
            ("PL106", "info", "`kms:Decrypt` is already covered by `kms:*`", "/Statement/0/Action/0"),
            ("PL106", "info", "`KMS:describe*` is already covered by `kms:*`", "/Statement/0/Action/2"),
            ("PL106", "info", "`s3:GetObject` is already covered by `*:Get*`", "/Statement/0/Action/3"),
        ],
    ),
    (
        "PL106 the same wildcard twice is reported once; NotAction too",
        None,
        policy({"Effect": "Deny", "NotAction": ["ec2:Describe*", "EC2:describe*"], "Resource": "*"}),
        [("PL106", "info", "`EC2:describe*` is listed twice", "/Statement/0/NotAction/1")],
    ),
    (
        "PL106 overlapping patterns that do not contain each other; exact duplicates are not its business",
        None,
        policy({"Effect": "Allow", "Action": ["kms:Describe?", "kms:Describe*Key", "kms:*Keys", "kms:Decrypt", "kms:Decrypt"], "Resource": "*"}),
        [],
    ),
    # --- PL107 policy-variable-problem
    (
        "PL107 unknown, multivalued and malformed variables",
        None,
        policy(
            {
                "Effect": "Allow",
                "Action": ["s3:GetObject", "s3:ListBucket"],
                "Resource": "arn:aws:s3:::home/${aws:usename}/${aws:nothinglikethis}/*",
                "Condition": {"StringLike": {"s3:prefix": "home/${aws:username/*"}, "StringEquals": {"aws:ResourceTag/owner": "${aws:TagKeys}", "aws:ResourceTag/x": "${}"}},
            }
        ),
        [
            ("PL107", "error", "unknown policy variable `${aws:usename}`; did you mean `${aws:username}`?", "/Statement/0/Resource"),
            ("PL107", "error", "unknown policy variable `${aws:nothinglikethis}`", "/Statement/0/Resource"),
            ("PL107", "error", "`${aws:username/*` is not a policy variable: `${` needs a closing `}` and a name", "/Statement/0/Condition/StringLike/s3:prefix"),
            ("PL107", "error", "`${aws:TagKeys}` cannot be a policy variable: `aws:TagKeys` is multivalued", "/Statement/0/Condition/StringEquals/aws:ResourceTag~1owner"),
            ("PL107", "error", "`${}` is not a policy variable: `${` needs a closing `}` and a name", "/Statement/0/Condition/StringEquals/aws:ResourceTag~1x"),
        ],
    ),
    (
        "PL107 variables under the old Version, once per value",
        None,
        policy({"Effect": "Allow", "Action": "s3:GetObject", "Resource": ["arn:aws:s3:::home/${aws:username}/${aws:userid}", "arn:aws:s3:::x"]}, version="2008-10-17"),
        [("PL107", "error", "`Version` is `2008-10-17`, so `${aws:username}` is literal text, not a policy variable", "/Statement/0/Resource/0")],
    ),
    (
        "PL107 variables without a Version",
        None,
        policy({"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*", "Condition": {"StringEquals": {"aws:ResourceTag/owner": "${aws:username}"}}}, version=None),
        [("PL107", "error", "`Version` is missing, so `${aws:username}` is literal text, not a policy variable", "/Statement/0/Condition/StringEquals/aws:ResourceTag~1owner")],
    ),
    (
        "PL107 known variables, defaults, specials, service keys and template placeholders",
        None,
        policy(
            {
                "Effect": "Allow",
                "Action": ["s3:GetObject", "s3:ListBucket"],
                "Resource": "arn:aws:s3:::${AWS::Region}-${var.bucket}/${aws:PrincipalTag/team, 'none'}/*",
                "Condition": {"StringEquals": {"s3:prefix": ["${s3:prefix}", "${*}${?}${$}"]}, "NumericLessThan": {"s3:max-keys": "${aws:nope}"}},
            }
        ),
        [],
    ),
    # --- PL108 service-principal-without-source-condition
    (
        "PL108 one finding per statement, naming its service principals",
        None,
        policy(
            ROOT,
            {"Sid": "Services", "Effect": "Allow", "Principal": {"Service": ["cloudtrail.amazonaws.com", "config.amazonaws.com"]}, "Action": "kms:GenerateDataKey*", "Resource": "*"},
            {"Effect": "Allow", "Principal": {"Service": ["a.amazonaws.com", "b.amazonaws.com", "c.amazonaws.com", "d.amazonaws.com"], "AWS": "arn:aws:iam::111122223333:role/R"}, "Action": "kms:Decrypt", "Resource": "*"},
        ),
        [
            (
                "PL108",
                "warning",
                "statement `Services` lets `cloudtrail.amazonaws.com` and `config.amazonaws.com` act for any account: it has no `aws:SourceArn`, `aws:SourceAccount`, `aws:SourceOrgID` or `aws:SourceOrgPaths` condition",
                "/Statement/1/Principal/Service/0",
            ),
            (
                "PL108",
                "warning",
                "statement 2 lets `a.amazonaws.com`, `b.amazonaws.com` and 2 more service principals act for any account: it has no `aws:SourceArn`, `aws:SourceAccount`, `aws:SourceOrgID` or `aws:SourceOrgPaths` condition",
                "/Statement/2/Principal/Service/0",
            ),
        ],
    ),
    (
        "PL108 negated, IfExists or ForAllValues source conditions do not count; resource policies too",
        "resource-policy",
        policy(
            {"Effect": "Allow", "Principal": {"Service": "s3.amazonaws.com"}, "Action": "sqs:SendMessage", "Resource": "*", "Condition": {"StringNotEquals": {"aws:SourceAccount": "1"}, "ArnLikeIfExists": {"aws:SourceArn": "arn:aws:s3:::b*"}, "ForAllValues:StringLike": {"aws:SourceOrgPaths": "o-1/*"}}}
        ),
        [
            (
                "PL108",
                "warning",
                "statement 0 lets `s3.amazonaws.com` act for any account: it has no `aws:SourceArn`, `aws:SourceAccount`, `aws:SourceOrgID` or `aws:SourceOrgPaths` condition",
                "/Statement/0/Principal/Service",
            ),
            (
                "PL103",
                "warning",
                "`ForAllValues:StringLike` is also true when the request has no `aws:SourceOrgPaths`, so statement 0 allows requests without it",
                "/Statement/0/Condition/ForAllValues:StringLike/aws:SourceOrgPaths",
            ),
        ],
    ),
    (
        "PL108 source conditions, encryption contexts pinned to an account, metadata reads, Deny",
        None,
        policy(
            ROOT,
            {"Effect": "Allow", "Principal": {"Service": "cloudtrail.amazonaws.com"}, "Action": "kms:GenerateDataKey*", "Resource": "*", "Condition": {"StringEquals": {"AWS:SourceAccount": "111122223333"}}},
            {"Effect": "Allow", "Principal": {"Service": "sns.amazonaws.com"}, "Action": "kms:Decrypt", "Resource": "*", "Condition": {"ForAnyValue:StringLike": {"aws:SourceOrgPaths": "o-a1b2c3d4e5/*"}}},
            {"Effect": "Allow", "Principal": {"Service": "logs.us-east-1.amazonaws.com"}, "Action": "kms:Decrypt*", "Resource": "*", "Condition": {"ArnLike": {"kms:EncryptionContext:aws:logs:arn": "arn:aws:logs:us-east-1:111122223333:*"}}},
            {"Effect": "Allow", "Principal": {"Service": "cloudtrail.amazonaws.com"}, "Action": ["kms:DescribeKey", "kms:GetPublicKey"], "Resource": "*"},
            {"Effect": "Allow", "Principal": {"Service": "logs.amazonaws.com"}, "Action": "kms:Decrypt", "Resource": "*", "Condition": {"ArnLike": {"kms:EncryptionContext:aws:logs:arn": "arn:${AWS::Partition}:logs:*:${AWS::AccountId}:*"}}},
            {"Effect": "Deny", "Principal": {"Service": "s3.amazonaws.com"}, "Action": "kms:Decrypt", "Resource": "*"},
        ),
        [],
    ),
    (
        "PL108 an encryption context with any account does not count",
        None,
        policy(ROOT, {"Effect": "Allow", "Principal": {"Service": "logs.amazonaws.com"}, "Action": "kms:Decrypt", "Resource": "*", "Condition": {"ArnLike": {"kms:EncryptionContext:aws:logs:arn": "arn:aws:logs:*:*:*"}}}),
        [
            (
                "PL108",
                "warning",
                "statement 1 lets `logs.amazonaws.com` act for any account: it has no `aws:SourceArn`, `aws:SourceAccount`, `aws:SourceOrgID` or `aws:SourceOrgPaths` condition",
                "/Statement/1/Principal/Service",
            )
        ],
    ),
    (
        "PL108 not for trust policies",
        "trust-policy",
        policy({"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}),
        [],
    ),
]


@pytest.mark.parametrize(("name", "kind", "document", "expected"), CASES, ids=[c[0] for c in CASES])
def test_statement_rules(name: str, kind: str | None, document: str, expected: list[tuple[str, str, str, str]]) -> None:
    assert findings(document, kind) == expected


def test_positions_point_at_the_element() -> None:
    text = (
        '{"Version": "2012-10-17", "Statement": [\n'
        '  {"Effect": "Allow", "NotAction": "iam:*", "Resource": "*",\n'
        '   "Condition": {"ForAllValues:StringEquals": {"aws:TagKeys": "a"}}}\n'
        "]}\n"
    )
    outcome = check_loaded(load_text("policy.json", text), Settings(select=("PL102", "PL103")))
    located = [(f.rule, f.range.start.line, f.range.start.column) for f in outcome.findings]
    # PL102 and PL103 point at the member names (`NotAction`, `aws:TagKeys`).
    assert located == [("PL102", 2, 23), ("PL103", 3, 48)]
