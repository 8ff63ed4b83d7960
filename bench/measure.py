"""Timing primitives of the benchmark harness: rounds under a time budget, in-process and whole-process.

A `Case` is anything measured in-process: a callable per round, optionally paired with a floor
callable (the cheapest possible way to do the same I/O). bench/run.py builds cases for the check
workloads; bench/evaluator.py (when present) returns more cases through `cases(workdir, seed)`.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent

# The floor process: interpreter start, then read + json.loads every file named in a list file.
FLOOR_CODE = (
    "import json,sys\n"
    "for p in open(sys.argv[1], encoding='utf-8').read().splitlines():\n"
    "    try:\n"
    "        json.loads(open(p, 'rb').read())\n"
    "    except (ValueError, RecursionError, OSError):\n"
    "        pass\n"
)


@dataclass(frozen=True)
class Series:
    """Seconds of each measured round (warm-up excluded unless `cold`)."""

    samples: tuple[float, ...]
    cold: bool = False  # the only sample is the warm-up round (it alone used the budget)
    peak_rss_mb: float | None = None

    @property
    def median(self) -> float:
        return statistics.median(self.samples)

    @property
    def low(self) -> float:
        return min(self.samples)

    @property
    def high(self) -> float:
        return max(self.samples)


@dataclass(frozen=True)
class Case:
    """One in-process measurement: `run` per round, `floor` (optional) measured in the same rounds."""

    workload: str
    measure: str
    run: Callable[[], object]
    floor: Callable[[], object] | None = None
    files: int | None = None
    statements: int | None = None
    # Called with the last return value of `run`: a short description (e.g. finding counts).
    describe: Callable[[object], str] | None = None
    floor_label: str = "floor (read + json.loads)"


@dataclass
class Budget:
    """Seconds left for the whole run, shared out by weight; None means no limit."""

    total: float | None
    started: float = field(default_factory=time.perf_counter)

    def share(self, weight: float, weights_left: float) -> float | None:
        if self.total is None:
            return None
        left = self.total - (time.perf_counter() - self.started)
        return max(0.0, left * weight / max(weights_left, weight))


def timed(function: Callable[[], object]) -> tuple[float, object]:
    start = time.perf_counter()
    value = function()
    return time.perf_counter() - start, value


def rounds_under_budget(
    step: Callable[[], dict[str, float]], rounds: int, budget: float | None, warmup: Callable[[], object] | None = None
) -> tuple[dict[str, list[float]], bool]:
    """Run `step` (one round: name -> seconds) up to `rounds` times after a warm-up.

    The warm-up is `warmup()` when given, else a first round of `step` that is not counted. With a
    budget, stop when the next round would not fit. When even the first measured round would not
    fit after a `step` warm-up, the warm-up round is returned as the only sample, marked cold.
    Otherwise at least one round is measured.
    """
    started = time.perf_counter()
    if warmup is None:
        first = step()
        last = sum(first.values())
    else:
        warmup()
        first, last = {}, 0.0
    samples: dict[str, list[float]] = {}
    for index in range(rounds):
        elapsed = time.perf_counter() - started
        if budget is not None and elapsed + last > budget and (index > 0 or warmup is None):
            if index == 0:
                return {name: [seconds] for name, seconds in first.items()}, True
            break
        result = step()
        last = sum(result.values())
        for name, seconds in result.items():
            samples.setdefault(name, []).append(seconds)
    return samples, False


def inprocess(case: Case, rounds: int, budget: float | None) -> tuple[dict[str, Series], str]:
    """Measure a case: floor and run in the same rounds (floor first)."""
    last: list[object] = [None]

    def step() -> dict[str, float]:
        out = {}
        if case.floor is not None:
            out["floor"], _ = timed(case.floor)
        out["run"], last[0] = timed(case.run)
        return out

    samples, cold = rounds_under_budget(step, rounds, budget)
    note = case.describe(last[0]) if case.describe is not None and last[0] is not None else ""
    return {name: Series(tuple(values), cold=cold) for name, values in samples.items()}, note


def child_env() -> dict[str, str]:
    """The environment for a child process that imports policylint from this checkout.

    Bytecode is written (the warm-up runs write it), whatever PYTHONDONTWRITEBYTECODE says: an
    installed policylint has its bytecode (pip compiles it at install), and without it every run
    would compile every module from source, a third of a one-file run.
    """
    env = dict(os.environ)
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(REPO), env.get("PYTHONPATH", "")) if p)
    return env


# Runs a command with stdout to /dev/null and reports `seconds peak_rss_kib exit_code` on its own
# stdout. A separate small launcher, because a child's peak RSS on Linux counts the memory of the
# process that forked it (here the harness, with policylint imported), and so that the timing
# excludes the launcher's own start-up.
LAUNCHER = (
    "import os,sys,time\n"
    "null = os.open(os.devnull, os.O_WRONLY)\n"
    "start = time.perf_counter()\n"
    "pid = os.posix_spawn(sys.argv[1], sys.argv[1:], os.environ, file_actions=[(os.POSIX_SPAWN_DUP2, null, 1)])\n"
    "_, status, usage = os.wait4(pid, 0)\n"
    "print(time.perf_counter() - start, usage.ru_maxrss, os.waitstatus_to_exitcode(status))\n"
)


def run_process(command: Sequence[str], cwd: Path, ok: tuple[int, ...] = (0,)) -> tuple[float, float]:
    """Wall seconds and peak RSS (MB, of the process itself, not its workers) of one command."""
    with tempfile.TemporaryFile() as errors:
        done = subprocess.run(
            [sys.executable, "-I", "-S", "-c", LAUNCHER, *command],
            cwd=cwd,
            env=child_env(),
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=errors,
            check=True,
        )
        seconds, rss, code = done.stdout.split()
        if int(code) not in ok:
            errors.seek(0)
            tail = errors.read().decode("utf-8", "replace").strip().splitlines()[-3:]
            raise RuntimeError(f"`{' '.join(command)}` exited {code}: {' | '.join(tail)}")
    # ru_maxrss is in KiB on Linux, bytes on macOS.
    scale = 1 / (1024 * 1024) if sys.platform == "darwin" else 1 / 1024
    return float(seconds), int(rss) * scale


def check_command(target: str, jobs: int | None) -> list[str]:
    command = [sys.executable, "-m", "policylint", "check", target, "--format", "json"]
    return command + (["--jobs", str(jobs)] if jobs is not None else [])


def processes(
    target: str, files: Sequence[str], rounds: int, budget: float | None, workdir: Path, variants: Sequence[int | None]
) -> dict[str, Series]:
    """Whole processes, interleaved per round: the floor, then `policylint check` for each jobs variant.

    Warm-up (not counted): the floor process and a check of the first file (page cache, bytecode).
    """
    listing = workdir / "files.txt"
    listing.write_text("".join(f"{p}\n" for p in files), encoding="utf-8")
    floor = [sys.executable, "-c", FLOOR_CODE, str(listing)]
    rss: dict[str, list[float]] = {}

    def warm() -> None:
        run_process(floor, workdir)
        if files:
            run_process(check_command(files[0], 1), workdir, ok=(0, 1))

    def step() -> dict[str, float]:
        out = {}
        out["floor"], mb = run_process(floor, workdir)
        rss.setdefault("floor", []).append(mb)
        for jobs in variants:
            name = f"jobs={jobs}" if jobs is not None else "jobs=default"
            out[name], mb = run_process(check_command(target, jobs), workdir, ok=(0, 1))
            rss.setdefault(name, []).append(mb)
        return out

    samples, _ = rounds_under_budget(step, rounds, budget, warmup=warm)
    return {name: Series(tuple(values), peak_rss_mb=max(rss[name])) for name, values in samples.items()}


def floor_reader(files: Sequence[str]) -> Callable[[], int]:
    """The in-process floor: read + json.loads every file; returns how many parsed."""

    def read_all() -> int:
        parsed = 0
        for path in files:
            try:
                with open(path, "rb") as stream:
                    json.loads(stream.read())
                parsed += 1
            except (ValueError, RecursionError, OSError):
                pass
        return parsed

    return read_all


def corpus_root(given: str | None = None) -> Path | None:
    """The shared corpus folder: `given`, else /work/shared/corpus or ../shared/corpus beside the repo."""
    for candidate in [given] if given else ["/work/shared/corpus", str(REPO.parent / "shared" / "corpus")]:
        if candidate and Path(candidate).is_dir():
            return Path(candidate)
    return None


def policy_files(path: Path) -> tuple[str, ...]:
    """The files `policylint check PATH` reads, as it finds them."""
    from policylint.settings import Settings
    from policylint.source.loader import discover

    return tuple(item for item in discover([str(path)], Settings().exclude) if isinstance(item, str))


def count_statements(files: Sequence[str]) -> int:
    """Statements of the plain policy documents among `files` (containers count 0)."""
    total = 0
    for path in files:
        try:
            with open(path, "rb") as stream:
                value = json.loads(stream.read())
        except (ValueError, RecursionError, OSError):
            continue
        statement = value.get("Statement") if isinstance(value, dict) else None
        total += len(statement) if isinstance(statement, list) else int(isinstance(statement, dict))
    return total
