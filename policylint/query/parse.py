"""Parse access queries (`grammar/query.lark`) into typed query objects.

The grammar is read and each parser built once, on first use. Syntax errors become a
`QuerySyntaxError` whose message is named by the parser state where parsing stopped (see
`messages.EXAMPLES`); lark's own error text never reaches the user.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from functools import cache
from types import MappingProxyType
from typing import Literal

from lark import Lark, Token
from lark.exceptions import UnexpectedCharacters, UnexpectedInput, UnexpectedToken, VisitError

from policylint.data import data_dir
from policylint.query import messages
from policylint.query.build import Invalid, QueryBuilder
from policylint.query.errors import QuerySyntaxError
from policylint.query.model import Outcome, Query

Start = Literal["query", "expectation"]

_LINE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n|$)")


@cache
def _grammar() -> str:
    return (data_dir("grammar") / "query.lark").read_text(encoding="utf-8")


@cache
def query_parser(start: Start = "query") -> Lark:
    """The LALR parser for one start rule: `query`, or `expectation` (`QUERY => outcome`)."""
    return Lark(
        _grammar(),
        start=start,
        parser="lalr",
        lexer="contextual",
        propagate_positions=True,
        maybe_placeholders=False,
    )


@cache
def _state_messages(parser: Lark, start: Start) -> Mapping[int, str]:
    """Parser state -> message template, from the example mistakes in `messages`."""
    groups = messages.EXAMPLES
    if start == "expectation":
        groups = groups + messages.EXPECTATION_EXAMPLES
    table: dict[int, str] = {}
    for message, examples in groups:
        for example in examples:
            try:
                parser.parse(example)
            except UnexpectedInput as error:
                state = error.state.position
                if table.setdefault(state, message) != message:
                    raise RuntimeError(
                        f"example {example!r} gives state {state} both"
                        f" {table[state]!r} and {message!r}"
                    ) from None
            else:
                raise RuntimeError(f"example {example!r} parses as a {start}")
    return MappingProxyType(table)


def _state_message(start: Start, state: int, expected: frozenset[str]) -> str:
    """The message for a syntax error in parser `state` of the `start` parser."""
    template = _state_messages(query_parser(start), start).get(state)
    if template is None:
        return messages.expected_message(expected)
    end = messages.END_OF_QUERY if start == "query" else messages.END_OF_QUERY_IN_EXPECTATION
    return template.format(end=end)


def _syntax_error(text: str, error: UnexpectedInput, start: Start) -> QuerySyntaxError:
    if isinstance(error, UnexpectedCharacters):
        offset = error.pos_in_stream
        if text.startswith('"', offset):
            return QuerySyntaxError.at(text, offset, messages.UNTERMINATED_STRING)
        expected = frozenset(error.allowed or ())
    elif isinstance(error, UnexpectedToken):
        token: Token = error.token
        if token.type == "$END":
            offset = token.end_pos if token.end_pos is not None else 0
        else:
            offset = token.start_pos if token.start_pos is not None else 0
        expected = frozenset(error.expected)
    else:  # pragma: no cover - the LALR parser raises only the two above
        offset, expected = 0, frozenset()
    state = error.state.position if error.state is not None else -1
    message = _state_message(start, state, expected)
    return QuerySyntaxError.at(text, offset, message)


def _parse(text: str, start: Start) -> Query | tuple[Query, Outcome]:
    if not text.strip():
        raise QuerySyntaxError.at(text, 0, messages.EMPTY)
    try:
        tree = query_parser(start).parse(text)
    except UnexpectedInput as error:
        raise _syntax_error(text, error, start) from None
    try:
        result: Query | tuple[Query, Outcome] = QueryBuilder().transform(tree)
        return result
    except VisitError as error:
        if isinstance(error.orig_exc, Invalid):
            invalid = error.orig_exc
            raise QuerySyntaxError.at(text, invalid.offset, invalid.message) from None
        raise


def parse_query(text: str) -> Query:
    """Parse one query; raise `QuerySyntaxError` if it is not one.

    Spans in the result are offsets into `text`.
    """
    query = _parse(text, "query")
    assert not isinstance(query, tuple)
    return query


def parse_expectation_line(line: str) -> tuple[Query, Outcome]:
    """Parse `QUERY => allowed|denied|explicitly-denied|implicitly-denied`.

    The outcome is returned in lower case; spans are offsets into `line`.
    """
    result = _parse(line, "expectation")
    assert isinstance(result, tuple)
    return result


def _lines(text: str) -> Iterator[tuple[int, int, str]]:
    """(1-based line number, offset of the line, line without its break) for each line."""
    number = 0
    for match in _LINE.finditer(text):
        if match.start() == len(text) and number > 0:
            return
        number += 1
        yield number, match.start(), match.group().rstrip("\r\n")


def _numbered(text: str, start: Start) -> Iterator[tuple[int, Query | tuple[Query, Outcome]]]:
    for number, offset, line in _lines(text):
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue
        try:
            yield number, _parse(line, start)
        except QuerySyntaxError as error:
            raise QuerySyntaxError.at(text, offset + error.offset, error.message) from None


def parse_queries(text: str) -> list[tuple[int, Query]]:
    """Parse a file of queries, one per line; blank lines and `#` comment lines are skipped.

    Returns (1-based line number, query) pairs; spans are offsets into the query's own line.
    A `QuerySyntaxError` has its line, column and offset in the whole `text`.
    """
    queries: list[tuple[int, Query]] = []
    for number, query in _numbered(text, "query"):
        assert not isinstance(query, tuple)
        queries.append((number, query))
    return queries


def parse_expectations(text: str) -> list[tuple[int, Query, Outcome]]:
    """Parse an `--expect` file: `QUERY => outcome` lines, as `parse_queries` does queries."""
    expectations: list[tuple[int, Query, Outcome]] = []
    for number, result in _numbered(text, "expectation"):
        assert isinstance(result, tuple)
        expectations.append((number, *result))
    return expectations
