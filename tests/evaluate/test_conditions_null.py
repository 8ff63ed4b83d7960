from __future__ import annotations

from typing import Any

import pytest





K = "aws:TokenIssueTime"

CASES = [
    ("true-absent", "Null", K, "true", None, True, "matched"),
    ("true-present", "Null", K, "true", "2020-01-01T00:00:00Z", False, "value-mismatch"),
    ("false-present", "Null", K, "false", "2020-01-01T00:00:00Z", True, "matched"),
    ("false-absent", "Null", K, "false", None, False, "value-mismatch"),
    ("empty-is-absent", "Null", K, "true", (), True, "matched"),
    ("empty-not-present", "Null", K, "false", (), False, "value-mismatch"),
    ("multivalued-present", "Null", "aws:TagKeys", "false", ("a", "b"), True, "matched"),
    ("policy-case", "Null", K, "TRUE", None, True, "matched"),
    ("json-bool", "Null", K, True, None, True, "matched"),
    ("both-values", "Null", K, ["true", "false"], "x", True, "matched"),
    ("bad-policy", "Null", K, "maybe", None, False, "bad-policy-value"),
    ("set-operator-ignored", "ForAllValues:Null", K, "false", None, False, "value-mismatch"),
    ("no-if-exists-form", "NullIfExists", K, "true", None, False, "unknown-operator"),
]


@pytest.mark.parametrize(
    ("name", "operator", "key", "policy", "request_values", "matches", "reason"), CASES, ids=[c[0] for c in CASES]
)
def test_operators(
    name: str, operator: str, key: str, policy: Any, request_values: Any, matches: bool, reason: str, evaluate_one: Any
) -> None:
    assert evaluate_one(operator, key, policy, request_values) == (matches, reason)
