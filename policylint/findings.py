"""What checks produce (`Violation`) and what reports show (`Finding`).

A check knows the rule code, the JSON pointer of the element at fault and the message. The rule
engine adds the rule's name and (configured) severity; the report stage adds the file path and
turns the pointer into a source range.
"""

from __future__ import annotations

from typing import Literal, NamedTuple

from pydantic import BaseModel, ConfigDict

from policylint.source.positions import Range

Severity = Literal["error", "warning", "info"]

SEVERITY_ORDER: dict[str, int] = {"info": 0, "warning": 1, "error": 2}


class Violation(NamedTuple):
    """One problem found by a check, before the engine attaches rule metadata (a plain record
    between the checks and the engine: checks make thousands, and nothing validates them)."""

    code: str
    pointer: str
    message: str
    # Point at the member's key (e.g. an unknown element name) instead of its value.
    at_key: bool = False


class Finding(BaseModel):
    """One reported problem: a rule, where it is, and what is wrong.

    The engine makes findings without validation (`policylint.trusted`); the validator is built
    on first use elsewhere.
    """

    model_config = ConfigDict(frozen=True, defer_build=True)

    rule: str
    name: str
    severity: Severity
    message: str
    path: str
    pointer: str
    range: Range | None = None
    # Extra context some sources add (CloudFormation logical id and property path, ...).
    context: dict[str, str] | None = None
