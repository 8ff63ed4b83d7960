"""Instruction counts of `policylint check` against the floor, with valgrind: figures that do not
move with the machine's load, where wall-clock ratios on a shared machine move by a third.

    python3 bench/instructions.py [CORPUS_DIR] [--jobs N] [--keep DIR]

Three runs under `valgrind --tool=cachegrind --cache-sim=no`, each a whole process as in
`bench/run.py --mode process`:

- the floor: start the interpreter, read and `json.loads` every file the check reads;
- the serial start-up: `policylint check` run up to the point where it would fork its first
  worker (`os.fork` ends the process there);
- the check itself, every process counted on its own (a worker's count includes what it inherited
  at the fork: the start-up is taken off).

The critical path is estimated as start-up + the longer worker + the parent's work after the
fork shared with the workers on the CPUs; with `--jobs 1` it is the whole run. See bench/README.md.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
if str(HERE) not in sys.path:
    sys.path.insert(0, str(HERE))

from measure import FLOOR_CODE, REPO, child_env, corpus_root, policy_files  # noqa: E402

# Runs `policylint check` until it would start its first worker process.
UP_TO_FORK = (
    "import os, runpy, sys\n"
    "os.fork = lambda: os._exit(0)\n"
    "sys.argv = ['policylint', *sys.argv[1:]]\n"
    "runpy.run_module('policylint', run_name='__main__')\n"
)
_SUMMARY = re.compile(r"^summary:\s*(\d+)", re.MULTILINE)


@dataclass(frozen=True)
class Counts:
    floor: int
    start_up: int
    parent: int  # the whole parent process (start-up included)
    workers: tuple[int, ...]  # each worker's own instructions (start-up taken off)
    jobs: int

    @property
    def parent_after_fork(self) -> int:
        return self.parent - self.start_up if self.workers else 0

    @property
    def critical_path(self) -> int:
        if not self.workers:
            return self.parent
        cpus = max(1, min(self.jobs, os.cpu_count() or 1))
        return self.start_up + max(self.workers) + self.parent_after_fork // cpus


def cachegrind(command: list[str], folder: Path, name: str) -> tuple[int, dict[int, int]]:
    """The pid of `command`'s process and the instructions of it and of each process it forked
    (by pid), run under cachegrind (which runs the program in its own process)."""
    for old in folder.glob(f"{name}.*"):
        old.unlink()
    out = folder / f"{name}.%p"
    process = subprocess.Popen(
        ["valgrind", "--tool=cachegrind", "--cache-sim=no", f"--cachegrind-out-file={out}", "--log-file=/dev/null", *command],
        cwd=folder,
        env=child_env(),
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    process.wait()
    counts = {}
    for path in folder.glob(f"{name}.*"):
        found = _SUMMARY.search(path.read_text(encoding="utf-8", errors="replace"))
        if found is not None:
            counts[int(path.name.rpartition(".")[2])] = int(found.group(1))
    return process.pid, counts


def count(target: Path, files: tuple[str, ...], jobs: int | None, folder: Path) -> Counts:
    listing = folder / "files.txt"
    listing.write_text("".join(f"{p}\n" for p in files), encoding="utf-8")
    check = ["check", str(target), "--format", "json"] + (["--jobs", str(jobs)] if jobs is not None else [])
    # Compile the bytecode and write the caches the runs read, outside the counts.
    subprocess.run([sys.executable, "-m", "policylint", *check], cwd=folder, env=child_env(), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
    _, floor = cachegrind([sys.executable, "-c", FLOOR_CODE, str(listing)], folder, "floor")
    parent_pid, run = cachegrind([sys.executable, "-m", "policylint", *check], folder, "check")
    if len(floor) != 1 or parent_pid not in run:
        raise RuntimeError("valgrind gave no counts")
    workers: tuple[int, ...] = ()
    start_up = 0
    if len(run) > 1:
        _, start = cachegrind([sys.executable, "-c", UP_TO_FORK, *check], folder, "start")
        if len(start) != 1:
            raise RuntimeError("valgrind gave no count for the start-up")
        [start_up] = start.values()
        workers = tuple(count - start_up for pid, count in sorted(run.items()) if pid != parent_pid)
    used = jobs if jobs is not None else len(workers) or 1
    return Counts(floor=next(iter(floor.values())), start_up=start_up, parent=run[parent_pid], workers=workers, jobs=used)


def render(counts: Counts, target: Path, files: int) -> str:
    def g(value: int) -> str:
        return f"{value / 1e6:,.0f} M"

    lines = [f"{target} ({files:,} files), python {sys.version.split()[0]}, jobs {counts.jobs}"]
    lines.append(f"  floor (read + json.loads, whole process)   {g(counts.floor)}")
    if counts.workers:
        lines.append(f"  parent up to the fork (serial start-up)    {g(counts.start_up)}")
        lines.append(f"  each worker after the fork                 {' / '.join(g(w) for w in counts.workers)}")
        lines.append(f"  parent after the fork                      {g(counts.parent_after_fork)}")
        lines.append(f"  critical path (estimate)                   {g(counts.critical_path)} = {counts.critical_path / counts.floor:.1f}x the floor")
        total = counts.parent + sum(counts.workers)
        lines.append(f"  all processes                              {g(total)} = {total / counts.floor:.1f}x the floor")
    else:
        lines.append(f"  check (one process)                        {g(counts.parent)} = {counts.parent / counts.floor:.1f}x the floor")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="bench/instructions.py", description="instruction counts of check vs the floor")
    parser.add_argument("target", nargs="?", help="corpus folder or file (default: the shared corpus's managed-policies)")
    parser.add_argument("--jobs", type=int, help="--jobs for check (default: check's own default)")
    parser.add_argument("--keep", help="folder for valgrind's output files (default: a temporary one)")
    args = parser.parse_args(argv)
    if shutil.which("valgrind") is None:
        print("bench/instructions.py: valgrind is not installed (it counts the instructions)", file=sys.stderr)
        return 2
    root = corpus_root()
    target = Path(args.target) if args.target else (root / "managed-policies" if root else Path("../shared/corpus/managed-policies"))
    if not target.exists():
        print(f"bench/instructions.py: {target}: no such file or folder", file=sys.stderr)
        return 2
    sys.path.insert(1, str(REPO))
    files = policy_files(target)
    with tempfile.TemporaryDirectory() as scratch:
        folder = Path(args.keep) if args.keep else Path(scratch)
        folder.mkdir(parents=True, exist_ok=True)
        try:
            counts = count(target.resolve(), files, args.jobs, folder)
        except RuntimeError as error:
            print(f"bench/instructions.py: {error}", file=sys.stderr)
            return 1
    print(render(counts, target, len(files)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
