"""LineIndex answers the same whether it counts line breaks (first lookups) or bisects its list
of line starts (later lookups)."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from policylint.source.positions import LineIndex, Position

TEXTS = [
    ("empty", ""),
    ("one-line", '{"a": 1}'),
    ("lf", '{\n  "a": 1,\n\n  "b": [2]\n}\n'),
    ("crlf", '{\r\n  "a": 1\r\n}'),
    ("lone-cr", '{\r  "a": 1\r}'),
    ("mixed", "a\r\nb\rc\nd"),
    ("multibyte", '{\n  "é": "😀"\n}'),
]


def _fresh(text: str, offset: int) -> Position:
    return LineIndex(text).position(offset)  # the first lookup: counted when there is no CR


def _bisected(text: str, offset: int) -> Position:
    index = LineIndex(text)
    for _ in range(20):  # use up the counted lookups
        index.position(0)
    return index.position(offset)


@pytest.mark.parametrize(("name", "text"), TEXTS, ids=[t[0] for t in TEXTS])
def test_every_offset_agrees(name: str, text: str) -> None:
    for offset in range(-1, len(text) + 2):
        assert _fresh(text, offset) == _bisected(text, offset), offset


def test_positions_are_one_based_lines_and_columns() -> None:
    text = '{\n  "a": 1\n}'
    assert _fresh(text, text.index('"a"')) == Position(line=2, column=3, offset=4)
    assert _bisected(text, len(text)) == Position(line=3, column=2, offset=len(text))


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet="ab\n\r ", max_size=40), st.integers(min_value=0, max_value=45))
def test_counting_agrees_with_bisecting(text: str, offset: int) -> None:
    assert _fresh(text, offset) == _bisected(text, offset)
