"""ARN syntax as policies may write it: with `*` / `?` wildcards, policy variables and
CloudFormation / Terraform placeholders (`${...}`) standing for any segment text.

https://docs.aws.amazon.com/IAM/latest/UserGuide/reference-arns.html
"""

from __future__ import annotations

import re

PARTITIONS = frozenset({"aws", "aws-cn", "aws-us-gov", "aws-iso", "aws-iso-b", "aws-iso-e", "aws-iso-f", "aws-eusc"})

_VARIABLE = re.compile(r"\$\{[^}]*\}")
_SEGMENT_PARTITION = re.compile(r"^[a-z*?-]+$")
_SEGMENT_SERVICE = re.compile(r"^[a-z0-9*?-]+$")
_SEGMENT_REGION = re.compile(r"^[a-z0-9*?-]*$")
_SEGMENT_ACCOUNT = re.compile(r"^(?:\d{12}|aws|[\d*?]{1,12}|\*)?$")


def arn_problem(value: str) -> str | None:
    """Why `value` is not a well-formed ARN (pattern), or None when it is."""
    if not value.startswith("arn:"):
        return "does not start with `arn:`"
    plain = _VARIABLE.sub("x", value)
    parts = plain.split(":", 5)
    if len(parts) < 6:
        return "has fewer than six `:`-separated parts (`arn:partition:service:region:account:resource`)"
    _, partition, service, region, account, resource = parts
    original = value.split(":", 5)
    if not _SEGMENT_PARTITION.match(partition) or (
        "*" not in partition and "?" not in partition and partition not in PARTITIONS and "${" not in original[1]
    ):
        return f"has unknown partition `{original[1]}`"
    if not service or not _SEGMENT_SERVICE.match(service):
        return f"has an invalid service `{original[2]}`"
    if not _SEGMENT_REGION.match(region):
        return f"has an invalid region `{original[3]}`"
    if "${" not in original[4] and not _SEGMENT_ACCOUNT.match(account):
        return f"has an invalid account `{original[4]}` (expected 12 digits)"
    if not resource:
        return "has an empty resource part"
    return None
