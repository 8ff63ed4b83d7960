"""Benchmark harness: how far `policylint check` is from the cost of reading the JSON it checks.

    python3 bench/run.py CORPUS_DIR [--rounds N] [--mode inprocess|process|both]
    python3 bench/run.py --workload all|NAME [--rounds N] [--mode ...] [--budget S] [--json FILE]

See bench/README.md for what each measurement is.
"""

from __future__ import annotations

import argparse
import importlib
import json
import os
import platform
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
if str(HERE) not in sys.path:
    sys.path.insert(0, str(HERE))
if str(HERE.parent) not in sys.path:
    sys.path.insert(1, str(HERE.parent))

import generate  # noqa: E402
from measure import Budget, Case, Series, corpus_root, count_statements, floor_reader, inprocess, policy_files, processes  # noqa: E402

NAMED = ("managed-policies", "key-policies", "synthetic", "large-document", "single-key", "evaluator")
STARTUP_TARGET_S = 0.3
# managed-policies, whole process, default jobs: at most this many times the floor.
THROUGHPUT_TARGET_X = 10
# Budget weights: the share of the time budget each (workload, mode) step gets.
WEIGHTS = {
    ("managed-policies", "inprocess"): 3.0,
    ("managed-policies", "process"): 3.0,
    ("key-policies", "inprocess"): 0.5,
    ("key-policies", "process"): 1.0,
    ("synthetic", "inprocess"): 3.0,
    ("synthetic", "process"): 3.0,
    ("large-document", "inprocess"): 1.0,
    ("large-document", "process"): 1.0,
    ("single-key", "inprocess"): 0.5,
    ("single-key", "process"): 1.0,
    ("evaluator", "inprocess"): 1.0,
}
DEFAULT_MODES = {"large-document": ("inprocess",), "single-key": ("process",), "evaluator": ("inprocess",)}


@dataclass
class Row:
    workload: str
    mode: str
    measure: str
    files: int | None
    statements: int | None
    rounds: int
    median_s: float
    min_s: float
    max_s: float
    ratio: float | None = None  # median / floor median
    us_per_statement: float | None = None
    peak_rss_mb: float | None = None
    note: str = ""
    samples: tuple[float, ...] = ()


@dataclass(frozen=True)
class Target:
    """What one workload checks: a file or folder, and the files `check` would read there."""

    workload: str
    path: str
    files: tuple[str, ...]
    statements: int


def _target(workload: str, path: Path) -> Target:
    files = policy_files(path)
    return Target(workload, str(path), files, count_statements(files))


def check_case(target: Target, measure: str = "check + json report") -> Case:
    from policylint.collector import fewer_collections
    from policylint.report import jsonout
    from policylint.rules.runner import run_check
    from policylint.settings import Settings

    settings = Settings()

    def run() -> object:
        with fewer_collections():  # as `policylint check` runs
            report = run_check([target.path], settings, jobs=1)
            jsonout.render(report)
        return report

    def describe(report: object) -> str:
        s = report.summary  # type: ignore[attr-defined]
        return f"findings: {s.error} error, {s.warning} warning, {s.info} info"

    return Case(target.workload, measure, run, floor_reader(target.files), len(target.files), target.statements, describe)


def _series_row(
    workload: str,
    mode: str,
    measure: str,
    series: Series,
    size: tuple[int | None, int | None],
    floor: Series | None,
    note: str = "",
    is_floor: bool = False,
) -> Row:
    """A table row; `size` is (files, statements), `floor` the series the ratio divides by."""
    files, statements = size
    per_statement = series.median / statements * 1e6 if statements and mode == "in-process" and not is_floor else None
    notes = [n for n in (note, "warm-up only: over budget" if series.cold else "") if n]
    return Row(
        workload=workload,
        mode=mode,
        measure=measure,
        files=files,
        statements=statements,
        rounds=len(series.samples),
        median_s=series.median,
        min_s=series.low,
        max_s=series.high,
        ratio=series.median / floor.median if floor is not None and floor.median > 0 else None,
        us_per_statement=per_statement,
        peak_rss_mb=series.peak_rss_mb,
        note="; ".join(notes),
        samples=series.samples,
    )


def run_case(case: Case, rounds: int, budget: float | None) -> list[Row]:
    series, note = inprocess(case, rounds, budget)
    floor = series.get("floor")
    size = (case.files, case.statements)
    rows = []
    if floor is not None:
        rows.append(_series_row(case.workload, "in-process", case.floor_label, floor, size, None, is_floor=True))
    rows.append(_series_row(case.workload, "in-process", case.measure, series["run"], size, floor, note))
    return rows


def run_processes(target: Target, rounds: int, budget: float | None, workdir: Path) -> list[Row]:
    cpus = os.cpu_count() or 1
    variants: list[int | None] = [1] if cpus == 1 or len(target.files) == 1 else [1, None]
    series = processes(target.path, target.files, rounds, budget, workdir, variants)
    floor = series["floor"]
    size = (len(target.files), target.statements)
    rows = [_series_row(target.workload, "process", "floor (python3 -c read + json.loads)", floor, size, None, is_floor=True)]
    for name, values in series.items():
        if name == "floor":
            continue
        label = "check --jobs 1" if name == "jobs=1" else f"check (default jobs: {cpus})"
        rows.append(_series_row(target.workload, "process", label, values, size, floor))
    return rows


def evaluator_cases(workdir: Path, seed: int) -> list[Case]:
    """Cases from bench/evaluator.py (`cases(workdir, seed) -> list[Case]`), when it exists."""
    if not (HERE / "evaluator.py").exists():
        return []
    module = importlib.import_module("evaluator")
    return list(module.cases(workdir, seed))


@dataclass(frozen=True)
class Step:
    """One measurement step: a label for progress, its budget weight, and a budget -> rows thunk."""

    label: str
    weight: float
    run: Callable[[float | None], list[Row]]


def _plan(args: argparse.Namespace, workdir: Path, notes: list[str]) -> list[Step]:
    steps: list[Step] = []
    rounds = args.rounds

    def modes(workload: str) -> tuple[str, ...]:
        if args.mode == "both":
            return ("inprocess", "process")
        if args.mode is not None:
            return (args.mode,)
        return DEFAULT_MODES.get(workload, ("inprocess", "process") if args.workload else ("inprocess",))

    def add_target(target: Target, key: str) -> None:
        for mode in modes(key):
            weight = WEIGHTS.get((key, mode), 1.0)
            if mode == "inprocess":
                steps.append(Step(f"{target.workload} [in-process]", weight, lambda b, t=target: run_case(check_case(t), rounds, b)))
            else:
                steps.append(Step(f"{target.workload} [process]", weight, lambda b, t=target: run_processes(t, rounds, b, workdir)))

    if args.corpus_dir:
        folder = Path(args.corpus_dir)
        add_target(_target(folder.name or str(folder), folder), "corpus")
        return steps

    chosen = NAMED if args.workload == "all" else (args.workload,)
    corpus = corpus_root(args.corpus)
    for workload in chosen:
        if workload in ("managed-policies", "key-policies"):
            if corpus is None or not (corpus / workload).is_dir():
                notes.append(f"{workload}: skipped, no corpus folder (give --corpus ROOT)")
                continue
            add_target(_target(workload, corpus / workload), workload)
        elif workload == "synthetic":
            folder = generate.synthetic_tree(workdir, args.files, args.seed)
            add_target(_target(f"synthetic ({args.files:,} files)", folder), workload)
        elif workload == "large-document":
            large = generate.large_document(workdir, args.statements, args.seed)
            small = generate.small_documents(workdir, args.statements, seed=args.seed)
            add_target(_target(f"large document ({args.statements:,} statements)", large), workload)
            add_target(_target(f"small documents ({args.statements:,} statements)", small), workload)
        elif workload == "single-key":
            add_target(_target("single key policy", generate.single_key_policy(workdir, args.seed)), workload)
        elif workload == "evaluator":
            cases = evaluator_cases(workdir, args.seed)
            if not cases and args.workload == "evaluator":
                notes.append("evaluator: no bench/evaluator.py yet")
            for case in cases:
                steps.append(Step(f"{case.workload}: {case.measure} [in-process]", WEIGHTS[("evaluator", "inprocess")], lambda b, c=case: run_case(c, rounds, b)))
    return steps


def execute(steps: list[Step], budget: Budget, progress: Callable[[str], None]) -> Iterator[Row]:
    for index, step in enumerate(steps):
        share = budget.share(step.weight, sum(s.weight for s in steps[index:]))
        started = time.perf_counter()
        progress(step.label + (f", budget {share:.0f} s" if share is not None else ""))
        rows = step.run(share)
        progress(f"  done in {time.perf_counter() - started:.1f} s")
        yield from rows


def summary_lines(rows: list[Row]) -> list[str]:
    lines = []
    floors = {(r.workload, r.mode): r for r in rows if r.measure.startswith("floor")}
    for row in rows:
        floor = floors.get((row.workload, row.mode))
        if row.workload == "managed-policies" and row.mode == "process" and row.measure.startswith("check (default") and floor is not None:
            ratio = row.median_s / floor.median_s
            verdict = "met" if ratio <= THROUGHPUT_TARGET_X else "not met"
            lines.append(
                f"managed-policies (whole process, default jobs): median {row.median_s:.3f} s vs floor {floor.median_s:.3f} s = {ratio:.1f}x"
                f" (fastest runs: {row.min_s:.3f} s vs {floor.min_s:.3f} s = {row.min_s / floor.min_s:.1f}x); target <= {THROUGHPUT_TARGET_X}x: {verdict}"
            )
        if row.workload == "single key policy" and row.mode == "process" and row.measure == "check --jobs 1":
            verdict = "met" if row.median_s <= STARTUP_TARGET_S else "not met"
            lines.append(f"start-up (one key policy, whole process, --jobs 1): median {row.median_s:.3f} s; target <= {STARTUP_TARGET_S} s: {verdict}")
    large = [r for r in rows if r.workload.startswith("large document") and r.us_per_statement is not None and r.mode == "in-process"]
    small = [r for r in rows if r.workload.startswith("small documents") and r.us_per_statement is not None and r.mode == "in-process"]
    if large and small:
        a, b = large[0].us_per_statement, small[0].us_per_statement
        lines.append(f"per statement: {a:.0f} us in one large document vs {b:.0f} us in small documents ({a / b:.2f}x)")
    return lines


def render_table(rows: list[Row]) -> str:
    from tabulate import tabulate

    def num(value: float | None, fmt: str) -> str:
        return "" if value is None else format(value, fmt)

    table = [
        [
            r.workload,
            r.mode,
            r.measure,
            num(r.files, ","),
            num(r.statements, ","),
            r.rounds,
            num(r.median_s, ".3f"),
            num(r.min_s, ".3f"),
            num(r.max_s, ".3f"),
            num(r.ratio, ".1f"),
            num(r.us_per_statement, ".0f"),
            num(r.peak_rss_mb, ".0f"),
            r.note,
        ]
        for r in rows
    ]
    headers = ["workload", "mode", "measure", "files", "stmts", "rounds", "median s", "min s", "max s", "x floor", "us/stmt", "RSS MB", "note"]
    return tabulate(table, headers=headers, disable_numparse=True, colalign=("left", "left", "left") + ("right",) * 9 + ("left",))


def _machine() -> dict[str, object]:
    return {
        "python": platform.python_version(),
        "platform": platform.platform(),
        "cpus": os.cpu_count(),
        "load_average": os.getloadavg() if hasattr(os, "getloadavg") else None,
    }


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="bench/run.py", description="benchmark policylint check against the cost of json.loads")
    parser.add_argument("corpus_dir", nargs="?", metavar="CORPUS_DIR", help="a folder to benchmark (instead of --workload)")
    parser.add_argument("--workload", choices=("all", *NAMED), help="a named workload, or all of them")
    parser.add_argument("--rounds", type=int, default=7, help="measured rounds per step (default 7; a warm-up round is extra)")
    parser.add_argument("--mode", choices=("inprocess", "process", "both"), help="default: inprocess for CORPUS_DIR; per workload for --workload")
    parser.add_argument("--budget", type=float, help="seconds for the whole run, shared by the steps (default 300 with --workload all, else none)")
    parser.add_argument("--json", metavar="FILE", help="also write the results as JSON to FILE")
    parser.add_argument("--corpus", metavar="ROOT", help="folder holding managed-policies/ and key-policies/ (default /work/shared/corpus)")
    parser.add_argument("--workdir", metavar="DIR", help="where to write the synthetic workloads (default: a temporary folder)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--files", type=int, default=10_000, help="files of the synthetic tree (default 10000)")
    parser.add_argument("--statements", type=int, default=5_000, help="statements of the large document (default 5000)")
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    if (args.corpus_dir is None) == (args.workload is None):
        parser.error("give either CORPUS_DIR or --workload")
    if args.corpus_dir is not None and not Path(args.corpus_dir).is_dir():
        parser.error(f"no such folder: {args.corpus_dir}")
    if args.rounds < 1:
        parser.error("--rounds must be at least 1")
    budget = Budget(args.budget if args.budget is not None else (300.0 if args.workload == "all" else None))

    def progress(text: str) -> None:
        print(f"[{time.perf_counter() - budget.started:6.1f} s] {text}", file=sys.stderr, flush=True)

    notes: list[str] = []
    with tempfile.TemporaryDirectory(prefix="policylint-bench-") as temporary:
        workdir = Path(args.workdir) if args.workdir else Path(temporary)
        workdir.mkdir(parents=True, exist_ok=True)
        steps = _plan(args, workdir, notes)
        rows = list(execute(steps, budget, progress))
    elapsed = time.perf_counter() - budget.started
    print(render_table(rows) if rows else "no results")
    for line in summary_lines(rows) + notes:
        print(line)
    machine = _machine()
    print(f"total {elapsed:.0f} s; python {machine['python']}, {machine['cpus']} cpus, load average {machine['load_average']}")
    if args.json:
        data = {"machine": machine, "arguments": vars(args), "elapsed_s": elapsed, "results": [asdict(r) for r in rows], "summary": summary_lines(rows), "notes": notes}
        Path(args.json).write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
