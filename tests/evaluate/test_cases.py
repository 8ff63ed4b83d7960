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


# -- snapshots: positions, caching, scale -----------------------------------------------------


def _reason_places(decision: Decision) -> list[tuple[str, str | None, int | None]]:
    return [
        (reason.policy_kind, reason.path, reason.range.start.line if reason.range is not None else None)
        for reason in decision.reasons
    ]


def test_inline_yaml_policies_are_located_in_the_snapshot() -> None:
    from policylint.evaluate.decision import decide

    path = str(SAMPLES / "snapshot.yaml")
    snapshot = load_snapshot(path)
    decision = decide(
        snapshot, "arn:aws:iam::111122223333:user/alice", "s3:GetObject", "arn:aws:s3:::example-bucket/home/alice/a"
    )
    grant = decide(
        snapshot,
        "arn:aws:iam::111122223333:role/Batch",
        "kms:DescribeKey",
        "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab",
    )
    full_access = str(SAMPLES / "policies" / "scp-full-access.json")
    assert _reason_places(decision) == [("identity-policy", path, 40), ("scp", full_access, 4)]
    assert _reason_places(grant) == [("grant", path, 19), ("scp", full_access, 4)]


def test_inline_json_policies_are_located_in_the_snapshot(tmp_path: Path) -> None:
    from policylint.evaluate.decision import decide

    text = (
        '{"principals": {\n'
        '  "arn:aws:iam::111122223333:user/u": {"policies": [\n'
        '    {"Version": "2012-10-17", "Statement": [\n'
        '      {"Sid": "One", "Effect": "Allow", "Action": "s3:*", "Resource": "*"}\n'
        "    ]}\n"
        "  ]}\n"
        "}}\n"
    )
    (tmp_path / "snap.json").write_text(text)
    snapshot = load_snapshot(str(tmp_path / "snap.json"))
    decision = decide(snapshot, "arn:aws:iam::111122223333:user/u", "s3:GetObject", "arn:aws:s3:::b/k")
    assert _reason_places(decision) == [("identity-policy", str(tmp_path / "snap.json"), 4)]


def test_a_file_is_built_once_per_kind() -> None:
    snapshot = load_snapshot(str(SAMPLES / "snapshot.yaml"))
    partner = snapshot.principals["arn:aws:iam::444455556666:role/Partner"].policies[0]
    outsider = snapshot.principals["arn:aws:iam::777788889999:role/Outsider"].policies[0]
    root_level, account_level = snapshot.accounts["111122223333"].scps
    assert (partner is outsider, root_level[0] is account_level[0]) == (True, True)


def test_a_large_snapshot_answers_within_5_ms(tmp_path: Path) -> None:
    import json
    import statistics
    import time

    from policylint.evaluate.decision import decide

    policy = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "kms:Decrypt", "Resource": "*"}]}
    key_policy = {
        "Version": "2012-10-17",
        "Statement": [
            {"Sid": "Root", "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:root"}, "Action": "kms:*", "Resource": "*"}
        ],
    }
    (tmp_path / "p.json").write_text(json.dumps(policy))
    (tmp_path / "k.json").write_text(json.dumps(key_policy))
    account = "111122223333"
    snapshot_value = {
        "accounts": {account: {"organization": "o-a1b2c3d4e5", "scps": ["p.json"]}},
        "keys": {
            f"arn:aws:kms:us-east-1:{account}:key/k{i}": {
                "policy": "k.json",
                "grants": [{"grantee": f"arn:aws:iam::{account}:role/R{i}", "operations": ["Encrypt"]}],
            }
            for i in range(1000)
        },
        "principals": {f"arn:aws:iam::{account}:role/R{i}": {"policies": ["p.json"]} for i in range(10000)},
    }
    (tmp_path / "big.json").write_text(json.dumps(snapshot_value))
    snapshot = load_snapshot(str(tmp_path / "big.json"))
    queries = [
        (f"arn:aws:sts::{account}:assumed-role/R{i * 97 % 10000}/s", "kms:Decrypt", f"arn:aws:kms:us-east-1:{account}:key/k{i * 7 % 1000}")
        for i in range(100)
    ]
    decide(snapshot, *queries[0])  # the catalog is read on first use
    times = []
    for query in queries:
        start = time.perf_counter()
        decision = decide(snapshot, *query)
        times.append(time.perf_counter() - start)
        assert decision.decision == "allowed"
    assert statistics.median(times) <= 0.005
