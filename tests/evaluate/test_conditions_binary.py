from __future__ import annotations

from typing import Any

import pytest





K = "custom:Blob"

CASES = [
    ("equals", "BinaryEquals", K, "QmluYXJ5VmFsdWVJbkJhc2U2NA==", "QmluYXJ5VmFsdWVJbkJhc2U2NA==", True, "matched"),
    ("mismatch", "BinaryEquals", K, "QmluYXJ5VmFsdWVJbkJhc2U2NA==", "QUJD", False, "value-mismatch"),
    ("case-matters", "BinaryEquals", K, "QUJD", "qujd", False, "value-mismatch"),
    ("values-or", "BinaryEquals", K, ["QUJD", "REVG"], "REVG", True, "matched"),
    ("missing", "BinaryEquals", K, "QUJD", None, False, "key-missing"),
    ("bad-policy", "BinaryEquals", K, "not base64!", "QUJD", False, "bad-policy-value"),
    ("bad-policy-padding", "BinaryEquals", K, "QUJ", "QUJD", False, "bad-policy-value"),
    ("bad-policy-number", "BinaryEquals", K, 12, "QUJD", False, "bad-policy-value"),
    ("bad-request", "BinaryEquals", K, "QUJD", "%%%", False, "bad-request-value"),
    ("if-exists-missing", "BinaryEqualsIfExists", K, "QUJD", None, True, "if-exists-missing"),
    ("any-value", "ForAnyValue:BinaryEquals", K, "QUJD", ("REVG", "QUJD"), True, "matched"),
    ("all-values", "ForAllValues:BinaryEquals", K, "QUJD", ("REVG", "QUJD"), False, "value-mismatch"),
]


@pytest.mark.parametrize(
    ("name", "operator", "key", "policy", "request_values", "matches", "reason"), CASES, ids=[c[0] for c in CASES]
)
def test_operators(
    name: str, operator: str, key: str, policy: Any, request_values: Any, matches: bool, reason: str, evaluate_one: Any
) -> None:
    assert evaluate_one(operator, key, policy, request_values) == (matches, reason)
