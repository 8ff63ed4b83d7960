"""The fast indented JSON writer: same data as json.dumps, records one per line."""

from __future__ import annotations

import json

from hypothesis import given, settings
from hypothesis import strategies as st

from policylint.report import jsonlines

VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=5), inner, max_size=4),
    max_leaves=20,
)


@settings(max_examples=200, deadline=None)
@given(VALUES, st.integers(min_value=0, max_value=4))
def test_parses_back_to_the_same_value(value: object, depth: int) -> None:
    assert json.loads(jsonlines.dumps(value, depth=depth)) == value


def test_layout_puts_each_record_on_its_own_line() -> None:
    report = {"files": [{"path": "a.json", "kind": "key-policy"}], "findings": [], "summary": {"files": 1, "note": "é"}}
    assert jsonlines.dumps(report, depth=2) == (
        "{\n"
        '  "files": [\n'
        '    {"path": "a.json", "kind": "key-policy"}\n'
        "  ],\n"
        '  "findings": [],\n'
        '  "summary": {\n'
        '    "files": 1,\n'
        '    "note": "é"\n'
        "  }\n"
        "}\n"
    )


def test_depth_zero_is_one_compact_line() -> None:
    assert jsonlines.dumps({"a": [1, {"b": None}]}, depth=0) == '{"a": [1, {"b": null}]}\n'


@settings(max_examples=300, deadline=None)
@given(st.floats() | VALUES)
def test_each_record_is_written_as_json_dumps_writes_it(value: object) -> None:
    """The one C encoder made per report writes a record exactly as `json.dumps` would (also
    infinities and NaN, which json.dumps writes too), whether it is a container or a scalar."""
    compact = jsonlines._compact_encoder()
    assert compact(value) == json.dumps(value, ensure_ascii=False)
    assert jsonlines.dumps([value], depth=1) == "[\n  " + json.dumps(value, ensure_ascii=False) + "\n]\n"
