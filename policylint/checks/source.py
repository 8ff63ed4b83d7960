"""Problems the source stage found while reading a document (duplicate keys, container facts)."""

from __future__ import annotations

from collections.abc import Iterator

from policylint.checks.base import CheckContext, implements
from policylint.findings import Violation
from policylint.model.policy import PolicyDocument


@implements("PL003")
def source_violations(document: PolicyDocument, context: CheckContext) -> Iterator[Violation]:
    """PL003 duplicate-json-key: reported by the JSON reader, passed on here."""
    yield from (v for v in context.source_violations if v.code == "PL003")
