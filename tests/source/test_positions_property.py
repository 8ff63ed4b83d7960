"""Property: for generated policies in random formatting, the range of every element slices
exactly that element's JSON text from the source (whole file and get-key-policy wrapper)."""

from __future__ import annotations

import json

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from policylint.model.build import build_document
from policylint.source.loader import load_bytes
from policylint.source.positions import LineIndex

TEXT = st.text(
    alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)) | st.sampled_from(list('"\\/\t\n\r é€😀')),
    max_size=12,
)
STRINGS = st.lists(TEXT, min_size=1, max_size=3).map(lambda v: v if len(v) > 1 else v[0])
CONDITION = st.dictionaries(
    st.sampled_from(["StringEquals", "ForAnyValue:StringLike", "Bool", "NumericLessThan"]),
    st.dictionaries(TEXT, st.one_of(TEXT, st.booleans(), st.integers(), st.lists(TEXT, max_size=3)), min_size=1, max_size=2),
    min_size=1,
    max_size=2,
)
STATEMENT = st.fixed_dictionaries(
    {"Effect": st.sampled_from(["Allow", "Deny"]), "Action": STRINGS, "Resource": STRINGS},
    optional={
        "Sid": TEXT,
        "Principal": st.one_of(st.just("*"), st.fixed_dictionaries({"AWS": STRINGS}, optional={"Service": STRINGS})),
        "Condition": CONDITION,
    },
)
POLICY = st.fixed_dictionaries(
    {"Statement": st.one_of(STATEMENT, st.lists(STATEMENT, min_size=1, max_size=3))},
    optional={"Version": st.just("2012-10-17"), "Id": TEXT},
)
WHITESPACE = st.lists(st.sampled_from([" ", "  ", "\t", "\n", "\r\n", "\r"]), max_size=3).map("".join)


@st.composite
def formatted(draw, value):
    """JSON text of `value` with random whitespace, key order and string escapes."""

    def ws() -> str:
        return draw(WHITESPACE)

    def string(text: str) -> str:
        out = ['"']
        for char in text:
            mode = draw(st.integers(0, 3))
            if char in '"\\':
                out.append("\\" + char)
            elif char < " ":
                out.append({"\n": "\\n", "\r": "\\r", "\t": "\\t"}.get(char, f"\\u{ord(char):04x}"))
            elif mode == 0 and ord(char) > 0xFFFF:
                code = ord(char) - 0x10000
                out.append(f"\\u{0xD800 + (code >> 10):04X}\\u{0xDC00 + (code & 0x3FF):04x}")
            elif mode == 0:
                out.append(f"\\u{ord(char):04x}")
            elif mode == 1 and char == "/":
                out.append("\\/")
            else:
                out.append(char)
        out.append('"')
        return "".join(out)

    def emit(item) -> str:
        if isinstance(item, dict):
            keys = list(item)
            keys = draw(st.permutations(keys)) if keys else keys
            members = [ws() + string(k) + ws() + ":" + ws() + emit(item[k]) + ws() for k in keys]
            return "{" + ",".join(members) + "}"
        if isinstance(item, list):
            return "[" + ",".join(ws() + emit(v) + ws() for v in item) + "]"
        if isinstance(item, str):
            return string(item)
        return json.dumps(item)

    return ws() + emit(value) + ws()


def _elements(document):
    for statement in document.statements:
        yield statement
        for node in (statement.sid, statement.effect):
            if node is not None:
                yield node
        for group in (statement.principal, statement.action, statement.resource):
            yield from group or ()
        for operator in statement.conditions:
            yield operator
            for key in operator.keys:
                yield key
                yield from key.values


def _value_at(raw, pointer: str):
    from policylint.source.positions import split_pointer

    for token in split_pointer(pointer):
        raw = raw[int(token)] if isinstance(raw, list) else raw[token]
    return raw


def _check_position(text: str, position) -> None:
    index = LineIndex(text)
    assert index.position(position.offset) == position


@settings(max_examples=100, suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(data=st.data(), policy=POLICY, bom=st.booleans())
def test_ranges_slice_elements_of_a_policy_file(data, policy, bom):
    text = data.draw(formatted(policy))
    raw_bytes = (b"\xef\xbb\xbf" if bom else b"") + text.encode("utf-8")
    result = load_bytes("p.json", raw_bytes)
    assert result.problems == ()
    document = build_document(result.documents[0])
    for node in _elements(document):
        found = node.range
        assert found is not None, node.pointer
        piece = text[found.start.offset : found.end.offset]
        assert json.loads(piece) == _value_at(policy, node.pointer)
        _check_position(text, found.start)
        _check_position(text, found.end)


@settings(max_examples=100, suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(data=st.data(), policy=POLICY)
def test_ranges_point_inside_the_get_key_policy_string(data, policy):
    inner = data.draw(formatted(policy))
    outer = data.draw(formatted({"Policy": inner, "PolicyName": "default"}))
    result = load_bytes("p.json", outer.encode("utf-8"))
    assert result.format == "get-key-policy"
    document = build_document(result.documents[0])
    for node in _elements(document):
        found = node.range
        assert found is not None, node.pointer
        piece = outer[found.start.offset : found.end.offset]
        # The slice is the escaped form of the element's JSON text inside the outer string.
        assert json.loads(json.loads('"' + piece + '"')) == _value_at(policy, node.pointer)
        _check_position(outer, found.start)
