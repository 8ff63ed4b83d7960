"""policylint.query: the access query language.

`can P do A on R [with ...]`, `who can A on R [with ...]`, `is R public`; see grammar/query.lark.

    from policylint.query import parse_query
    query = parse_query("can 111122223333 do kms:Decrypt on *")
"""

from __future__ import annotations

from policylint.query.errors import QuerySyntaxError
from policylint.query.model import (
    OUTCOMES,
    CanQuery,
    ContextEntry,
    IsPublicQuery,
    Outcome,
    PrincipalKind,
    Query,
    Span,
    WhoCanQuery,
)
from policylint.query.parse import (
    parse_expectation_line,
    parse_expectations,
    parse_queries,
    parse_query,
    query_parser,
)

__all__ = [
    "OUTCOMES",
    "CanQuery",
    "ContextEntry",
    "IsPublicQuery",
    "Outcome",
    "PrincipalKind",
    "Query",
    "QuerySyntaxError",
    "Span",
    "WhoCanQuery",
    "parse_expectation_line",
    "parse_expectations",
    "parse_queries",
    "parse_query",
    "query_parser",
]
