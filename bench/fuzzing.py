"""What the long fuzzing runs share (bench/fuzz.py, bench/fuzz_evaluator.py): drawing inputs from
hypothesis in batches, naming failures, printing them.

A single hypothesis run remembers every example it generated (about 100 kB each for a snapshot),
so a run of 100,000 inputs would grow to gigabytes. The inputs come instead from runs of BATCH
examples, each seeded from the run's seed and its own number: memory stays flat, and the same
seed gives the same inputs.
"""

from __future__ import annotations

import argparse
import traceback
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

BATCH = 1000


def arguments(prog: str, description: str, out: str, argv: list[str] | None) -> argparse.Namespace:
    """The command line both fuzzing scripts take: --count, --seed, --out (made here), --slow."""
    parser = argparse.ArgumentParser(prog=prog, description=description)
    parser.add_argument("--count", type=int, default=100_000, help="inputs to run (default 100000)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", type=Path, default=Path(out), help=f"folder for failing inputs (default ./{out})")
    parser.add_argument("--slow", type=float, default=5.0, help="CPU seconds after which an input counts as a failure (default 5)")
    args = parser.parse_args(argv)
    try:
        args.out.mkdir(parents=True, exist_ok=True)
    except OSError as error:  # a file of that name, no permission: one line, exit 2
        parser.error(f"--out {args.out}: {(error.strerror or str(error)).lower()}")
    return args


def run_in_batches(count: int, base_seed: int, ran: Callable[[], int], body: Callable[..., None], **strategies: Any) -> None:
    """Call `body(**example)` for up to `count` examples drawn from `strategies` (keyword ->
    strategy); `ran()` tells how many inputs `body` has taken so far."""
    from hypothesis import HealthCheck, Phase, given, seed, settings

    batch = 0
    while ran() < count:
        before = ran()

        @seed(base_seed * 1_000_000 + batch)
        @settings(
            max_examples=min(BATCH, count - before),
            deadline=None,
            database=None,
            phases=[Phase.generate],
            suppress_health_check=list(HealthCheck),
        )
        @given(**strategies)
        def run_batch(**example: Any) -> None:
            body(**example)

        run_batch()
        if ran() == before:  # hypothesis found no more examples
            break
        batch += 1


def finish(ran: int, elapsed: float, failures: Counter[str], saved: str, throughput: str | None = None) -> int:
    """Print how a run went (count, time, failures by cause, where failing inputs are); its exit code."""
    print(f"ran {ran:,} inputs in {elapsed:.0f} s; {sum(failures.values())} failures")
    if throughput is not None:
        print(throughput)
    for cause, times in failures.most_common():
        print(f"  {times:6,}  {cause}")
    if failures:
        print(saved)
    return 1 if failures else 0


def signature(error: BaseException) -> str:
    """Exception type and the innermost policylint frame: failures with one cause share it."""
    frames = [f for f in traceback.extract_tb(error.__traceback__) if "policylint" in f.filename]
    where = f"{Path(frames[-1].filename).name}:{frames[-1].lineno}" if frames else "?"
    return f"{type(error).__name__} at {where}"
