from __future__ import annotations

from typing import Any

import pytest





K = "aws:SecureTransport"

CASES = [
    ("true", "Bool", K, "true", "true", True, "matched"),
    ("false", "Bool", K, "false", "false", True, "matched"),
    ("mismatch", "Bool", K, "false", "true", False, "value-mismatch"),
    ("policy-case", "Bool", K, "TRUE", "true", True, "matched"),
    ("request-case", "Bool", K, "true", "True", True, "matched"),
    ("json-bool", "Bool", K, True, "true", True, "matched"),
    ("json-bool-false", "Bool", K, False, "true", False, "value-mismatch"),
    ("values-or", "Bool", K, ["true", "false"], "false", True, "matched"),
    ("missing", "Bool", K, "false", None, False, "key-missing"),
    ("bad-policy", "Bool", K, "yes", "true", False, "bad-policy-value"),
    ("bad-policy-number", "Bool", K, 1, "true", False, "bad-policy-value"),
    ("bad-request", "Bool", K, "true", "1", False, "bad-request-value"),
    ("if-exists-missing", "BoolIfExists", "aws:MultiFactorAuthPresent", "false", None, True, "if-exists-missing"),
    ("if-exists-present", "BoolIfExists", "aws:MultiFactorAuthPresent", "false", "true", False, "value-mismatch"),
    ("any-value", "ForAnyValue:Bool", K, "true", ("false", "true"), True, "matched"),
    ("all-values", "ForAllValues:Bool", K, "true", ("false", "true"), False, "value-mismatch"),
    ("all-values-missing", "ForAllValues:Bool", K, "true", None, True, "key-missing"),
    ("bare-multi", "Bool", K, "true", ("true", "true"), False, "multiple-values-without-set-operator"),
]


@pytest.mark.parametrize(
    ("name", "operator", "key", "policy", "request_values", "matches", "reason"), CASES, ids=[c[0] for c in CASES]
)
def test_operators(
    name: str, operator: str, key: str, policy: Any, request_values: Any, matches: bool, reason: str, evaluate_one: Any
) -> None:
    assert evaluate_one(operator, key, policy, request_values) == (matches, reason)
