"""Long fuzzing run of the access query evaluator with the strategies of tests/evaluate/strategies.py.

    python3 bench/fuzz_evaluator.py [--count 100000] [--seed N] [--out DIR] [--slow SECONDS]

One input is a generated snapshot with 3 to 8 queries (`evaluator_inputs`). For each input:

- the snapshot is written as a file and read with `load_snapshot`; each query is written in the
  query language, parsed, decided with `decide_query` and rendered as `policylint query` prints
  it (text and JSON) and as the shell's `explain` does. The text must parse back to the query,
  and the decision must be the one `decide` gives on the same snapshot built in memory;
- three properties, on the in-memory snapshot: adding a `Deny` statement to a policy never turns
  a denied request into an allowed one; adding an `Allow` statement (or a grant of the key) never
  turns an allowed request into a denied one; shuffling every order that must not matter
  (statements, the members and values inside them, identity policies, SCP levels, grants) never
  changes a decision;
- the query parser on mutated and made-up text: it returns a query or raises `QuerySyntaxError`
  (which must render); a `can` query that parses is decided, where the errors `policylint query`
  reports to the user (a principal that cannot make requests, ...) are fine.

Any other exception, a property that does not hold, or an input that takes more than SLOW seconds
of CPU time is a failure. Each failing input is saved under DIR as `<sha1>.json`, the snapshot file
(`policylint query --snapshot DIR/<sha1>.json QUERY` replays a query), with `<sha1>.txt`: what
happened, the queries as text, and the whole input as JSON (the statement or grant added, the
shuffle seed, the parser's texts). Exit 1 when any input failed. The test suite runs the same
checks on 100 inputs (tests/robustness/test_fuzz_evaluator.py).
"""

from __future__ import annotations

import hashlib
import json
import random
import sys
import tempfile
import time
import traceback
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any, NamedTuple, TypeVar

HERE = Path(__file__).resolve().parent
for entry in (str(HERE.parent),):
    if entry not in sys.path:
        sys.path.insert(0, entry)

from bench.fuzzing import arguments, finish, run_in_batches, signature  # noqa: E402 (needs the path above)

T = TypeVar("T")

class Problem(NamedTuple):
    """One failure of one input: `signature` groups failures with one cause."""

    signature: str
    detail: str


class Outcome(NamedTuple):
    problems: list[Problem]
    decisions: int


class _Failed(Exception):
    """Raised by `_Checker.run` after recording an exception, to skip what depends on it."""


def _jsonable(query: tuple[str, str, str, dict[str, Any]]) -> list[Any]:
    principal, action, resource, context = query
    return [principal, action, resource, {k: v if isinstance(v, str) else list(v) for k, v in context.items()}]


class _Checker:
    """The checks of one input; problems and the number of decisions accumulate here."""

    def __init__(self) -> None:
        self.problems: list[Problem] = []
        self.decisions = 0

    def fail(self, signature: str, detail: str) -> None:
        self.problems.append(Problem(signature, detail))

    def run(self, step: str, call: Callable[[], T]) -> T:
        """`call()`; an exception is recorded as a failure of `step`, then `_Failed` raised."""
        try:
            return call()
        except Exception as error:  # noqa: BLE001 - a fuzzer records every failure and goes on
            self.fail(f"{step}: {signature(error)}", traceback.format_exc())
            raise _Failed from error

    def decide_all(self, step: str, snapshot: Any, queries: list[Any]) -> list[str] | None:
        """The decision value of each query, or None when one raised (recorded)."""
        from policylint.evaluate.decision import decide

        values = []
        for query in queries:
            try:
                values.append(self.run(step, lambda q=query: decide(snapshot, *q).decision))
            except _Failed:
                return None
            self.decisions += 1
        return values


def _cli_path(checker: _Checker, case: Any, workdir: Path, base_values: list[str], rng: random.Random) -> None:
    """As `policylint query` does: the snapshot as a file, each query as text; parse, decide, render."""
    from policylint.evaluate.explain import render
    from policylint.evaluate.snapshot import load_snapshot
    from policylint.query import CanQuery, parse_query
    from policylint.querycli import decide_query, explain_query, query_context
    from tests.evaluate.strategies import query_text, snapshot_data

    path = workdir / "snapshot.json"
    path.write_text(json.dumps(snapshot_data(case.spec), indent=1), encoding="utf-8")
    loaded = checker.run("load_snapshot", lambda: load_snapshot(str(path)))
    for query, expected in zip(case.queries, base_values, strict=True):
        text = query_text(query, rng)
        try:
            parsed = checker.run("parse a written query", lambda: parse_query(text))
            principal, action, resource, context = query
            got = (parsed.principal, parsed.action, parsed.resource, query_context(parsed)) if isinstance(parsed, CanQuery) else parsed
            if got != (principal, action, resource, context):
                checker.fail("a written query parses as another query", f"query: {query!r}\ntext: {text!r}\nparsed: {got!r}")
                continue
            decision = checker.run("decide_query", lambda: decide_query(loaded, parsed))
            checker.decisions += 1
            if decision.decision != expected:
                checker.fail(
                    "the loaded snapshot decides otherwise than the one built in memory",
                    f"query: {text}\nloaded: {decision.decision}\nin memory: {expected}",
                )
            checker.run("render text", lambda: render(decision, "text"))
            checker.run("render json", lambda: json.loads(render(decision, "json")))
            checker.run("explain", lambda: explain_query(loaded, parsed))
        except _Failed:
            continue


def _properties(checker: _Checker, case: Any, base_values: list[str]) -> None:
    """Adding a Deny, an Allow or a grant, and reordering, on the in-memory snapshot."""
    from tests.evaluate.strategies import build_snapshot, reordered, with_statement

    queries = case.queries
    deny_slot, deny = case.deny
    allow_slot, allow = case.allow
    with_grant = {**case.spec, "grants": [*case.spec["grants"], case.grant]}
    variants = (
        ("adding a Deny statement", with_statement(case.spec, deny_slot, deny), (0, 1), f"to `{deny_slot}`: {json.dumps(deny)}"),
        ("adding an Allow statement", with_statement(case.spec, allow_slot, allow), (0, 1), f"to `{allow_slot}`: {json.dumps(allow)}"),
        ("adding a grant", with_grant, (0, 1), json.dumps(case.grant)),
        ("reordering", reordered(case.spec, random.Random(case.shuffle_seed)), (1, 0), f"shuffle seed {case.shuffle_seed}"),
    )
    for what, spec, order, change in variants:
        try:
            snapshot = checker.run(f"build a snapshot ({what})", lambda s=spec, o=order: build_snapshot(s, o))
        except _Failed:
            continue
        values = checker.decide_all(f"decide ({what})", snapshot, queries)
        if values is None:
            continue
        for query, old, new in zip(queries, base_values, values, strict=True):
            if what == "reordering":
                broken = old != new
            elif what == "adding a Deny statement":
                broken = old != "allowed" and new == "allowed"
            else:
                broken = old == "allowed" and new != "allowed"
            if broken:
                checker.fail(f"{what} changed {old} to {new}", f"query: {_jsonable(query)}\nchange: {change}")


def _parser(checker: _Checker, case: Any, base: Any) -> None:
    """Mutated and made-up query text: a query or a `QuerySyntaxError`; `can` queries decided."""
    from policylint.evaluate.explain import render
    from policylint.query import CanQuery, QuerySyntaxError, parse_expectation_line, parse_query
    from policylint.querycli import USER_ERRORS, decide_query

    for text in case.texts:
        for start, parse in (("query", parse_query), ("expectation", lambda t: parse_expectation_line(t + " => denied")[0])):
            try:
                parsed = parse(text)
            except QuerySyntaxError as error:
                full = text if start == "query" else text + " => denied"
                if not (1 <= error.line and 1 <= error.column and 0 <= error.offset <= len(full)) or "\n" in error.message:
                    checker.fail(f"parse ({start}): bad syntax error", f"text: {text!r}\nerror: {error!r}")
                try:
                    checker.run(f"render a syntax error ({start})", lambda e=error, f=full: e.render(f))
                except _Failed:
                    pass
                continue
            except Exception as error:  # noqa: BLE001
                checker.fail(f"parse ({start}): {signature(error)}", f"text: {text!r}\n\n{traceback.format_exc()}")
                continue
            if not isinstance(parsed, CanQuery):
                continue
            try:
                decision = decide_query(base, parsed)
                checker.decisions += 1
                render(decision, "text")
            except USER_ERRORS:
                pass
            except Exception as error:  # noqa: BLE001
                checker.fail(f"decide a parsed query: {signature(error)}", f"text: {text!r}\n\n{traceback.format_exc()}")


def check_input(case: Any, workdir: Path) -> Outcome:
    """Every check of one `EvaluatorInput` (see the module docstring); `workdir` holds the
    snapshot file while it runs."""
    from tests.evaluate.strategies import build_snapshot

    checker = _Checker()
    rng = random.Random(case.shuffle_seed)
    try:
        base = checker.run("build a snapshot", lambda: build_snapshot(case.spec))
    except _Failed:
        return Outcome(checker.problems, checker.decisions)
    base_values = checker.decide_all("decide", base, case.queries)
    if base_values is not None:
        try:
            _cli_path(checker, case, workdir, base_values, rng)
        except _Failed:
            pass
        _properties(checker, case, base_values)
    _parser(checker, case, base)
    return Outcome(checker.problems, checker.decisions)


def main(argv: list[str] | None = None) -> int:
    args = arguments("bench/fuzz_evaluator.py", "fuzz the policylint access query evaluator", "fuzz-failures-evaluator", argv)


    from tests.evaluate.strategies import EvaluatorInput, evaluator_inputs, query_text, snapshot_data

    ran = 0
    decisions = 0
    failed_inputs = 0
    failures: Counter[str] = Counter()
    started = time.perf_counter()

    def save(case: EvaluatorInput, problems: list[Problem]) -> None:
        data = json.dumps(case.as_json(), indent=1, sort_keys=True)
        digest = hashlib.sha1(data.encode("utf-8", "surrogatepass")).hexdigest()[:16]
        (args.out / f"{digest}.json").write_text(json.dumps(snapshot_data(case.spec), indent=1), encoding="utf-8")
        lines = [f"{problem.signature}\n{problem.detail}\n" for problem in problems]
        lines.append("queries:")
        lines.extend(f"  {query_text(query)}" for query in case.queries)
        lines.append(f"\ninput:\n{data}\n")
        (args.out / f"{digest}.txt").write_text("\n".join(lines), encoding="utf-8", errors="backslashreplace")

    def one(case: EvaluatorInput, workdir: Path) -> None:
        nonlocal ran, decisions, failed_inputs
        ran += 1
        if ran % 1000 == 0:
            print(
                f"[{time.perf_counter() - started:7.1f} s] {ran:,} inputs, {decisions:,} decisions, {sum(failures.values())} failures",
                file=sys.stderr,
                flush=True,
            )
        # CPU time, not wall time: on a loaded machine a descheduled process is not a slow input.
        start = time.process_time()
        outcome = check_input(case, workdir)
        seconds = time.process_time() - start
        decisions += outcome.decisions
        problems = list(outcome.problems)
        if seconds > args.slow:
            problems.append(Problem(f"slow (> {args.slow} s)", f"slow: {seconds:.1f} s of CPU time"))
        if problems:
            failed_inputs += 1
            failures.update({problem.signature for problem in problems})
            save(case, problems)

    with tempfile.TemporaryDirectory(prefix="fuzz-evaluator-") as folder:
        workdir = Path(folder)
        run_in_batches(args.count, args.seed, lambda: ran, lambda case: one(case, workdir), case=evaluator_inputs())
    elapsed = time.perf_counter() - started
    throughput = f"{decisions:,} decisions; {ran / elapsed:.1f} inputs/s, {decisions / elapsed:,.0f} decisions/s"
    return finish(ran, elapsed, failures, f"{failed_inputs:,} failing inputs saved in {args.out}", throughput)


if __name__ == "__main__":
    raise SystemExit(main())
