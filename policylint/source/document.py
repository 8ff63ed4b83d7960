"""What the source stage hands on: policy documents found in a file, and problems with the file."""

from __future__ import annotations

from dataclasses import dataclass, field

from policylint.findings import Violation
from policylint.source.locate import Locator
from policylint.source.positions import Range


@dataclass(frozen=True)
class SourceDocument:
    """One policy document as found in a file: its JSON value and where its elements are.

    `kind` and `account` are set when the container says what the document is (a CloudFormation
    `AWS::KMS::Key` holds a key policy); `label` names where it is inside the file (e.g.
    `Resources/AppKey/Properties/KeyPolicy`); `text` is the document's own JSON text when it has
    one (for size quotas).
    """

    path: str
    value: object
    locator: Locator
    kind: str | None = None
    account: str | None = None
    label: str | None = None
    context: tuple[tuple[str, str], ...] = ()
    text: str | None = None
    violations: tuple[Violation, ...] = ()
    # Values the container says can't be known statically (placeholders), by pointer.
    placeholders: frozenset[str] = frozenset()


@dataclass(frozen=True)
class FileProblem:
    """A problem with a file as a whole (cannot read, not JSON, ...): code, message, range."""

    code: str
    message: str
    range: Range | None = None
    pointer: str = ""


@dataclass(frozen=True)
class LoadResult:
    """Everything the source stage found in one file."""

    path: str
    documents: tuple[SourceDocument, ...] = ()
    problems: tuple[FileProblem, ...] = ()
    # What the file was recognised as ("policy", "get-key-policy", "cloudformation", ...).
    format: str = "policy"
    extra: dict = field(default_factory=dict)
