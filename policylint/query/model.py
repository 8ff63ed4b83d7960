"""Typed access queries, as the parser returns them.

Every part carries its source span: 0-based character offsets, half-open
(`text[span.start:span.end]` is the part as written, quotes and brackets included).
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict

PrincipalKind = Literal["arn", "account", "anonymous", "service"]
Outcome = Literal["allowed", "denied", "explicitly-denied", "implicitly-denied"]
OUTCOMES: tuple[Outcome, ...] = ("allowed", "denied", "explicitly-denied", "implicitly-denied")


class Span(BaseModel):
    model_config = ConfigDict(frozen=True)

    start: int
    end: int


class ContextEntry(BaseModel):
    """One `KEY = VALUE` of a `with` clause.

    A single value gives `values=(value,)` and `multivalued=False`; a list `[...]` gives its
    items and `multivalued=True` (an empty list is an empty multi-valued key).
    """

    model_config = ConfigDict(frozen=True)

    key: str
    values: tuple[str, ...]
    multivalued: bool
    span: Span
    key_span: Span
    value_span: Span
    value_spans: tuple[Span, ...]


class CanQuery(BaseModel):
    """`can PRINCIPAL do ACTION on RESOURCE [with ...]`.

    `principal_kind` is `account` for a bare account id and for an account root ARN (both are
    given as `arn:PARTITION:iam::ID:root`, a bare id in partition `aws`), `arn` for any other
    IAM or STS ARN, `anonymous` for `anonymous` (principal `anonymous`), and `service` for a
    service principal such as `cloudtrail.amazonaws.com`.
    """

    model_config = ConfigDict(frozen=True)

    principal: str
    principal_kind: PrincipalKind
    action: str
    resource: str
    context: tuple[ContextEntry, ...]
    span: Span
    principal_span: Span
    action_span: Span
    resource_span: Span


class WhoCanQuery(BaseModel):
    """`who can ACTION on RESOURCE [with ...]`; the action may hold `*` and `?` wildcards."""

    model_config = ConfigDict(frozen=True)

    action: str
    resource: str
    context: tuple[ContextEntry, ...]
    span: Span
    action_span: Span
    resource_span: Span


class IsPublicQuery(BaseModel):
    """`is RESOURCE public`."""

    model_config = ConfigDict(frozen=True)

    resource: str
    span: Span
    resource_span: Span


Query = CanQuery | WhoCanQuery | IsPublicQuery
