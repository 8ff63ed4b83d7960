"""PL001 from the source stage: the message and the position (1-based line and column, start and
end) of the first error of a file that is not a JSON document, and the finding the engine makes
of it."""

from __future__ import annotations

import pytest

from policylint.findings import Finding
from policylint.rules.engine import check_loaded
from policylint.settings import Settings
from policylint.source.loader import load_bytes
from policylint.source.positions import Position, Range

POLICY = '{"Version": "2012-10-17"}'

CASES = [
    # (name, file bytes, message, (start line, start column, end line, end column) or None)
    ("trailing comma in an object", b'{"Version": "2012-10-17",\n "Statement": [],\n}', "trailing comma before `}`", (2, 17, 2, 18)),
    ("trailing comma in an array", b'{"Action": ["kms:Decrypt", ]}', "trailing comma before the closing bracket", (1, 26, 1, 27)),
    ("single-quoted key", b"{'Version': '2012-10-17'}", "keys must be in double quotes, not single quotes", (1, 2, 1, 3)),
    (
        "single-quoted value",
        b'{"Version": \'2012-10-17\'}',
        "expected a JSON value, found a single quote (JSON strings use double quotes)",
        (1, 13, 1, 14),
    ),
    (
        "line comment",
        b'{\n  // decrypt only\n  "Version": "2012-10-17"\n}',
        "expected a key in double quotes, found a comment (JSON has no comments)",
        (2, 3, 2, 4),
    ),
    (
        "block comment after a value",
        b'{"Version": "2012-10-17" /* v */}',
        "expected `,` or a closing bracket, found a comment (JSON has no comments)",
        (1, 26, 1, 27),
    ),
    ("unterminated string at the end of the file", b'{"Version": "2012-10-17', "string is not terminated", (1, 13, 1, 14)),
    ("empty file", b"", "file is empty", None),
    ("only whitespace", b" \n\t\n", "file is empty", None),
    (
        "invalid UTF-8 on line 1",
        b'{"Sid": "caf\xe9"}',
        "file is not valid UTF-8: byte 0xe9 cannot start or continue a character",
        (1, 13, 1, 13),
    ),
    (
        "invalid UTF-8 after multi-byte text on line 3",
        '{\n  "Version": "2012-10-17",\n  "Sid": "é'.encode() + b'\xc3("\n}',
        "file is not valid UTF-8: byte 0xc3 cannot start or continue a character",
        (3, 12, 3, 12),
    ),
    ("UTF-16 little-endian with BOM", POLICY.encode("utf-16"), "file is UTF-16 encoded; policies must be UTF-8", None),
    ("UTF-16 big-endian with BOM", b"\xfe\xff" + POLICY.encode("utf-16-be"), "file is UTF-16 encoded; policies must be UTF-8", None),
    ("UTF-32 with BOM", POLICY.encode("utf-32"), "file is UTF-32 encoded; policies must be UTF-8", None),
    ("NaN", b'{"Condition": {"NumericLessThan": {"s3:max-keys": NaN}}}', "`NaN` is not valid JSON", (1, 51, 1, 54)),
    ("-Infinity", b'{"a": [1, -Infinity]}', "`-Infinity` is not valid JSON", (1, 11, 1, 20)),
    ("deep nesting", b"[" * 5000 + b"]" * 5000, "nesting is too deep", (1, 901, 1, 902)),
    ("deep nesting of objects", b'{"a":' * 3000 + b"1" + b"}" * 3000, "nesting is too deep", (1, 4501, 1, 4502)),
    ("text after the document", b'{"Version": "2012-10-17"}\n{"Version": "2012-10-17"}', "unexpected `{` after the JSON value", (2, 1, 2, 2)),
    ("unclosed bracket", b'{"Statement": [{"Effect": "Allow"}', "unexpected end of file: a bracket is not closed", (1, 35, 1, 35)),
    ("tab inside a string", b'{"Sid": "a\tb"}', "control character in a string (escape it, e.g. `\\n`)", (1, 11, 1, 12)),
    ("unknown escape", b'{"Sid": "a\\qb"}', "invalid escape sequence in a string", (1, 11, 1, 12)),
    ("short unicode escape", b'{"Sid": "a\\u12"}', "invalid `\\u` escape: expected four hex digits", (1, 12, 1, 13)),
    ("Python literal", b'{"Bool": True}', "expected a JSON value, found `True`", (1, 10, 1, 11)),
    ("missing value", b'{"Version": }', "expected a JSON value, found `}`", (1, 13, 1, 14)),
    ("unexpected end after a key", b'{"Version":', "unexpected end of file: expected a value", (1, 12, 1, 12)),
    ("unexpected end inside an object", b'{"Version": "2012-10-17",', "unexpected end of file: expected a key", (1, 26, 1, 26)),
    ("bare word as a key", b"{Version: 1}", "expected a key in double quotes, found `Version`", (1, 2, 1, 3)),
]


def _problem(data: bytes) -> tuple[str, str, tuple[int, int, int, int] | None]:
    result = load_bytes("p.json", data)
    assert result.documents == ()
    [problem] = result.problems
    where = problem.range
    span = None if where is None else (where.start.line, where.start.column, where.end.line, where.end.column)
    return problem.code, problem.message, span


@pytest.mark.parametrize(("name", "data", "message", "span"), CASES, ids=[c[0] for c in CASES])
def test_syntax_errors(name, data, message, span):
    assert _problem(data) == ("PL001", message, span)


MORE_CASES = [
    # (name, file bytes, message, span)
    pytest.param(
        "unterminated string at the end of a line",
        b'{"Version": "2012-10-17,\n "Statement": []}',
        "string is not terminated before the end of the line",
        (1, 13, 1, 14),
        id="unterminated string at the end of a line",
    ),
    pytest.param(
        "NaN after a string holding NaN",
        b'{"Sid": "NaN", "a": NaN}',
        "`NaN` is not valid JSON",
        (1, 21, 1, 24),
        id="NaN after a string holding NaN",
    ),
    pytest.param(
        "missing comma before a key",
        b'{"a": 1 "b": 2}',
        "expected `,` or a closing bracket, found a string",
        (1, 9, 1, 10),
        id="missing comma before a key",
    ),
    pytest.param(
        "UTF-16 without a BOM",
        POLICY.encode("utf-16-le"),
        "file is UTF-16 encoded; policies must be UTF-8",
        None,
        id="UTF-16 without a BOM",
    ),
]


@pytest.mark.parametrize(("name", "data", "message", "span"), MORE_CASES)
def test_more_syntax_errors(name, data, message, span):
    assert _problem(data) == ("PL001", message, span)


def test_a_file_that_is_not_json_becomes_one_pl001_finding():
    outcome = check_loaded(load_bytes("p.json", b'{"Version": "2012-10-17",}'), Settings(select=("PL",)))
    assert outcome.findings == [
        Finding(
            rule="PL001",
            name="invalid-json",
            severity="error",
            message="trailing comma before `}`",
            path="p.json",
            pointer="",
            range=Range(start=Position(line=1, column=25, offset=24), end=Position(line=1, column=26, offset=25)),
        )
    ]


def test_utf8_bom_is_accepted():
    result = load_bytes("p.json", b"\xef\xbb\xbf" + POLICY.encode())
    assert (result.problems, [d.value for d in result.documents]) == ((), [{"Version": "2012-10-17"}])
