"""The rule engine: source documents -> model -> checks -> findings with ranges.

Data flows one way: a LoadResult goes in, Findings come out. Selection, severity overrides and
suppressions are applied here, so checks only say what is wrong and where.
"""

from __future__ import annotations

from collections.abc import Iterable
from fnmatch import fnmatch
from functools import lru_cache

from policylint.checks.base import Check, CheckContext
from policylint.findings import Finding, Violation
from policylint.model.build import build_document
from policylint.model.policy import PolicyDocument
from policylint.report.model import DocumentEntry
from policylint.rules import registry
from policylint.settings import Settings, Suppression, is_selected
from policylint.source.document import LoadResult, SourceDocument
from policylint.source.positions import Range, split_pointer
from policylint.trusted import maker, record


class FileOutcome:
    """What checking one file produced."""

    __slots__ = ("path", "documents", "findings", "suppressed", "used_suppressions")

    def __init__(self, path: str) -> None:
        self.path = path
        self.documents: list[DocumentEntry] = []
        self.findings: list[Finding] = []
        self.suppressed: list[Finding] = []
        self.used_suppressions: set[int] = set()


# Made from values of their fields' types, without validation (policylint.trusted).
_document_entry = record(DocumentEntry)
_check_context = record(CheckContext)
_finding = maker(Finding)


def kind_for(path: str, settings: Settings) -> str | None:
    """The kind configured for a path: the last matching `kinds` glob, else `--kind`."""
    chosen = settings.kind
    for pattern, kind in settings.kinds:
        if fnmatch(path, pattern) or fnmatch(path.replace("\\", "/"), pattern):
            chosen = kind
    return chosen


def check_loaded(result: LoadResult, settings: Settings) -> FileOutcome:
    """Run every selected rule over the documents of one loaded file."""
    outcome = FileOutcome(result.path)
    for problem in result.problems:
        _emit(outcome, settings, problem.code, problem.message, result.path, problem.pointer, problem.range, None)
    if not result.documents and result.problems:
        outcome.documents.append(_document_entry(path=result.path, kind=None, format=result.format))
    for source in result.documents:
        document = build_document(source, kind=kind_for(result.path, settings), account=settings.account)
        outcome.documents.append(
            _document_entry(
                path=result.path,
                kind=document.kind,
                kind_inferred=document.kind_inferred,
                account=document.account,
                account_inferred=document.account_inferred,
                label=document.label,
                format=result.format,
            )
        )
        context = _check_context(
            trusted_accounts=settings.trusted_accounts,
            organization_id=settings.organization_id,
            source_violations=source.violations,
            assertions=settings.assertions,
        )
        for violation in run_checks(document, context, settings):
            _emit(
                outcome,
                settings,
                violation.code,
                violation.message,
                result.path,
                violation.pointer,
                locate(source, violation),
                document,
                source,
            )
    outcome.findings = _unique(sorted(outcome.findings, key=_order))
    return outcome


MAX_MESSAGE = 500


def shortened(message: str) -> str:
    """Messages quote user text; a very long value (a 100,000-character action) is cut."""
    return message if len(message) <= MAX_MESSAGE else message[: MAX_MESSAGE - 1] + "…"


def _unique(findings: list[Finding]) -> list[Finding]:
    """Drop repeats: variants of one template document (`Fn::If` branches) share elements."""
    seen: set[tuple] = set()
    kept = []
    for finding in findings:
        key = (finding.rule, finding.pointer, finding.message, finding.range)
        if key not in seen:
            seen.add(key)
            kept.append(finding)
    return kept


def _order(finding: Finding) -> tuple[int, str, str]:
    start = finding.range.start.offset if finding.range is not None else -1
    return (start, finding.rule, finding.pointer)


def run_checks(document: PolicyDocument, context: CheckContext, settings: Settings) -> list[Violation]:
    """Violations of the selected rules for one document, in a stable order."""
    found: list[Violation] = []
    for function in _selected_checks(settings.select, settings.extend_select, settings.ignore):
        for violation in function(document, context):
            if settings.selected(violation.code):
                found.append(violation)
    return found


@lru_cache(maxsize=16)
def _selected_checks(select: tuple[str, ...], extend_select: tuple[str, ...], ignore: tuple[str, ...]) -> tuple[Check, ...]:
    """The check functions to run for a rule selection, each once, in rule code order."""
    chosen: dict[Check, None] = {}
    for code, functions in registry.checks().items():
        if is_selected(code, select, extend_select, ignore):
            chosen.update(dict.fromkeys(functions))
    return tuple(chosen)


def locate(source: SourceDocument, violation: Violation) -> Range | None:
    """Range of the violation's element, or of its nearest located ancestor."""
    locator = source.locator
    if violation.at_key:
        found = locator.key_range(violation.pointer)
        if found is not None:
            return found
    tokens = split_pointer(violation.pointer)
    pointer = violation.pointer
    while True:
        found = locator.value_range(pointer)
        if found is not None or not tokens:
            return found
        tokens.pop()
        pointer = "".join("/" + t.replace("~", "~0").replace("/", "~1") for t in tokens)


def _emit(
    outcome: FileOutcome,
    settings: Settings,
    code: str,
    message: str,
    path: str,
    pointer: str,
    where: Range | None,
    document: PolicyDocument | None,
    source: SourceDocument | None = None,
) -> None:
    if not settings.selected(code):
        return
    rule = registry.name_and_severity(code)
    name = rule[0] if rule is not None else code.lower()
    severity = settings.severity.get(code) or (rule[1] if rule is not None else "error")
    context = dict(source.context) if source is not None and source.context else None
    if source is not None and source.label:
        context = {**(context or {}), "document": source.label}
    finding = _finding(
        {
            "rule": code,
            "name": name,
            "severity": severity,
            "message": shortened(message),
            "path": path,
            "pointer": pointer,
            "range": where,
            "context": context,
        }
    )
    index = _suppressed_by(finding, settings.suppressions, document)
    if index is None:
        outcome.findings.append(finding)
    else:
        outcome.suppressed.append(finding)
        outcome.used_suppressions.add(index)


def _suppressed_by(finding: Finding, suppressions: Iterable[Suppression], document: PolicyDocument | None) -> int | None:
    for index, suppression in enumerate(suppressions):
        if not finding.rule.startswith(suppression.rule):
            continue
        path = finding.path.replace("\\", "/")
        if not (fnmatch(path, suppression.path) or fnmatch(path, "*/" + suppression.path.lstrip("/"))):
            continue
        if suppression.pointer is not None and not (
            finding.pointer == suppression.pointer or finding.pointer.startswith(suppression.pointer + "/")
        ):
            continue
        if suppression.sid is not None and _sid_at(document, finding.pointer) != suppression.sid:
            continue
        return index
    return None


def _sid_at(document: PolicyDocument | None, pointer: str) -> str | None:
    if document is None:
        return None
    for statement in document.statements:
        if pointer == statement.pointer or pointer.startswith(statement.pointer + "/"):
            return statement.sid.value if statement.sid is not None else None
    return None
