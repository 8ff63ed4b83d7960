"""Every detail text the condition evaluator produces, compared as whole results."""

from __future__ import annotations

from typing import Any

import pytest

from policylint.evaluate.conditions import ConditionResult, evaluate_condition
from policylint.evaluate.context import RequestContext


def _evaluate(operator: str, key: str, policy: Any, request: Any, *, multivalued: bool = False) -> ConditionResult:
    keys: dict[str, Any] = {"aws:username": "bob"}
    if request is not None:
        keys[key] = request
    context = RequestContext(
        principal="arn:aws:iam::111122223333:user/bob", action="s3:ListBucket", resource="*", keys=keys
    )
    return evaluate_condition(operator, key, policy, context, multivalued=multivalued)


def _result(matches: bool, reason: str, detail: str) -> ConditionResult:
    return ConditionResult(matches=matches, reason=reason, detail=detail)  # type: ignore[arg-type]


CASES = [
    (
        "matched",
        ("StringEquals", "k", "a", "a"),
        _result(True, "matched", "condition `StringEquals` on `k`: request value `a` equals `a`"),
    ),
    (
        "mismatch-one-value",
        ("StringEquals", "k", "a", "b"),
        _result(False, "value-mismatch", "condition `StringEquals` on `k`: request value `b` does not equal `a`"),
    ),
    (
        "mismatch-several-values",
        ("StringEquals", "k", ["a", "c"], "b"),
        _result(
            False, "value-mismatch", "condition `StringEquals` on `k`: request value `b` does not equal any of `a`, `c`"
        ),
    ),
    (
        "negated-matched",
        ("StringNotEquals", "k", ["a", "c"], "b"),
        _result(
            True, "matched", "condition `StringNotEquals` on `k`: request value `b` does not equal any of `a`, `c`"
        ),
    ),
    (
        "negated-mismatch",
        ("StringNotEquals", "k", ["a", "c"], "c"),
        _result(False, "value-mismatch", "condition `StringNotEquals` on `k`: request value `c` equals `c`"),
    ),
    (
        "missing-positive",
        ("StringEquals", "k", "a", None),
        _result(False, "key-missing", "condition `StringEquals` on `k`: the key is not in the request"),
    ),
    (
        "empty-positive",
        ("StringEquals", "k", "a", ()),
        _result(False, "key-missing", "condition `StringEquals` on `k`: the key has no values in the request"),
    ),
    (
        "missing-negated",
        ("StringNotLike", "k", "a", None),
        _result(
            True,
            "key-missing",
            "condition `StringNotLike` on `k`: "
            "the key is not in the request, and a negated operator matches a missing key",
        ),
    ),
    (
        "missing-if-exists",
        ("StringLikeIfExists", "k", "a", None),
        _result(
            True,
            "if-exists-missing",
            "condition `StringLikeIfExists` on `k`: the key is not in the request, "
            "and `StringLikeIfExists` matches a missing key",
        ),
    ),
    (
        "missing-for-all-values",
        ("ForAllValues:StringEquals", "k", "a", None),
        _result(
            True,
            "key-missing",
            "condition `ForAllValues:StringEquals` on `k`: the key is not in the request, "
            "and `ForAllValues:StringEquals` matches an empty set",
        ),
    ),
    (
        "missing-for-any-value",
        ("ForAnyValue:StringEquals", "k", "a", None),
        _result(
            False,
            "key-missing",
            "condition `ForAnyValue:StringEquals` on `k`: the key is not in the request, "
            "and `ForAnyValue:StringEquals` needs at least one value",
        ),
    ),
    (
        "for-all-values-matched",
        ("ForAllValues:StringEquals", "k", ["a", "b"], ("a", "b")),
        _result(
            True,
            "matched",
            "condition `ForAllValues:StringEquals` on `k`: every request value of `a`, `b` satisfies "
            "`ForAllValues:StringEquals`",
        ),
    ),
    (
        "for-all-values-failure",
        ("ForAllValues:StringEquals", "k", ["a"], ("a", "b")),
        _result(
            False,
            "value-mismatch",
            "condition `ForAllValues:StringEquals` on `k`: request value `b` does not equal `a`",
        ),
    ),
    (
        "for-any-value-witness",
        ("ForAnyValue:StringEquals", "k", ["b"], ("a", "b")),
        _result(True, "matched", "condition `ForAnyValue:StringEquals` on `k`: request value `b` equals `b`"),
    ),
    (
        "for-any-value-none",
        ("ForAnyValue:StringEquals", "k", ["c"], ("a", "b")),
        _result(
            False,
            "value-mismatch",
            "condition `ForAnyValue:StringEquals` on `k`: "
            "no request value of `a`, `b` satisfies `ForAnyValue:StringEquals`",
        ),
    ),
    (
        "for-any-value-none-single",
        ("ForAnyValue:StringEquals", "k", ["c"], ("a",)),
        _result(
            False, "value-mismatch", "condition `ForAnyValue:StringEquals` on `k`: request value `a` does not equal `c`"
        ),
    ),
    (
        "bare-operator-several-values",
        ("StringEquals", "k", "a", ("a", "b")),
        _result(
            False,
            "multiple-values-without-set-operator",
            "condition `StringEquals` on `k`: the key has 2 values in the request (`a`, `b`) and `StringEquals` "
            "has no `ForAnyValue` or `ForAllValues` set operator",
        ),
    ),
    (
        "bad-request-value",
        ("NumericEquals", "k", "1", "one"),
        _result(
            False, "bad-request-value", "condition `NumericEquals` on `k`: request value `one` is not a valid number"
        ),
    ),
    (
        "bad-request-value-any",
        ("ForAnyValue:IpAddress", "k", "10.0.0.0/8", ("x", "1.1.1.1")),
        _result(
            False,
            "bad-request-value",
            "condition `ForAnyValue:IpAddress` on `k`: "
            "no request value of `x`, `1.1.1.1` satisfies `ForAnyValue:IpAddress`",
        ),
    ),
    (
        "unresolved-whole-value",
        ("StringEquals", "k", "${aws:PrincipalTag/team}", "a"),
        _result(
            False,
            "unresolved-variable",
            "condition `StringEquals` on `k`: "
            "policy variable `${aws:PrincipalTag/team}` has no single value in the request",
        ),
    ),
    (
        "unresolved-inside-value",
        ("StringLike", "k", "home/${aws:PrincipalTag/team}/*", "a"),
        _result(
            False,
            "unresolved-variable",
            "condition `StringLike` on `k`: policy variable `${aws:PrincipalTag/team}` in "
            "`home/${aws:PrincipalTag/team}/*` has no single value in the request",
        ),
    ),
    (
        "resolved-value-shown",
        ("StringLike", "k", "home/${aws:username}/*", "x"),
        _result(
            False, "value-mismatch", "condition `StringLike` on `k`: request value `x` does not match `home/bob/*`"
        ),
    ),
    (
        "unknown-operator",
        ("StringEqualz", "k", "a", "a"),
        _result(False, "unknown-operator", "condition operator `StringEqualz` is not known"),
    ),
    (
        "null-absent-matched",
        ("Null", "k", "true", None),
        _result(True, "matched", "condition `Null` on `k`: the key is not in the request, as `true` requires"),
    ),
    (
        "null-present-matched",
        ("Null", "k", "false", "x"),
        _result(True, "matched", "condition `Null` on `k`: the key is in the request, as `false` requires"),
    ),
    (
        "null-needs-absent",
        ("Null", "k", "true", "x"),
        _result(
            False,
            "value-mismatch",
            "condition `Null` on `k`: the key is in the request, but `true` requires it to be absent",
        ),
    ),
    (
        "null-needs-present",
        ("Null", "k", "false", None),
        _result(
            False,
            "value-mismatch",
            "condition `Null` on `k`: the key is not in the request, but `false` requires it to be present",
        ),
    ),
    (
        "null-no-values",
        ("Null", "k", [], None),
        _result(False, "bad-policy-value", "condition `Null` on `k`: the condition gives no policy value"),
    ),
    (
        "no-policy-values",
        ("StringNotEquals", "k", [], "x"),
        _result(False, "bad-policy-value", "condition `StringNotEquals` on `k`: the condition gives no policy value"),
    ),
]


@pytest.mark.parametrize(("name", "arguments", "expected"), CASES, ids=[c[0] for c in CASES])
def test_condition_messages(name: str, arguments: tuple[str, str, Any, Any], expected: ConditionResult) -> None:
    assert _evaluate(*arguments) == expected


def test_multivalued_key_advice() -> None:
    assert _evaluate("StringEquals", "aws:TagKeys", "a", ("a", "b"), multivalued=True) == _result(
        False,
        "multiple-values-without-set-operator",
        "condition `StringEquals` on `aws:TagKeys`: the key has 2 values in the request (`a`, `b`) and `StringEquals` "
        "has no `ForAnyValue` or `ForAllValues` set operator; `aws:TagKeys` is multivalued, "
        "so use `ForAnyValue` or `ForAllValues`",
    )


BAD_POLICY_CASES = [
    ("string", "StringEquals", None, "policy value `null` is not a valid string"),
    ("number", "NumericEquals", "ten", "policy value `ten` is not a valid number"),
    ("date", "DateEquals", "someday", "policy value `someday` is not a valid date"),
    ("boolean", "Bool", "yes", "policy value `yes` is not a valid boolean"),
    ("binary", "BinaryEquals", "@@", "policy value `@@` is not a valid base64 value"),
    ("ip", "IpAddress", "10.0.0.0/99", "policy value `10.0.0.0/99` is not a valid ip address or cidr range"),
    ("arn", "ArnLike", "arn:aws:s3", "policy value `arn:aws:s3` is not a valid arn"),
    ("null", "Null", "maybe", "policy value `maybe` is not a valid boolean"),
    ("list", "NumericEquals", [[1]], "policy value `[1]` is not a valid number"),
]


@pytest.mark.parametrize(
    ("name", "operator", "policy", "detail"), BAD_POLICY_CASES, ids=[c[0] for c in BAD_POLICY_CASES]
)
def test_bad_policy_value_messages(name: str, operator: str, policy: Any, detail: str) -> None:
    assert _evaluate(operator, "k", policy, "x") == _result(
        False, "bad-policy-value", f"condition `{operator}` on `k`: {detail}"
    )


PHRASE_CASES = [
    ("StringEqualsIgnoreCase", "A", "a", "request value `a` equals ignoring case `A`"),
    ("StringNotEqualsIgnoreCase", "A", "b", "request value `b` does not equal ignoring case `A`"),
    ("StringLike", "a*", "ab", "request value `ab` matches `a*`"),
    ("StringNotLike", "a*", "b", "request value `b` does not match `a*`"),
    ("NumericEquals", "1", "1", "request value `1` equals `1`"),
    ("NumericNotEquals", "1", "2", "request value `2` does not equal `1`"),
    ("NumericLessThan", "1", "0", "request value `0` is less than `1`"),
    ("NumericLessThan", "1", "2", "request value `2` is not less than `1`"),
    ("NumericLessThanEquals", "1", "1", "request value `1` is at most `1`"),
    ("NumericLessThanEquals", "1", "2", "request value `2` is not at most `1`"),
    ("NumericGreaterThan", "1", "2", "request value `2` is greater than `1`"),
    ("NumericGreaterThan", "1", "0", "request value `0` is not greater than `1`"),
    ("NumericGreaterThanEquals", "1", "1", "request value `1` is at least `1`"),
    ("NumericGreaterThanEquals", "1", "0", "request value `0` is not at least `1`"),
    ("DateEquals", "2020-01-01", "1577836800", "request value `1577836800` is the same instant as `2020-01-01`"),
    ("DateNotEquals", "2020-01-01", "0", "request value `0` is not the same instant as `2020-01-01`"),
    ("DateLessThan", "2020-01-01", "0", "request value `0` is before `2020-01-01`"),
    ("DateLessThan", "1970-01-01", "0", "request value `0` is not before `1970-01-01`"),
    ("DateLessThanEquals", "1970-01-01", "0", "request value `0` is at or before `1970-01-01`"),
    ("DateLessThanEquals", "1970-01-01", "1", "request value `1` is not at or before `1970-01-01`"),
    ("DateGreaterThan", "1970-01-01", "1", "request value `1` is after `1970-01-01`"),
    ("DateGreaterThan", "1970-01-01", "0", "request value `0` is not after `1970-01-01`"),
    ("DateGreaterThanEquals", "1970-01-01", "0", "request value `0` is at or after `1970-01-01`"),
    ("DateGreaterThanEquals", "1970-01-02", "0", "request value `0` is not at or after `1970-01-02`"),
    ("DateEquals", "2020-01-01", "never", "request value `never` is not a valid date"),
    ("Bool", "true", "TRUE", "request value `TRUE` is `true`"),
    ("Bool", "true", "false", "request value `false` is not `true`"),
    ("Bool", "true", "1", "request value `1` is not a valid boolean"),
    ("BinaryEquals", "QUJD", "QUJD", "request value `QUJD` equals `QUJD`"),
    ("BinaryEquals", "QUJD", "!", "request value `!` is not a valid base64 value"),
    ("IpAddress", "10.0.0.0/8", "10.0.0.1", "request value `10.0.0.1` is in `10.0.0.0/8`"),
    ("NotIpAddress", "10.0.0.0/8", "1.1.1.1", "request value `1.1.1.1` is not in `10.0.0.0/8`"),
    ("IpAddress", "10.0.0.0/8", "ten", "request value `ten` is not a valid ip address"),
    ("ArnLike", "arn:aws:s3:::*", "arn:aws:s3:::b", "request value `arn:aws:s3:::b` matches `arn:aws:s3:::*`"),
    (
        "ArnNotLike",
        "arn:aws:s3:::a",
        "arn:aws:s3:::b",
        "request value `arn:aws:s3:::b` does not match `arn:aws:s3:::a`",
    ),
    ("ArnEquals", "arn:aws:s3:::*", "b", "request value `b` is not a valid arn"),
]


@pytest.mark.parametrize(
    ("operator", "policy", "request_value", "detail"), PHRASE_CASES, ids=[f"{c[0]}-{c[2]}" for c in PHRASE_CASES]
)
def test_comparison_phrases(operator: str, policy: str, request_value: str, detail: str) -> None:
    assert _evaluate(operator, "k", policy, request_value).detail == f"condition `{operator}` on `k`: {detail}"
