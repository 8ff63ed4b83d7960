"""Engine tests as data files: tests/evaluate/cases/*.yaml.

A case file holds a `snapshot` (an inline snapshot mapping, or the path of a snapshot file
beside the case file) and `queries`: each a `query` (`can ...`), the expected `decision`, and
the expected `reasons`, every one as `[policy_kind, sid or statement index, effect, matched]`
(sid, index and effect null for a required policy that had no allow), compared as a whole list.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from policylint.evaluate.decision import Decision
from policylint.evaluate.snapshot import Snapshot, load_snapshot
from policylint.query import CanQuery, parse_query
from policylint.querycli import decide_query

CASES = Path(__file__).parent / "cases"


def _case_files() -> list[Path]:
    return sorted(CASES.glob("*.yaml"))


def _load_case(path: Path) -> tuple[Snapshot, list[dict[str, Any]]]:
    case = yaml.safe_load(path.read_text(encoding="utf-8"))
    snapshot = case["snapshot"]
    if isinstance(snapshot, str):
        return load_snapshot(str(path.parent / snapshot)), case["queries"]
    return load_snapshot(str(path), "/snapshot"), case["queries"]


def _params() -> list[Any]:
    params = []
    for path in _case_files():
        case = yaml.safe_load(path.read_text(encoding="utf-8"))
        for index, item in enumerate(case["queries"]):
            params.append(pytest.param(path, index, id=f"{path.stem}-{index}-{item['decision']}"))
    return params


def reason_keys(decision: Decision) -> list[list[Any]]:
    """Each reason as [policy_kind, sid or statement index, effect, matched]."""
    return [
        [reason.policy_kind, reason.sid if reason.sid is not None else reason.statement, reason.effect, reason.matched]
        for reason in decision.reasons
    ]


def test_there_are_cases() -> None:
    assert len(_case_files()) >= 20


@pytest.mark.parametrize(("path", "index"), _params())
def test_case(path: Path, index: int) -> None:
    snapshot, queries = _load_case(path)
    item = queries[index]
    query = parse_query(item["query"])
    assert isinstance(query, CanQuery)
    decision = decide_query(snapshot, query)
    expected = {"decision": item["decision"], "reasons": item["reasons"]}
    assert {"decision": decision.decision, "reasons": reason_keys(decision)} == expected


SAMPLES = Path(__file__).parents[2] / "samples" / "snapshot"


def _sample_params() -> list[Any]:
    from policylint.query import parse_expectations

    text = (SAMPLES / "queries.txt").read_text(encoding="utf-8")
    return [pytest.param(query, outcome, id=f"line-{line}") for line, query, outcome in parse_expectations(text)]


@pytest.mark.parametrize(("query", "outcome"), _sample_params())
def test_sample_queries(query: CanQuery, outcome: str) -> None:
    decision = decide_query(load_snapshot(str(SAMPLES / "snapshot.yaml")), query)
    got = "denied" if outcome == "denied" and decision.decision != "allowed" else decision.decision
    assert got == outcome
