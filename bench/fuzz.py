"""Long fuzzing run of the check pipeline with the strategies of tests/robustness/strategies.py.

    python3 bench/fuzz.py [--count 100000] [--seed N] [--out DIR] [--slow SECONDS]

Runs `check_loaded(load_bytes(name, data), settings)` on COUNT generated inputs and counts the
ones that raise or end in an internal error (PL000), or take more than SLOW seconds of CPU time.
Each such input is saved under DIR as `<sha1>.<ext>` with a `<sha1>.txt` that says what happened.
Exit 1 when any input failed. The test suite runs the same thing with 200 inputs (tests/robustness/test_fuzz.py).
"""

from __future__ import annotations

import argparse
import hashlib
import sys
import time
import traceback
from collections import Counter
from pathlib import Path

HERE = Path(__file__).resolve().parent
for entry in (str(HERE.parent),):
    if entry not in sys.path:
        sys.path.insert(0, entry)


# Inputs per hypothesis run (see the loop in `main`).
BATCH = 1000


def _signature(error: BaseException) -> str:
    """Exception type and the innermost policylint frame: failures with one cause share it."""
    frames = [f for f in traceback.extract_tb(error.__traceback__) if "policylint" in f.filename]
    where = f"{Path(frames[-1].filename).name}:{frames[-1].lineno}" if frames else "?"
    return f"{type(error).__name__} at {where}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="bench/fuzz.py", description="fuzz policylint check")
    parser.add_argument("--count", type=int, default=100_000, help="inputs to run (default 100000)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", type=Path, default=Path("fuzz-failures"), help="folder for failing inputs (default ./fuzz-failures)")
    parser.add_argument("--slow", type=float, default=5.0, help="CPU seconds after which an input counts as a failure (default 5)")
    args = parser.parse_args(argv)

    from hypothesis import HealthCheck, Phase, given, seed, settings
    from hypothesis import strategies as st

    from policylint.rules.engine import check_loaded
    from policylint.settings import Settings
    from policylint.source.loader import load_bytes
    from tests.robustness.strategies import SETTINGS, policy_files

    ran = 0
    failures: Counter[str] = Counter()
    started = time.perf_counter()
    args.out.mkdir(parents=True, exist_ok=True)

    def save(name: str, data: bytes, run_settings: Settings, what: str) -> None:
        digest = hashlib.sha1(data).hexdigest()[:16]
        suffix = Path(name).suffix or ".bin"
        (args.out / f"{digest}{suffix}").write_bytes(data)
        (args.out / f"{digest}.txt").write_text(f"file name: {name}\nsettings: {run_settings.model_dump()}\n{what}\n", encoding="utf-8")

    def one(file: tuple[str, bytes], run_settings: Settings) -> None:
        nonlocal ran
        name, data = file
        ran += 1
        if ran % 1000 == 0:
            print(f"[{time.perf_counter() - started:7.1f} s] {ran:,} inputs, {sum(failures.values())} failures", file=sys.stderr, flush=True)
        # CPU time, not wall time: on a loaded machine a descheduled process is not a slow input.
        start = time.process_time()
        try:
            outcome = check_loaded(load_bytes(name, data), run_settings)
        except Exception as error:  # noqa: BLE001 - a fuzzer records every failure and goes on
            signature = _signature(error)
            failures[signature] += 1
            save(name, data, run_settings, f"{signature}\n\n{traceback.format_exc()}")
            return
        seconds = time.process_time() - start
        internal = [f for f in outcome.findings if f.rule == "PL000"]
        if internal:
            failures[f"PL000 {internal[0].message}"] += 1
            save(name, data, run_settings, f"PL000: {internal[0].message}")
        if seconds > args.slow:
            failures[f"slow (> {args.slow} s)"] += 1
            save(name, data, run_settings, f"slow: {seconds:.1f} s")

    # A hypothesis run remembers every example it generated, so the inputs come from runs of
    # BATCH examples, each with its own seed: memory stays flat over a long run.
    batch = 0
    while ran < args.count:
        before = ran

        @seed(args.seed * 1_000_000 + batch)
        @settings(
            max_examples=min(BATCH, args.count - ran),
            deadline=None,
            database=None,
            phases=[Phase.generate],
            suppress_health_check=list(HealthCheck),
        )
        @given(file=policy_files(), run_settings=st.sampled_from(SETTINGS))
        def run_batch(file: tuple[str, bytes], run_settings: Settings) -> None:
            one(file, run_settings)

        run_batch()
        if ran == before:  # hypothesis found no more examples
            break
        batch += 1
    elapsed = time.perf_counter() - started
    print(f"ran {ran:,} inputs in {elapsed:.0f} s; {sum(failures.values())} failures")
    for signature, count in failures.most_common():
        print(f"  {count:6,}  {signature}")
    if failures:
        print(f"failing inputs saved in {args.out}")
    return 1 if failures else 0


if __name__ == "__main__":
    raise SystemExit(main())
