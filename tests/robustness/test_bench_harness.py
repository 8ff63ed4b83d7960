"""The benchmark harness and its workload generator keep working (bench/ has no other tests)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

BENCH = Path(__file__).resolve().parents[2] / "bench"


def _files(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*.json"))}


def test_generator_is_deterministic(tmp_path: Path) -> None:
    for run in ("one", "two"):
        subprocess.run([sys.executable, str(BENCH / "generate.py"), str(tmp_path / run), "--files", "120", "--statements", "50", "--seed", "3"], check=True, capture_output=True, timeout=120)
    one, two = _files(tmp_path / "one"), _files(tmp_path / "two")
    assert (one == two, len(one)) == (True, 120 + 1 + 10 + 1)
    statements = json.loads(one["large/policy.json"])["Statement"]
    assert (len(statements), len({s["Sid"] for s in statements})) == (50, 50)


def test_harness_measures_a_folder_in_both_modes(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for index in range(3):
        (corpus / f"p{index}.json").write_text(json.dumps({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::example-reports/*"}]}))
    out = tmp_path / "results.json"
    done = subprocess.run(
        [sys.executable, str(BENCH / "run.py"), str(corpus), "--rounds", "2", "--mode", "both", "--json", str(out)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert (done.returncode, done.stderr.count("Traceback")) == (0, 0)
    rows = json.loads(out.read_text())["results"]
    cpus = os.cpu_count() or 1
    assert [(r["workload"], r["mode"], r["measure"], r["files"], r["statements"], r["rounds"]) for r in rows] == [
        ("corpus", "in-process", "floor (read + json.loads)", 3, 3, 2),
        ("corpus", "in-process", "check + json report", 3, 3, 2),
        ("corpus", "process", "floor (python3 -c read + json.loads)", 3, 3, 2),
        ("corpus", "process", "check --jobs 1", 3, 3, 2),
    ] + ([("corpus", "process", f"check (default jobs: {cpus})", 3, 3, 2)] if cpus > 1 else [])
    assert all(r["median_s"] > 0 and r["min_s"] <= r["median_s"] <= r["max_s"] for r in rows)
    assert [r["ratio"] is not None for r in rows] == [False, True, False, True] + [True] * (len(rows) - 4)
    assert rows[1]["note"] == "findings: 0 error, 0 warning, 0 info"


def test_summary_gives_the_throughput_verdict_from_medians_and_shows_the_fastest_runs() -> None:
    sys.path.insert(0, str(BENCH))
    try:
        import run
    finally:
        sys.path.remove(str(BENCH))

    def row(measure: str, median: float, low: float) -> object:
        return run.Row("managed-policies", "process", measure, 1645, 9032, 7, median, low, median * 1.5)

    floor = row("floor (python3 -c read + json.loads)", 0.100, 0.080)
    assert run.summary_lines([floor, row("check (default jobs: 2)", 0.950, 0.900)]) == [
        "managed-policies (whole process, default jobs): median 0.950 s vs floor 0.100 s = 9.5x"
        " (fastest runs: 0.900 s vs 0.080 s = 11.2x); target <= 10x: met"
    ]
    assert run.summary_lines([floor, row("check (default jobs: 2)", 1.050, 0.900)])[0].endswith("= 10.5x (fastest runs: 0.900 s vs 0.080 s = 11.2x); target <= 10x: not met")


def test_child_processes_write_bytecode_as_an_installed_policylint_has_it(monkeypatch) -> None:  # noqa: ANN001
    """Without bytecode every measured run would compile every module from source."""
    sys.path.insert(0, str(BENCH))
    try:
        import measure
    finally:
        sys.path.remove(str(BENCH))
    monkeypatch.setenv("PYTHONDONTWRITEBYTECODE", "1")
    env = measure.child_env()
    assert "PYTHONDONTWRITEBYTECODE" not in env
    assert env["PYTHONPATH"].split(os.pathsep)[0] == str(BENCH.parent)
