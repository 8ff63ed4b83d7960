"""`who can ACTION on RESOURCE [with ...]`: every principal of the snapshot that is allowed,
and every class of principal outside it that would be, with conditions and witnesses."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from policylint.analyze.access import AccessReport, Scope, analyze
from policylint.analyze.actions import expand
from policylint.analyze.values import Value
from policylint.catalog.actions import has_wildcard
from policylint.catalog.kms import ACCOUNT_LEVEL_ACTIONS
from policylint.evaluate.arn import parse_arn
from policylint.evaluate.snapshot import Snapshot


def question_actions(pattern: str, resource: str) -> tuple[str, ...]:
    """The actions of `pattern`; on a KMS key, a wildcard leaves out the account-level KMS
    actions (they are not actions on a key: a key policy has no effect on them)."""
    actions = expand(pattern)
    parsed = parse_arn(resource)
    if has_wildcard(pattern) and parsed is not None and parsed.service == "kms":
        kept = tuple(a for a in actions if a not in ACCOUNT_LEVEL_ACTIONS)
        return kept or actions
    return actions


def who_can(
    snapshot: Snapshot,
    action: str,
    resource: str,
    given: Mapping[str, Value] | None = None,
    *,
    trusted_accounts: Iterable[str] = (),
    organization: str | None = None,
) -> AccessReport:
    """Who can do `action` (a pattern) on `resource`, with the context keys `given` fixed."""
    scope = Scope(
        snapshot=snapshot,
        resource=resource,
        actions=question_actions(action, resource),
        given=dict(given or {}),
        trusted_accounts=frozenset(trusted_accounts),
        organization=organization,
    )
    return analyze(scope)
