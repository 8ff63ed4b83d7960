"""What a worker process sends back for each file: its FileOutcome as plain tuples and strings.

Pickling pydantic models sends each one as its class, a state dict and a `__setstate__` call:
for the outcomes of 1,645 managed policies that is 0.72 MB, ~39 ms to pickle in the workers and
~29 ms to unpickle in the parent, which runs beside the workers on the same CPUs. As tuples it is
0.39 MB, ~13 ms to pack and pickle and ~21 ms to unpickle and unpack. The parent makes the models
again without validating them (`policylint.trusted`): the worker validated them when it
made them.
"""

from __future__ import annotations

from functools import cache

from policylint.findings import Finding
from policylint.trusted import maker
from policylint.report.model import DocumentEntry
from policylint.rules.engine import FileOutcome
from policylint.source.positions import Position, Range

Packed = tuple[str, list[tuple], list[tuple], list[tuple], set[int]]


def pack(outcome: FileOutcome) -> Packed:
    """The outcome as tuples, strings and numbers (cheap to pickle)."""
    makers = _makers()
    return (
        outcome.path,
        [tuple([entry.__dict__[name] for name in makers.document_fields]) for entry in outcome.documents],
        [_pack_finding(finding, makers) for finding in outcome.findings],
        [_pack_finding(finding, makers) for finding in outcome.suppressed],
        outcome.used_suppressions,
    )


def unpack(packed: Packed) -> FileOutcome:
    """The FileOutcome that `pack` was given (equal in every field)."""
    path, documents, findings, suppressed, used = packed
    makers = _makers()
    outcome = FileOutcome(path)
    outcome.documents = [makers.document(dict(zip(makers.document_fields, values))) for values in documents]
    outcome.findings = [_unpack_finding(values, makers) for values in findings]
    outcome.suppressed = [_unpack_finding(values, makers) for values in suppressed]
    outcome.used_suppressions = used
    return outcome


def _pack_finding(finding: Finding, makers: _Makers) -> tuple:
    """A finding's fields in declaration order, its range as six numbers."""
    values = [finding.__dict__[name] for name in makers.finding_fields]
    where = values[makers.range_index]
    if where is not None:
        start, end = where.start, where.end
        values[makers.range_index] = (start.line, start.column, start.offset, end.line, end.column, end.offset)
    return tuple(values)


def _unpack_finding(values: tuple, makers: _Makers) -> Finding:
    fields = dict(zip(makers.finding_fields, values))
    span = fields["range"]
    if span is not None:
        start = makers.position({"line": span[0], "column": span[1], "offset": span[2]})
        end = makers.position({"line": span[3], "column": span[4], "offset": span[5]})
        fields["range"] = makers.range({"start": start, "end": end})
    return makers.finding(fields)


class _Makers:
    """Field orders and trusted constructors, made once per process."""

    __slots__ = ("document", "document_fields", "finding", "finding_fields", "range_index", "range", "position")

    def __init__(self) -> None:
        self.document = maker(DocumentEntry)
        self.document_fields = tuple(DocumentEntry.model_fields)
        self.finding = maker(Finding)
        self.finding_fields = tuple(Finding.model_fields)
        self.range_index = self.finding_fields.index("range")
        self.range = maker(Range)
        self.position = maker(Position)


@cache
def _makers() -> _Makers:
    return _Makers()
