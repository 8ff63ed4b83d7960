"""PL002 invalid-policy-structure and PL014 empty-element, from the policy JSON Schema (which
also reports unknown principal types, as PL009 invalid-principal).

The schema (policylint/schema/) knows which elements each document kind takes and their
shapes; this check hands it the document as parsed and passes its violations on.
https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_grammar.html
"""

from __future__ import annotations

from collections.abc import Iterator

from policylint.checks.base import CheckContext, implements
from policylint.findings import Violation
from policylint.model.policy import PolicyDocument
from policylint.schema.validate import schema_violations


@implements("PL002", "PL014", "PL009")
def structure(document: PolicyDocument, context: CheckContext) -> Iterator[Violation]:
    yield from schema_violations(document.raw, document.kind)
