"""Fuzzing the access query evaluator: the checks of bench/fuzz_evaluator.py on 100 inputs.

No input may make deciding, rendering, explaining or parsing a query raise; adding a `Deny` never
allows a denied request, adding an `Allow` or a grant never denies an allowed one, and reordering
never changes a decision.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType

import pytest
from hypothesis import HealthCheck, given, settings

from tests.evaluate.strategies import EvaluatorInput, evaluator_inputs

SCRIPT = Path(__file__).resolve().parents[2] / "bench" / "fuzz_evaluator.py"


def _fuzzer() -> ModuleType:
    spec = importlib.util.spec_from_file_location("fuzz_evaluator", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def fuzzer() -> ModuleType:
    return _fuzzer()


@pytest.fixture(scope="module")
def workdir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("fuzz-evaluator")


@pytest.mark.slow
@settings(max_examples=100, deadline=None, derandomize=True, database=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(case=evaluator_inputs())
def test_no_input_breaks_the_evaluator(fuzzer: ModuleType, workdir: Path, case: EvaluatorInput) -> None:
    outcome = fuzzer.check_input(case, workdir)
    assert [(problem.signature, problem.detail) for problem in outcome.problems] == []
