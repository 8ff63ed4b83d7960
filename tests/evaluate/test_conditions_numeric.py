from __future__ import annotations

from typing import Any

import pytest





K = "s3:max-keys"

CASES = [
    ("equals", "NumericEquals", K, "10", "10", True, "matched"),
    ("equals-decimal-forms", "NumericEquals", K, "10", "10.00", True, "matched"),
    ("equals-mismatch", "NumericEquals", K, "10", "11", False, "value-mismatch"),
    ("equals-json-int", "NumericEquals", K, 10, "10", True, "matched"),
    ("equals-json-float", "NumericEquals", K, 2.5, "2.5", True, "matched"),
    ("equals-negative", "NumericEquals", K, "-3", "-3.0", True, "matched"),
    ("equals-values-or", "NumericEquals", K, ["1", "2"], "2", True, "matched"),
    ("equals-missing", "NumericEquals", K, "10", None, False, "key-missing"),
    ("not-equals", "NumericNotEquals", K, "10", "11", True, "matched"),
    ("not-equals-same", "NumericNotEquals", K, "10", "10.0", False, "value-mismatch"),
    ("not-equals-nor", "NumericNotEquals", K, ["1", "2"], "2", False, "value-mismatch"),
    ("not-equals-missing", "NumericNotEquals", K, "10", None, True, "key-missing"),
    ("less-than", "NumericLessThan", K, "10", "9.99", True, "matched"),
    ("less-than-equal-value", "NumericLessThan", K, "10", "10", False, "value-mismatch"),
    ("less-than-equals", "NumericLessThanEquals", K, "10", "10", True, "matched"),
    ("less-than-equals-above", "NumericLessThanEquals", K, "10", "11", False, "value-mismatch"),
    ("greater-than", "NumericGreaterThan", K, "10", "10.5", True, "matched"),
    ("greater-than-equal-value", "NumericGreaterThan", K, "10", "10", False, "value-mismatch"),
    ("greater-than-equals", "NumericGreaterThanEquals", K, "10", "10", True, "matched"),
    ("greater-than-equals-below", "NumericGreaterThanEquals", K, "10", "-10", False, "value-mismatch"),
    ("bad-policy-word", "NumericLessThan", K, "ten", "9", False, "bad-policy-value"),
    ("bad-policy-exponent", "NumericLessThan", K, "1e3", "9", False, "bad-policy-value"),
    ("bad-policy-bool", "NumericEquals", K, True, "1", False, "bad-policy-value"),
    ("bad-policy-among-good", "NumericEquals", K, ["1", "x"], "1", False, "bad-policy-value"),
    ("bad-policy-missing-key", "NumericNotEquals", K, "x", None, False, "bad-policy-value"),
    ("bad-request", "NumericEquals", K, "10", "ten", False, "bad-request-value"),
    ("bad-request-negated", "NumericNotEquals", K, "10", "ten", True, "bad-request-value"),
    ("if-exists-missing", "NumericLessThanIfExists", K, "10", None, True, "if-exists-missing"),
    ("if-exists-present", "NumericLessThanIfExists", K, "10", "20", False, "value-mismatch"),
    ("any-value", "ForAnyValue:NumericGreaterThan", K, "10", ("1", "20"), True, "matched"),
    ("any-value-none", "ForAnyValue:NumericGreaterThan", K, "10", ("1", "2"), False, "value-mismatch"),
    ("any-value-missing", "ForAnyValue:NumericGreaterThan", K, "10", None, False, "key-missing"),
    ("all-values", "ForAllValues:NumericLessThan", K, "10", ("1", "2"), True, "matched"),
    ("all-values-one-out", "ForAllValues:NumericLessThan", K, "10", ("1", "20"), False, "value-mismatch"),
    ("all-values-bad-request", "ForAllValues:NumericLessThan", K, "10", ("1", "x"), False, "bad-request-value"),
    ("all-values-empty", "ForAllValues:NumericLessThan", K, "10", (), True, "key-missing"),
    ("all-not-equals", "ForAllValues:NumericNotEquals", K, ["1", "2"], ("3", "4"), True, "matched"),
    ("bare-multi", "NumericEquals", K, "1", ("1", "2"), False, "multiple-values-without-set-operator"),
]


@pytest.mark.parametrize(
    ("name", "operator", "key", "policy", "request_values", "matches", "reason"), CASES, ids=[c[0] for c in CASES]
)
def test_operators(
    name: str, operator: str, key: str, policy: Any, request_values: Any, matches: bool, reason: str, evaluate_one: Any
) -> None:
    assert evaluate_one(operator, key, policy, request_values) == (matches, reason)
