"""The analysis for rules: which statements of one key policy make the key public.

The document is the key policy of a synthetic key in its account (or in an account nobody
names, when the document's account is not known); `is_public` finds every class of principal
nobody named that can use it, and the key-policy statements that allowed their witnesses are
the statements that make the key public. `decided` is False when some such class could not be
decided exactly (rules then fall back to reading the statements alone).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import NamedTuple

from policylint.analyze.public import is_public
from policylint.analyze.synthetic import key_snapshot
from policylint.evaluate.arn import is_account_id
from policylint.model.policy import PolicyDocument

UNKNOWN_ACCOUNT = "000000000000"
# Requests decided at most per document: a rule must stay fast on any input (past it, the
# answer is "not decided" and the rule reads the statements alone).
LINT_BUDGET = 500


class PublicStatements(NamedTuple):
    statements: frozenset[int]
    decided: bool
    witnesses: tuple[str, ...] = ()  # one witness query per public class


def public_statements(
    document: PolicyDocument, *, trusted_accounts: Iterable[str] = (), organization: str | None = None
) -> PublicStatements:
    """The statements (by index) through which principals nobody named can use the key."""
    account = document.account if document.account is not None and is_account_id(document.account) else UNKNOWN_ACCOUNT
    snapshot, key = key_snapshot(document, account)
    report = is_public(snapshot, key, trusted_accounts=trusted_accounts, organization=organization, external=False, budget=LINT_BUDGET)
    found = frozenset(index for access in report.public for index in access.statements)
    return PublicStatements(found, not report.undecided, tuple(a.witness.query for a in report.public))
