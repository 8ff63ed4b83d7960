"""Run a rule's examples: the documents in its file that must be flagged and must stay clean."""

from __future__ import annotations

from policylint.analyze.assertions import parse_assertions
from policylint.findings import Finding
from policylint.rules.engine import check_loaded
from policylint.rules.registry import Rule, RuleExample
from policylint.settings import Settings
from policylint.source.loader import load_text


def run_example(rule: Rule, example: RuleExample) -> list[Finding]:
    """The findings of `rule` (only) on one example document."""
    settings = Settings(
        select=(rule.code,),
        kind=example.kind,
        account=example.account,
        trusted_accounts=frozenset(example.trusted_accounts),
        organization_id=example.organization_id,
        assertions=parse_assertions(list(example.assertions), f"{rule.file_name} example"),
    )
    result = load_text(example.path, example.document.strip() + "\n")
    return [f for f in check_loaded(result, settings).findings if f.rule == rule.code]
