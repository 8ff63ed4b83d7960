from __future__ import annotations

import random
import re
import time
from collections.abc import Iterator

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from lark import Lark
from lark.parsers.lalr_analysis import Shift

from policylint.query import (
    CanQuery,
    ContextEntry,
    IsPublicQuery,
    Query,
    QuerySyntaxError,
    Span,
    WhoCanQuery,
    parse_expectation_line,
    parse_expectations,
    parse_queries,
    parse_query,
)
from policylint.query import messages
from policylint.query import parse as parse_module

USER = "arn:aws:iam::111122223333:user/alice"
KEY = "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab"
ALIAS = "arn:aws:kms:us-east-1:111122223333:alias/finance"
CAN = f"can {USER} do kms:Decrypt on *"

PRINCIPAL = (
    "expected a principal: an IAM ARN, a 12-digit account id, `anonymous`"
    " or a service principal like `cloudtrail.amazonaws.com`"
)
RESOURCE = "expected a resource: an ARN or `*`"
CONDITION_KEY = "expected a condition key like `aws:SourceIp`"
VALUE = 'expected a value: a word, a quoted string or a list like `["a", "b"]`'
AFTER_VALUE = "expected `,` or end of query after the value"
AFTER_RESOURCE = "expected `with` or end of query after the resource"
OUTCOME = (
    "expected an outcome after `=>`: `allowed`, `denied`, `explicitly-denied`"
    " or `implicitly-denied`"
)


def at(text: str, part: str, after: Span | None = None) -> Span:
    """The span of the first `part` in `text` (after the span `after`)."""
    start = text.index(part, after.end if after else 0)
    return Span(start=start, end=start + len(part))


def whole(text: str) -> Span:
    return Span(start=0, end=len(text))


def entry(
    text: str,
    key_text: str,
    value_text: str,
    key: str,
    values: tuple[str, ...],
    items: tuple[str, ...] | None = None,
) -> ContextEntry:
    """The entry written `key_text = value_text` (spaces as in `text`) in `text`.

    `items` are the source texts of the list items; without it the value is single.
    """
    key_span = at(text, key_text)
    value_start = text.index(value_text, key_span.end)
    value_span = Span(start=value_start, end=value_start + len(value_text))
    if items is None:
        value_spans: tuple[Span, ...] = (value_span,)
    else:
        spans = []
        cursor = value_start
        for item in items:
            cursor = text.index(item, cursor)
            spans.append(Span(start=cursor, end=cursor + len(item)))
            cursor += len(item)
        value_spans = tuple(spans)
    return ContextEntry(
        key=key,
        values=values,
        multivalued=items is not None,
        span=Span(start=key_span.start, end=value_span.end),
        key_span=key_span,
        value_span=value_span,
        value_spans=value_spans,
    )


def can(
    text: str,
    principal_text: str,
    principal: str,
    kind: str,
    action: str,
    resource_text: str,
    resource: str,
    context: tuple[ContextEntry, ...] = (),
) -> CanQuery:
    return CanQuery(
        principal=principal,
        principal_kind=kind,  # type: ignore[arg-type]
        action=action,
        resource=resource,
        context=context,
        span=Span(start=0, end=len(text.rstrip())),
        principal_span=at(text, principal_text),
        action_span=at(text, action, at(text, principal_text)),
        resource_span=at(text, resource_text, at(text, action, at(text, principal_text))),
    )


def who(text: str, action: str, resource_text: str, resource: str, *context: ContextEntry) -> WhoCanQuery:
    return WhoCanQuery(
        action=action,
        resource=resource,
        context=context,
        span=Span(start=0, end=len(text.rstrip())),
        action_span=at(text, action),
        resource_span=at(text, resource_text, at(text, action)),
    )


def is_public(text: str, resource_text: str, resource: str) -> IsPublicQuery:
    return IsPublicQuery(
        resource=resource, span=Span(start=0, end=len(text.rstrip())), resource_span=at(text, resource_text)
    )


def _valid() -> Iterator[tuple[str, str, Query]]:
    q = f"can {USER} do kms:Decrypt on {KEY}"
    yield "user arn", q, can(q, USER, USER, "arn", "kms:Decrypt", KEY, KEY)
    role = "arn:aws:iam::111122223333:role/Admin"
    q = f"can {role} do kms:Encrypt on {ALIAS}"
    yield "role arn, alias arn", q, can(q, role, role, "arn", "kms:Encrypt", ALIAS, ALIAS)
    session = "arn:aws:sts::111122223333:assumed-role/R/s"
    q = f"can {session} do s3:GetObject on arn:aws:s3:::bucket/key"
    yield "assumed-role session, s3 object", q, can(
        q, session, session, "arn", "s3:GetObject", "arn:aws:s3:::bucket/key", "arn:aws:s3:::bucket/key"
    )
    root = "arn:aws:iam::111122223333:root"
    q = f"can {root} do kms:Decrypt on *"
    yield "account root arn", q, can(q, root, root, "account", "kms:Decrypt", "*", "*")
    root_cn = "arn:aws-cn:iam::111122223333:root"
    q = f"can {root_cn} do kms:Decrypt on *"
    yield "account root arn in another partition", q, can(
        q, root_cn, root_cn, "account", "kms:Decrypt", "*", "*"
    )
    q = "can 111122223333 do kms:Decrypt on *"
    yield "bare account id", q, can(q, "111122223333", root, "account", "kms:Decrypt", "*", "*")
    q = "can anonymous do s3:GetObject on arn:aws:s3:::bucket/*"
    yield "anonymous", q, can(
        q, "anonymous", "anonymous", "anonymous", "s3:GetObject", "arn:aws:s3:::bucket/*", "arn:aws:s3:::bucket/*"
    )
    q = "can ANONYMOUS do s3:GetObject on *"
    yield "anonymous is case-insensitive", q, can(q, "ANONYMOUS", "anonymous", "anonymous", "s3:GetObject", "*", "*")
    q = "can cloudtrail.amazonaws.com do kms:GenerateDataKey on *"
    yield "service principal", q, can(
        q, "cloudtrail.amazonaws.com", "cloudtrail.amazonaws.com", "service", "kms:GenerateDataKey", "*", "*"
    )
    q = f'can "cloudtrail.amazonaws.com" do kms:Decrypt on "{KEY}"'
    yield "quoted principal and resource", q, can(
        q, '"cloudtrail.amazonaws.com"', "cloudtrail.amazonaws.com", "service", "kms:Decrypt", f'"{KEY}"', KEY
    )
    q = 'can "arn:aws:iam::111122223333:user/\\u0061lice" do kms:Decrypt on "*"'
    yield "quoted principal with an escape", q, can(
        q, '"arn:aws:iam::111122223333:user/\\u0061lice"', USER, "arn", "kms:Decrypt", '"*"', "*"
    )
    q = f"CAN {USER} DO kms:Decrypt ON * WITH aws:SourceIp = 10.0.0.1"
    yield "keywords in upper case, values kept", q, can(
        q, USER, USER, "arn", "kms:Decrypt", "*", "*", (entry(q, "aws:SourceIp", "10.0.0.1", "aws:SourceIp", ("10.0.0.1",)),)
    )
    q = f"Can {USER}\n  Do kms:Decrypt\n\tOn *\n"
    yield "newlines and tabs between tokens", q, can(q, USER, USER, "arn", "kms:Decrypt", "*", "*")
    q = f"{CAN} with kms:EncryptionContext:Dept = Finance"
    yield "one bare value", q, can(
        q, USER, USER, "arn", "kms:Decrypt", "*", "*",
        (entry(q, "kms:EncryptionContext:Dept", "Finance", "kms:EncryptionContext:Dept", ("Finance",)),),
    )
    q = f"{CAN} with kms:ViaService=s3.us-east-1.amazonaws.com,aws:PrincipalTag/team=a+b=c@d/*?"
    yield "bare values with every allowed symbol, no spaces", q, can(
        q, USER, USER, "arn", "kms:Decrypt", "*", "*",
        (
            entry(q, "kms:ViaService", "s3.us-east-1.amazonaws.com", "kms:ViaService", ("s3.us-east-1.amazonaws.com",)),
            entry(q, "aws:PrincipalTag/team", "a+b=c@d/*?", "aws:PrincipalTag/team", ("a+b=c@d/*?",)),
        ),
    )
    value = r'"say \"hi\"\t\\ \u00e9\n"'
    q = f"{CAN} with kms:EncryptionContext:Note = {value}"
    yield "quoted value with JSON escapes", q, can(
        q, USER, USER, "arn", "kms:Decrypt", "*", "*",
        (entry(q, "kms:EncryptionContext:Note", value, "kms:EncryptionContext:Note", ('say "hi"\t\\ é\n',)),),
    )
    q = f'{CAN} with "kms:EncryptionContext:my key" = "", aws:SourceIp = "1.2.3.4"'
    yield "quoted key, empty string value", q, can(
        q, USER, USER, "arn", "kms:Decrypt", "*", "*",
        (
            entry(q, '"kms:EncryptionContext:my key"', '""', "kms:EncryptionContext:my key", ("",)),
            entry(q, "aws:SourceIp", '"1.2.3.4"', "aws:SourceIp", ("1.2.3.4",)),
        ),
    )
    q = f'{CAN} with aws:TagKeys = ["a", b, "c,d"], aws:CalledVia = [], kms:ViaService = [ x ]'
    yield "lists: mixed items, empty, one item", q, can(
        q, USER, USER, "arn", "kms:Decrypt", "*", "*",
        (
            entry(q, "aws:TagKeys", '["a", b, "c,d"]', "aws:TagKeys", ("a", "b", "c,d"), ('"a"', "b", '"c,d"')),
            entry(q, "aws:CalledVia", "[]", "aws:CalledVia", (), ()),
            entry(q, "kms:ViaService", "[ x ]", "kms:ViaService", ("x",), ("x",)),
        ),
    )
    q = f"who can kms:Decrypt on {KEY}"
    yield "who can", q, who(q, "kms:Decrypt", KEY, KEY)
    q = "WHO CAN kms:* on *"
    yield "who can, upper case, wildcard action", q, who(q, "kms:*", "*", "*")
    q = 'who can kms:Re?ncrypt* on "*" with kms:CallerAccount = 111122223333'
    yield "who can with ? and *, quoted resource, context", q, who(
        q, "kms:Re?ncrypt*", '"*"', "*",
        entry(q, "kms:CallerAccount", "111122223333", "kms:CallerAccount", ("111122223333",)),
    )
    q = f"is {KEY} public"
    yield "is public", q, is_public(q, KEY, KEY)
    q = 'Is "arn:aws:s3:::my bucket" PUBLIC'
    yield "is public, quoted, mixed case keywords", q, is_public(q, '"arn:aws:s3:::my bucket"', "arn:aws:s3:::my bucket")
    q = "is * public"
    yield "is * public", q, is_public(q, "*", "*")


VALID = list(_valid())


@pytest.mark.parametrize(("name", "text", "expected"), VALID, ids=[case[0] for case in VALID])
def test_valid_queries(name: str, text: str, expected: Query) -> None:
    assert parse_query(text) == expected


def test_spans_cover_the_source_text() -> None:
    text = f'can 111122223333 do kms:Decrypt on "*" with k:a = ["x", y]'
    query = parse_query(text)
    assert isinstance(query, CanQuery)
    (context,) = query.context
    parts = [query.principal_span, query.action_span, query.resource_span, context.key_span, context.value_span]
    parts += list(context.value_spans)
    assert [text[s.start : s.end] for s in parts] == [
        "111122223333", "kms:Decrypt", '"*"', "k:a", '["x", y]', '"x"', "y",
    ]


INVALID = [
    # (name, text, message, line, column)
    ("empty", "", "empty query: start with `can`, `who can` or `is`", 1, 1),
    ("blank", "  \n ", "empty query: start with `can`, `who can` or `is`", 1, 1),
    ("unknown first word", "show me", "unknown query: start with `can`, `who can` or `is`", 1, 1),
    ("keyword runs into a word", "isx public", "unknown query: start with `can`, `who can` or `is`", 1, 1),
    ("who without can", "who kms:Decrypt on *", "expected `can` after `who`", 1, 5),
    ("no principal", "can", PRINCIPAL, 1, 4),
    ("bare user name", "can alice do kms:Decrypt on *", PRINCIPAL, 1, 5),
    ("star principal", "can * do kms:Decrypt on *", PRINCIPAL, 1, 5),
    ("s3 arn as principal", "can arn:aws:s3:::bucket do kms:Decrypt on *", PRINCIPAL, 1, 5),
    ("short account in arn", "can arn:aws:iam::1111:user/a do kms:Decrypt on *", PRINCIPAL, 1, 5),
    ("11-digit account id", "can 11112222333 do kms:Decrypt on *", PRINCIPAL, 1, 5),
    ("empty quoted principal", 'can "" do kms:Decrypt on *', PRINCIPAL, 1, 5),
    ("missing do", f"can {USER} kms:Decrypt on *", "expected `do` after the principal", 1, 42),
    ("missing do at end", f"can {USER}", "expected `do` after the principal", 1, 41),
    ("missing do, quoted", 'can "111122223333" kms:Decrypt', "expected `do` after the principal", 1, 20),
    ("action without service", f"can {USER} do Decrypt on *", "expected an action like `kms:Decrypt`", 1, 45),
    ("no action", f"can {USER} do", "expected an action like `kms:Decrypt`", 1, 44),
    ("who can, no action", "who can on *", "expected an action like `kms:Decrypt`", 1, 9),
    (
        "wildcard in a can action",
        f"can {USER} do kms:Re*crypt on *",
        "expected an exact action like `kms:Decrypt`: wildcards only work in `who can`",
        1,
        45,
    ),
    ("missing on", f"can {USER} do kms:Decrypt *", "expected `on` after the action", 1, 57),
    ("who can, missing on", "who can kms:Decrypt for *", "expected `on` after the action", 1, 21),
    ("missing resource", f"can {USER} do kms:Decrypt on", RESOURCE, 1, 59),
    ("bucket name as resource", f"can {USER} do s3:GetObject on bucket", RESOURCE, 1, 61),
    ("arn without resource part", "is arn:aws:kms:us-east-1:111122223333: public", RESOURCE, 1, 4),
    ("missing public", "is *", "expected `public` after the resource", 1, 5),
    ("wrong word for public", "is * open", "expected `public` after the resource", 1, 6),
    ("trailing word after public", "is * public now", "expected end of query after `public`", 1, 13),
    ("semicolon runs into the resource", f"{CAN};", RESOURCE, 1, 60),
    ("where instead of with", f"{CAN} where a:b = c", AFTER_RESOURCE, 1, 62),
    ("with and nothing", f"{CAN} with", CONDITION_KEY, 1, 66),
    ("key without prefix", f"{CAN} with Dept = x", CONDITION_KEY, 1, 67),
    ("quoted key without prefix", f'{CAN} with ":x" = y', CONDITION_KEY, 1, 67),
    ("trailing comma", f"{CAN} with a:b = c,", CONDITION_KEY, 1, 75),
    ("missing =", f"{CAN} with a:b c", "expected `=` after the condition key", 1, 71),
    ("colon instead of =", f"{CAN} with a:b: c", "expected `=` after the condition key", 1, 72),
    ("missing value", f"{CAN} with a:b =", VALUE, 1, 72),
    ("value starts badly", f"{CAN} with a:b = {{x}}", VALUE, 1, 73),
    ("two values without a comma", f"{CAN} with a:b = c d", AFTER_VALUE, 1, 75),
    ("character outside a bare value", f"{CAN} with a:b = c$d", AFTER_VALUE, 1, 74),
    ("semicolon after value", f"{CAN} with a:b = c;", AFTER_VALUE, 1, 74),
    ("after a list", f"{CAN} with a:b = [c] d", AFTER_VALUE, 1, 77),
    ("unclosed list", f"{CAN} with a:b = [c", "expected `,` or `]` after the list item", 1, 75),
    ("list without commas", f'{CAN} with a:b = ["c" "d"]', "expected `,` or `]` after the list item", 1, 78),
    ("open list at end", f"{CAN} with a:b = [", "expected a value or `]` in the list", 1, 74),
    ("trailing comma in list", f"{CAN} with a:b = [c,]", "expected a value after `,` in the list", 1, 76),
    ("nested list", f"{CAN} with a:b = [[c]]", "expected a value or `]` in the list", 1, 74),
    ("unterminated string value", f'{CAN} with a:b = "abc', "unterminated string", 1, 73),
    ("string broken by a newline", f'{CAN} with a:b = "ab\nc"', "unterminated string", 1, 73),
    ("unterminated quoted principal", 'can "arn:aws', "unterminated string", 1, 5),
    ("invalid escape", f'{CAN} with a:b = "a\\qb"', "invalid escape `\\q` in string", 1, 75),
    ("short unicode escape", f'{CAN} with a:b = "\\u12"', "invalid escape `\\u12` in string", 1, 74),
    ("lone surrogate", f'{CAN} with a:b = "\\ud800"', "string holds an unpaired surrogate escape", 1, 73),
    ("repeated key", f"{CAN} with a:b = 1, c:d = 2, a:b = 3", "key `a:b` given twice", 1, 85),
    ("repeated key, other case", f"{CAN} with aws:SourceIp = 1, AWS:sourceip = 2", "key `AWS:sourceip` given twice", 1, 85),
    ("error on a later line", f"can {USER}\n do kms:Decrypt\n on *\n with Dept = 1", CONDITION_KEY, 4, 7),
]


@pytest.mark.parametrize(
    ("name", "text", "message", "line", "column"), INVALID, ids=[case[0] for case in INVALID]
)
def test_invalid_queries(name: str, text: str, message: str, line: int, column: int) -> None:
    with pytest.raises(QuerySyntaxError) as caught:
        parse_query(text)
    error = caught.value
    assert (error.message, error.line, error.column) == (message, line, column)
    assert str(error) == message


RENDERED = [
    (
        "missing do",
        "can alice kms:Decrypt on *",
        "1:11: expected `do` after the principal\ncan alice kms:Decrypt on *\n          ^",
    ),
    (
        "end of input points just past the last token",
        "who can kms:Decrypt  ",
        "1:20: expected `on` after the action\nwho can kms:Decrypt  \n                   ^",
    ),
    (
        "unterminated string",
        'is "arn:aws:s3:::b public',
        '1:4: unterminated string\nis "arn:aws:s3:::b public\n   ^',
    ),
    (
        "second line, tab kept in the caret line",
        f"{CAN}\n\twith a:b = c d",
        "2:15: expected `,` or end of query after the value\n\twith a:b = c d\n\t             ^",
    ),
    (
        "unknown query",
        "list keys",
        "1:1: unknown query: start with `can`, `who can` or `is`\nlist keys\n^",
    ),
]


@pytest.mark.parametrize(("name", "text", "expected"), RENDERED, ids=[case[0] for case in RENDERED])
def test_render(name: str, text: str, expected: str) -> None:
    with pytest.raises(QuerySyntaxError) as caught:
        parse_query(text)
    assert caught.value.render(text) == expected


def test_error_offset_matches_line_and_column() -> None:
    text = f"can {USER}\r\n do kms:Decrypt on * with Dept = x"
    with pytest.raises(QuerySyntaxError) as caught:
        parse_query(text)
    assert caught.value == QuerySyntaxError(
        CONDITION_KEY, 2, 27, text.index("Dept")
    )


EXPECTATIONS = [
    ("allowed", f"{CAN} => allowed", "allowed"),
    ("outcome in upper case", "is * public => DENIED", "denied"),
    ("explicitly-denied", f"{CAN} with a:b = [x] => explicitly-denied", "explicitly-denied"),
    ("implicitly-denied", "who can kms:* on * => implicitly-denied", "implicitly-denied"),
]


@pytest.mark.parametrize(("name", "line", "outcome"), EXPECTATIONS, ids=[case[0] for case in EXPECTATIONS])
def test_expectation_lines(name: str, line: str, outcome: str) -> None:
    query_text = line[: line.index(" =>")]
    assert parse_expectation_line(line) == (parse_query(query_text), outcome)


INVALID_EXPECTATIONS = [
    ("no arrow", CAN, "expected `with` or `=>` after the resource", 1, 61),
    ("no arrow after a value", f"{CAN} with a:b = c", "expected `,` or `=>` after the value", 1, 74),
    ("no arrow after public", "is * public allowed", "expected `=>` after `public`", 1, 13),
    (
        "no outcome",
        f"{CAN} =>",
        OUTCOME,
        1,
        64,
    ),
    (
        "unknown outcome",
        f"{CAN} => granted",
        OUTCOME,
        1,
        65,
    ),
    ("outcome runs on", f"{CAN} => allowedx", OUTCOME, 1, 65),
    ("text after the outcome", f"{CAN} => allowed because", "expected end of line after the outcome", 1, 73),
]


@pytest.mark.parametrize(
    ("name", "line", "message", "line_number", "column"),
    INVALID_EXPECTATIONS,
    ids=[case[0] for case in INVALID_EXPECTATIONS],
)
def test_invalid_expectation_lines(name: str, line: str, message: str, line_number: int, column: int) -> None:
    with pytest.raises(QuerySyntaxError) as caught:
        parse_expectation_line(line)
    assert (caught.value.message, caught.value.line, caught.value.column) == (message, line_number, column)


def test_query_file() -> None:
    text = f"# access checks\n\n{CAN}\r\n   # indented comment\n  is * public\n"
    assert parse_queries(text) == [(3, parse_query(CAN)), (5, parse_query("  is * public"))]


def test_query_file_error_is_located_in_the_file() -> None:
    text = f"# checks\n{CAN}\n\nis * publik\n"
    with pytest.raises(QuerySyntaxError) as caught:
        parse_queries(text)
    error = caught.value
    assert error == QuerySyntaxError("expected `public` after the resource", 4, 6, text.index("publik"))
    assert error.render(text) == "4:6: expected `public` after the resource\nis * publik\n     ^"


def test_query_file_with_no_queries() -> None:
    assert parse_queries("") == []
    assert parse_queries("# nothing\n\n") == []


def test_expectation_file() -> None:
    text = f"# expectations\n{CAN} => allowed\nis * public => implicitly-denied"
    assert parse_expectations(text) == [
        (2, parse_query(CAN), "allowed"),
        (3, parse_query("is * public"), "implicitly-denied"),
    ]


def test_expectation_file_error_is_located_in_the_file() -> None:
    text = f"{CAN} => allowed\n{CAN}\n"
    with pytest.raises(QuerySyntaxError) as caught:
        parse_expectations(text)
    assert caught.value == QuerySyntaxError(
        "expected `with` or `=>` after the resource", 2, 61, len(CAN) + len(" => allowed\n") + len(CAN)
    )


def test_every_parser_state_has_a_named_message() -> None:
    """Each state a token can lead to (where a syntax error can be found) has an example."""
    for start in ("query", "expectation"):
        parser = parse_module.query_parser(start)
        table = parser.parser.parser.parser.parse_table
        reachable = {table.start_states[start]}
        for actions in table.states.values():
            reachable |= {arg for term, (action, arg) in actions.items() if action is Shift and term.isupper()}
        named = parse_module._state_messages(parser, start)
        assert sorted(reachable - set(named)) == [], start


def test_grammar_is_built_once(monkeypatch: pytest.MonkeyPatch) -> None:
    built: list[str] = []

    class CountingLark(Lark):
        def __init__(self, grammar: str, **options: object) -> None:
            built.append(str(options["start"]))
            super().__init__(grammar, **options)

    caches = (parse_module._grammar, parse_module.query_parser, parse_module._state_messages)
    for cached in caches:
        cached.cache_clear()
    monkeypatch.setattr(parse_module, "Lark", CountingLark)
    try:
        parse_query(CAN)
        parse_query("is * public")
        with pytest.raises(QuerySyntaxError):
            parse_query("can")
        parse_expectation_line(f"{CAN} => allowed")
        parse_expectation_line("is * public => denied")
        assert sorted(built) == ["expectation", "query"]
        assert parse_module._grammar.cache_info().misses == 1
    finally:
        for cached in caches:
            cached.cache_clear()


def _garbage() -> Iterator[tuple[str, str]]:
    rng = random.Random(20240601)
    alphabet = 'abcXYZ019 :/*?"[],=\\\n\t$#'
    yield "random characters", "".join(rng.choice(alphabet) for _ in range(10_000))
    yield "random printable", "".join(chr(rng.randrange(32, 0x2FF)) for _ in range(10_000))
    yield "one long principal", "can " + "a" * 10_000
    yield "one long unterminated string", 'can "' + "\\a" * 5_000
    yield "a long list", f"{CAN} with a:b = [" + "v," * 5_000
    yield "many entries then garbage", f"{CAN} with " + ", ".join(f"k:{i} = v" for i in range(1_000)) + " ]"


GARBAGE = list(_garbage())


@pytest.mark.parametrize(("name", "text"), GARBAGE, ids=[case[0] for case in GARBAGE])
def test_garbage_fails_fast_with_a_syntax_error(name: str, text: str) -> None:
    parse_query("is * public")  # build the parser outside the timed part
    began = time.perf_counter()
    with pytest.raises(QuerySyntaxError) as caught:
        parse_query(text)
    assert time.perf_counter() - began < 1.0
    assert caught.value.render(text).count("\n") == 2


_FIXED_MESSAGES = (
    "empty query: start with `can`, `who can` or `is`",
    "unknown query: start with `can`, `who can` or `is`",
    "expected `can` after `who`",
    PRINCIPAL,
    "expected `do` after the principal",
    "expected an action like `kms:Decrypt`",
    "expected an exact action like `kms:Decrypt`: wildcards only work in `who can`",
    "expected `on` after the action",
    RESOURCE,
    "expected `public` after the resource",
    "expected end of query after `public`",
    AFTER_RESOURCE,
    CONDITION_KEY,
    "expected `=` after the condition key",
    VALUE,
    AFTER_VALUE,
    "expected a value or `]` in the list",
    "expected a value after `,` in the list",
    "expected `,` or `]` after the list item",
    "unterminated string",
    "string holds an unpaired surrogate escape",
)
_KNOWN_MESSAGE = re.compile(
    "|".join([*map(re.escape, _FIXED_MESSAGES), r"invalid escape `\\.*` in string", r"key `.*` given twice"])
)

_PIECES = [
    "can", "who", "is", "do", "on", "with", "public", "CAN", "111122223333", USER, "anonymous",
    "kms:Decrypt", "kms:*", "*", '"*"', KEY, "a:b", '"a:b"', "=", "v", '"v"', "[", "]", ",",
    '"x', '"\\q"', "$", ";", "x",
]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(_PIECES), max_size=16), st.sampled_from([" ", "", "\n"]))
def test_any_token_sequence_parses_or_gives_a_named_message(pieces: list[str], separator: str) -> None:
    text = separator.join(pieces)
    try:
        parse_query(text)
    except QuerySyntaxError as error:
        assert _KNOWN_MESSAGE.fullmatch(error.message), error.message
        assert 0 <= error.offset <= len(text)


EXPECTED_SETS = [
    ("one terminal", frozenset({"_DO"}), "expected `do`"),
    ("two terminals", frozenset({"_WITH", "$END"}), "expected `with` or end of query"),
    ("unknown name", frozenset({"_COMMA", "__ANON_0", "KEY"}), "expected `,`, a condition key or something else"),
    ("nothing", frozenset(), "unexpected input"),
]


@pytest.mark.parametrize(("name", "expected", "message"), EXPECTED_SETS, ids=[case[0] for case in EXPECTED_SETS])
def test_fallback_message_names_terminals_in_words(name: str, expected: frozenset[str], message: str) -> None:
    assert messages.expected_message(expected) == message
