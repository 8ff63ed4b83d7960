"""Document-validity rules PL002-PL014: whole findings (rule, name, severity, message, pointer)
for every message the checks produce, the patterns that must stay quiet, and exact ranges for a
few. PL001 (the source stage) is tested in tests/source/test_errors.py."""

from __future__ import annotations

import json

import pytest

from policylint.checks.arnformat import arn_problem
from policylint.findings import Finding
from policylint.rules.engine import check_loaded
from policylint.settings import Settings
from policylint.source.loader import load_text
from policylint.source.positions import Position, Range

NAMES = {
    "PL002": ("invalid-policy-structure", "error"),
    "PL003": ("duplicate-json-key", "warning"),
    "PL004": ("missing-or-old-version", "warning"),
    "PL005": ("duplicate-sid", "warning"),
    "PL006": ("invalid-sid", "error"),
    "PL007": ("unknown-action", "error"),
    "PL008": ("invalid-arn", "error"),
    "PL009": ("invalid-principal", "error"),
    "PL010": ("unknown-condition-operator", "error"),
    "PL011": ("unknown-condition-key", "error"),
    "PL012": ("condition-type-mismatch", "error"),
    "PL013": ("policy-too-large", "error"),
    "PL014": ("empty-element", "error"),
}
ROOT = "arn:aws:iam::111122223333:root"
APP = "arn:aws:iam::111122223333:role/App"
KEY_ARN = "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab"


def run(document: object, select: str, kind: str | None = None) -> list[Finding]:
    text = document if isinstance(document, str) else json.dumps(document, indent=1, ensure_ascii=False)
    settings = Settings(select=(select,), kind=kind)
    return check_loaded(load_text("policy.json", text), settings).findings


def found(document: object, select: str, kind: str | None = None) -> list[tuple[str, str, str, str, str]]:
    return sorted((f.rule, f.name, f.severity, f.pointer, f.message) for f in run(document, select, kind))


def want(*items: tuple[str, str, str]) -> list[tuple[str, str, str, str, str]]:
    return sorted((code, *NAMES[code], pointer, message) for code, pointer, message in items)


def policy(*statements: dict, version: str | None = "2012-10-17") -> dict:
    document: dict = {} if version is None else {"Version": version}
    document["Statement"] = list(statements)
    return document


def key_statement(action: object = "kms:Decrypt", condition: dict | None = None, principal: object = None, **extra: object) -> dict:
    body: dict = {"Effect": "Allow", "Principal": principal if principal is not None else {"AWS": APP}, "Action": action, "Resource": "*"}
    if condition is not None:
        body["Condition"] = condition
    body.update(extra)
    return body


def identity_statement(action: object = "s3:GetObject", resource: object = "*", condition: dict | None = None, **extra: object) -> dict:
    body: dict = {"Effect": "Allow", "Action": action, "Resource": resource}
    if condition is not None:
        body["Condition"] = condition
    body.update(extra)
    return body


CASES = [
    # ---- PL002 (document.py: the Version value) and the schema's structure, PL014 empty elements
    (
        "unknown version",
        "PL002",
        "identity-policy",
        policy(identity_statement(), version="2012-10-18"),
        [("PL002", "/Version", "`Version` must be `2012-10-17`, not `2012-10-18`")],
    ),
    (
        "misspelt element and bad effect",
        "PL002",
        "identity-policy",
        policy(identity_statement(Effect="allow"), {"Effect": "Deny", "Actions": "s3:*", "Resource": "*"}),
        [
            ("PL002", "/Statement/0/Effect", "`Effect` must be `Allow` or `Deny`, not `allow`"),
            ("PL002", "/Statement/1/Actions", "unknown element `Actions` in statement; did you mean `Action`?"),
        ],
    ),
    (
        "string principal is a shape problem (PL002 only)",
        "PL0",
        "key-policy",
        policy(key_statement(principal="arn:aws:iam::111122223333:root")),
        [
            (
                "PL002",
                "/Statement/0/Principal",
                "`Principal` must be `*` or an object keyed by `AWS`, `Service`, `Federated` or `CanonicalUser`",
            )
        ],
    ),
    (
        "object condition values are a shape problem (PL002 only, no PL012)",
        "PL0",
        "key-policy",
        policy(key_statement(condition={"StringEquals": {"kms:CallerAccount": {"Ref": "AWS::AccountId"}}})),
        [
            (
                "PL002",
                "/Statement/0/Condition/StringEquals/kms:CallerAccount",
                "condition key `kms:CallerAccount` must be a string, number, boolean or a list of them",
            )
        ],
    ),
    (
        "empty elements",
        "PL014",
        "identity-policy",
        policy(identity_statement(action=[], condition={"StringEquals": {"aws:SourceVpc": []}})),
        [
            ("PL014", "/Statement/0/Action", "`Action` is empty"),
            ("PL014", "/Statement/0/Condition/StringEquals/aws:SourceVpc", "condition key `aws:SourceVpc` has no values"),
        ],
    ),
    # ---- PL003
    (
        "duplicate key",
        "PL003",
        None,
        '{"Version": "2012-10-17", "Statement": [{"Effect": "Deny", "Action": "s3:*", "Resource": "*", "Effect": "Allow"}]}',
        [("PL003", "/Statement/0/Effect", "duplicate key `Effect`: parsers disagree on which value wins (here the last one)")],
    ),
    # ---- PL004
    (
        "missing version",
        "PL004",
        "identity-policy",
        policy(identity_statement(), version=None),
        [("PL004", "", "`Version` is missing, so policy variables are read as literal text")],
    ),
    (
        "old version",
        "PL004",
        "identity-policy",
        policy(identity_statement(), version="2008-10-17"),
        [("PL004", "/Version", "`Version` is `2008-10-17`, so policy variables are read as literal text")],
    ),
    ("current version", "PL004", "identity-policy", policy(identity_statement()), []),
    # ---- PL005
    (
        "duplicate sid",
        "PL005",
        "identity-policy",
        policy(identity_statement(Sid="Read"), identity_statement(Sid="Read")),
        [("PL005", "/Statement/1/Sid", "Sid `Read` is already used by statement 0")],
    ),
    # ---- PL006
    (
        "sid with space and dash in an identity policy",
        "PL006",
        "identity-policy",
        policy(identity_statement(Sid="Allow read-only")),
        [("PL006", "/Statement/0/Sid", "Sid `Allow read-only` has characters an identity policy does not accept: space, `-`")],
    ),
    (
        "sid in an SCP, a tab shown by code point",
        "PL006",
        "scp",
        policy(identity_statement(Sid="Deny\tAll_")),
        [("PL006", "/Statement/0/Sid", "Sid `Deny\tAll_` has characters an SCP does not accept: U+0009, `_`")],
    ),
    (
        "sid in a trust policy",
        "PL006",
        "trust-policy",
        policy({"Sid": "ci.deploy", "Effect": "Allow", "Principal": {"AWS": ROOT}, "Action": "sts:AssumeRole"}),
        [("PL006", "/Statement/0/Sid", "Sid `ci.deploy` has characters an IAM role trust policy does not accept: `.`")],
    ),
    (
        "sid in an RCP",
        "PL006",
        "rcp",
        policy(identity_statement(Sid="No-Public", Principal="*")),
        [("PL006", "/Statement/0/Sid", "Sid `No-Public` has characters an RCP does not accept: `-`")],
    ),
    ("key policy sids may have spaces", "PL006", "key-policy", policy(key_statement(Sid="Enable IAM User Permissions")), []),
    # ---- PL007
    (
        "unknown actions",
        "PL007",
        "key-policy",
        policy(key_statement(action=["kms:Decrpyt", "kms:Frobnicate", "kmss:Decrypt", "foo:Bar", "kms:Foo*", "kms:"])),
        [
            ("PL007", "/Statement/0/Action/0", "unknown action `kms:Decrpyt`; did you mean `kms:Decrypt`?"),
            ("PL007", "/Statement/0/Action/1", "unknown action `kms:Frobnicate`"),
            ("PL007", "/Statement/0/Action/2", "unknown service prefix `kmss` in `kmss:Decrypt`; did you mean `kms`?"),
            ("PL007", "/Statement/0/Action/3", "unknown service prefix `foo` in `foo:Bar`"),
            ("PL007", "/Statement/0/Action/4", "`kms:Foo*` matches no action"),
            ("PL007", "/Statement/0/Action/5", "`kms:` has no action name after the service prefix"),
        ],
    ),
    (
        "patterns that match nothing, no prefix, whitespace; in NotAction too",
        "PL007",
        "identity-policy",
        policy(
            identity_statement(action=["*:Frobnicate*", "Zzz*", "GetObject", "s3:GetObject "]),
            {"Effect": "Deny", "NotAction": ["iam:*", "Organisations:*"], "Resource": "*"},
        ),
        [
            ("PL007", "/Statement/0/Action/0", "`*:Frobnicate*` matches no action"),
            ("PL007", "/Statement/0/Action/1", "`Zzz*` matches no action"),
            ("PL007", "/Statement/0/Action/2", "`GetObject` has no service prefix (expected `service:Action`, such as `kms:Decrypt`)"),
            ("PL007", "/Statement/0/Action/3", "`s3:GetObject ` starts or ends with whitespace, so it matches no action"),
            (
                "PL007",
                "/Statement/1/NotAction/1",
                "unknown service prefix `Organisations` in `Organisations:*`; did you mean `organizations`?",
            ),
        ],
    ),
    (
        "known actions in any case, wildcards, placeholders",
        "PL007",
        "identity-policy",
        policy(
            identity_statement(
                action=["*", "kms:*", "KMS:decrypt", "kms:ReEncrypt*", "kms:?ncrypt", "*:Describe*", "s3:Get*", "ec2:DescribeInstances", "${Service}:Get*"]
            )
        ),
        [],
    ),
    # ---- PL008
    (
        "malformed resource ARNs",
        "PL008",
        "identity-policy",
        policy(
            identity_statement(
                resource=[
                    "my-bucket",
                    "arn:aws:s3",
                    "arn:amazon:s3:::b/*",
                    "arn:aws::us-east-1:111122223333:x",
                    "arn:aws:S3:::b",
                    "arn:aws:kms:Region:111122223333:key/*",
                    "arn:aws:kms:us-east-1:account-id:key/*",
                ]
            )
        ),
        [
            ("PL008", "/Statement/0/Resource/0", "`my-bucket` in `Resource` is not an ARN (expected `arn:partition:service:region:account:resource` or `*`)"),
            ("PL008", "/Statement/0/Resource/1", "`arn:aws:s3` has fewer than six `:`-separated parts (`arn:partition:service:region:account:resource`)"),
            ("PL008", "/Statement/0/Resource/2", "`arn:amazon:s3:::b/*` has unknown partition `amazon`"),
            ("PL008", "/Statement/0/Resource/3", "`arn:aws::us-east-1:111122223333:x` has an empty service part"),
            ("PL008", "/Statement/0/Resource/4", "`arn:aws:S3:::b` has an invalid service `S3`"),
            ("PL008", "/Statement/0/Resource/5", "`arn:aws:kms:Region:111122223333:key/*` has an invalid region `Region`"),
            ("PL008", "/Statement/0/Resource/6", "`arn:aws:kms:us-east-1:account-id:key/*` has an invalid account `account-id` (expected 12 digits)"),
        ],
    ),
    (
        "NotResource and ARN condition values",
        "PL008",
        "identity-policy",
        policy(
            {"Effect": "Deny", "Action": "s3:*", "NotResource": "arn:aws:s3:::b/${aws:username}/x:y",
             "Condition": {"ArnNotLike": {"aws:PrincipalArn": ["arn:aws:iam::12345:role/*", "arn:aws:iam::111122223333:role/${aws:username}"]}}},
            {"Effect": "Deny", "Action": "s3:*", "NotResource": "bucket/*"},
        ),
        [
            ("PL008", "/Statement/1/NotResource", "`bucket/*` in `NotResource` is not an ARN (expected `arn:partition:service:region:account:resource` or `*`)"),
        ],
    ),
    (
        "ARNs AWS accepts",
        "PL008",
        "identity-policy",
        policy(
            identity_statement(
                resource=[
                    "*",
                    KEY_ARN,
                    "arn:aws:s3:::reports/${aws:username}/*",
                    "arn:aws-us-gov:s3:::gov/*",
                    "arn:aws:iam::aws:policy/ReadOnlyAccess",
                    "arn:*:kms:*:*:key/*",
                    "arn:${AWS::Partition}:kms:${AWS::Region}:${AWS::AccountId}:key/*",
                    "arn:{{partition}}:kms:{{region}}:{{account}}:key/*",
                    "${BucketArn}/*",
                    "arn:aws:organizations::*:",
                ]
            )
        ),
        [],
    ),
    # ---- PL009
    (
        "principal values",
        "PL009",
        "resource-policy",
        policy(
            {
                "Effect": "Allow",
                "Principal": {
                    "AWS": ["account-id", "arn:aws:iam::*:root", "arn:aws:iam::acct:root", "arn:aws:iam::111122223333:group/Admins", "*", "111122223333"],
                    "Service": ["cloudtrail", "*.amazonaws.com", "ec2.amazonaws.com"],
                    "CanonicalUser": "abc",
                    "Federated": "",
                },
                "Action": "s3:GetObject",
                "Resource": "arn:aws:s3:::b/*",
            }
        ),
        [
            ("PL009", "/Statement/0/Principal/AWS/0", "`account-id` is not a valid AWS principal: expected an ARN, a 12-digit account id or `*`"),
            ("PL009", "/Statement/0/Principal/AWS/1", "wildcards are not allowed in a principal ARN: `arn:aws:iam::*:root`"),
            ("PL009", "/Statement/0/Principal/AWS/2", "principal `arn:aws:iam::acct:root` is not a valid ARN: it has an invalid account `acct` (expected 12 digits)"),
            ("PL009", "/Statement/0/Principal/AWS/3", "an IAM group cannot be a principal: `arn:aws:iam::111122223333:group/Admins`"),
            ("PL009", "/Statement/0/Principal/Service/0", "`cloudtrail` is not a service principal (expected a name like `cloudtrail.amazonaws.com`)"),
            ("PL009", "/Statement/0/Principal/Service/1", "wildcards are not allowed in a `Service` principal: `*.amazonaws.com`"),
            ("PL009", "/Statement/0/Principal/CanonicalUser", "`abc` is not a canonical user id (64 hexadecimal characters)"),
            ("PL009", "/Statement/0/Principal/Federated", "a `Federated` principal cannot be empty"),
        ],
    ),
    (
        "principal where none is allowed",
        "PL009",
        "scp",
        policy(identity_statement(NotPrincipal={"AWS": ROOT})),
        [("PL009", "/Statement/0/NotPrincipal", "`NotPrincipal` is not allowed in an SCP: it applies to whoever it is attached to")],
    ),
    (
        "identity policy with a principal",
        "PL009",
        "identity-policy",
        policy(identity_statement(Principal={"AWS": ROOT})),
        [("PL009", "/Statement/0/Principal", "`Principal` is not allowed in an identity policy: it applies to whoever it is attached to")],
    ),
    (
        "missing principals",
        "PL009",
        "trust-policy",
        policy({"Sid": "Assume", "Effect": "Allow", "Action": "sts:AssumeRole"}),
        [("PL009", "/Statement/0", "statement `Assume` has no `Principal`: every statement of a trust policy must name who it applies to")],
    ),
    (
        "missing principal in a key policy and a resource policy",
        "PL009",
        "resource-policy",
        policy(identity_statement()),
        [("PL009", "/Statement/0", "statement 0 has no `Principal`: every statement of a resource policy must name who it applies to")],
    ),
    (
        "missing principal in a key policy",
        "PL009",
        "key-policy",
        policy({"Effect": "Allow", "Action": "kms:*", "Resource": "*"}),
        [("PL009", "/Statement/0", "statement 0 has no `Principal`: every statement of a key policy must name who it applies to")],
    ),
    (
        "unknown principal type",
        "PL009",
        "key-policy",
        policy(key_statement(principal={"IAM": ROOT})),
        [("PL009", "/Statement/0/Principal/IAM", "unknown principal type `IAM`; expected `AWS`, `Service`, `Federated` or `CanonicalUser`")],
    ),
    (
        "valid principals",
        "PL009",
        "resource-policy",
        policy(
            {
                "Effect": "Allow",
                "Principal": {
                    "AWS": [ROOT, APP, "AIDAJQABLZS4A3QDU576Q", "arn:aws:iam::cloudfront:user/CloudFront Origin Access Identity E2QWRUHAPOMQZL", "arn:${AWS::Partition}:iam::${AWS::AccountId}:root", "arn:aws:iam::{{account}}:root"],
                    "Service": ["logs.us-east-1.amazonaws.com", "ec2.amazonaws.com.cn", "ec2.c2s.ic.gov"],
                    "Federated": ["cognito-identity.amazonaws.com", "arn:aws:iam::111122223333:saml-provider/Corp"],
                    "CanonicalUser": "79a59df900b949e55d96a1e698fbacedfd6e09d98eacf8f8d5218e7cd47ef2be",
                },
                "Action": "s3:GetObject",
                "Resource": "arn:aws:s3:::b/*",
            },
            {"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/*"},
        ),
        [],
    ),
    # ---- PL010
    (
        "unknown operators",
        "PL010",
        "key-policy",
        policy(
            key_statement(
                condition={
                    "StringEqual": {"kms:ViaService": "s3.us-east-1.amazonaws.com"},
                    "ForAnyValues:StringLike": {"kms:EncryptionContextKeys": "a"},
                    "ForEach:StringLike": {"kms:EncryptionContextKeys": "a"},
                    "ForAllValues:StringEqualz": {"kms:EncryptionContextKeys": "a"},
                    "NullIfExists": {"kms:ViaService": "true"},
                    "Frobnicate": {"kms:ViaService": "x"},
                }
            )
        ),
        [
            ("PL010", "/Statement/0/Condition/StringEqual", "unknown condition operator `StringEqual`; did you mean `StringEquals`?"),
            ("PL010", "/Statement/0/Condition/ForAnyValues:StringLike", "unknown set operator `ForAnyValues`; did you mean `ForAnyValue`?"),
            ("PL010", "/Statement/0/Condition/ForEach:StringLike", "unknown set operator `ForEach`; expected `ForAllValues` or `ForAnyValue`"),
            (
                "PL010",
                "/Statement/0/Condition/ForAllValues:StringEqualz",
                "unknown condition operator `ForAllValues:StringEqualz`; did you mean `ForAllValues:StringEquals`?",
            ),
            ("PL010", "/Statement/0/Condition/NullIfExists", "`Null` cannot take `IfExists`: it already tests whether the key exists"),
            ("PL010", "/Statement/0/Condition/Frobnicate", "unknown condition operator `Frobnicate`"),
        ],
    ),
    # ---- PL011
    (
        "unknown keys and keys of other services",
        "PL011",
        "key-policy",
        policy(
            key_statement(
                action=["kms:Decrypt", "kms:GenerateDataKey*"],
                condition={
                    "StringEquals": {
                        "aws:PrincipalOrgIDs": "o-a",
                        "kms:ViaServices": "s3.us-east-1.amazonaws.com",
                        "s3:prefix": "home/",
                        "zz:Whatever": "x",
                        "aws:Frobnicate": "x",
                    }
                },
            )
        ),
        [
            ("PL011", "/Statement/0/Condition/StringEquals/aws:PrincipalOrgIDs", "unknown condition key `aws:PrincipalOrgIDs`; did you mean `aws:PrincipalOrgID`?"),
            ("PL011", "/Statement/0/Condition/StringEquals/kms:ViaServices", "unknown condition key `kms:ViaServices`; did you mean `kms:ViaService`?"),
            ("PL011", "/Statement/0/Condition/StringEquals/s3:prefix", "condition key `s3:prefix` is not available for the actions of this statement"),
            ("PL011", "/Statement/0/Condition/StringEquals/zz:Whatever", "unknown condition key `zz:Whatever`"),
            ("PL011", "/Statement/0/Condition/StringEquals/aws:Frobnicate", "unknown condition key `aws:Frobnicate`"),
        ],
    ),
    (
        "real-world keys",
        "PL011",
        "key-policy",
        policy(
            key_statement(
                action=["kms:Decrypt", "kms:GenerateDataKey*", "kms:CreateGrant"],
                condition={
                    "StringEquals": {"aws:PrincipalOrgID": "o-a", "KMS:ViaService": "s3.us-east-1.amazonaws.com", "kms:CallerAccount": "111122223333"},
                    "StringLike": {"kms:EncryptionContext:aws:s3:arn": "arn:aws:s3:::b/*", "aws:PrincipalTag/team": "data"},
                    "Bool": {"kms:GrantIsForAWSResource": "true"},
                    "ArnLike": {"aws:SourceArn": "arn:aws:s3:::b"},
                },
            )
        ),
        [],
    ),
    (
        "keys across services: iam keys on sts actions, saml and OIDC keys, ec2:osuser, any service for `*`",
        "PL011",
        None,
        policy(
            {"Effect": "Allow", "Principal": {"AWS": ROOT}, "Action": "sts:AssumeRole", "Condition": {"StringEquals": {"iam:ResourceTag/env": "prod", "sts:ExternalId": "x"}}},
            {"Effect": "Allow", "Principal": {"Federated": "arn:aws:iam::111122223333:saml-provider/Corp"}, "Action": "sts:AssumeRoleWithSAML", "Condition": {"StringEquals": {"saml:aud": "https://signin.aws.amazon.com/saml"}}},
            {"Effect": "Allow", "Principal": {"Federated": "arn:aws:iam::111122223333:oidc-provider/oidc.eks.us-east-1.amazonaws.com/id/ABC"}, "Action": "sts:AssumeRoleWithWebIdentity",
             "Condition": {"StringEquals": {"oidc.eks.us-east-1.amazonaws.com/id/ABC:sub": "system:serviceaccount:ns:sa"}}},
            {"Effect": "Allow", "Principal": {"AWS": ROOT}, "Action": "ec2-instance-connect:SendSSHPublicKey", "Resource": "*", "Condition": {"StringEquals": {"ec2:osuser": "ec2-user"}}},
            {"Effect": "Deny", "Principal": "*", "NotAction": "s3:GetObject", "Resource": "*", "Condition": {"StringEquals": {"ec2:osuser": "root", "s3:prefix": "x"}}},
            {"Effect": "Deny", "Principal": "*", "Action": "*", "Resource": "*", "Condition": {"StringEquals": {"kms:ViaService": "x"}}},
        ),
        [],
    ),
    (
        "keys of a service PL007 already reports, and template placeholders, are not reported",
        "PL011",
        "identity-policy",
        policy(identity_statement(action="deepracer:GetTrack", condition={"Bool": {"deepracer:MultiUser": "true"}, "StringEquals": {"${Prefix}:sub": "x"}})),
        [],
    ),
    # ---- PL012: operator vs key type
    (
        "operators on keys of another type",
        "PL012",
        "identity-policy",
        policy(
            identity_statement(
                condition={
                    "StringEquals": {"aws:SourceIp": "192.0.2.1", "aws:CurrentTime": "2026-01-01T00:00:00Z", "aws:MultiFactorAuthAge": "60"},
                    "NumericLessThan": {"aws:SourceIp": "1"},
                    "DateGreaterThan": {"aws:MultiFactorAuthAge": "3600"},
                    "BoolIfExists": {"aws:PrincipalOrgID": "true"},
                    "ForAnyValue:IpAddress": {"aws:SourceVpc": "10.0.0.0/8"},
                }
            )
        ),
        [
            ("PL012", "/Statement/0/Condition/StringEquals/aws:SourceIp", "`StringEquals` compares strings, but `aws:SourceIp` holds an IP address"),
            ("PL012", "/Statement/0/Condition/StringEquals/aws:CurrentTime", "`StringEquals` compares strings, but `aws:CurrentTime` holds a date"),
            ("PL012", "/Statement/0/Condition/StringEquals/aws:MultiFactorAuthAge", "`StringEquals` compares strings, but `aws:MultiFactorAuthAge` holds a number"),
            ("PL012", "/Statement/0/Condition/NumericLessThan/aws:SourceIp", "`NumericLessThan` compares numbers, but `aws:SourceIp` holds an IP address"),
            ("PL012", "/Statement/0/Condition/DateGreaterThan/aws:MultiFactorAuthAge", "`DateGreaterThan` compares dates, but `aws:MultiFactorAuthAge` holds a number"),
            ("PL012", "/Statement/0/Condition/BoolIfExists/aws:PrincipalOrgID", "`BoolIfExists` compares booleans, but `aws:PrincipalOrgID` holds a string"),
            ("PL012", "/Statement/0/Condition/ForAnyValue:IpAddress/aws:SourceVpc", "`ForAnyValue:IpAddress` compares IP addresses, but `aws:SourceVpc` holds a string"),
        ],
    ),
    (
        "service key types",
        "PL012",
        "identity-policy",
        policy(
            identity_statement(action="s3:ListBucket", condition={"StringEquals": {"s3:max-keys": "10"}, "NumericEquals": {"s3:prefix": "1"}}),
        ),
        [
            ("PL012", "/Statement/0/Condition/StringEquals/s3:max-keys", "`StringEquals` compares strings, but `s3:max-keys` holds a number"),
            ("PL012", "/Statement/0/Condition/NumericEquals/s3:prefix", "`NumericEquals` compares numbers, but `s3:prefix` holds a string"),
        ],
    ),
    (
        "values the operator cannot read",
        "PL012",
        "identity-policy",
        policy(
            identity_statement(
                condition={
                    "Bool": {"aws:SecureTransport": "yes"},
                    "Null": {"aws:SourceVpc": "no"},
                    "NumericLessThan": {"aws:MultiFactorAuthAge": "1h"},
                    "DateLessThan": {"aws:CurrentTime": "31/12/2026"},
                    "NotIpAddress": {"aws:SourceIp": ["10.0.0.0/8", "10.0.0.300"]},
                    "ArnLike": {"aws:SourceArn": "bucket"},
                    "BinaryEquals": {"aws:UserAgent": "not base64!"},
                }
            )
        ),
        [
            ("PL012", "/Statement/0/Condition/Bool/aws:SecureTransport", "`Bool` compares `true` or `false`, not `yes`"),
            ("PL012", "/Statement/0/Condition/Null/aws:SourceVpc", "`Null` compares `true` or `false`, not `no`"),
            ("PL012", "/Statement/0/Condition/NumericLessThan/aws:MultiFactorAuthAge", "`NumericLessThan` needs a number, not `1h`"),
            ("PL012", "/Statement/0/Condition/DateLessThan/aws:CurrentTime", "`DateLessThan` needs a date like `2026-01-31T00:00:00Z` or epoch seconds, not `31/12/2026`"),
            ("PL012", "/Statement/0/Condition/NotIpAddress/aws:SourceIp/1", "`NotIpAddress` needs an IP address or CIDR block, not `10.0.0.300`"),
            ("PL012", "/Statement/0/Condition/ArnLike/aws:SourceArn", "`ArnLike` compares ARNs, and `bucket` is not one"),
            ("PL012", "/Statement/0/Condition/BinaryEquals/aws:UserAgent", "`BinaryEquals` needs base64-encoded bytes, not `not base64!`"),
        ],
    ),
    (
        "types that fit, epoch time both ways, policy variables against IP keys, ARN keys with String operators",
        "PL012",
        "identity-policy",
        policy(
            identity_statement(
                action="*",
                condition={
                    "DateGreaterThan": {"aws:EpochTime": "1767225600", "aws:TokenIssueTime": "2026-01-01"},
                    "NumericLessThan": {"aws:EpochTime": 1798761600},
                    "StringNotEquals": {"aws:Ec2InstanceSourcePrivateIPv4": "${aws:VpcSourceIp}"},
                    "StringLike": {"aws:PrincipalArn": "arn:aws:iam::*:role/Admin*", "aws:SourceArn": "${aws:PrincipalArn}"},
                    "Bool": {"aws:SecureTransport": True, "aws:MultiFactorAuthPresent": "False"},
                    "IpAddress": {"aws:SourceIp": ["192.0.2.0/24", "2001:db8::/32", "203.0.113.7"]},
                    "NumericLessThanEquals": {"aws:MultiFactorAuthAge": 3600, "s3:max-keys": "10.5"},
                    "StringEquals": {"aws:SourceAccount": 111122223333, "unknown:Key": "x"},
                    "BinaryEquals": {"aws:UserAgent": "QmluYXJ5VmFsdWU="},
                    "Null": {"aws:TagKeys": False},
                },
            )
        ),
        [],
    ),
    # ---- PL013
    (
        "characters a key policy does not accept",
        "PL013",
        "key-policy",
        policy(key_statement(Sid="App\u2019s key", condition={"StringEquals": {"kms:EncryptionContext:proj\u00e9t\u2013x": "\u0007"}})),
        [
            ("PL013", "/Statement/0/Sid", "key policies accept only tab, line breaks and U+0020 to U+00FF; found `\u2019` (U+2019)"),
            ("PL013", "/Statement/0/Condition/StringEquals/kms:EncryptionContext:proj\u00e9t\u2013x", "key policies accept only tab, line breaks and U+0020 to U+00FF; found `\u2013` (U+2013)"),
            ("PL013", "/Statement/0/Condition/StringEquals/kms:EncryptionContext:proj\u00e9t\u2013x", "key policies accept only tab, line breaks and U+0020 to U+00FF; found U+0007"),
        ],
    ),
    (
        "an SCP over its quota",
        "PL013",
        "scp",
        policy(*[identity_statement(action="s3:GetObject", resource=f"arn:aws:s3:::bucket-number-{i:04d}/*") for i in range(60)]),
        [("PL013", "", "SCP is 5,438 characters (not counting whitespace); the quota is 5,120")],
    ),
    (
        "an identity policy at its quota",
        "PL013",
        "identity-policy",
        None,  # built by _quota_document: exactly 6,144 characters
        [],
    ),
]


@pytest.mark.parametrize(("name", "select", "kind", "document", "expected"), CASES, ids=[c[0] for c in CASES])
def test_findings(name, select, kind, document, expected):
    if document is None:
        document = _quota_document(6144)
    assert found(document, select, kind) == want(*expected)


def _quota_document(characters: int) -> dict:
    """An identity policy of exactly `characters` characters once whitespace is removed."""
    empty = policy(identity_statement(resource="arn:aws:s3:::b/"))
    padding = characters - len(json.dumps(empty, separators=(",", ":")))
    return policy(identity_statement(resource="arn:aws:s3:::b/" + "x" * padding))


def test_one_character_over_the_identity_quota():
    assert found(_quota_document(6145), "PL013", "identity-policy") == want(
        ("PL013", "", "identity policy is 6,145 characters (not counting whitespace); the quota is 6,144")
    )


def test_key_policy_quota_counts_bytes_of_the_text():
    # 16,400 two-byte characters: 32,800 bytes of them, 16,692 characters in the whole text.
    statement = key_statement(Sid="Big", Condition={"StringEquals": {"kms:ViaService": "é" * 16_400}})
    assert found(policy(statement), "PL013", "key-policy") == want(
        ("PL013", "", "key policy is 33,092 bytes; the quota is 32,768")
    )


def test_ranges_point_at_the_element():
    text = '{\n  "Version": "2012-10-17",\n  "Statement": [{"Effect": "Allow", "Principal": {"AWS": "*"},\n    "Action": ["kms:Decrypt", "kms:Decrpyt"], "Resource": "*",\n    "Condition": {"StringEqual": {"s3:prefix": "a"}}}]\n}\n'
    findings = check_loaded(load_text("p.json", text), Settings(select=("PL007", "PL010", "PL011"))).findings
    assert findings == [
        Finding(
            rule="PL007",
            name="unknown-action",
            severity="error",
            message="unknown action `kms:Decrpyt`; did you mean `kms:Decrypt`?",
            path="p.json",
            pointer="/Statement/0/Action/1",
            range=Range(start=Position(line=4, column=31, offset=122), end=Position(line=4, column=44, offset=135)),
        ),
        Finding(
            rule="PL010",
            name="unknown-condition-operator",
            severity="error",
            message="unknown condition operator `StringEqual`; did you mean `StringEquals`?",
            path="p.json",
            pointer="/Statement/0/Condition/StringEqual",
            range=Range(start=Position(line=5, column=19, offset=173), end=Position(line=5, column=32, offset=186)),
        ),
        Finding(
            rule="PL011",
            name="unknown-condition-key",
            severity="error",
            message="condition key `s3:prefix` is not available for the actions of this statement",
            path="p.json",
            pointer="/Statement/0/Condition/StringEqual/s3:prefix",
            range=Range(start=Position(line=5, column=35, offset=189), end=Position(line=5, column=46, offset=200)),
        ),
    ]


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("bucket", "does not start with `arn:`"),
        ("arn:aws:s3:::bucket", None),
        ("arn:${AWS::Partition}:iam::${AWS::AccountId}:role/${RoleName}", None),
        ("arn:aws:iam::cloudfront:user/CloudFront Origin Access Identity E1", None),
        ("arn:aws:kms:us-east-1:cloudfront:key/x", "has an invalid account `cloudfront` (expected 12 digits)"),
        ("arn:aws:iam::${Account}x:root", None),
        ("arn:aws:kms:${Region}-x:111122223333:key/*", None),
        ("arn:aws:kms:us_east_1:111122223333:key/*", "has an invalid region `us_east_1`"),
    ],
)
def test_arn_problem(value, expected):
    assert arn_problem(value) == expected
