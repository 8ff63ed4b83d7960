"""Tests for policylint.catalog.condition_keys: global, templated, service and unknown keys."""

from __future__ import annotations

import pytest

from policylint.catalog.condition_keys import (
    ConditionKeyInfo,
    condition_key_info,
    global_key_types,
    is_known_condition_key,
    match_template,
    normalise_key_type,
)


def info(key: str, type_: str, multivalued: bool = False) -> ConditionKeyInfo:
    """A service key (not global)."""
    return ConditionKeyInfo(key=key, type=type_, multivalued=multivalued, global_key=False)


def glob(key: str, type_: str, multivalued: bool = False) -> ConditionKeyInfo:
    """A global key."""
    return ConditionKeyInfo(key=key, type=type_, multivalued=multivalued, global_key=True)


@pytest.mark.parametrize(
    ("name", "key", "expected"),
    [
        # global keys
        ("source-ip", "aws:SourceIp", glob("aws:SourceIp", "IPAddress")),
        ("any-case", "AWS:sourceip", glob("aws:SourceIp", "IPAddress")),
        ("principal-arn", "aws:principalarn", glob("aws:PrincipalArn", "ARN")),
        ("org-paths", "aws:PrincipalOrgPaths", glob("aws:PrincipalOrgPaths", "String", True)),
        ("tag-keys", "aws:TagKeys", glob("aws:TagKeys", "String", True)),
        ("called-via", "aws:calledvia", glob("aws:CalledVia", "String", True)),
        ("secure-transport", "aws:SecureTransport", glob("aws:SecureTransport", "Bool")),
        ("current-time", "aws:CurrentTime", glob("aws:CurrentTime", "Date")),
        ("epoch-time", "aws:EpochTime", glob("aws:EpochTime", "Date")),
        ("mfa-age", "aws:MultiFactorAuthAge", glob("aws:MultiFactorAuthAge", "Numeric")),
        ("username", "aws:UserName", glob("aws:username", "String")),
        ("referer", "aws:Referer", glob("aws:referer", "String")),
        ("mcp", "aws:ViaAWSMCPService", glob("aws:ViaAWSMCPService", "Bool")),
        ("vpc-arn", "aws:SourceVpcArn", glob("aws:SourceVpcArn", "ARN")),
        ("cross-service-ec2", "ec2:SourceInstanceARN", glob("ec2:SourceInstanceArn", "ARN")),
        (
            "cross-service-lambda",
            "lambda:sourcefunctionarn",
            glob("lambda:SourceFunctionArn", "ARN"),
        ),
        ("role-delivery", "ec2:RoleDelivery", glob("ec2:RoleDelivery", "Numeric")),
        # templated global keys
        ("request-tag", "aws:RequestTag/Env", glob("aws:RequestTag/Env", "String")),
        ("resource-tag-lower", "aws:resourcetag/x", glob("aws:ResourceTag/x", "String")),
        ("principal-tag", "aws:PrincipalTag/team", glob("aws:PrincipalTag/team", "String")),
        ("tag-with-slash", "aws:ResourceTag/a/b:c", glob("aws:ResourceTag/a/b:c", "String")),
        ("empty-tag", "aws:RequestTag/", None),
        ("unknown-global", "aws:NoSuchKey", None),
        ("aws-not-from-services", "aws:foo", None),
        # kms service keys
        (
            "encryption-context",
            "kms:EncryptionContext:Department",
            info("kms:EncryptionContext:Department", "String"),
        ),
        (
            "encryption-context-arn-value-name",
            "kms:encryptioncontext:aws:s3:arn",
            info("kms:EncryptionContext:aws:s3:arn", "String"),
        ),
        ("encryption-context-empty", "kms:EncryptionContext:", None),
        (
            "context-keys",
            "kms:encryptioncontextkeys",
            info("kms:EncryptionContextKeys", "String", True),
        ),
        ("grant-operations", "kms:GrantOperations", info("kms:GrantOperations", "String", True)),
        ("resource-aliases", "kms:ResourceAliases", info("kms:ResourceAliases", "String", True)),
        ("via-service", "kms:viaservice", info("kms:ViaService", "String")),
        (
            "pending-window",
            "kms:ScheduleKeyDeletionPendingWindowInDays",
            info("kms:ScheduleKeyDeletionPendingWindowInDays", "Numeric"),
        ),
        ("valid-to", "kms:ValidTo", info("kms:ValidTo", "Date")),
        (
            "bypass",
            "kms:BypassPolicyLockoutSafetyCheck",
            info("kms:BypassPolicyLockoutSafetyCheck", "Bool"),
        ),
        (
            "grant-source-arn",
            "kms:GrantConstraintSourceArn",
            info("kms:GrantConstraintSourceArn", "ARN"),
        ),
        ("kms-unknown", "kms:NoSuchKey", None),
        # other service keys, templated service keys
        ("s3-prefix", "S3:Prefix", info("s3:prefix", "String")),
        ("s3-object-tag", "s3:ExistingObjectTag/k", info("s3:ExistingObjectTag/k", "String")),
        ("s3-object-tag-empty", "s3:ExistingObjectTag/", None),
        (
            "array-of-arn",
            "autoscaling:targetgrouparns",
            info("autoscaling:TargetGroupARNs", "ARN", True),
        ),
        (
            "array-of-bool",
            "apigateway:Request/ApiKeyRequired",
            info("apigateway:Request/ApiKeyRequired", "Bool", True),
        ),
        ("iam-pass-to", "iam:PassedToService", info("iam:PassedToService", "String")),
        # prefixes that are not services
        ("saml", "saml:sub", info("saml:sub", "String")),
        (
            "saml-multi",
            "saml:edupersonaffiliation",
            info("saml:edupersonaffiliation", "String", True),
        ),
        ("google", "accounts.google.com:aud", info("accounts.google.com:aud", "String")),
        (
            "github-templated-prefix",
            "token.actions.githubusercontent.com/my-org:actor",
            info("token.actions.githubusercontent.com/my-org:actor", "String"),
        ),
        # generic OIDC provider claims
        (
            "github-sub",
            "token.actions.githubusercontent.com:sub",
            info("token.actions.githubusercontent.com:sub", "String"),
        ),
        (
            "eks-sub",
            "oidc.eks.us-east-1.amazonaws.com/id/EXAMPLE0123:sub",
            info("oidc.eks.us-east-1.amazonaws.com/id/EXAMPLE0123:sub", "String"),
        ),
        ("eks-unknown-claim", "oidc.eks.us-east-1.amazonaws.com/id/X:nope", None),
        ("service-is-not-an-issuer", "kms:sub", None),
        # not keys at all
        ("unknown-service", "nosvc:foo", None),
        ("no-colon", "SourceIp", None),
        ("empty-name", "kms:", None),
        ("empty", "", None),
    ],
)
def test_condition_key_info(name: str, key: str, expected: ConditionKeyInfo | None) -> None:
    assert condition_key_info(key) == expected
    assert is_known_condition_key(key) is (expected is not None)


@pytest.mark.parametrize(
    ("name", "key", "services", "expected"),
    [
        ("defined-by-another-service", "ec2:osuser", (), None),
        (
            "found-through-statement-services",
            "ec2:osuser",
            ("EC2-Instance-Connect",),
            info("ec2:osuser", "String"),
        ),
        ("unknown-services-ignored", "ec2:osuser", ("nosvc", ""), None),
        ("own-prefix-still-first", "kms:ViaService", ("s3",), info("kms:ViaService", "String")),
        ("services-do-not-make-aws-keys", "aws:foo", ("kms",), None),
    ],
)
def test_condition_key_info_with_services(
    name: str, key: str, services: tuple[str, ...], expected: ConditionKeyInfo | None
) -> None:
    assert condition_key_info(key, services) == expected


@pytest.mark.parametrize(
    ("name", "raw", "expected"),
    [
        ("string", "String", ("String", False)),
        ("array-of-string", "ArrayOfString", ("String", True)),
        ("arn", "ARN", ("ARN", False)),
        ("array-of-arn", "ArrayOfARN", ("ARN", True)),
        ("bool", "Bool", ("Bool", False)),
        ("boolean", "Boolean", ("Bool", False)),
        ("array-of-bool", "ArrayOfBool", ("Bool", True)),
        ("date", "Date", ("Date", False)),
        ("numeric", "Numeric", ("Numeric", False)),
        ("long", "Long", ("Numeric", False)),
        ("ip", "IPAddress", ("IPAddress", False)),
        ("binary", "Binary", ("Binary", False)),
        ("unknown", "Mystery", ("String", False)),
    ],
)
def test_normalise_key_type(name: str, raw: str, expected: tuple[str, bool]) -> None:
    assert normalise_key_type(raw) == expected


@pytest.mark.parametrize(
    ("name", "parts", "key", "expected"),
    [
        ("suffix-placeholder", ("aws:RequestTag/", ""), "AWS:requesttag/Env", "aws:RequestTag/Env"),
        ("empty-placeholder", ("aws:RequestTag/", ""), "aws:RequestTag/", None),
        (
            "middle-placeholder",
            ("events:Metadata/", "/Matcher"),
            "events:metadata/k/matcher",
            "events:Metadata/k/Matcher",
        ),
        ("middle-empty", ("events:Metadata/", "/Matcher"), "events:Metadata//Matcher", None),
        ("middle-literal-missing", ("events:Metadata/", "/Matcher"), "events:Metadata/k/M", None),
        ("two-placeholders", ("a:", ".", ".z"), "A:x.y.Z", "a:x.y.z"),
        ("two-placeholders-missing-literal", ("a:", ".", ".z"), "a:xy.z", None),
        ("wrong-prefix", ("aws:RequestTag/", ""), "aws:ResourceTag/x", None),
        ("no-placeholder", ("aws:SourceIp",), "aws:SourceIp", None),
        (
            "long-key",
            ("kms:EncryptionContext:", ""),
            "KMS:encryptioncontext:" + "a" * 10_000,
            "kms:EncryptionContext:" + "a" * 10_000,
        ),
    ],
)
def test_match_template(name: str, parts: tuple[str, ...], key: str, expected: str | None) -> None:
    assert match_template(parts, key) == expected


@pytest.mark.parametrize(
    ("name", "key", "expected"),
    [
        ("epoch-time", "aws:epochtime", ("Date", "Numeric")),
        ("source-ip", "aws:SourceIp", ("IPAddress",)),
        ("templated", "aws:PrincipalTag/x", ("String",)),
        ("service-key", "kms:ViaService", None),
        ("unknown", "aws:Nope", None),
    ],
)
def test_global_key_types(name: str, key: str, expected: tuple[str, ...] | None) -> None:
    assert global_key_types(key) == expected
