"""The editor-style JSON report.

Shape: `{"tool": {"name", "version"}, "files": [{"path", "kind", "account", "account_inferred",
...}], "findings": [{"rule", "name", "severity", "message", "path", "pointer", "range"}],
"summary": {"files", "error", "warning", "info", ...}}`.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from pydantic import BaseModel

from policylint import __version__
from policylint.report import jsonlines
from policylint.report.model import CheckReport


def as_data(report: CheckReport) -> dict:
    return {
        "tool": {"name": "policylint", "version": __version__},
        "files": [plain(entry) for entry in report.files],
        "findings": [plain(finding, exclude_none=True) for finding in report.findings],
        "summary": plain(report.summary),
    }


def render(report: CheckReport) -> str:
    """Indented JSON with one file entry and one finding per line."""
    return jsonlines.dumps(as_data(report), depth=2)


def plain(model: BaseModel, exclude_none: bool = False) -> dict[str, Any]:
    """`model.model_dump(exclude_none=...)` for the report's records (fields of JSON scalars,
    string dicts and nested records), without building pydantic's serializer: a check run builds
    none. As fast as model_dump for these records. tests/test_records.py compares the two."""
    values = model.__dict__
    data: dict[str, Any] = {}
    for name in _dumped_fields(type(model)):
        value = values[name]
        if value is None:
            if exclude_none:
                continue
        elif isinstance(value, BaseModel):
            value = plain(value, exclude_none)
        elif type(value) is dict:
            value = dict(value)
        data[name] = value
    return data


@cache
def _dumped_fields(cls: type[BaseModel]) -> tuple[str, ...]:
    """The fields model_dump gives, in order (reading `model_fields` costs more than a record)."""
    return tuple(name for name, field in cls.model_fields.items() if not field.exclude)
