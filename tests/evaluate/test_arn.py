from __future__ import annotations

import pytest

from policylint.evaluate.arn import (
    Arn,
    account_of,
    arn_equals,
    arn_like,
    is_account_root,
    parse_arn,
    resource_matches,
    session_role_arn,
    split_arn_pattern,
)
from policylint.evaluate.match import GlobPattern

PARSE_CASES = [
    (
        "s3-object",
        "arn:aws:s3:::bucket/key",
        Arn(partition="aws", service="s3", region="", account="", resource="bucket/key"),
    ),
    (
        "resource-with-colons",
        "arn:aws:logs:us-east-1:111122223333:log-group:/app:*",
        Arn(partition="aws", service="logs", region="us-east-1", account="111122223333", resource="log-group:/app:*"),
    ),
    (
        "other-partition",
        "arn:aws-cn:iam::111122223333:role/App",
        Arn(partition="aws-cn", service="iam", region="", account="111122223333", resource="role/App"),
    ),
    ("too-few-parts", "arn:aws:s3::bucket", None),
    ("not-arn-prefix", "ARN:aws:s3:::bucket", None),
    ("empty-partition", "arn::s3:::bucket", None),
    ("empty-service", "arn:aws::::bucket", None),
    ("empty-resource", "arn:aws:s3:::", None),
    ("plain-text", "bucket", None),
]


@pytest.mark.parametrize(("name", "text", "expected"), PARSE_CASES, ids=[c[0] for c in PARSE_CASES])
def test_parse_arn(name: str, text: str, expected: Arn | None) -> None:
    parsed = parse_arn(text)
    assert parsed == expected
    if parsed is not None:
        assert str(parsed) == text


ARN_LIKE_CASES = [
    ("exact", "arn:aws:sns:us-east-1:111122223333:topic", "arn:aws:sns:us-east-1:111122223333:topic", True),
    ("region-wildcard", "arn:aws:sns:*:111122223333:topic", "arn:aws:sns:eu-west-1:111122223333:topic", True),
    ("case-sensitive", "arn:aws:sns:*:111122223333:Topic", "arn:aws:sns:eu-west-1:111122223333:topic", False),
    (
        "star-does-not-cross-parts",
        "arn:aws:someservice:*:111122223333:finance/*",
        "arn:aws:someservice:us-east-2:999999999999:store/abc:111122223333:finance/document.txt",
        False,
    ),
    ("resource-star-crosses-colons", "arn:aws:logs:*:*:log-group:*", "arn:aws:logs:us-east-1:1:log-group:/a:b", True),
    ("question-mark", "arn:aws:iam::11112222333?:root", "arn:aws:iam::111122223333:root", True),
    ("request-not-arn", "arn:aws:iam::*:root", "111122223333", False),
    ("pattern-too-short", "arn:aws:iam::*", "arn:aws:iam::111122223333:root", False),
    ("lone-star-is-not-six-parts", "*", "arn:aws:iam::111122223333:root", False),
    ("all-parts-wildcard", "*:*:*:*:*:*", "arn:aws:iam::111122223333:root", True),
    ("empty-region-needs-empty", "arn:aws:s3:::bucket", "arn:aws:s3:us-east-1::bucket", False),
]


@pytest.mark.parametrize(("name", "pattern", "arn", "expected"), ARN_LIKE_CASES, ids=[c[0] for c in ARN_LIKE_CASES])
def test_arn_like_and_equals(name: str, pattern: str, arn: str, expected: bool) -> None:
    assert (arn_like(pattern, arn), arn_equals(pattern, arn)) == (expected, expected)


def test_arn_like_keeps_literal_parts_literal() -> None:
    pattern = GlobPattern.join([GlobPattern.parse("arn:aws:s3:::bucket/"), GlobPattern.literal("*")])
    assert (arn_like(pattern, "arn:aws:s3:::bucket/*"), arn_like(pattern, "arn:aws:s3:::bucket/key")) == (True, False)


SPLIT_CASES = [
    ("six-parts", "arn:aws:s3:::b/*", ("arn", "aws", "s3", "", "", "b/*")),
    ("rest-in-resource", "arn:aws:logs:*:*:log-group:x:*", ("arn", "aws", "logs", "*", "*", "log-group:x:*")),
    ("five-parts", "arn:aws:iam::*", None),
]


@pytest.mark.parametrize(("name", "pattern", "expected"), SPLIT_CASES, ids=[c[0] for c in SPLIT_CASES])
def test_split_arn_pattern(name: str, pattern: str, expected: tuple[str, ...] | None) -> None:
    parts = split_arn_pattern(pattern)
    assert (None if parts is None else tuple(part.text for part in parts)) == expected


RESOURCE_CASES = [
    ("star-any-arn", "*", "arn:aws:s3:::bucket/key", True),
    ("star-non-arn", "*", "not-an-arn", True),
    ("double-star", "**", "arn:aws:s3:::bucket", True),
    ("bucket-objects", "arn:aws:s3:::bucket/*", "arn:aws:s3:::bucket/a/b.txt", True),
    ("bucket-not-objects", "arn:aws:s3:::bucket", "arn:aws:s3:::bucket/a", False),
    ("service-wildcard-all", "arn:aws:s3:::*", "arn:aws:s3:::bucket/a", True),
    ("account-mismatch", "arn:aws:kms:*:111122223333:key/*", "arn:aws:kms:us-east-1:444455556666:key/k", False),
    ("account-match", "arn:aws:kms:*:111122223333:key/*", "arn:aws:kms:us-east-1:111122223333:key/k", True),
    ("prefix-star-stays-in-part", "arn:aws:s3*", "arn:aws:s3:::bucket", False),
    ("non-arn-resource", "arn:aws:s3:::*", "bucket", False),
]


@pytest.mark.parametrize(
    ("name", "pattern", "resource", "expected"), RESOURCE_CASES, ids=[c[0] for c in RESOURCE_CASES]
)
def test_resource_matches(name: str, pattern: str, resource: str, expected: bool) -> None:
    assert resource_matches(pattern, resource) is expected


PRINCIPAL_CASES = [
    ("root", "arn:aws:iam::111122223333:root", "111122223333", True, None),
    ("bare-account", "111122223333", "111122223333", True, None),
    ("user", "arn:aws:iam::111122223333:user/bob", "111122223333", False, None),
    ("gov-root", "arn:aws-us-gov:iam::111122223333:root", "111122223333", True, None),
    ("short-number", "12345", None, False, None),
    ("service-principal", "lambda.amazonaws.com", None, False, None),
    ("s3-no-account", "arn:aws:s3:::bucket", None, False, None),
    ("root-wrong-service", "arn:aws:sts::111122223333:root", "111122223333", False, None),
    (
        "assumed-role",
        "arn:aws:sts::111122223333:assumed-role/App/sess",
        "111122223333",
        False,
        "arn:aws:iam::111122223333:role/App",
    ),
    (
        "assumed-role-china",
        "arn:aws-cn:sts::111122223333:assumed-role/App/i-0abc",
        "111122223333",
        False,
        "arn:aws-cn:iam::111122223333:role/App",
    ),
    ("assumed-role-no-session", "arn:aws:sts::111122223333:assumed-role/App", "111122223333", False, None),
    ("federated-user", "arn:aws:sts::111122223333:federated-user/bob", "111122223333", False, None),
    ("iam-role-is-not-session", "arn:aws:iam::111122223333:role/App", "111122223333", False, None),
]


@pytest.mark.parametrize(
    ("name", "principal", "account", "root", "role"), PRINCIPAL_CASES, ids=[c[0] for c in PRINCIPAL_CASES]
)
def test_principal_helpers(name: str, principal: str, account: str | None, root: bool, role: str | None) -> None:
    assert (account_of(principal), is_account_root(principal), session_role_arn(principal)) == (account, root, role)
