"""Exact positions from the source stage: line breaks, tabs, escapes, multi-byte text, BOM."""

from __future__ import annotations

import pytest

from policylint.source.loader import load_bytes
from policylint.source.positions import Position, Range


def _range(result, pointer):
    return result.documents[0].locator.value_range(pointer)


def _pos(line, column, offset):
    return Position(line=line, column=column, offset=offset)


CASES = [
    # (name, file bytes, pointer, expected range)
    ("lf", b'{\n  "Version": "2012-10-17"\n}', "/Version", Range(start=_pos(2, 14, 15), end=_pos(2, 26, 27))),
    ("crlf", b'{\r\n  "Version": "2012-10-17"\r\n}', "/Version", Range(start=_pos(2, 14, 16), end=_pos(2, 26, 28))),
    ("lone cr", b'{\r"Id": "x"}', "/Id", Range(start=_pos(2, 7, 8), end=_pos(2, 10, 11))),
    ("tab counts one column", b'{\t"Id":\t"x"}', "/Id", Range(start=_pos(1, 9, 8), end=_pos(1, 12, 11))),
    ("multi-byte text", '{"Id": "é€", "Version": "v"}'.encode(), "/Version", Range(start=_pos(1, 25, 24), end=_pos(1, 28, 27))),
    ("astral char is one column", '{"Id": "😀", "Version": "v"}'.encode(), "/Version", Range(start=_pos(1, 24, 23), end=_pos(1, 27, 26))),
    ("bom not counted", b'\xef\xbb\xbf{"Id": "x"}', "/Id", Range(start=_pos(1, 8, 7), end=_pos(1, 11, 10))),
    ("escaped key", b'{"a\\/b": 1, "a/b": 2}', "/a~1b", Range(start=_pos(1, 20, 19), end=_pos(1, 21, 20))),
    ("tilde key", b'{"a~b": [true, null]}', "/a~0b/1", Range(start=_pos(1, 16, 15), end=_pos(1, 20, 19))),
    ("unicode escape in value", b'{"Id": "\\u00e9\\ud83d\\ude00", "V": 1}', "/V", Range(start=_pos(1, 35, 34), end=_pos(1, 36, 35))),
    ("nested array", b'{"S": [{"A": ["x", "y"]}]}', "/S/0/A/1", Range(start=_pos(1, 20, 19), end=_pos(1, 23, 22))),
    ("whole object", b'{"S": {"A": 1}}', "/S", Range(start=_pos(1, 7, 6), end=_pos(1, 15, 14))),
    ("number", b'{"N": -1.5e3}', "/N", Range(start=_pos(1, 7, 6), end=_pos(1, 13, 12))),
]


@pytest.mark.parametrize(("name", "data", "pointer", "expected"), CASES, ids=[c[0] for c in CASES])
def test_value_range(name, data, pointer, expected):
    assert _range(load_bytes("p.json", data), pointer) == expected


def test_key_range_of_a_member():
    result = load_bytes("p.json", b'{\n  "Actions": []\n}')
    assert result.documents[0].locator.key_range("/Actions") == Range(start=_pos(2, 3, 4), end=_pos(2, 12, 13))


def test_get_key_policy_positions_point_inside_the_string():
    text = '{\n  "Policy": "{\\n  \\"Version\\": \\"2008-10-17\\"\\n}",\n  "PolicyName": "default"\n}\n'
    result = load_bytes("k.json", text.encode())
    assert result.format == "get-key-policy"
    found = _range(result, "/Version")
    assert found == Range(start=_pos(2, 32, 33), end=_pos(2, 46, 47))
    assert text[found.start.offset : found.end.offset] == '\\"2008-10-17\\"'


def test_get_key_policy_syntax_error_points_inside_the_string():
    text = '{"Policy": "{\\"Version\\": }", "PolicyName": "default"}'
    result = load_bytes("k.json", text.encode())
    (problem,) = result.problems
    assert (problem.code, problem.message) == ("PL001", "embedded policy: expected a JSON value, found `}`")
    assert problem.range.start == _pos(1, 27, 26)
    assert text[26] == "}"


def test_duplicate_keys_are_located():
    result = load_bytes("p.json", b'{"Id": "a",\n "Id": "b"}')
    (violation,) = result.documents[0].violations
    assert violation._asdict() == {
        "code": "PL003",
        "pointer": "/Id",
        "message": "duplicate key `Id`: parsers disagree on which value wins (here the last one)",
        "at_key": True,
    }
    assert result.documents[0].locator.key_range("/Id").start == _pos(2, 2, 13)
