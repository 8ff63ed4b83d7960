"""`policylint query` (and the shell's answers): parse the query, load the snapshot, decide, render.

Sources of the snapshot (`Sources`): a snapshot file (`--snapshot`); AWS CLI exports
(`--authorization-details`, `--key-policy KEY_ARN=FILE`, `--grants`, `--describe-key`, `--scp`,
`--organization-id`; see `policylint.snapshot_build`); or one key policy file with `--key ARN`
and the caller's `--identity-policy` files, a snapshot made for each query.

Functions here return data (`Outcome`: standard output, standard error, exit code); `cli.py`
and `shell.py` print it. Exit codes: 0 allowed (every expectation met), 1 denied (an
expectation not met), 2 an error.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Sequence

from pydantic import BaseModel, ConfigDict

from policylint.evaluate.arn import parse_arn, session_role_arn
from policylint.evaluate.decision import Decision, Reason, evaluate, statement_reason
from policylint.evaluate.explain import decision_json, reason_line, render
from policylint.evaluate.request import EvaluationError, build_request
from policylint.evaluate.snapshot import KeyEntry, PrincipalEntry, Snapshot, SnapshotError, load_policy, load_snapshot
from policylint.query import CanQuery, IsPublicQuery, Outcome as Expected, QuerySyntaxError, WhoCanQuery, parse_expectations, parse_query
from policylint.snapshot_build import Built, ExportError, ExportFiles, build_from_exports, key_file_pair

EXIT_ALLOWED = 0
EXIT_DENIED = 1
EXIT_ERROR = 2

# What the command line names the snapshot when it builds one from `--key-policy`.
COMMAND_LINE = "<command line>"
_LINE_BREAK = re.compile(r"\r\n|\r|\n")


class QueryUsageError(ValueError):
    """An invocation of `query` that cannot be carried out."""


class Outcome(BaseModel):
    """What a command prints: `stdout`, `stderr`, and its exit code."""

    model_config = ConfigDict(frozen=True)

    stdout: str = ""
    stderr: str = ""
    code: int = EXIT_ALLOWED


class Sources(BaseModel):
    """Where the snapshot comes from, as given on the command line (`key_policies` as written:
    `FILE`, or `KEY=FILE`)."""

    model_config = ConfigDict(frozen=True)

    snapshot: str | None = None
    key_policies: tuple[str, ...] = ()
    key: str | None = None
    identity_policies: tuple[str, ...] = ()
    authorization_details: str | None = None
    grants: tuple[str, ...] = ()
    describe_keys: tuple[str, ...] = ()
    scps: tuple[str, ...] = ()
    organization_id: str | None = None


def _error(message: str) -> Outcome:
    return Outcome(stderr=f"policylint: error: {message}\n", code=EXIT_ERROR)


def warning_lines(warnings: Sequence[str]) -> str:
    return "".join(f"policylint: warning: {warning}\n" for warning in warnings)


def query_context(query: CanQuery) -> dict[str, tuple[str, ...] | str]:
    """The `with` clause as context keys: a list gives a multivalued key."""
    return {entry.key: entry.values if entry.multivalued else entry.values[0] for entry in query.context}


def supported(query: object) -> CanQuery:
    """The query if it is a `can` query; `QueryUsageError` for the kinds not answered yet."""
    if isinstance(query, WhoCanQuery):
        raise QueryUsageError("`who can` queries are not supported yet")
    if isinstance(query, IsPublicQuery):
        raise QueryUsageError("`is ... public` queries are not supported yet")
    assert isinstance(query, CanQuery)
    return query


# -- where the snapshot comes from ---------------------------------------------------------------


def _is_pair(value: str) -> bool:
    """`KEY=FILE` rather than a file (a file whose name holds `=` stays a file)."""
    return "=" in value and not os.path.isfile(value)


def _export_files(sources: Sources, *, allow_key_policy_mode: bool) -> ExportFiles | None:
    """The exports to build the snapshot from; None for `--snapshot` or (when allowed) the
    `--key-policy FILE --key ARN` mode."""
    pairs = [value for value in sources.key_policies if _is_pair(value)]
    plain = [value for value in sources.key_policies if not _is_pair(value)]
    exports = bool(
        sources.authorization_details or sources.grants or sources.describe_keys or sources.scps
        or sources.organization_id or pairs
    )
    if sources.snapshot is not None:
        if exports or sources.key_policies:
            raise QueryUsageError("give either `--snapshot FILE` or exports (`--authorization-details`, `--key-policy`, ...), not both")
        if sources.key is not None or sources.identity_policies:
            raise QueryUsageError("`--key` and `--identity-policy` go with `--key-policy`, not `--snapshot`")
        return None
    if not exports and allow_key_policy_mode:
        if not plain:
            raise QueryUsageError("give `--snapshot FILE`, `--authorization-details FILE` or `--key-policy FILE --key ARN`")
        if len(plain) > 1:
            raise QueryUsageError("give one `--key-policy FILE` with `--key ARN`, or `--key-policy KEY_ARN=FILE` for each key")
        if sources.key is None:
            raise QueryUsageError("`--key-policy` needs `--key ARN`, the key the policy belongs to")
        return None
    if sources.identity_policies:
        raise QueryUsageError("`--identity-policy` goes with `--key-policy FILE --key ARN`; exports give the identity policies")
    if len(plain) > 1 or (plain and sources.key is None):
        raise QueryUsageError("`--key-policy FILE` needs `--key ARN`; or write `--key-policy KEY_ARN=FILE`")
    if sources.key is not None and not plain:
        raise QueryUsageError("`--key` goes with `--key-policy FILE`")
    key_policies = [key_file_pair(value, "--key-policy") for value in pairs]
    if plain and sources.key is not None:
        key_policies.append((sources.key, plain[0]))
    if not (sources.authorization_details or key_policies or sources.grants or sources.describe_keys):
        raise QueryUsageError("give either `--snapshot FILE` or `--authorization-details FILE` (or keys)")
    return ExportFiles(
        authorization_details=sources.authorization_details,
        key_policies=tuple(key_policies),
        grants=tuple(key_file_pair(value, "--grants") for value in sources.grants),
        describe_keys=sources.describe_keys,
        scps=sources.scps,
        organization_id=sources.organization_id,
    )


def _load(sources: Sources, files: ExportFiles | None) -> Built:
    if files is None:
        assert sources.snapshot is not None
        return Built(snapshot=load_snapshot(sources.snapshot))
    return build_from_exports(files)


def open_snapshot(sources: Sources) -> Built:
    """The snapshot of a snapshot file or of exports (for the shell), with the warnings
    building it gave. Raises `QueryUsageError`, `SnapshotError` or `ExportError`."""
    return _load(sources, _export_files(sources, allow_key_policy_mode=False))


def key_policy_snapshot(query: CanQuery, key_policy: str, key: str, identity_policies: Sequence[str]) -> Snapshot:
    """An in-memory snapshot: the key `key` with the policy in file `key_policy`, and the
    query's principal with the identity policies in `identity_policies`."""
    parsed = parse_arn(key)
    if parsed is None or parsed.service != "kms" or not parsed.resource.startswith("key/"):
        raise QueryUsageError(f"`--key` must be a KMS key ARN, not `{key}`")
    keys = {key: KeyEntry(arn=key, account=parsed.account, policy=load_policy(key_policy, "key-policy"))}
    principals: dict[str, PrincipalEntry] = {}
    if identity_policies and query.principal_kind != "arn":
        raise QueryUsageError("`--identity-policy` needs a user, role or role session as the query's principal")
    if query.principal_kind == "arn":
        holder = session_role_arn(query.principal) or query.principal
        documents = tuple(load_policy(path, "identity-policy") for path in identity_policies)
        principals[holder] = PrincipalEntry(arn=holder, policies=documents)
    return Snapshot(path=COMMAND_LINE, keys=keys, principals=principals)


class _Snapshots:
    """The snapshot for each query: one for the whole run, or one per query (`--key-policy`)."""

    def __init__(self, sources: Sources) -> None:
        self.sources = sources
        self.files = _export_files(sources, allow_key_policy_mode=True)
        self.per_query = self.files is None and sources.snapshot is None
        self.built: Built | None = None

    def load(self) -> tuple[str, ...]:
        """Load the shared snapshot (none in the per-query mode); its warnings."""
        if self.per_query:
            return ()
        self.built = _load(self.sources, self.files)
        return self.built.warnings

    def snapshot(self, query: CanQuery) -> Snapshot:
        if self.built is not None:
            return self.built.snapshot
        assert self.sources.key is not None
        return key_policy_snapshot(query, self.sources.key_policies[0], self.sources.key, self.sources.identity_policies)


# What a query or its sources can fail with: one line for the user each.
USER_ERRORS = (QueryUsageError, SnapshotError, EvaluationError, ExportError)


# -- one query ----------------------------------------------------------------------------------


def decide_query(snapshot: Snapshot, query: CanQuery) -> Decision:
    """The decision for one parsed `can` query."""
    request = build_request(snapshot, query.principal, query.action, query.resource, query_context(query))
    return evaluate(snapshot, request)


def answer(text: str, sources: Sources, fmt: str = "text") -> Outcome:
    """Answer the query `text` against the snapshot `sources` name."""
    try:
        snapshots = _Snapshots(sources)
        try:
            parsed = parse_query(text)
        except QuerySyntaxError as error:
            return Outcome(stderr=error.render(text) + "\n", code=EXIT_ERROR)
        if isinstance(parsed, (WhoCanQuery, IsPublicQuery)):
            return _analysis(parsed, sources, snapshots, fmt)
        query = supported(parsed)
        warnings = snapshots.load()
        decision = decide_query(snapshots.snapshot(query), query)
    except USER_ERRORS as error:
        return _error(str(error))
    code = EXIT_ALLOWED if decision.decision == "allowed" else EXIT_DENIED
    return Outcome(stdout=render(decision, fmt), stderr=warning_lines(warnings), code=code)


def _analysis(query: WhoCanQuery | IsPublicQuery, sources: Sources, snapshots: _Snapshots, fmt: str) -> Outcome:
    """`who can` and `is ... public`: the symbolic access analysis (`policylint.analyze`)."""
    from policylint.analyze.answer import answer_analysis

    warnings = snapshots.load()
    built = snapshots.built.snapshot if snapshots.built is not None else None
    stdout, error, code = answer_analysis(
        query, built, key_policies=sources.key_policies, key=sources.key, organization=sources.organization_id, fmt=fmt
    )
    if error is not None:
        return _error(error)
    return Outcome(stdout=stdout, stderr=warning_lines(warnings), code=code)


def run_query(
    text: str,
    *,
    snapshot: str | None = None,
    key_policy: str | None = None,
    key: str | None = None,
    identity_policies: Sequence[str] = (),
    fmt: str = "text",
) -> tuple[str, int]:
    """Answer the query `text` against a snapshot file, or against a key policy file (and the
    caller's identity policy files). Returns the output (the error on exit code 2) and the
    exit code."""
    sources = Sources(
        snapshot=snapshot,
        key_policies=() if key_policy is None else (key_policy,),
        key=key,
        identity_policies=tuple(identity_policies),
    )
    outcome = answer(text, sources, fmt)
    return (outcome.stderr if outcome.code == EXIT_ERROR else outcome.stdout), outcome.code


# -- an expectations file ------------------------------------------------------------------------


def _met(expected: Expected, decision: Decision) -> bool:
    if expected == "denied":
        return decision.decision != "allowed"
    return decision.decision == expected


def run_expectations(path: str, sources: Sources, fmt: str = "text") -> Outcome:
    """Check every `QUERY => outcome` line of file `path`: each unmet expectation with the
    reasons of the decision, then `N passed, M failed`. Exit 0 when all are met, 1 when not,
    2 for a file or query that cannot be used (nothing is reported then)."""
    try:
        snapshots = _Snapshots(sources)
        try:
            with open(path, encoding="utf-8-sig") as stream:
                text = stream.read()
        except OSError as error:
            raise QueryUsageError(f"cannot read `{path}`: {(error.strerror or str(error)).lower()}") from None
        except UnicodeDecodeError:
            raise QueryUsageError(f"`{path}` is not UTF-8 text") from None
        try:
            expectations = parse_expectations(text)
        except QuerySyntaxError as error:
            return Outcome(stderr=f"{path}:{error.render(text)}\n", code=EXIT_ERROR)
        if not expectations:
            raise QueryUsageError(f"`{path}` holds no expectations (`QUERY => allowed|denied|...` lines)")
        lines = _LINE_BREAK.split(text)
        checks: list[tuple[int, str, Expected, CanQuery]] = []
        for number, query, expected in expectations:
            try:
                can = supported(query)
            except QueryUsageError as error:
                raise QueryUsageError(f"{path}:{number}: {error}") from None
            checks.append((number, lines[number - 1][query.span.start : query.span.end], expected, can))
        warnings = snapshots.load()
        results: list[tuple[int, str, Expected, Decision]] = []
        for number, query_text, expected, can in checks:
            try:
                results.append((number, query_text, expected, decide_query(snapshots.snapshot(can), can)))
            except (EvaluationError, SnapshotError, QueryUsageError) as error:
                raise QueryUsageError(f"{path}:{number}: {error}") from None
    except USER_ERRORS as error:
        return _error(str(error))
    failed = sum(1 for _n, _q, expected, decision in results if not _met(expected, decision))
    code = EXIT_DENIED if failed else EXIT_ALLOWED
    stdout = _expectations_json(path, results) if fmt == "json" else _expectations_text(path, results)
    return Outcome(stdout=stdout, stderr=warning_lines(warnings), code=code)


def _expectations_text(path: str, results: Sequence[tuple[int, str, Expected, Decision]]) -> str:
    out: list[str] = []
    for number, query_text, expected, decision in results:
        if _met(expected, decision):
            continue
        out.append(f"{path}:{number}: expected {expected}, got {decision.decision}: {query_text}")
        out.extend(f"  {reason_line(reason)}" for reason in decision.reasons)
    failed = sum(1 for _n, _q, expected, decision in results if not _met(expected, decision))
    out.append(f"{len(results) - failed} passed, {failed} failed")
    return "\n".join(out) + "\n"


def _expectations_json(path: str, results: Sequence[tuple[int, str, Expected, Decision]]) -> str:
    items = [
        {"line": number, "query": query_text, "expected": expected, "passed": _met(expected, decision), "decision": decision_json(decision)}
        for number, query_text, expected, decision in results
    ]
    passed = sum(1 for item in items if item["passed"])
    data = {"file": path, "passed": passed, "failed": len(items) - passed, "results": items}
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"


# -- the whole explanation ------------------------------------------------------------------------

# The order policies are listed in, as in a decision's reasons.
_KIND_ORDER = (
    "key-policy", "trust-policy", "resource-policy", "grant", "identity-policy",
    "permissions-boundary", "session-policy", "scp", "rcp", "vpc-endpoint-policy",
)
_OUTCOMES = {"allow": "allows", "deny": "denies", "none": "no statement applies"}


def _context_value(value: tuple[str, ...] | str) -> str:
    return value if isinstance(value, str) else "[" + ", ".join(value) + "]"


def explain_query(snapshot: Snapshot, query: CanQuery) -> str:
    """The answer to `query` in full: the decision and its reasons, the request's context
    keys, then every policy that was evaluated with the statements that apply and the
    closest ones that do not (and every grant of the key)."""
    # The evaluation decision.py runs, for every policy's own result.
    from policylint.evaluate.decision import _Evaluation

    request = build_request(snapshot, query.principal, query.action, query.resource, query_context(query))
    decision = evaluate(snapshot, request)
    out = [render(decision, "text").rstrip("\n"), "request context:"]
    out.extend(f"  {name} = {_context_value(value)}" for name, value in request.keys.items())
    evaluation = _Evaluation(snapshot, request)
    results = sorted(evaluation.all_results(), key=lambda r: _KIND_ORDER.index(r.kind))
    out.append("policies evaluated:" if results or evaluation.grants else "policies evaluated: none")
    levels = {id(r): n for n, level in enumerate(evaluation.scp_levels, start=1) for r in level}
    for result in results:
        kind = result.kind
        if id(result) in levels and len(evaluation.scp_levels) > 1:
            kind = f"scp (level {levels[id(result)]} of {len(evaluation.scp_levels)})"
        out.append(f"  {kind} {result.document.path}: {_OUTCOMES[result.outcome]}")
        shown = (*result.denies, *result.allows, *result.closest)
        out.extend(f"    {_statement_line(statement_reason(result.kind, result.document, item))}" for item in shown)
        rest = len(result.document.statements) - len(shown)
        if rest:
            out.append(f"    ({rest} other statement{'s' if rest != 1 else ''} further from the request)")
    for grant in evaluation.grants:
        where = f"{grant.grant.path}:{grant.grant.range.start.line}" if grant.grant.range is not None else grant.grant.path
        name = f"`{grant.grant.name}`" if grant.grant.name else str(grant.grant.index)
        out.append(f"  grant {name} {where}: {grant.detail}")
    return "\n".join(out) + "\n"


def _statement_line(reason: Reason) -> str:
    """A reason line without its policy kind (the policy's heading line gives it)."""
    return reason_line(reason)[len(reason.policy_kind) + 1 :]
