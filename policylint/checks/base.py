"""What every check gets and how a check declares the rules it implements.

A check is a plain function `(document, context) -> iterable of Violation`, marked with
`@implements("PL203")`. The engine discovers checks by scanning the modules of
`policylint.checks` for that mark; no list is kept by hand.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TypeVar

from pydantic import BaseModel, ConfigDict

from policylint.analyze.assertions import Assertion
from policylint.findings import Violation
from policylint.model.policy import PolicyDocument

F = TypeVar("F", bound=Callable[..., Iterable[Violation]])


class CheckContext(BaseModel):
    """Facts from configuration and the source stage that checks may use."""

    model_config = ConfigDict(frozen=True, defer_build=True)

    trusted_accounts: frozenset[str] = frozenset()
    organization_id: str | None = None
    # Problems the source stage found in this document (duplicate keys, container-level facts).
    source_violations: tuple[Violation, ...] = ()
    # Access assertions to check key policies against (PL401).
    assertions: tuple[Assertion, ...] = ()

    def own_or_trusted(self, account: str | None, document: PolicyDocument) -> bool:
        return account is not None and (account == document.account or account in self.trusted_accounts)


Check = Callable[[PolicyDocument, CheckContext], Iterable[Violation]]


def implements(*codes: str) -> Callable[[F], F]:
    """Mark a function as the check for the rule `codes` (one function may serve several)."""

    def mark(function: F) -> F:
        function.rule_codes = codes  # type: ignore[attr-defined]
        return function

    return mark
