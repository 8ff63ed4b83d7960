"""The binary condition operator `BinaryEquals`: policy and request values are base64 text,
compared byte for byte after decoding. A value that is not base64 is a bad policy value (in the
policy) or satisfies nothing (in the request).
Reference: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html#Conditions_BinaryEquals
"""

from __future__ import annotations

import base64
import binascii
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


def read_base64(text: str) -> bytes | None:
    if not text.isascii():
        return None
    try:
        return base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        return None


def _equal(policy: bytes, request: bytes) -> bool:
    return policy == request


_COMPARISON = Comparison(read_base64, _equal, "equals", "does not equal", "base64 value")


def evaluate(
    parts: OperatorParts, policy_values: tuple[Any, ...], request_values: tuple[str, ...] | None
) -> ConditionResult:
    items: list[PolicyItem] = []
    for value in policy_values:
        decoded = read_base64(value) if isinstance(value, str) else None
        if decoded is None:
            return bad_policy_value(raw_text(value), "base64 value")
        items.append(PolicyItem(value, decoded))
    return evaluate_values(parts, items, request_values, _COMPARISON)
