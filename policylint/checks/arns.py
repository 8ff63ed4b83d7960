"""PL008 invalid-arn: malformed ARNs in Resource / NotResource and Arn* condition values.

Principal ARNs are checked by PL009. https://docs.aws.amazon.com/IAM/latest/UserGuide/reference-arns.html
"""

from __future__ import annotations

from collections.abc import Iterator

from policylint.checks.arnformat import arn_problem
from policylint.checks.base import CheckContext, implements
from policylint.findings import Violation
from policylint.model.policy import PolicyDocument


@implements("PL008")
def invalid_arn(document: PolicyDocument, context: CheckContext) -> Iterator[Violation]:
    for statement in document.statements:
        for element, items in (("Resource", statement.resource), ("NotResource", statement.not_resource)):
            for item in items or ():
                value = item.value
                if value == "*" or value == "":
                    continue
                if not value.startswith("arn:"):
                    if value.startswith("${") or "{{" in value:
                        continue  # a template placeholder standing for a whole ARN
                    yield Violation(
                        code="PL008",
                        pointer=item.pointer,
                        message=f"`{value}` in `{element}` is not an ARN (expected `arn:partition:service:region:account:resource` or `*`)",
                    )
                    continue
                problem = arn_problem(value)
                if problem is not None:
                    yield Violation(code="PL008", pointer=item.pointer, message=f"`{value}` {problem}")
        for operator in statement.conditions:
            if operator.parts is None or operator.parts.family != "arn":
                continue
            for key in operator.keys:
                for item in key.values:
                    if item.value.startswith("arn:") and "${" not in item.value:
                        problem = arn_problem(item.value)
                        if problem is not None:
                            yield Violation(code="PL008", pointer=item.pointer, message=f"`{item.value}` {problem}")
