"""ARNs: parsing, `ArnLike`-style segment matching, Resource matching and principal helpers.

An ARN is `arn:partition:service:region:account-id:resource`; the resource part may itself
contain `:` and `/`. ARN matching splits pattern and value into these six parts and compares
each part on its own with glob wildcards, case-sensitively, so a `*` never spans a `:` that
separates two parts (the resource part, being the rest of the ARN, may contain `:`).
Reference: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html#Conditions_ARN
and https://docs.aws.amazon.com/IAM/latest/UserGuide/reference-arns.html
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict

from policylint.evaluate.match import GlobPattern, Wildcard, glob_match

ARN_PARTS = 6


class Arn(BaseModel):
    """A parsed ARN."""

    model_config = ConfigDict(frozen=True)

    partition: str
    service: str
    region: str
    account: str
    resource: str

    def __str__(self) -> str:
        return self.text

    @property
    def text(self) -> str:
        return ":".join(("arn", self.partition, self.service, self.region, self.account, self.resource))

    @property
    def parts(self) -> tuple[str, ...]:
        """The six colon-separated parts, starting with `arn`."""
        return ("arn", self.partition, self.service, self.region, self.account, self.resource)


def parse_arn(text: str) -> Arn | None:
    """Parse `text` as an ARN; None unless it has six parts, starts with `arn`, and names a
    partition, a service and a resource."""
    pieces = text.split(":", ARN_PARTS - 1)
    if len(pieces) != ARN_PARTS or pieces[0] != "arn":
        return None
    _, partition, service, region, account, resource = pieces
    if not partition or not service or not resource:
        return None
    return Arn(partition=partition, service=service, region=region, account=account, resource=resource)


def _as_pattern(pattern: str | GlobPattern) -> GlobPattern:
    return pattern if isinstance(pattern, GlobPattern) else GlobPattern.parse(pattern)


def split_arn_pattern(pattern: str | GlobPattern) -> tuple[GlobPattern, ...] | None:
    """The six parts of an ARN pattern, or None when it has fewer than six."""
    parts = _as_pattern(pattern).split_literal(":", ARN_PARTS - 1)
    return parts if len(parts) == ARN_PARTS else None


def arn_like(pattern: str | GlobPattern, arn: str) -> bool:
    """`ArnLike` matching: each of the six parts compared with wildcards, case-sensitively.

    False when `arn` is not an ARN or `pattern` does not have six parts.
    """
    pattern_parts = split_arn_pattern(pattern)
    parsed = parse_arn(arn)
    if pattern_parts is None or parsed is None:
        return False
    return all(glob_match(part, value) for part, value in zip(pattern_parts, parsed.parts, strict=True))


def arn_equals(pattern: str | GlobPattern, arn: str) -> bool:
    """`ArnEquals` matching, which AWS documents as identical to `ArnLike` (wildcards allowed)."""
    return arn_like(pattern, arn)


def _is_match_all(pattern: GlobPattern) -> bool:
    return len(pattern.items) > 0 and all(item is Wildcard.ANY_RUN for item in pattern.items)


def resource_matches(pattern: str | GlobPattern, resource: str) -> bool:
    """Whether a `Resource`/`NotResource` entry covers the request's resource ARN.

    `*` covers every resource; any other entry is an ARN pattern matched part by part (see
    `arn_like`). An entry that is neither never matches.
    """
    glob = _as_pattern(pattern)
    if _is_match_all(glob):
        return True
    return arn_like(glob, resource)


def account_of(arn: str) -> str | None:
    """The account ID of an ARN (or of a bare 12-digit account ID); None when there is none."""
    if is_account_id(arn):
        return arn
    parsed = parse_arn(arn)
    if parsed is None or not parsed.account:
        return None
    return parsed.account


def is_account_id(text: str) -> bool:
    """Whether `text` is a 12-digit AWS account ID."""
    return len(text) == 12 and text.isascii() and text.isdigit()


def is_account_root(arn: str) -> bool:
    """Whether `arn` names a whole account: `arn:PARTITION:iam::ACCOUNT:root`, or a bare account
    ID (which a policy `Principal` treats the same way)."""
    if is_account_id(arn):
        return True
    parsed = parse_arn(arn)
    return (
        parsed is not None
        and parsed.service == "iam"
        and parsed.region == ""
        and is_account_id(parsed.account)
        and parsed.resource == "root"
    )


def session_role_arn(arn: str) -> str | None:
    """The role ARN behind an assumed-role session ARN, or None when `arn` is not one.

    `arn:aws:sts::111122223333:assumed-role/App/session` becomes
    `arn:aws:iam::111122223333:role/App`. Session ARNs do not carry the role's path, so the
    result has none: a role created under a path (`role/team/App`) cannot be recovered.
    """
    parsed = parse_arn(arn)
    if parsed is None or parsed.service != "sts" or not parsed.account:
        return None
    kind, _, rest = parsed.resource.partition("/")
    role, _, session = rest.partition("/")
    if kind != "assumed-role" or not role or not session:
        return None
    return Arn(
        partition=parsed.partition, service="iam", region="", account=parsed.account, resource=f"role/{role}"
    ).text
