"""Turn a query parse tree into typed query objects, checking what the grammar leaves open.

The grammar only fixes the shape. Here a principal is classified (and must be one of the four
kinds), a resource must be an ARN or `*`, a key must look like a condition key, a `can` action
must be exact, strings are decoded with JSON escapes, and a key may be given only once.
Failures raise `Invalid` with the offset of the offending part.
"""

from __future__ import annotations

import json
import re
from typing import NamedTuple, cast

from lark import Token, Transformer, v_args
from lark.tree import Meta

from policylint.query import messages
from policylint.query.model import (
    CanQuery,
    ContextEntry,
    IsPublicQuery,
    Outcome,
    PrincipalKind,
    Query,
    Span,
    WhoCanQuery,
)

_ACCOUNT_ID = re.compile(r"[0-9]{12}")
_SERVICE_PRINCIPAL = re.compile(r"[a-z0-9-]+(?:\.[a-z0-9-]+)+")


class Invalid(Exception):
    """A part of a query that parsed but is not acceptable; `offset` is where it starts."""

    def __init__(self, message: str, offset: int) -> None:
        super().__init__(message)
        self.message = message
        self.offset = offset


class _Part(NamedTuple):
    value: str
    span: Span


class _Principal(NamedTuple):
    value: str
    kind: PrincipalKind
    span: Span


class _Value(NamedTuple):
    values: tuple[str, ...]
    multivalued: bool
    span: Span
    item_spans: tuple[Span, ...]


def _token_span(token: Token) -> Span:
    return Span(start=token.start_pos, end=token.end_pos)


def _meta_span(meta: Meta) -> Span:
    return Span(start=meta.start_pos, end=meta.end_pos)


def decode(token: Token) -> str:
    """The text of a bare token, or the decoded content of a `STRING` token."""
    if token.type != "STRING":
        return str(token)
    raw = str(token)
    try:
        value = json.loads(raw, strict=False)
    except json.JSONDecodeError as error:
        backslash = raw.rfind("\\", 0, error.pos + 1)
        escape = raw[backslash : min(backslash + 6, len(raw) - 1)]
        if not escape.startswith("\\u"):
            escape = escape[:2]
        raise Invalid(messages.INVALID_ESCAPE.format(escape=escape), token.start_pos + backslash)
    try:
        value.encode("utf-8")
    except UnicodeEncodeError as error:
        raise Invalid(messages.LONE_SURROGATE, token.start_pos) from error
    return value


def classify_principal(text: str) -> tuple[str, PrincipalKind] | None:
    """Normalise and classify a principal as written, or return None if it is none of them."""
    if text.lower() == "anonymous":
        return "anonymous", "anonymous"
    if _ACCOUNT_ID.fullmatch(text):
        return f"arn:aws:iam::{text}:root", "account"
    if text.startswith("arn:"):
        parts = text.split(":", 5)
        if len(parts) != 6:
            return None
        _, partition, service, region, account, resource = parts
        if not partition or service not in ("iam", "sts") or region or not resource:
            return None
        if not _ACCOUNT_ID.fullmatch(account):
            return None
        if service == "iam" and resource == "root":
            return text, "account"
        return text, "arn"
    if _SERVICE_PRINCIPAL.fullmatch(text):
        return text, "service"
    return None


def is_resource(text: str) -> bool:
    """True for `*` and for an ARN with a partition, a service and a resource part."""
    if text == "*":
        return True
    parts = text.split(":", 5)
    return len(parts) == 6 and parts[0] == "arn" and all(parts[i] for i in (1, 2, 5))


def is_condition_key(text: str) -> bool:
    """True for `prefix:name` with both parts non-empty (`aws:SourceIp`)."""
    prefix, colon, name = text.partition(":")
    return bool(prefix and colon and name) and not any(ch.isspace() for ch in prefix)


class QueryBuilder(Transformer[Token, object]):
    """Builds one `Query` (start rule `query`) or `(Query, outcome)` (start rule `expectation`)."""

    def query(self, children: list[Query]) -> Query:
        return children[0]

    def expectation(self, children: list[object]) -> tuple[Query, Outcome]:
        query, outcome = children
        assert isinstance(outcome, Token)
        assert isinstance(query, (CanQuery, WhoCanQuery, IsPublicQuery))
        return query, cast(Outcome, str(outcome).lower())

    @v_args(meta=True)
    def can_query(self, meta: Meta, children: list[object]) -> CanQuery:
        principal, action, resource, *context = children
        assert isinstance(principal, _Principal)
        assert isinstance(action, _Part) and isinstance(resource, _Part)
        if "*" in action.value or "?" in action.value:
            raise Invalid(messages.WILDCARD_ACTION, action.span.start)
        return CanQuery(
            principal=principal.value,
            principal_kind=principal.kind,
            action=action.value,
            resource=resource.value,
            context=context[0] if context else (),
            span=_meta_span(meta),
            principal_span=principal.span,
            action_span=action.span,
            resource_span=resource.span,
        )

    @v_args(meta=True)
    def who_can_query(self, meta: Meta, children: list[object]) -> WhoCanQuery:
        action, resource, *context = children
        assert isinstance(action, _Part) and isinstance(resource, _Part)
        return WhoCanQuery(
            action=action.value,
            resource=resource.value,
            context=context[0] if context else (),
            span=_meta_span(meta),
            action_span=action.span,
            resource_span=resource.span,
        )

    @v_args(meta=True)
    def is_public_query(self, meta: Meta, children: list[_Part]) -> IsPublicQuery:
        (resource,) = children
        return IsPublicQuery(
            resource=resource.value, span=_meta_span(meta), resource_span=resource.span
        )

    def principal(self, children: list[Token]) -> _Principal:
        (token,) = children
        classified = classify_principal(decode(token))
        if classified is None:
            raise Invalid(messages.PRINCIPAL, token.start_pos)
        value, kind = classified
        return _Principal(value, kind, _token_span(token))

    def action(self, children: list[Token]) -> _Part:
        (token,) = children
        return _Part(str(token), _token_span(token))

    def resource(self, children: list[Token]) -> _Part:
        (token,) = children
        value = decode(token)
        if not is_resource(value):
            raise Invalid(messages.RESOURCE, token.start_pos)
        return _Part(value, _token_span(token))

    public_resource = resource

    def context(self, children: list[ContextEntry]) -> tuple[ContextEntry, ...]:
        seen: set[str] = set()
        for entry in children:
            folded = entry.key.lower()
            if folded in seen:
                raise Invalid(messages.DUPLICATE_KEY.format(key=entry.key), entry.key_span.start)
            seen.add(folded)
        return tuple(children)

    @v_args(meta=True)
    def entry(self, meta: Meta, children: list[object]) -> ContextEntry:
        key, value = children
        assert isinstance(key, _Part) and isinstance(value, _Value)
        return ContextEntry(
            key=key.value,
            values=value.values,
            multivalued=value.multivalued,
            span=_meta_span(meta),
            key_span=key.span,
            value_span=value.span,
            value_spans=value.item_spans,
        )

    def key(self, children: list[Token]) -> _Part:
        (token,) = children
        value = decode(token)
        if not is_condition_key(value):
            raise Invalid(messages.KEY, token.start_pos)
        return _Part(value, _token_span(token))

    def value(self, children: list[object]) -> _Value:
        (value,) = children
        if isinstance(value, _Value):
            return value
        assert isinstance(value, _Part)
        return _Value((value.value,), False, value.span, (value.span,))

    @v_args(meta=True)
    def list(self, meta: Meta, children: list[_Part]) -> _Value:
        return _Value(
            tuple(item.value for item in children),
            True,
            _meta_span(meta),
            tuple(item.span for item in children),
        )

    def scalar(self, children: list[Token]) -> _Part:
        (token,) = children
        return _Part(decode(token), _token_span(token))

    element = scalar
