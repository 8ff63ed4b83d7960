"""Run settings: what to check and how strictly. Built from config files and CLI flags
(`policylint.config`), consumed by the engine and the CLI.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from policylint.analyze.assertions import Assertion
from policylint.findings import Severity

FailOn = Literal["error", "warning", "info", "never"]


class Suppression(BaseModel):
    """Silence one rule for matching files (and optionally one statement or element)."""

    # The config reader checks every value and makes these without validation (policylint.trusted).
    model_config = ConfigDict(frozen=True, extra="forbid", defer_build=True)

    rule: str
    path: str = "*"
    sid: str | None = None
    pointer: str | None = None
    reason: str
    # Where the suppression was written (config file and index), for "matches nothing" reports.
    origin: str = ""


class Settings(BaseModel):
    # The config reader checks every value and makes these without validation (policylint.trusted).
    model_config = ConfigDict(frozen=True, extra="forbid", defer_build=True)

    select: tuple[str, ...] = ("PL",)
    extend_select: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()
    severity: dict[str, Severity] = Field(default_factory=dict)
    fail_on: FailOn = "warning"
    account: str | None = None
    trusted_accounts: frozenset[str] = frozenset()
    organization_id: str | None = None
    kind: str | None = None
    # (glob, kind) pairs: documents in files matching the glob get that kind.
    kinds: tuple[tuple[str, str], ...] = ()
    exclude: tuple[str, ...] = ()
    suppressions: tuple[Suppression, ...] = ()
    # Access assertions (`[[assert]]` tables, PL401).
    assertions: tuple[Assertion, ...] = ()
    # Where the settings came from (a config file path), for messages.
    config_path: str | None = None

    def selected(self, code: str) -> bool:
        """A code is selected by the longest matching prefix among select/extend-select/ignore."""
        return is_selected(code, self.select, self.extend_select, self.ignore)


def is_selected(code: str, select: tuple[str, ...], extend_select: tuple[str, ...], ignore: tuple[str, ...]) -> bool:
    """Whether the longest prefix of `code` among the three lists selects it (ignore wins a tie)."""
    best_len, chosen = -1, False
    for prefixes, value in ((select, True), (extend_select, True), (ignore, False)):
        for prefix in prefixes:
            if code.startswith(prefix) and len(prefix) >= best_len:
                # On equal length, ignore (listed last) wins.
                best_len, chosen = len(prefix), value
    return chosen
