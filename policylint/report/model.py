"""The result of a check run, from which every output format is made.

A check run makes these without validation (`policylint.trusted`): validators are built on first use.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict

from policylint.findings import Finding


class DocumentEntry(BaseModel):
    """One policy document that was checked (a file may hold several: a template)."""

    model_config = ConfigDict(frozen=True, defer_build=True)

    path: str
    kind: str | None
    kind_inferred: bool = False
    account: str | None = None
    account_inferred: bool = False
    label: str | None = None
    format: str = "policy"


class Summary(BaseModel):
    model_config = ConfigDict(frozen=True, defer_build=True)

    files: int
    documents: int
    error: int
    warning: int
    info: int
    suppressed: int = 0


class CheckReport(BaseModel):
    model_config = ConfigDict(frozen=True, defer_build=True)

    files: tuple[DocumentEntry, ...]
    findings: tuple[Finding, ...]
    summary: Summary
