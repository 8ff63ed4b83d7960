"""Answers to `who can ...` and `is ... public` queries, for `policylint query` and the shell.

`answer_analysis` returns (standard output, error message or None, exit code) and never
raises for a user's mistake. The trust zone of `is ... public` is the resource's account, the
`trusted-accounts` and `organization-id` of the configuration (found from the current
directory, as `policylint check` finds it), `--organization-id`, and the organization the
snapshot gives the resource's account.
Exit codes: `who can`: 0 someone can, 1 nobody can; `is ... public`: 0 not public, 1 public
or may be public; 2 an error.
"""

from __future__ import annotations

import os
from collections.abc import Sequence

from policylint.analyze.actions import ActionError
from policylint.analyze.public import is_public
from policylint.analyze.render import public_json, public_text, who_can_json, who_can_text
from policylint.analyze.whocan import who_can
from policylint.evaluate.arn import parse_arn
from policylint.evaluate.snapshot import KeyEntry, Snapshot, SnapshotError, load_policy
from policylint.query import IsPublicQuery, WhoCanQuery

COMMAND_LINE = "<command line>"


def key_only_snapshot(key_policies: Sequence[str], key: str | None) -> Snapshot:
    """`--key-policy FILE --key ARN`: a snapshot holding that key alone."""
    if len(key_policies) != 1 or key is None:
        raise SnapshotError("give `--snapshot FILE`, or `--key-policy FILE --key ARN`", COMMAND_LINE)
    parsed = parse_arn(key)
    if parsed is None or parsed.service != "kms" or not parsed.resource.startswith("key/"):
        raise SnapshotError(f"`--key` must be a KMS key ARN, not `{key}`", COMMAND_LINE)
    policy = load_policy(key_policies[0], "key-policy")
    return Snapshot(path=COMMAND_LINE, keys={key: KeyEntry(arn=key, account=parsed.account, policy=policy)})


def _trust(organization: str | None) -> tuple[frozenset[str], str | None]:
    from policylint.config import resolve_settings

    settings = resolve_settings({}, config_path=None, cwd=os.getcwd())
    return settings.trusted_accounts, organization or settings.organization_id


def answer_analysis(
    query: WhoCanQuery | IsPublicQuery,
    snapshot: Snapshot | None,
    *,
    key_policies: Sequence[str] = (),
    key: str | None = None,
    organization: str | None = None,
    fmt: str = "text",
) -> tuple[str, str | None, int]:
    """Answer a `who can` or `is ... public` query against `snapshot` (or, when None, the
    key of `--key-policy FILE --key ARN`)."""
    from policylint.config import ConfigError

    try:
        chosen = snapshot if snapshot is not None else key_only_snapshot(key_policies, key)
        trusted, org = _trust(organization)
        given = {e.key: e.values if e.multivalued else e.values[0] for e in query.context} if isinstance(query, WhoCanQuery) else {}
        if isinstance(query, WhoCanQuery):
            report = who_can(chosen, query.action, query.resource, given, trusted_accounts=trusted, organization=org)
            text = who_can_json(report, query.action) if fmt == "json" else who_can_text(report, query.action)
            return text, None, 0 if report.accesses or report.undecided else 1
        public = is_public(chosen, query.resource, trusted_accounts=trusted, organization=org)
        text = public_json(public) if fmt == "json" else public_text(public)
        return text, None, 0 if public.verdict == "not-public" else 1
    except (ActionError, SnapshotError, ConfigError) as error:
        return "", str(error), 2
