"""Start-up is most of a one-file run (README, Speed): a check of one key policy loads only what it
uses. A fresh interpreter runs the CLI on one sample and reports what it imported and which
policy model classes built a pydantic validator."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
KEY_POLICY = REPO / "samples" / "key-policies" / "console-default-key-policy.json"

_PROBE = """
import json, sys
from policylint import cli
from policylint.model import policy
code = cli.main(["check", sys.argv[1], "--format", "json", "-o", sys.argv[2]])
nodes = [policy.Text, policy.Action, policy.Principal, policy.ConditionValue, policy.ConditionKey,
         policy.ConditionOperator, policy.Statement, policy.PolicyDocument]
print(json.dumps({
    "code": code,
    "modules": sorted(sys.modules),
    "validators_built": [cls.__name__ for cls in nodes if cls.__pydantic_complete__],
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
)


def test_one_key_policy_loads_only_what_it_uses(tmp_path: Path) -> None:
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    done = subprocess.run(
        [sys.executable, "-c", _PROBE, str(KEY_POLICY), str(tmp_path / "report.json")],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    probe = json.loads(done.stdout)
    assert probe["code"] in (0, 1)
    assert json.loads((tmp_path / "report.json").read_text(encoding="utf-8"))["summary"]["files"] == 1
    assert [name for name in NOT_NEEDED if name in probe["modules"]] == []
    # The model builder makes policy nodes without validation: no node class builds a validator.
    assert probe["validators_built"] == []
