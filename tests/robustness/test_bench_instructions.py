"""bench/instructions.py: instruction counts of check vs the floor (valgrind), and the run that
stops where check would fork its first worker."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parents[2] / "bench"
POLICY = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::example-reports/*"}]}


def _instructions():  # noqa: ANN202
    sys.path.insert(0, str(BENCH))
    try:
        import instructions
    finally:
        sys.path.remove(str(BENCH))
    return instructions


def _corpus(root: Path, count: int) -> Path:
    root.mkdir()
    for index in range(count):
        (root / f"p{index:03}.json").write_text(json.dumps(POLICY))
    return root


def test_critical_path_is_start_up_the_longer_worker_and_the_parents_share(monkeypatch: pytest.MonkeyPatch) -> None:
    tool = _instructions()
    monkeypatch.setattr(os, "cpu_count", lambda: 2)
    m = 1_000_000
    counts = tool.Counts(floor=300 * m, start_up=800 * m, parent=1_080 * m, workers=(2_700 * m, 2_800 * m), jobs=2)
    assert (counts.parent_after_fork, counts.critical_path) == (280 * m, (800 + 2_800 + 140) * m)
    assert tool.render(counts, Path("corpus"), 1645).splitlines() == [
        f"corpus (1,645 files), python {sys.version.split()[0]}, jobs 2",
        "  floor (read + json.loads, whole process)   300 M",
        "  parent up to the fork (serial start-up)    800 M",
        "  each worker after the fork                 2,700 M / 2,800 M",
        "  parent after the fork                      280 M",
        "  critical path (estimate)                   3,740 M = 12.5x the floor",
        "  all processes                              6,580 M = 21.9x the floor",
    ]
    alone = tool.Counts(floor=300 * m, start_up=0, parent=3_000 * m, workers=(), jobs=1)
    assert (alone.parent_after_fork, alone.critical_path) == (0, 3_000 * m)
    assert tool.render(alone, Path("corpus"), 3).splitlines()[2] == "  check (one process)                        3,000 M = 10.0x the floor"


def test_the_start_up_run_ends_where_the_first_worker_would_start(tmp_path: Path) -> None:
    """With enough files for workers, the run stops at the fork: no report is written."""
    tool = _instructions()
    corpus = _corpus(tmp_path / "corpus", 60)
    env = {**os.environ, "PYTHONPATH": str(BENCH.parent)}
    stopped = subprocess.run([sys.executable, "-c", tool.UP_TO_FORK, "check", str(corpus), "--format", "json", "--jobs", "2"], capture_output=True, text=True, env=env, timeout=120)
    assert (stopped.returncode, stopped.stdout, stopped.stderr) == (0, "", "")
    whole = subprocess.run([sys.executable, "-c", tool.UP_TO_FORK, "check", str(corpus), "--format", "json", "--jobs", "1"], capture_output=True, text=True, env=env, timeout=120)
    assert (whole.returncode, json.loads(whole.stdout)["summary"]["files"]) == (0, 60)


def test_without_valgrind_it_says_so_in_one_line(tmp_path: Path) -> None:
    corpus = _corpus(tmp_path / "corpus", 3)
    empty = tmp_path / "bin"
    empty.mkdir()
    done = subprocess.run([sys.executable, str(BENCH / "instructions.py"), str(corpus)], capture_output=True, text=True, env={**os.environ, "PATH": str(empty)}, timeout=60)
    assert (done.returncode, done.stdout, done.stderr) == (2, "", "bench/instructions.py: valgrind is not installed (it counts the instructions)\n")


@pytest.mark.skipif(shutil.which("valgrind") is None, reason="valgrind is not installed")
def test_counts_a_small_run_with_valgrind(tmp_path: Path) -> None:
    corpus = _corpus(tmp_path / "corpus", 3)
    done = subprocess.run([sys.executable, str(BENCH / "instructions.py"), str(corpus), "--jobs", "1"], capture_output=True, text=True, timeout=600)
    assert (done.returncode, done.stderr) == (0, "")
    header, floor, check = done.stdout.splitlines()
    assert header == f"{corpus} (3 files), python {sys.version.split()[0]}, jobs 1"
    assert floor.startswith("  floor (read + json.loads, whole process)   ") and floor.endswith(" M")
    floor_m = int(floor.split()[-2].replace(",", ""))
    check_m = int(check.split()[-6].replace(",", ""))
    ratio = float(check.split()[-3].rstrip("x"))
    assert check.startswith("  check (one process)                        ")
    # Python alone is tens of millions of instructions; a check imports pydantic on top of it.
    assert 20 <= floor_m < check_m and ratio == pytest.approx(check_m / floor_m, abs=0.1)
