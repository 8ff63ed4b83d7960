"""Policies and snapshots the analysis makes up: the identity policy assumed for principals
outside the snapshot ("whose IAM policies allow it"), snapshots with those principals added,
and a snapshot holding one policy as the policy of a synthetic key or resource."""

from __future__ import annotations

from collections.abc import Mapping
from functools import cache

from policylint.evaluate.snapshot import KeyEntry, PrincipalEntry, ResourceEntry, Snapshot
from policylint.model.build import build_document
from policylint.model.policy import PolicyDocument
from policylint.source.document import SourceDocument
from policylint.source.positions import Range

ASSUMED = "<assumed identity policy>"
SYNTHETIC_REGION = "us-east-1"
SYNTHETIC_KEY_ID = "00000000-0000-0000-0000-000000000000"


class NoLocator:
    """A locator for documents that are not in any file."""

    def value_range(self, pointer: str) -> Range | None:
        return None

    def key_range(self, pointer: str) -> Range | None:
        return None


def document_from_value(value: object, kind: str, path: str) -> PolicyDocument:
    return build_document(SourceDocument(path=path, value=value, locator=NoLocator(), kind=kind), kind=kind)


@cache
def allow_all() -> PolicyDocument:
    """`Allow * on *`: the identity policy of a principal whose IAM policies allow the request."""
    value = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}
    return document_from_value(value, "identity-policy", ASSUMED)


def with_principals(snapshot: Snapshot, arns: list[str], *, sessions: bool = False) -> Snapshot:
    """`snapshot` plus the principals `arns` (not already in it), each allowed everything by
    its identity policy. With `sessions` (role sessions will be looked up by role name), the
    snapshot is rebuilt so that its role index holds the added roles too."""
    added = {arn: PrincipalEntry(arn=arn, policies=(allow_all(),)) for arn in arns if arn not in snapshot.principals}
    if not added:
        return snapshot
    if not sessions:
        return snapshot.model_copy(update={"principals": {**snapshot.principals, **added}})
    return Snapshot(
        path=snapshot.path,
        accounts=snapshot.accounts,
        keys=snapshot.keys,
        resources=snapshot.resources,
        principals={**snapshot.principals, **added},
        vpc_endpoints=snapshot.vpc_endpoints,
    )


def key_arn(account: str) -> str:
    return f"arn:aws:kms:{SYNTHETIC_REGION}:{account}:key/{SYNTHETIC_KEY_ID}"


def key_snapshot(policy: PolicyDocument, account: str, path: str = "<synthetic>") -> tuple[Snapshot, str]:
    """A snapshot with one key in `account` whose key policy is `policy`; and the key's ARN."""
    arn = key_arn(account)
    return Snapshot(path=path, keys={arn: KeyEntry(arn=arn, account=account, policy=policy)}), arn


def resource_snapshot(policy: PolicyDocument, account: str, arns: Mapping[str, None], path: str = "<synthetic>") -> Snapshot:
    """A snapshot where each of `arns` is a resource of `account` governed by `policy`."""
    resources = {arn: ResourceEntry(arn=arn, account=account, policy=policy) for arn in arns}
    return Snapshot(path=path, resources=resources)
