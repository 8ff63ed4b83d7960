from __future__ import annotations

from typing import Any

import pytest





K = "aws:SourceIp"

CASES = [
    ("v4-in-range", "IpAddress", K, "203.0.113.0/24", "203.0.113.7", True, "matched"),
    ("v4-out-of-range", "IpAddress", K, "203.0.113.0/24", "198.51.100.7", False, "value-mismatch"),
    ("v4-single-address", "IpAddress", K, "203.0.113.7", "203.0.113.7", True, "matched"),
    ("v4-single-address-other", "IpAddress", K, "203.0.113.7", "203.0.113.8", False, "value-mismatch"),
    ("v4-host-bits-ignored", "IpAddress", K, "203.0.113.5/24", "203.0.113.200", True, "matched"),
    ("v6-in-range", "IpAddress", K, "2001:DB8:1234:5678::/64", "2001:db8:1234:5678::1", True, "matched"),
    ("v6-out-of-range", "IpAddress", K, "2001:DB8:1234:5678::/64", "2001:db8:1234:5679::1", False, "value-mismatch"),
    ("v6-single", "IpAddress", K, "::1", "0:0:0:0:0:0:0:1", True, "matched"),
    ("v4-never-in-v6-range", "IpAddress", K, "::/0", "203.0.113.7", False, "value-mismatch"),
    ("v4-mapped-not-v4", "IpAddress", K, "203.0.113.0/24", "::ffff:203.0.113.7", False, "value-mismatch"),
    ("mixed-values-or", "IpAddress", K, ["203.0.113.0/24", "2001:DB8::/32"], "2001:db8::5", True, "matched"),
    ("missing", "IpAddress", K, "0.0.0.0/0", None, False, "key-missing"),
    ("bad-policy", "IpAddress", K, "300.1.1.1", "203.0.113.7", False, "bad-policy-value"),
    ("bad-policy-prefix", "IpAddress", K, "10.0.0.0/33", "10.0.0.1", False, "bad-policy-value"),
    ("bad-policy-number", "IpAddress", K, 10, "10.0.0.1", False, "bad-policy-value"),
    ("bad-request", "IpAddress", K, "0.0.0.0/0", "localhost", False, "bad-request-value"),
    ("not-outside", "NotIpAddress", K, "10.0.0.0/8", "203.0.113.7", True, "matched"),
    ("not-inside", "NotIpAddress", K, "10.0.0.0/8", "10.1.2.3", False, "value-mismatch"),
    ("not-nor", "NotIpAddress", K, ["10.0.0.0/8", "203.0.113.0/24"], "203.0.113.7", False, "value-mismatch"),
    ("not-v4-vs-v6-range", "NotIpAddress", K, "::/0", "203.0.113.7", True, "matched"),
    ("not-missing", "NotIpAddress", K, "10.0.0.0/8", None, True, "key-missing"),
    ("not-bad-request", "NotIpAddress", K, "10.0.0.0/8", "localhost", True, "bad-request-value"),
    ("if-exists-missing", "IpAddressIfExists", K, "10.0.0.0/8", None, True, "if-exists-missing"),
    ("not-if-exists-inside", "NotIpAddressIfExists", K, "10.0.0.0/8", "10.0.0.1", False, "value-mismatch"),
    ("any-value", "ForAnyValue:IpAddress", K, "10.0.0.0/8", ("1.1.1.1", "10.0.0.1"), True, "matched"),
    ("all-values", "ForAllValues:IpAddress", K, "10.0.0.0/8", ("1.1.1.1", "10.0.0.1"), False, "value-mismatch"),
    ("all-not-values", "ForAllValues:NotIpAddress", K, "10.0.0.0/8", ("1.1.1.1", "2.2.2.2"), True, "matched"),
]


@pytest.mark.parametrize(
    ("name", "operator", "key", "policy", "request_values", "matches", "reason"), CASES, ids=[c[0] for c in CASES]
)
def test_operators(
    name: str, operator: str, key: str, policy: Any, request_values: Any, matches: bool, reason: str, evaluate_one: Any
) -> None:
    assert evaluate_one(operator, key, policy, request_values) == (matches, reason)
