"""`SpanFinder` locates an element as `index_spans` does, without indexing the whole text."""

from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from policylint.source.jsonpos import SpanFinder, index_spans, parse_json

TEXT = '{\n  "Version": "2012-10-17",\n  "Statement": [{"Sid": "a", "Action": ["s3:Get*", "kms:*"]}],\n  "a/b~c": 1\n}'


@pytest.mark.parametrize(
    ("name", "pointer", "value", "key"),
    [
        ("root", "", (0, 106), None),
        ("member", "/Version", (15, 27), (4, 13)),
        ("array element", "/Statement/0/Action/1", (80, 87), None),
        ("escaped key", "/a~1b~0c", (103, 104), (94, 101)),
        ("missing member", "/Id", None, None),
        ("index past the end", "/Statement/1", None, None),
        ("not a canonical index", "/Statement/00", None, None),
        ("inside a string", "/Version/0", None, None),
        ("not a pointer", "Version", None, None),
    ],
)
def test_span_finder(name: str, pointer: str, value: tuple[int, int] | None, key: tuple[int, int] | None) -> None:
    finder = SpanFinder(TEXT)
    assert (finder.value(pointer), finder.key(pointer)) == (value, key)


_SCALARS = st.one_of(st.none(), st.booleans(), st.integers(-10**6, 10**6), st.floats(allow_nan=False, allow_infinity=False), st.text(max_size=4))
_KEYS = st.sampled_from(["a", "b", "a/b", "~", "~1", "", "é", "0", "Statement"])
_VALUES = st.recursive(
    _SCALARS,
    lambda inner: st.one_of(st.lists(inner, max_size=4), st.lists(st.tuples(_KEYS, inner), max_size=4)),
    max_leaves=12,
)
_SPACE = st.sampled_from(["", " ", "\n  ", "\t", "\r\n"])


@st.composite
def _json_texts(draw: st.DrawFn, value: object | None = None) -> str:
    """JSON text with random layout; a list of pairs is an object (keys may repeat)."""
    value = draw(_VALUES) if value is None else value
    space = draw(_SPACE)
    if isinstance(value, list) and value and isinstance(value[0], tuple):
        members = [json.dumps(k, ensure_ascii=draw(st.booleans())) + space + ":" + draw(_SPACE) + draw(_json_texts(v)) for k, v in value]
        return "{" + space + ("," + draw(_SPACE)).join(members) + draw(_SPACE) + "}"
    if isinstance(value, list):
        return "[" + space + ("," + space).join(draw(_json_texts(v)) for v in value) + draw(_SPACE) + "]"
    return json.dumps(value, ensure_ascii=draw(st.booleans()))


@settings(max_examples=300, deadline=None)
@given(text=_json_texts(), before=_SPACE, after=_SPACE)
def test_span_finder_agrees_with_index_spans(text: str, before: str, after: str) -> None:
    text = before + text + after
    parse_json(text)  # the finder's precondition: text that parse_json accepts
    index = index_spans(text)
    finder = SpanFinder(text)
    for pointer in [*index.values, *index.keys, "/zz", "/0/zz", "/a/~2"]:
        assert (finder.value(pointer), finder.key(pointer)) == (index.values.get(pointer), index.keys.get(pointer))


@settings(max_examples=300, deadline=None)
@given(text=_json_texts(), before=_SPACE, after=_SPACE, order=st.randoms(use_true_random=False))
def test_span_finder_in_any_order_and_reading_objects_partly(text: str, before: str, after: str, order) -> None:
    """Pointers asked in any order give the same spans; when the parser saw no repeated key the
    finder stops reading an object at the member it wants, and still agrees."""
    text = before + text + after
    parsed = parse_json(text)
    index = index_spans(text)
    finder = SpanFinder(text, unique_keys=not parsed.has_duplicates)
    pointers = [*index.values, *index.keys, "/zz", "/0/zz", "/a/~2", "/0/00"]
    order.shuffle(pointers)
    for pointer in pointers:
        assert (finder.value(pointer), finder.key(pointer)) == (index.values.get(pointer), index.keys.get(pointer))


def test_lazy_finder_reads_only_what_lies_before_the_element() -> None:
    """Locating the first statement's action does not skip (parse) the later statements."""
    later = ",".join('{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}' for _ in range(50))
    text = '{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": ["kms:Decrypt"]}, ' + later + "]}"
    finder = SpanFinder(text, unique_keys=True)
    start = text.index('"kms:Decrypt"')
    assert finder.value("/Statement/0/Action/0") == (start, start + len('"kms:Decrypt"'))
    # Ends were computed only for the root and the values read past or asked for: Version, the
    # first statement's Effect, the action itself; never for a later statement.
    assert sorted(finder._ends) == [0, text.index('"2012'), text.index('"Allow"'), start]
