"""ARN syntax as policies may write it: with `*` / `?` wildcards, policy variables and
CloudFormation / Terraform / template placeholders (`${...}`, `{{...}}`) standing for any text.

AWS accepts an empty resource part (the managed policy AmazonDevOpsGuruOrganizationsAccess has
`arn:aws:organizations::*:`), so only the partition, service, region and account are checked.
https://docs.aws.amazon.com/IAM/latest/UserGuide/reference-arns.html
"""

from __future__ import annotations

import re
from functools import lru_cache

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


@lru_cache(maxsize=4096)
def arn_problem(value: str) -> str | None:
    """Why `value` is not a well-formed ARN (pattern), or None when it is.

    A part is checked only when it holds no placeholder, so a part at fault is shown as written.
    """
    if not value.startswith("arn:"):
        return "does not start with `arn:`"
    segments = _PLACEHOLDER.sub(_MASK, value).split(":", 5)
    if len(segments) < 6:
        return "has fewer than six `:`-separated parts (`arn:partition:service:region:account:resource`)"
    _, partition, service, region, account, _resource = segments
    if _MASK not in partition and not (
        _SEGMENT_PARTITION.match(partition) and ("*" in partition or "?" in partition or partition in PARTITIONS)
    ):
        return f"has unknown partition `{partition}`"
    if not service:
        return "has an empty service part"
    if _MASK not in service and not _SEGMENT_SERVICE.match(service):
        return f"has an invalid service `{service}`"
    if _MASK not in region and not _SEGMENT_REGION.match(region):
        return f"has an invalid region `{region}`"
    if _MASK not in account and not _SEGMENT_ACCOUNT.match(account):
        if not (service == "iam" and account in _IAM_ACCOUNT_NAMES):
            return f"has an invalid account `{account}` (expected 12 digits)"
    return None

