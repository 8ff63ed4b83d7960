"""A whole check run: paths -> CheckReport. Files are independent; one bad file never hides others."""

from __future__ import annotations

from collections.abc import Callable, Iterator

from policylint.findings import Finding
from policylint.report.model import CheckReport, DocumentEntry, Summary
from policylint.rules.engine import FileOutcome, check_loaded
from policylint.settings import Settings
from policylint.source.document import FileProblem, LoadResult
from policylint.source.loader import discover, load_file
from policylint.trusted import record

_check_report = record(CheckReport)
_summary = record(Summary)


def check_file(item: str | LoadResult, settings: Settings) -> FileOutcome:
    """Check one file. An unexpected failure inside policylint becomes a finding, not a crash."""
    path = item.path if isinstance(item, LoadResult) else item
    try:
        result = item if isinstance(item, LoadResult) else load_file(item, account=settings.account)
        return check_loaded(result, settings)
    except RecursionError:
        # Valid JSON nested deeper than the analysis can follow: no policy nests like this, so it is
        # a structure finding about the file (with the usual selection and severity), not a crash.
        problem = FileProblem("PL002", "the document is nested too deeply to analyse")
        return check_loaded(LoadResult(path=path, problems=(problem,)), settings)
    except Exception as error:  # noqa: BLE001 - one bad file must never hide the others
        return _internal_error(path, f"internal error while checking this file ({type(error).__name__}); please report it")


def _internal_error(path: str, message: str) -> FileOutcome:
    outcome = FileOutcome(path)
    outcome.findings.append(Finding(rule="PL000", name="internal-error", severity="error", message=message, path=path, pointer=""))
    return outcome


# Told (files done, files in the run) as the outcomes come in.
Progress = Callable[[int, int], None]


def iter_outcomes(paths: list[str], settings: Settings, jobs: int = 1, progress: Progress | None = None) -> Iterator[FileOutcome]:
    """Outcomes in discovery order (the same for any `jobs`)."""
    items = list(discover(paths, settings.exclude))
    if jobs > 1 and len(items) > 1:
        from policylint.rules.parallel import map_in_processes

        outcomes = map_in_processes(items, settings, jobs)
    else:
        outcomes = (check_file(item, settings) for item in items)
    if progress is None:
        yield from outcomes
        return
    total = len(items)
    for done, outcome in enumerate(outcomes, 1):
        progress(done, total)
        yield outcome


def unused_suppression_findings(settings: Settings, used: set[int]) -> list[Finding]:
    """A suppression that matched nothing is itself reported (PL000 is reserved for the tool)."""
    found = []
    for index, suppression in enumerate(settings.suppressions):
        if index in used:
            continue
        where = suppression.origin or settings.config_path or "config"
        found.append(
            Finding(
                rule="PL000",
                name="unused-suppression",
                severity="warning",
                message=f"suppression of `{suppression.rule}` for `{suppression.path}` matches no finding",
                path=where,
                pointer="",
            )
        )
    return found


def run_check(paths: list[str], settings: Settings, jobs: int = 1, progress: Progress | None = None) -> CheckReport:
    documents: list[DocumentEntry] = []
    findings: list[Finding] = []
    suppressed = 0
    used: set[int] = set()
    files = 0
    for outcome in iter_outcomes(paths, settings, jobs, progress):
        files += 1
        documents.extend(outcome.documents)
        findings.extend(outcome.findings)
        suppressed += len(outcome.suppressed)
        used |= outcome.used_suppressions
    findings.extend(unused_suppression_findings(settings, used))
    counts = {"error": 0, "warning": 0, "info": 0}
    for finding in findings:
        counts[finding.severity] += 1
    summary = _summary(files=files, documents=len(documents), suppressed=suppressed, **counts)
    return _check_report(files=tuple(documents), findings=tuple(findings), summary=summary)
