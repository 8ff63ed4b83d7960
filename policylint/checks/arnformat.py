"""ARN syntax as policies may write it: with `*` / `?` wildcards, policy variables and
CloudFormation / Terraform / template placeholders (`${...}`, `{{...}}`) standing for any text.

AWS accepts an empty resource part (the managed policy AmazonDevOpsGuruOrganizationsAccess has
`arn:aws:organizations::*:`), so only the partition, service, region and account are checked.
https://docs.aws.amazon.com/IAM/latest/UserGuide/reference-arns.html
"""

from __future__ import annotations

import re

PARTITIONS = frozenset({"aws", "aws-cn", "aws-us-gov", "aws-iso", "aws-iso-b", "aws-iso-e", "aws-iso-f", "aws-eusc"})

# A placeholder may itself hold `:` (`${AWS::AccountId}`), so it is masked before splitting.
_PLACEHOLDER = re.compile(r"\$\{[^}]*\}|\{\{[^}]*\}\}")
_MASK = "\x00"
_SEGMENT_PARTITION = re.compile(r"^[a-z*?-]+$")
_SEGMENT_SERVICE = re.compile(r"^[a-z0-9*?-]+$")
_SEGMENT_REGION = re.compile(r"^[a-z0-9*?-]*$")
_SEGMENT_ACCOUNT = re.compile(r"^(?:\d{12}|aws|[\d*?]{1,12}|\*)?$")
# `arn:aws:iam::cloudfront:user/CloudFront Origin Access Identity E...` (legacy OAI principals).
_IAM_ACCOUNT_NAMES = frozenset({"cloudfront"})


def arn_problem(value: str) -> str | None:
    """Why `value` is not a well-formed ARN (pattern), or None when it is."""
    if not value.startswith("arn:"):
        return "does not start with `arn:`"
    found: list[str] = []

    def mask(match: re.Match[str]) -> str:
        found.append(match.group())
        return _MASK

    segments = _PLACEHOLDER.sub(mask, value).split(":", 5)
    if len(segments) < 6:
        return "has fewer than six `:`-separated parts (`arn:partition:service:region:account:resource`)"
    shown = _unmask(segments, found)
    _, partition, service, region, account, _resource = segments
    if _MASK not in partition and not (
        _SEGMENT_PARTITION.match(partition) and ("*" in partition or "?" in partition or partition in PARTITIONS)
    ):
        return f"has unknown partition `{shown[1]}`"
    if not service:
        return "has an empty service part"
    if _MASK not in service and not _SEGMENT_SERVICE.match(service):
        return f"has an invalid service `{shown[2]}`"
    if _MASK not in region and not _SEGMENT_REGION.match(region):
        return f"has an invalid region `{shown[3]}`"
    if _MASK not in account and not _SEGMENT_ACCOUNT.match(account):
        if not (service == "iam" and account in _IAM_ACCOUNT_NAMES):
            return f"has an invalid account `{shown[4]}` (expected 12 digits)"
    return None


def _unmask(segments: list[str], found: list[str]) -> list[str]:
    """The segments as written, placeholders put back in order."""
    pending = iter(found)
    return ["".join(next(pending) if part == _MASK else part for part in re.split(f"({_MASK})", segment)) for segment in segments]
