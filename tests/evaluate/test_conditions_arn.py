from __future__ import annotations

from typing import Any

import pytest

from policylint.evaluate.conditions import evaluate_condition
from policylint.evaluate.context import RequestContext




K = "aws:SourceArn"
TOPIC = "arn:aws:sns:us-east-1:111122223333:topic"

CASES = [
    ("equals-exact", "ArnEquals", K, TOPIC, TOPIC, True, "matched"),
    ("equals-allows-wildcards", "ArnEquals", K, "arn:aws:sns:*:111122223333:*", TOPIC, True, "matched"),
    ("like-region-wildcard", "ArnLike", K, "arn:aws:sns:*:111122223333:topic", TOPIC, True, "matched"),
    ("like-account-mismatch", "ArnLike", K, "arn:aws:sns:*:444455556666:topic", TOPIC, False, "value-mismatch"),
    ("like-case-sensitive", "ArnLike", K, "arn:aws:sns:*:111122223333:TOPIC", TOPIC, False, "value-mismatch"),
    (
        "like-star-stays-in-part",
        "ArnLike",
        K,
        "arn:aws:someservice:*:111122223333:finance/*",
        "arn:aws:someservice:us-east-2:999999999999:store/abc:111122223333:finance/document.txt",
        False,
        "value-mismatch",
    ),
    (
        "string-like-crosses-parts",
        "StringLike",
        K,
        "arn:aws:someservice:*:111122223333:finance/*",
        "arn:aws:someservice:us-east-2:999999999999:store/abc:111122223333:finance/document.txt",
        True,
        "matched",
    ),
    ("like-values-or", "ArnLike", K, ["arn:aws:s3:::a", TOPIC], TOPIC, True, "matched"),
    ("like-missing", "ArnLike", K, TOPIC, None, False, "key-missing"),
    ("like-request-not-arn", "ArnLike", K, "arn:aws:sns:*:*:*", "topic", False, "bad-request-value"),
    ("bad-policy-five-parts", "ArnLike", K, "arn:aws:sns:*:*", TOPIC, False, "bad-policy-value"),
    ("bad-policy-null", "ArnLike", K, None, TOPIC, False, "bad-policy-value"),
    ("not-equals-differs", "ArnNotEquals", K, "arn:aws:sns:*:444455556666:*", TOPIC, True, "matched"),
    ("not-equals-same", "ArnNotEquals", K, TOPIC, TOPIC, False, "value-mismatch"),
    ("not-like-hit", "ArnNotLike", K, "arn:aws:sns:*:*:*", TOPIC, False, "value-mismatch"),
    ("not-like-missing", "ArnNotLike", K, TOPIC, None, True, "key-missing"),
    ("not-like-request-not-arn", "ArnNotLike", K, "arn:aws:sns:*:*:*", "topic", True, "bad-request-value"),
    ("not-equals-missing", "ArnNotEquals", K, TOPIC, None, True, "key-missing"),
    ("if-exists-missing", "ArnLikeIfExists", K, TOPIC, None, True, "if-exists-missing"),
    (
        "any-value",
        "ForAnyValue:ArnLike",
        "aws:PrincipalArns",
        "arn:aws:iam::*:role/Admin",
        ("arn:aws:iam::1:user/x", "arn:aws:iam::1:role/Admin"),
        True,
        "matched",
    ),
    (
        "all-values",
        "ForAllValues:ArnLike",
        "aws:PrincipalArns",
        "arn:aws:iam::*:role/*",
        ("arn:aws:iam::1:user/x", "arn:aws:iam::1:role/Admin"),
        False,
        "value-mismatch",
    ),
    (
        "all-values-missing",
        "ForAllValues:ArnLike",
        "aws:PrincipalArns",
        "arn:aws:iam::*:role/*",
        None,
        True,
        "key-missing",
    ),
]


@pytest.mark.parametrize(
    ("name", "operator", "key", "policy", "request_values", "matches", "reason"), CASES, ids=[c[0] for c in CASES]
)
def test_operators(
    name: str, operator: str, key: str, policy: Any, request_values: Any, matches: bool, reason: str, evaluate_one: Any
) -> None:
    assert evaluate_one(operator, key, policy, request_values) == (matches, reason)


VARIABLE_CASES = [
    (
        "account-variable",
        "arn:aws:iam::${aws:PrincipalAccount}:role/*",
        "arn:aws:iam::111122223333:role/App",
        True,
        "matched",
    ),
    (
        "account-variable-other",
        "arn:aws:iam::${aws:PrincipalAccount}:role/*",
        "arn:aws:iam::444455556666:role/App",
        False,
        "value-mismatch",
    ),
    (
        "unresolved",
        "arn:aws:iam::${aws:SourceAccount}:role/*",
        "arn:aws:iam::111122223333:role/App",
        False,
        "unresolved-variable",
    ),
]


@pytest.mark.parametrize(
    ("name", "policy", "request_value", "matches", "reason"), VARIABLE_CASES, ids=[c[0] for c in VARIABLE_CASES]
)
def test_arn_policy_variables(name: str, policy: str, request_value: str, matches: bool, reason: str) -> None:
    context = RequestContext(
        principal="arn:aws:iam::111122223333:role/App",
        action="sts:AssumeRole",
        resource="*",
        keys={"aws:PrincipalAccount": "111122223333", "aws:PrincipalArn": request_value},
    )
    result = evaluate_condition("ArnLike", "aws:PrincipalArn", policy, context)
    assert (result.matches, result.reason) == (matches, reason)
