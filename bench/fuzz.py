"""Long fuzzing run of the check pipeline with the strategies of tests/robustness/strategies.py.

    python3 bench/fuzz.py [--count 100000] [--seed N] [--out DIR] [--slow SECONDS]

Runs `check_loaded(load_bytes(name, data), settings)` on COUNT generated inputs and counts the
ones that raise or end in an internal error (PL000), or take more than SLOW seconds of CPU time.
Each such input is saved under DIR as `<sha1>.<ext>` with a `<sha1>.txt` that says what happened.
Exit 1 when any input failed. The test suite runs the same thing with 200 inputs (tests/robustness/test_fuzz.py).
"""

from __future__ import annotations

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

from bench.fuzzing import arguments, finish, run_in_batches, signature  # noqa: E402 (needs the path above)


def main(argv: list[str] | None = None) -> int:
    args = arguments("bench/fuzz.py", "fuzz policylint check", "fuzz-failures", argv)

    from hypothesis import strategies as st

    from policylint.rules.engine import check_loaded
    from policylint.settings import Settings
    from policylint.source.loader import load_bytes
    from tests.robustness.strategies import SETTINGS, policy_files

    ran = 0
    failures: Counter[str] = Counter()
    started = time.perf_counter()

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
            cause = signature(error)
            failures[cause] += 1
            save(name, data, run_settings, f"{cause}\n\n{traceback.format_exc()}")
            return
        seconds = time.process_time() - start
        internal = [f for f in outcome.findings if f.rule == "PL000"]
        if internal:
            failures[f"PL000 {internal[0].message}"] += 1
            save(name, data, run_settings, f"PL000: {internal[0].message}")
        if seconds > args.slow:
            failures[f"slow (> {args.slow} s)"] += 1
            save(name, data, run_settings, f"slow: {seconds:.1f} s")

    run_in_batches(
        args.count, args.seed, lambda: ran, lambda file, run_settings: one(file, run_settings),
        file=policy_files(), run_settings=st.sampled_from(SETTINGS),
    )
    return finish(ran, time.perf_counter() - started, failures, f"failing inputs saved in {args.out}")


if __name__ == "__main__":
    raise SystemExit(main())
