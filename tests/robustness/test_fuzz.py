"""Fuzzing the whole check pipeline: no input may crash it or end in an internal error."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from policylint.rules.engine import check_loaded
from policylint.settings import Settings
from policylint.source.loader import load_bytes

from .strategies import SETTINGS, policy_files


@settings(max_examples=200, deadline=None, derandomize=True, database=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(file=policy_files(), run_settings=st.sampled_from(SETTINGS))
def test_no_input_crashes_the_check(file: tuple[str, bytes], run_settings: Settings) -> None:
    name, data = file
    outcome = check_loaded(load_bytes(name, data), run_settings)
    internal = [(f.rule, f.name, f.message) for f in outcome.findings if f.rule == "PL000"]
    assert internal == []
