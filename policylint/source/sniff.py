"""What kind of container a parsed JSON value is, from its shape alone.

These tests are cheap and import nothing, so that a run over plain policy files never imports
the CloudFormation, Terraform or export readers: `policylint.source.formats` asks them first and
imports a reader only for a value that is its format.
"""

from __future__ import annotations

DETAIL_LISTS = ("UserDetailList", "GroupDetailList", "RoleDetailList")
_AUTHORIZATION_KEYS = frozenset(DETAIL_LISTS + ("Policies", "IsTruncated", "Marker"))


def is_template(value: object) -> bool:
    """A CloudFormation template: `AWSTemplateFormatVersion`, or resources of `AWS::` types."""
    if not isinstance(value, dict):
        return False
    if "AWSTemplateFormatVersion" in value:
        return True
    resources = value.get("Resources")
    return isinstance(resources, dict) and any(
        isinstance(r, dict) and isinstance(r.get("Type"), str) and r["Type"].startswith("AWS::") for r in resources.values()
    )


def is_plan(value: object) -> bool:
    """A Terraform plan or state file (`terraform show -json`)."""
    return (
        isinstance(value, dict)
        and "format_version" in value
        and any(key in value for key in ("planned_values", "values", "resource_changes", "prior_state"))
    )


def _is_authorization_details(value: dict) -> bool:
    if not set(value) <= _AUTHORIZATION_KEYS:
        return False
    if any(isinstance(value.get(name), list) for name in DETAIL_LISTS):
        return True
    policies = value.get("Policies")
    return isinstance(policies, list) and any(isinstance(p, dict) and "PolicyVersionList" in p for p in policies)


def export_format(value: object) -> str | None:
    """The AWS CLI output `value` is (`authorization-details`, `describe-policy`, ...), or None."""
    if not isinstance(value, dict):
        return None
    if _is_authorization_details(value):
        return "authorization-details"
    policy = value.get("Policy")
    if isinstance(policy, dict) and isinstance(policy.get("PolicySummary"), dict) and isinstance(policy.get("Content"), str):
        return "describe-policy"
    if isinstance(value.get("Grants"), list) and set(value) <= {"Grants", "Truncated", "NextMarker"}:
        return "list-grants"
    if isinstance(value.get("KeyMetadata"), dict) and set(value) <= {"KeyMetadata", "ResponseMetadata"}:
        return "describe-key"
    policies = value.get("Policies")
    if isinstance(policies, list) and set(value) <= {"Policies", "NextToken", "IsTruncated", "Marker"}:
        if all(isinstance(p, dict) and ("PolicyName" in p or "Type" in p) and "PolicyVersionList" not in p for p in policies):
            return "list-policies"
    return None
