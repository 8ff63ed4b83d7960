"""`policylint query`: parse the query, load the snapshot, decide, render.

Functions here return `(text, exit code)`; `cli.py` prints the text (on standard output for
0 allowed and 1 denied, on standard error for 2, an error).
"""

from __future__ import annotations

from collections.abc import Sequence

from policylint.evaluate.arn import parse_arn, session_role_arn
from policylint.evaluate.decision import Decision, evaluate
from policylint.evaluate.explain import render
from policylint.evaluate.request import EvaluationError, build_request
from policylint.evaluate.snapshot import KeyEntry, PrincipalEntry, Snapshot, SnapshotError, load_policy, load_snapshot
from policylint.query import CanQuery, IsPublicQuery, QuerySyntaxError, WhoCanQuery, parse_query

EXIT_ALLOWED = 0
EXIT_DENIED = 1
EXIT_ERROR = 2

# What the command line names the snapshot when it builds one from `--key-policy`.
COMMAND_LINE = "<command line>"


class QueryUsageError(ValueError):
    """An invocation of `query` that cannot be carried out."""


def _error(message: str) -> tuple[str, int]:
    return f"policylint: error: {message}\n", EXIT_ERROR


def query_context(query: CanQuery) -> dict[str, tuple[str, ...] | str]:
    """The `with` clause as context keys: a list gives a multivalued key."""
    return {entry.key: entry.values if entry.multivalued else entry.values[0] for entry in query.context}


def _parse(text: str) -> CanQuery:
    query = parse_query(text)
    if isinstance(query, WhoCanQuery):
        raise QueryUsageError("`who can` queries are not supported yet")
    if isinstance(query, IsPublicQuery):
        raise QueryUsageError("`is ... public` queries are not supported yet")
    return query


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


def decide_query(snapshot: Snapshot, query: CanQuery) -> Decision:
    """The decision for one parsed `can` query."""
    request = build_request(snapshot, query.principal, query.action, query.resource, query_context(query))
    return evaluate(snapshot, request)


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
    caller's identity policy files). Returns the output and the exit code."""
    try:
        if (snapshot is None) == (key_policy is None):
            raise QueryUsageError("give either `--snapshot FILE` or `--key-policy FILE --key ARN`")
        if key_policy is not None and key is None:
            raise QueryUsageError("`--key-policy` needs `--key ARN`, the key the policy belongs to")
        if snapshot is not None and (key is not None or identity_policies):
            raise QueryUsageError("`--key` and `--identity-policy` go with `--key-policy`, not `--snapshot`")
        try:
            query = _parse(text)
        except QuerySyntaxError as error:
            return error.render(text) + "\n", EXIT_ERROR
        if snapshot is not None:
            loaded = load_snapshot(snapshot)
        else:
            assert key_policy is not None and key is not None
            loaded = key_policy_snapshot(query, key_policy, key, identity_policies)
        decision = decide_query(loaded, query)
    except (QueryUsageError, SnapshotError, EvaluationError) as error:
        return _error(str(error))
    code = EXIT_ALLOWED if decision.decision == "allowed" else EXIT_DENIED
    return render(decision, fmt), code
