from __future__ import annotations

from typing import Any

import pytest

from policylint.evaluate.conditions import evaluate_condition
from policylint.evaluate.context import RequestContext

Request = Any  # None (key absent), one value, or a tuple of values


def _evaluate(operator: str, key: str, policy: Any, request: Request, **keys: Any) -> tuple[bool, str]:
    values = dict(keys)
    if request is not None:
        values[key] = request
    context = RequestContext(
        principal="arn:aws:iam::111122223333:user/bob", action="s3:ListBucket", resource="*", keys=values
    )
    result = evaluate_condition(operator, key, policy, context)
    return result.matches, result.reason


CASES = [
    # StringEquals / StringNotEquals
    ("equals-match", "StringEquals", "aws:username", "bob", "bob", True, "matched"),
    ("equals-mismatch", "StringEquals", "aws:username", "bob", "alice", False, "value-mismatch"),
    ("equals-case-sensitive", "StringEquals", "aws:username", "Bob", "bob", False, "value-mismatch"),
    ("equals-star-is-literal", "StringEquals", "aws:username", "b*", "bob", False, "value-mismatch"),
    ("equals-star-literal-match", "StringEquals", "aws:username", "b*", "b*", True, "matched"),
    ("equals-values-or", "StringEquals", "aws:username", ["alice", "bob"], "bob", True, "matched"),
    ("equals-missing", "StringEquals", "aws:username", "bob", None, False, "key-missing"),
    ("equals-json-bool", "StringEquals", "aws:SecureTransport", True, "true", True, "matched"),
    ("equals-json-int", "StringEquals", "s3:max-keys", 123, "123", True, "matched"),
    ("equals-json-float", "StringEquals", "k", 1.5, "1.5", True, "matched"),
    ("equals-json-null", "StringEquals", "k", None, "x", False, "bad-policy-value"),
    ("equals-nested-list", "StringEquals", "k", [["x"]], "x", False, "bad-policy-value"),
    ("equals-empty-string", "StringEquals", "s3:prefix", "", "", True, "matched"),
    ("not-equals-differs", "StringNotEquals", "aws:username", "bob", "alice", True, "matched"),
    ("not-equals-same", "StringNotEquals", "aws:username", "bob", "bob", False, "value-mismatch"),
    ("not-equals-missing", "StringNotEquals", "aws:username", "bob", None, True, "key-missing"),
    ("not-equals-nor-hit", "StringNotEquals", "aws:username", ["alice", "bob"], "bob", False, "value-mismatch"),
    ("not-equals-nor-none", "StringNotEquals", "aws:username", ["alice", "bob"], "carol", True, "matched"),
    # IgnoreCase
    ("ignore-case-match", "StringEqualsIgnoreCase", "aws:username", "BOB", "bob", True, "matched"),
    ("ignore-case-mismatch", "StringEqualsIgnoreCase", "aws:username", "BOB", "bobby", False, "value-mismatch"),
    ("ignore-case-star-literal", "StringEqualsIgnoreCase", "aws:username", "B*", "bob", False, "value-mismatch"),
    ("ignore-case-missing", "StringEqualsIgnoreCase", "aws:username", "bob", None, False, "key-missing"),
    ("not-ignore-case-same", "StringNotEqualsIgnoreCase", "aws:username", "BOB", "bob", False, "value-mismatch"),
    ("not-ignore-case-differs", "StringNotEqualsIgnoreCase", "aws:username", "BOB", "al", True, "matched"),
    ("not-ignore-case-missing", "StringNotEqualsIgnoreCase", "aws:username", "bob", None, True, "key-missing"),
    # StringLike / StringNotLike
    ("like-star", "StringLike", "s3:prefix", "home/*", "home/bob/x", True, "matched"),
    ("like-question", "StringLike", "s3:prefix", "home/b?b", "home/bob", True, "matched"),
    ("like-case-sensitive", "StringLike", "s3:prefix", "Home/*", "home/bob", False, "value-mismatch"),
    ("like-values-or", "StringLike", "s3:prefix", ["", "home/"], "home/", True, "matched"),
    ("like-missing", "StringLike", "s3:prefix", "*", None, False, "key-missing"),
    ("not-like-hit", "StringNotLike", "s3:prefix", "home/*", "home/bob", False, "value-mismatch"),
    ("not-like-no-hit", "StringNotLike", "s3:prefix", ["home/*", "tmp/*"], "etc/x", True, "matched"),
    ("not-like-missing", "StringNotLike", "s3:prefix", "home/*", None, True, "key-missing"),
    # IfExists
    ("if-exists-missing", "StringEqualsIfExists", "ec2:InstanceType", "t2.micro", None, True, "if-exists-missing"),
    ("if-exists-present-match", "StringLikeIfExists", "ec2:InstanceType", "t2.*", "t2.micro", True, "matched"),
    (
        "if-exists-present-mismatch",
        "StringLikeIfExists",
        "ec2:InstanceType",
        "t2.*",
        "m5.large",
        False,
        "value-mismatch",
    ),
    ("if-exists-empty", "StringLikeIfExists", "ec2:InstanceType", "t2.*", (), True, "if-exists-missing"),
    ("not-if-exists-missing", "StringNotEqualsIfExists", "k", "x", None, True, "if-exists-missing"),
    ("not-if-exists-same", "StringNotEqualsIfExists", "k", "x", "x", False, "value-mismatch"),
    # ForAnyValue
    ("any-one-hit", "ForAnyValue:StringEquals", "aws:TagKeys", ["env", "team"], ("team", "cost"), True, "matched"),
    ("any-no-hit", "ForAnyValue:StringEquals", "aws:TagKeys", ["env"], ("team", "cost"), False, "value-mismatch"),
    ("any-single-value", "ForAnyValue:StringEquals", "aws:TagKeys", ["env"], "env", True, "matched"),
    ("any-missing", "ForAnyValue:StringEquals", "aws:TagKeys", ["env"], None, False, "key-missing"),
    ("any-empty", "ForAnyValue:StringEquals", "aws:TagKeys", ["env"], (), False, "key-missing"),
    ("any-like", "ForAnyValue:StringLike", "aws:TagKeys", "tmp-*", ("a", "tmp-1"), True, "matched"),
    ("any-not-equals-one-outside", "ForAnyValue:StringNotEquals", "aws:TagKeys", ["a"], ("a", "x"), True, "matched"),
    (
        "any-not-equals-all-inside",
        "ForAnyValue:StringNotEquals",
        "aws:TagKeys",
        ["a", "b"],
        ("a", "b"),
        False,
        "value-mismatch",
    ),
    ("any-not-equals-missing", "ForAnyValue:StringNotEquals", "aws:TagKeys", ["a"], None, False, "key-missing"),
    (
        "any-if-exists-missing",
        "ForAnyValue:StringEqualsIfExists",
        "aws:TagKeys",
        ["a"],
        None,
        True,
        "if-exists-missing",
    ),
    # ForAllValues
    ("all-inside", "ForAllValues:StringEquals", "aws:TagKeys", ["env", "team"], ("team", "env"), True, "matched"),
    ("all-one-outside", "ForAllValues:StringEquals", "aws:TagKeys", ["env"], ("env", "cost"), False, "value-mismatch"),
    ("all-missing-vacuous", "ForAllValues:StringEquals", "aws:TagKeys", ["env"], None, True, "key-missing"),
    ("all-empty-vacuous", "ForAllValues:StringEquals", "aws:TagKeys", ["env"], (), True, "key-missing"),
    ("all-like", "ForAllValues:StringLike", "aws:TagKeys", ["key1*"], ("key1:a", "key1:b"), True, "matched"),
    ("all-not-like-none-hit", "ForAllValues:StringNotLike", "aws:TagKeys", "key1*", ("key2:audit",), True, "matched"),
    (
        "all-not-like-one-hits",
        "ForAllValues:StringNotLike",
        "aws:TagKeys",
        "key1*",
        ("key1:hr", "x"),
        False,
        "value-mismatch",
    ),
    ("all-not-like-missing", "ForAllValues:StringNotLike", "aws:TagKeys", "key1*", None, True, "key-missing"),
    ("all-ignore-case", "ForAllValues:StringEqualsIgnoreCase", "aws:TagKeys", ["ENV"], ("env", "Env"), True, "matched"),
    # several request values without a set operator
    (
        "bare-positive-multi",
        "StringEquals",
        "aws:TagKeys",
        "a",
        ("a", "b"),
        False,
        "multiple-values-without-set-operator",
    ),
    (
        "bare-negated-multi",
        "StringNotEquals",
        "aws:TagKeys",
        "c",
        ("a", "b"),
        True,
        "multiple-values-without-set-operator",
    ),
    ("bare-single-in-tuple", "StringEquals", "aws:TagKeys", "a", ("a",), True, "matched"),
]


@pytest.mark.parametrize(
    ("name", "operator", "key", "policy", "request_values", "matches", "reason"), CASES, ids=[c[0] for c in CASES]
)
def test_string_operators(
    name: str, operator: str, key: str, policy: Any, request_values: Request, matches: bool, reason: str
) -> None:
    assert _evaluate(operator, key, policy, request_values) == (matches, reason)


VARIABLE_CASES = [
    ("like-variable", "StringLike", "home/${aws:username}/*", True, "home/bob/x", True, "matched"),
    ("like-variable-other-user", "StringLike", "home/${aws:username}/*", True, "home/al/x", False, "value-mismatch"),
    ("equals-variable", "StringEquals", "${aws:username}", True, "bob", True, "matched"),
    ("variables-disabled", "StringEquals", "${aws:username}", False, "bob", False, "value-mismatch"),
    ("variables-disabled-literal", "StringEquals", "${aws:username}", False, "${aws:username}", True, "matched"),
    ("escaped-star-literal", "StringLike", "a${*}", True, "ab", False, "value-mismatch"),
    ("escaped-star-match", "StringLike", "a${*}", True, "a*", True, "matched"),
    ("escaped-star-equals", "StringEquals", "a${*}", True, "a*", True, "matched"),
    ("default-value", "StringEquals", "${aws:PrincipalTag/team, 'none'}", True, "none", True, "matched"),
    ("unresolved-positive", "StringLike", "${aws:PrincipalTag/team}", True, "x", False, "unresolved-variable"),
    ("unresolved-negated", "StringNotLike", "${aws:PrincipalTag/team}", True, "x", False, "unresolved-variable"),
    (
        "unresolved-among-values",
        "StringEquals",
        ["x", "${aws:PrincipalTag/team}"],
        True,
        "x",
        False,
        "unresolved-variable",
    ),
    ("ignore-case-variable", "StringEqualsIgnoreCase", "${aws:username}", True, "BOB", True, "matched"),
]


@pytest.mark.parametrize(
    ("name", "operator", "policy", "enabled", "request_value", "matches", "reason"),
    VARIABLE_CASES,
    ids=[c[0] for c in VARIABLE_CASES],
)
def test_string_policy_variables(
    name: str, operator: str, policy: Any, enabled: bool, request_value: str, matches: bool, reason: str
) -> None:
    context = RequestContext(
        principal="arn:aws:iam::111122223333:user/bob",
        action="s3:ListBucket",
        resource="*",
        keys={"aws:username": "bob", "s3:prefix": request_value},
    )
    result = evaluate_condition(operator, "s3:prefix", policy, context, variables_enabled=enabled)
    assert (result.matches, result.reason) == (matches, reason)
