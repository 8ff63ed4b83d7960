"""PL401: access assertions (`[[assert]]` in the configuration) checked on key policies.

Each assertion is checked with the symbolic access analysis (`policylint.analyze.breaches`);
a breach is reported at the statement that grants the access, with a witness request.
"""

from __future__ import annotations

from collections.abc import Iterator

from policylint.checks.base import CheckContext, implements
from policylint.findings import Violation
from policylint.model.policy import PolicyDocument


@implements("PL401")
def access_assertion_violated(document: PolicyDocument, context: CheckContext) -> Iterator[Violation]:
    if document.kind != "key-policy" or not context.assertions:
        return
    from policylint.analyze.breaches import check_assertion

    for assertion in context.assertions:
        if not assertion.applies_to(document.path):
            continue
        for breach in check_assertion(assertion, document):
            yield Violation(code="PL401", pointer=breach.pointer, message=breach.message)
