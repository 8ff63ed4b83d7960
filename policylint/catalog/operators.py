"""IAM condition operators: the known base operators, their families, and operator parsing.

An operator string is `[ForAllValues:|ForAnyValue:]BASE[IfExists]`. Names are matched
case-sensitively, as AWS does for condition operators.
Reference: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html
"""

from __future__ import annotations

from functools import lru_cache
from typing import Literal

from pydantic import BaseModel, ConfigDict

from policylint.trusted import record

Family = Literal["string", "numeric", "date", "bool", "binary", "ip", "arn", "null"]

BASE_OPERATORS: dict[str, Family] = {
    "StringEquals": "string",
    "StringNotEquals": "string",
    "StringEqualsIgnoreCase": "string",
    "StringNotEqualsIgnoreCase": "string",
    "StringLike": "string",
    "StringNotLike": "string",
    "NumericEquals": "numeric",
    "NumericNotEquals": "numeric",
    "NumericLessThan": "numeric",
    "NumericLessThanEquals": "numeric",
    "NumericGreaterThan": "numeric",
    "NumericGreaterThanEquals": "numeric",
    "DateEquals": "date",
    "DateNotEquals": "date",
    "DateLessThan": "date",
    "DateLessThanEquals": "date",
    "DateGreaterThan": "date",
    "DateGreaterThanEquals": "date",
    "Bool": "bool",
    "BinaryEquals": "binary",
    "IpAddress": "ip",
    "NotIpAddress": "ip",
    "ArnEquals": "arn",
    "ArnLike": "arn",
    "ArnNotEquals": "arn",
    "ArnNotLike": "arn",
    "Null": "null",
}

# Operators whose result is true when the key is absent from the request.
NEGATED_OPERATORS = frozenset(
    {
        "StringNotEquals",
        "StringNotEqualsIgnoreCase",
        "StringNotLike",
        "NumericNotEquals",
        "DateNotEquals",
        "NotIpAddress",
        "ArnNotEquals",
        "ArnNotLike",
    }
)

SetQualifier = Literal["ForAllValues", "ForAnyValue"]


class OperatorParts(BaseModel):
    """A parsed condition operator."""

    model_config = ConfigDict(frozen=True, defer_build=True)

    qualifier: SetQualifier | None
    base: str
    if_exists: bool
    family: Family

    @property
    def negated(self) -> bool:
        return self.base in NEGATED_OPERATORS


_operator_parts = record(OperatorParts)


@lru_cache(maxsize=1024)
def parse_operator(text: str) -> OperatorParts | None:
    """Parse an operator string; None when the base operator is unknown."""
    qualifier: SetQualifier | None = None
    rest = text
    for prefix in ("ForAllValues:", "ForAnyValue:"):
        if rest.startswith(prefix):
            qualifier = prefix[:-1]  # type: ignore[assignment]
            rest = rest[len(prefix):]
            break
    if_exists = False
    if rest.endswith("IfExists") and rest != "IfExists":
        if_exists = True
        rest = rest[: -len("IfExists")]
    family = BASE_OPERATORS.get(rest)
    if family is None:
        return None
    if rest == "Null" and if_exists:
        return None  # NullIfExists is not an operator
    return _operator_parts(qualifier=qualifier, base=rest, if_exists=if_exists, family=family)
