from __future__ import annotations

from typing import Any

import pytest





K = "aws:CurrentTime"

CASES = [
    ("equals-same-zone", "DateEquals", K, "2020-01-01T00:00:00Z", "2020-01-01T00:00:00Z", True, "matched"),
    ("equals-across-zones", "DateEquals", K, "2020-01-01T05:30:00+05:30", "2020-01-01T00:00:00Z", True, "matched"),
    ("equals-compact-offset", "DateEquals", K, "2019-12-31T19:00:00-0500", "2020-01-01T00:00:00Z", True, "matched"),
    ("equals-no-zone-is-utc", "DateEquals", K, "2020-01-01T00:00:00", "2020-01-01T00:00:00Z", True, "matched"),
    ("equals-date-only", "DateEquals", K, "2020-01-01", "2020-01-01T00:00:00Z", True, "matched"),
    ("equals-year-month", "DateEquals", K, "2020-01", "2020-01-01T00:00:00Z", True, "matched"),
    ("equals-epoch-policy", "DateEquals", K, "1577836800", "2020-01-01T00:00:00Z", True, "matched"),
    ("equals-epoch-json", "DateEquals", K, 1577836800, "2020-01-01T00:00:00Z", True, "matched"),
    ("equals-epoch-request", "DateEquals", "aws:EpochTime", "2020-01-01T00:00:00Z", "1577836800", True, "matched"),
    ("equals-fraction", "DateEquals", K, "2020-01-01T00:00:00.5Z", "1577836800.5", True, "matched"),
    ("equals-no-seconds", "DateEquals", K, "2020-01-01T10:20Z", "2020-01-01T10:20:00Z", True, "matched"),
    ("equals-mismatch", "DateEquals", K, "2020-01-01", "2020-01-02", False, "value-mismatch"),
    ("equals-missing", "DateEquals", K, "2020-01-01", None, False, "key-missing"),
    ("not-equals", "DateNotEquals", K, "2020-01-01", "2020-01-02", True, "matched"),
    (
        "not-equals-same-instant",
        "DateNotEquals",
        K,
        "2020-01-01T01:00:00+01:00",
        "2020-01-01T00:00:00Z",
        False,
        "value-mismatch",
    ),
    ("not-equals-missing", "DateNotEquals", K, "2020-01-01", None, True, "key-missing"),
    ("less-than", "DateLessThan", K, "2020-01-01T00:00:00Z", "2019-12-31T23:59:59Z", True, "matched"),
    ("less-than-zone-shift", "DateLessThan", K, "2020-01-01T00:00:00Z", "2020-01-01T00:30:00+01:00", True, "matched"),
    ("less-than-same", "DateLessThan", K, "2020-01-01", "2020-01-01", False, "value-mismatch"),
    ("less-than-equals", "DateLessThanEquals", K, "2020-01-01", "2020-01-01", True, "matched"),
    (
        "greater-than",
        "DateGreaterThan",
        "aws:TokenIssueTime",
        "2020-01-01T00:00:01Z",
        "2020-06-01T00:00:00Z",
        True,
        "matched",
    ),
    (
        "greater-than-before",
        "DateGreaterThan",
        "aws:TokenIssueTime",
        "2020-01-01T00:00:01Z",
        "2019-06-01",
        False,
        "value-mismatch",
    ),
    ("greater-than-equals", "DateGreaterThanEquals", K, "2020-01-01", "1577836800", True, "matched"),
    ("greater-than-equals-before", "DateGreaterThanEquals", K, "2020-01-01", "1577836799", False, "value-mismatch"),
    ("bad-policy-word", "DateLessThan", K, "yesterday", "2020-01-01", False, "bad-policy-value"),
    ("bad-policy-month", "DateLessThan", K, "2020-13-01", "2020-01-01", False, "bad-policy-value"),
    ("bad-policy-zone", "DateLessThan", K, "2020-01-01T00:00:00+25:00", "2020-01-01", False, "bad-policy-value"),
    ("bad-policy-wildcard", "DateLessThan", K, "2020-*", "2020-01-01", False, "bad-policy-value"),
    ("bad-policy-bool", "DateLessThan", K, False, "2020-01-01", False, "bad-policy-value"),
    ("bad-request", "DateLessThan", K, "2020-01-01", "soon", False, "bad-request-value"),
    ("bad-request-negated", "DateNotEquals", K, "2020-01-01", "soon", True, "bad-request-value"),
    (
        "if-exists-missing",
        "DateGreaterThanIfExists",
        "aws:TokenIssueTime",
        "2020-01-01",
        None,
        True,
        "if-exists-missing",
    ),
    ("any-value", "ForAnyValue:DateLessThan", K, "2020-01-01", ("2021-01-01", "2019-01-01"), True, "matched"),
    ("all-values", "ForAllValues:DateLessThan", K, "2020-01-01", ("2021-01-01", "2019-01-01"), False, "value-mismatch"),
    ("all-values-missing", "ForAllValues:DateLessThan", K, "2020-01-01", None, True, "key-missing"),
]


@pytest.mark.parametrize(
    ("name", "operator", "key", "policy", "request_values", "matches", "reason"), CASES, ids=[c[0] for c in CASES]
)
def test_operators(
    name: str, operator: str, key: str, policy: Any, request_values: Any, matches: bool, reason: str, evaluate_one: Any
) -> None:
    assert evaluate_one(operator, key, policy, request_values) == (matches, reason)
