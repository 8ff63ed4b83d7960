"""Facts about a policy that come from the file holding it (a template, a Terraform resource)."""

from __future__ import annotations

from collections.abc import Iterator

from policylint.checks.base import CheckContext, implements
from policylint.findings import Violation
from policylint.model.policy import PolicyDocument


@implements("PL215")
def lockout_check_bypassed(document: PolicyDocument, context: CheckContext) -> Iterator[Violation]:
    """PL215 lockout-check-bypassed: the CloudFormation or Terraform reader saw the key resource
    set `BypassPolicyLockoutSafetyCheck` / `bypass_policy_lockout_safety_check` to true; the
    violation points at that property (`1/<name>`, beside the policy)."""
    yield from (v for v in context.source_violations if v.code == "PL215")
