"""`is RESOURCE public`: can a principal nobody named use it?

PUBLIC when some request is allowed from a principal the policies do not name: an IAM
principal of an account no policy, snapshot or setting names (or an account matched only by an
account pattern) whose organization, if any, is not named either; an anonymous caller; or a
service principal no policy names, acting for no named account, organization or resource. A
condition counts only as far as it really restricts: `StringLike "*"`, `...IfExists` on a key
that can be missing, `ForAllValues` on an empty set, negated operators and `Null` checks all
let such a principal through, and the analysis finds the request that shows it.
MAY BE PUBLIC when such a class could not be decided exactly; NOT PUBLIC otherwise.

Access by named principals outside the zone of trust (the resource's account, the trusted
accounts and the organization) is listed as cross-account access: it is not public (the
policy names who gets in), but the reader should know of it.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Literal

from pydantic import BaseModel, ConfigDict

from policylint.analyze.access import Access, AccessReport, Scope, Undecided, analyze
from policylint.analyze.classes import Rep
from policylint.analyze.search import DEFAULT_BUDGET
from policylint.analyze.whocan import question_actions
from policylint.evaluate.arn import account_of, parse_arn
from policylint.evaluate.snapshot import Snapshot

Verdict = Literal["public", "not-public", "may-be-public"]
HEADLINES = {"public": "PUBLIC", "not-public": "NOT PUBLIC", "may-be-public": "MAY BE PUBLIC"}


class PublicReport(BaseModel):
    model_config = ConfigDict(frozen=True)

    resource: str
    verdict: Verdict
    public: tuple[Access, ...] = ()
    undecided: tuple[Undecided, ...] = ()
    external: tuple[Access, ...] = ()
    zone: tuple[str, ...] = ()  # the accounts and organization trusted


def resource_actions(resource: str) -> tuple[str, ...]:
    """Every action that may be done on the resource: its service's actions (for a KMS key,
    those on a key)."""
    parsed = parse_arn(resource)
    service = parsed.service if parsed is not None else "*"
    return question_actions(f"{service}:*", resource)


def _owner(snapshot: Snapshot, resource: str) -> str | None:
    key = snapshot.keys.get(resource)
    if key is not None:
        return key.account
    entry = snapshot.resources.get(resource)
    return entry.account if entry is not None else account_of(resource)


def is_public(
    snapshot: Snapshot,
    resource: str,
    *,
    trusted_accounts: Iterable[str] = (),
    organization: str | None = None,
    external: bool = True,
    budget: int = DEFAULT_BUDGET,
) -> PublicReport:
    """Whether principals nobody named can act on `resource` (and, with `external`, which
    named principals outside the zone of trust can)."""
    owner = _owner(snapshot, resource)
    zone_accounts = set(trusted_accounts) | ({owner} if owner else set())
    if organization is None and owner is not None and owner in snapshot.accounts:
        organization = snapshot.accounts[owner].organization
    zone_orgs = {organization} if organization else set()

    def outside(account: str | None) -> bool:
        if account is None or account in zone_accounts:
            return False
        entry = snapshot.accounts.get(account)
        return not (entry is not None and entry.organization in zone_orgs)

    def select(rep: Rep) -> bool:
        if rep.kind in ("anonymous", "service"):
            return True
        if rep.account_kind in ("fresh", "pattern"):
            return True
        return external and outside(rep.account)

    scope = Scope(
        snapshot=snapshot,
        resource=resource,
        actions=resource_actions(resource),
        trusted_accounts=frozenset(trusted_accounts),
        organization=organization,
        budget=budget,
    )
    report: AccessReport = analyze(scope, select=select)
    public = tuple(a for a in report.accesses if a.public)
    undecided = tuple(u for u in report.undecided if u.public)
    crossing = tuple(
        a
        for a in report.accesses
        if not a.public
        and a.kind != "service"
        and (outside(a.account) if a.kind != "organization" else a.organization not in zone_orgs)
    )
    verdict: Verdict = "public" if public else "may-be-public" if undecided else "not-public"
    zone = tuple(sorted(zone_accounts)) + tuple(sorted(zone_orgs))
    return PublicReport(resource=resource, verdict=verdict, public=public, undecided=undecided, external=crossing, zone=zone)
