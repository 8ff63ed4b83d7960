"""IP address condition operators: `IpAddress`, `NotIpAddress`.

Policy values are IPv4 or IPv6 CIDR ranges (`203.0.113.0/24`, `2001:DB8:1234:5678::/64`) or
single addresses (a /32 or /128 range); host bits set in a range are ignored. A request address
is in a range only when both are the same IP version, so an IPv4 address never matches an IPv6
range. A request value that is not an address satisfies nothing (`NotIpAddress` is then true).
Reference: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html#Conditions_IPAddress
"""

from __future__ import annotations

import ipaddress
from typing import Any

from policylint.catalog.operators import OperatorParts
from policylint.evaluate.conditions.base import (
    Comparison,
    ConditionResult,
    PolicyItem,
    bad_policy_value,
    evaluate_values,
    raw_text,
)

Address = ipaddress.IPv4Address | ipaddress.IPv6Address
Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def read_address(text: str) -> Address | None:
    try:
        return ipaddress.ip_address(text)
    except ValueError:
        return None


def read_network(text: str) -> Network | None:
    try:
        return ipaddress.ip_network(text, strict=False)
    except ValueError:
        return None


def _contains(policy: Network, request: Address) -> bool:
    return policy.version == request.version and request in policy


_COMPARISON = Comparison(read_address, _contains, "is in", "is not in", "ip address")


def evaluate(
    parts: OperatorParts, policy_values: tuple[Any, ...], request_values: tuple[str, ...] | None
) -> ConditionResult:
    items: list[PolicyItem] = []
    for value in policy_values:
        network = read_network(value) if isinstance(value, str) else None
        if network is None:
            return bad_policy_value(raw_text(value), "ip address or cidr range")
        items.append(PolicyItem(value, network))
    return evaluate_values(parts, items, request_values, _COMPARISON)
