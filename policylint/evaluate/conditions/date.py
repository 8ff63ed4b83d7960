"""Date condition operators: `DateEquals`, `DateNotEquals`, `DateLessThan`,
`DateLessThanEquals`, `DateGreaterThan`, `DateGreaterThanEquals`.

Values are W3C ISO 8601 dates or date-times (`2020-01-01`, `2020-01-01T00:00:01Z`,
`2020-01-01T09:30:00+05:30`, optional fractional seconds) or epoch seconds (`1577836801`,
also as a JSON number); they are compared as instants. A value without a zone is taken as UTC;
a date alone is its midnight. An all-digit value is always epoch seconds (so a bare year is not
accepted as a date). `DateLessThan` with `2020-01-01` holds for a request instant before it.
Reference: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html#Conditions_Date
"""

from __future__ import annotations

import operator as op
import re
from datetime import datetime, timedelta, timezone
from decimal import Decimal
from functools import cache
from types import MappingProxyType
from typing import Any

from policylint.catalog.operators import OperatorParts
from policylint.evaluate.conditions.base import (
    Comparison,
    ConditionResult,
    PolicyItem,
    bad_policy_value,
    evaluate_values,
    raw_text,
    read_decimal,
)
from policylint.evaluate.conditions.numeric import policy_number

# Fixed pattern (never built from policy text), without nested repetition: linear time.
_ISO_8601 = (
    r"(\d{4})-(\d{2})(?:-(\d{2})(?:[Tt ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d+))?)?)?)?"
    r"(?:([Zz])|([+-])(\d{2})(?::?(\d{2}))?)?"
)

_EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)


def _iso_instant(text: str) -> Decimal | None:
    found = re.fullmatch(_ISO_8601, text)
    if found is None:
        return None
    year, month, day, hour, minute, second, fraction, _zulu, sign, zone_hours, zone_minutes = found.groups()
    offset = timedelta(0)
    if sign is not None:
        offset = timedelta(hours=int(zone_hours), minutes=int(zone_minutes or 0))
        if sign == "-":
            offset = -offset
    try:
        moment = datetime(
            int(year),
            int(month),
            int(day or 1),
            int(hour or 0),
            int(minute or 0),
            int(second or 0),
            tzinfo=timezone(offset),
        )
    except ValueError:
        return None
    delta = moment - _EPOCH
    seconds = Decimal(delta.days) * 86400 + delta.seconds
    return seconds + Decimal(f"0.{fraction}") if fraction else seconds


def read_instant(text: str) -> Decimal | None:
    """An instant as epoch seconds, from epoch seconds or an ISO 8601 date or date-time."""
    epoch = read_decimal(text)
    if epoch is not None:
        return epoch
    return _iso_instant(text)


def policy_instant(value: Any) -> Decimal | None:
    """A date policy value: a JSON number (epoch seconds) or a date / epoch string."""
    if isinstance(value, str):
        return read_instant(value)
    return policy_number(value)


def _request_op(compare: Any) -> Any:
    def test(policy: Decimal, request: Decimal) -> bool:
        return bool(compare(request, policy))

    return test


@cache
def _comparisons() -> MappingProxyType[str, Comparison]:
    def comparison(compare: Any, holds: str, fails: str) -> Comparison:
        return Comparison(read_instant, _request_op(compare), holds, fails, "date")

    equals = comparison(op.eq, "is the same instant as", "is not the same instant as")
    return MappingProxyType(
        {
            "DateEquals": equals,
            "DateNotEquals": equals,
            "DateLessThan": comparison(op.lt, "is before", "is not before"),
            "DateLessThanEquals": comparison(op.le, "is at or before", "is not at or before"),
            "DateGreaterThan": comparison(op.gt, "is after", "is not after"),
            "DateGreaterThanEquals": comparison(op.ge, "is at or after", "is not at or after"),
        }
    )


def evaluate(
    parts: OperatorParts, policy_values: tuple[Any, ...], request_values: tuple[str, ...] | None
) -> ConditionResult:
    items: list[PolicyItem] = []
    for value in policy_values:
        instant = policy_instant(value)
        if instant is None:
            return bad_policy_value(raw_text(value), "date")
        items.append(PolicyItem(raw_text(value), instant))
    return evaluate_values(parts, items, request_values, _comparisons()[parts.base])
