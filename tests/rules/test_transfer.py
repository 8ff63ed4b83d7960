"""Outcomes sent back by worker processes: plain data that becomes the same FileOutcome again."""

from __future__ import annotations

import pickle
from pathlib import Path

import pytest

from policylint.findings import Finding
from policylint.rules.engine import FileOutcome
from policylint.rules.runner import _internal_error, check_file
from policylint.rules.transfer import pack, unpack
from policylint.settings import Settings, Suppression
from policylint.source.loader import discover

SAMPLES = Path(__file__).resolve().parents[2] / "samples"
SAMPLE_FILES = sorted(discover([str(SAMPLES)], ()))
# Suppress one rule everywhere, so that outcomes also carry suppressed findings.
SETTINGS = Settings(suppressions=(Suppression(rule="PL2", path="*", reason="test"),))


def _plain(value: object) -> bool:
    """Only builtin values (what pickles cheaply), all the way down."""
    if isinstance(value, (str, int, float, bool, type(None))):
        return True
    if isinstance(value, (tuple, list, set, frozenset)):
        return all(_plain(item) for item in value)
    if isinstance(value, dict):
        return all(_plain(key) and _plain(item) for key, item in value.items())
    return False


def _same(a: FileOutcome, b: FileOutcome) -> None:
    assert (a.path, a.documents, a.findings, a.suppressed, a.used_suppressions) == (
        b.path,
        b.documents,
        b.findings,
        b.suppressed,
        b.used_suppressions,
    )
    for mine, theirs in zip(a.findings + a.suppressed, b.findings + b.suppressed):
        assert mine.model_dump() == theirs.model_dump()
        assert mine.model_dump(exclude_none=True) == theirs.model_dump(exclude_none=True)  # as the JSON report
        assert mine.model_fields_set == set(Finding.model_fields)


@pytest.mark.parametrize("settings", [Settings(), SETTINGS], ids=["default", "suppressing"])
def test_every_sample_outcome_comes_back_equal(settings: Settings) -> None:
    seen = {"context": 0, "no range": 0, "suppressed": 0, "documents": 0}
    for path in SAMPLE_FILES:
        outcome = check_file(path, settings)
        packed = pack(outcome)
        assert _plain(packed)
        _same(unpack(pickle.loads(pickle.dumps(packed))), outcome)
        seen["context"] += sum(f.context is not None for f in outcome.findings)
        seen["no range"] += sum(f.range is None for f in outcome.findings)
        seen["suppressed"] += len(outcome.suppressed)
        seen["documents"] += len(outcome.documents)
    # The samples exercise each kind of value the packing handles.
    assert seen["context"] and seen["documents"]
    assert seen["suppressed"] > 0 if settings is SETTINGS else seen["suppressed"] == 0


def test_internal_error_outcome_comes_back_equal() -> None:
    outcome = _internal_error("x.json", "internal error while checking this file (ValueError); please report it")
    assert outcome.findings[0].range is None
    _same(unpack(pack(outcome)), outcome)


def test_packed_data_is_smaller_than_pickled_models() -> None:
    outcomes = [check_file(path, Settings()) for path in SAMPLE_FILES]
    assert len(pickle.dumps([pack(o) for o in outcomes])) < len(pickle.dumps(outcomes)) * 0.7
