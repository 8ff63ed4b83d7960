"""Start-up is most of a one-file run (README, Speed): a check of one key policy loads only what it
uses. A fresh interpreter runs the CLI on one sample and reports what the run imported and which
of policylint's pydantic classes built a validator."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
KEY_POLICY = REPO / "samples" / "key-policies" / "console-default-key-policy.json"

_PROBE = """
import json, sys
before = set(sys.modules)
from policylint import cli
code = cli.main(["check", sys.argv[1], "--format", sys.argv[3], "-o", sys.argv[2]])
from pydantic import BaseModel
def classes(cls):
    for sub in cls.__subclasses__():
        yield sub
        yield from classes(sub)
print(json.dumps({
    "code": code,
    "modules": sorted(set(sys.modules) - before),
    "validators_built": sorted(
        cls.__qualname__ for cls in classes(BaseModel)
        if cls.__module__.startswith("policylint") and cls.__pydantic_complete__
    ),
}))
"""

# Modules a check of one JSON key policy has no use for: the evaluator and the analyses, other
# commands, container readers, the YAML / HCL / JSON-schema machinery, worker processes, and
# asyncio, which typing_extensions before 4.16 brought in with pydantic. (hashlib is not listed:
# pydantic 2.14 imports it itself, through `secrets`.)
NOT_NEEDED = (
    "asyncio",
    "ssl",
    "jsonschema",
    "yaml",
    "lark",
    "tabulate",
    "multiprocessing",
    "concurrent.futures",
    "policylint.evaluate",
    "policylint.analyze.access",
    "policylint.query",
    "policylint.shell",
    "policylint.snapshot_build",
    "policylint.source.cloudformation",
    "policylint.source.terraform_hcl",
    "policylint.report.sarif",
    "importlib.metadata",
    "email",
)


@pytest.mark.parametrize("report_format", ["json", "text"])
def test_one_key_policy_loads_only_what_it_uses(tmp_path: Path, report_format: str) -> None:
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    done = subprocess.run(
        [sys.executable, "-c", _PROBE, str(KEY_POLICY), str(tmp_path / "report"), report_format],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    probe = json.loads(done.stdout)
    assert probe["code"] in (0, 1)
    report = (tmp_path / "report").read_text(encoding="utf-8")
    assert json.loads(report)["summary"]["files"] == 1 if report_format == "json" else "checked 1 file" in report
    assert [name for name in NOT_NEEDED if name in probe["modules"]] == []
    # Policy nodes, settings, catalog facts, findings and the report are all made without
    # validation (policylint.trusted): the run builds no validator, so pydantic never loads its
    # plugin loader, which imports importlib.metadata (~45 M instructions).
    assert probe["validators_built"] == []
