"""Speed of the symbolic access analysis (policylint.analyze).

    python3 bench/analysis.py [--principals N] [--statements N] [--rounds N]

Two measurements, each the median of `--rounds` runs after one warm-up run:

- who-can: `who can kms:Decrypt` and `who can kms:*` on one key of a generated snapshot with
  `--principals` principals (default 10,000) in three accounts, each with one to three identity
  policies from a pool of 20 files, some with a permissions boundary and tags; the key policy
  delegates to the account, names roles, another account and `*` pinned by
  `kms:CallerAccount`, and the key has grants. Loading the snapshot is timed apart.
- diff: `policylint diff` of two generated key policies with `--statements` statements
  (default 50) each, differing in a few principals, actions and conditions.

Targets: who-can at most 1 s, diff at most 1 s.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

HERE = Path(__file__).resolve().parent
if str(HERE.parent) not in sys.path:
    sys.path.insert(0, str(HERE.parent))

OWN, PARTNER, OTHER = "111122223333", "444455556666", "777788889999"
KEY = f"arn:aws:kms:us-east-1:{OWN}:key/1234abcd-12ab-34cd-56ef-1234567890ab"
ROOT = f"arn:aws:iam::{OWN}:root"


def _statement(effect: str, principal: object, action: object, condition: dict | None = None, sid: str | None = None) -> dict:
    body: dict = {"Effect": effect, "Principal": principal, "Action": action, "Resource": "*"}
    if sid:
        body["Sid"] = sid
    if condition:
        body["Condition"] = condition
    return body


def _policy(*statements: dict) -> dict:
    return {"Version": "2012-10-17", "Statement": list(statements)}


def _identity(index: int) -> dict:
    """Identity policy number `index` of the pool: every fourth one uses KMS."""
    if index % 4 == 0:
        action = ["kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey*"] if index % 8 == 0 else "kms:*"
        resource = KEY if index % 3 else "*"
        return {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": action, "Resource": resource}]}
    service = ("s3", "ec2", "dynamodb", "sqs", "sns")[index % 5]
    return {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": f"{service}:*", "Resource": "*"}]}


def write_snapshot(folder: Path, count: int) -> Path:
    policies = folder / "policies"
    policies.mkdir()
    for index in range(20):
        (policies / f"identity-{index}.json").write_text(json.dumps(_identity(index)), encoding="utf-8")
    (policies / "boundary.json").write_text(json.dumps(_policy({"Effect": "Allow", "Action": ["kms:*", "s3:*"], "Resource": "*"})), encoding="utf-8")
    apps = [f"arn:aws:iam::{OWN}:role/app-{n}" for n in range(10)]
    key_policy = _policy(
        _statement("Allow", {"AWS": ROOT}, "kms:*", sid="EnableIAM"),
        _statement("Allow", {"AWS": f"arn:aws:iam::{OWN}:role/KeyAdmin"}, ["kms:Create*", "kms:Describe*", "kms:Put*", "kms:ScheduleKeyDeletion"], sid="Admins"),
        _statement("Allow", {"AWS": apps}, ["kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey*"], sid="Apps"),
        _statement("Allow", {"AWS": f"arn:aws:iam::{PARTNER}:root"}, ["kms:Decrypt", "kms:DescribeKey"], sid="Partner"),
        _statement("Allow", "*", ["kms:Decrypt", "kms:CreateGrant"], {"StringEquals": {"kms:CallerAccount": OWN, "kms:ViaService": "ebs.us-east-1.amazonaws.com"}}, sid="ViaEbs"),
        _statement("Allow", {"AWS": ROOT}, "kms:Decrypt", {"StringEquals": {"aws:PrincipalTag/team": "payments"}}, sid="Payments"),
        _statement("Deny", "*", "kms:*", {"Bool": {"aws:SecureTransport": "false"}}, sid="TlsOnly"),
    )
    (policies / "key-policy.json").write_text(json.dumps(key_policy), encoding="utf-8")
    principals: dict[str, dict] = {}
    accounts = (OWN,) * 7 + (PARTNER,) * 2 + (OTHER,)
    for number in range(count):
        account = accounts[number % 10]
        kind = "user" if number % 5 == 0 else "role"
        arn = f"arn:aws:iam::{account}:{kind}/p{number}"
        picks = sorted({number % 20, (number // 3) % 20, (number // 7) % 20})
        entry: dict = {"policies": [f"policies/identity-{i}.json" for i in picks[: 1 + number % 3]]}
        if number % 3 == 0:
            entry["permissions_boundary"] = "policies/boundary.json"
        entry["tags"] = {"team": ("payments", "search", "data", "ops")[number % 4]}
        principals[arn] = entry
    for app in apps:
        principals[app] = {"policies": ["policies/identity-0.json"]}
    snapshot = {
        "accounts": {OWN: {"organization": "o-a1b2c3d4e5"}, PARTNER: {"organization": "o-a1b2c3d4e5"}, OTHER: {}},
        "keys": {
            KEY: {
                "policy": "policies/key-policy.json",
                "grants": [
                    {"grantee": apps[0], "operations": ["Decrypt"], "constraints": {"encryption_context_equals": {"Dept": "IT"}}},
                    {"grantee": f"arn:aws:iam::{OWN}:role/p3", "operations": ["Decrypt", "Encrypt"]},
                    {"grantee": f"arn:aws:iam::{OTHER}:role/batch", "operations": ["Decrypt"]},
                ],
            }
        },
        "principals": principals,
    }
    path = folder / "snapshot.json"
    path.write_text(json.dumps(snapshot), encoding="utf-8")
    return path


def key_policies(statements: int) -> tuple[dict, dict]:
    """Two key policies of `statements` statements that differ in a few places."""
    old: list[dict] = [_statement("Allow", {"AWS": ROOT}, "kms:*", sid="EnableIAM")]
    verbs = (["kms:Decrypt"], ["kms:Encrypt", "kms:GenerateDataKey*"], ["kms:Describe*", "kms:List*"], ["kms:Create*", "kms:Put*"])
    for n in range(1, statements):
        principal = {"AWS": f"arn:aws:iam::{OWN if n % 3 else PARTNER}:role/team-{n}"}
        condition = {"StringEquals": {"kms:ViaService": f"s{n % 4}.us-east-1.amazonaws.com"}} if n % 5 == 0 else None
        old.append(_statement("Allow", principal, verbs[n % 4], condition, sid=f"S{n}"))
    new = [dict(s) for s in old]
    new[3] = _statement("Allow", {"AWS": [f"arn:aws:iam::{OWN}:role/team-3", f"arn:aws:iam::{OTHER}:root"]}, verbs[3], sid="S3")
    new[10] = _statement("Allow", new[10]["Principal"], "kms:*", sid="S10")
    new[12] = _statement("Allow", new[12]["Principal"], "kms:*", sid="S12")
    new[20] = _statement("Allow", new[20]["Principal"], verbs[0], sid="S20")
    new[-1] = _statement("Deny", "*", "kms:ScheduleKeyDeletion", sid="NoDelete")
    return _policy(*old), _policy(*new)


def _median(run: Callable[[], object], rounds: int, clock: Callable[[], float] = time.perf_counter) -> tuple[float, object]:
    result = run()
    samples = []
    for _ in range(rounds):
        start = clock()
        result = run()
        samples.append(clock() - start)
    return statistics.median(samples), result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--principals", type=int, default=10_000)
    parser.add_argument("--statements", type=int, default=50)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--cpu", action="store_true", help="measure process CPU time instead of wall time (for busy machines)")
    args = parser.parse_args(argv)

    clock = time.process_time if args.cpu else time.perf_counter
    from policylint.analyze.whocan import who_can
    from policylint.analyze.diff import diff_documents
    from policylint.analyze.synthetic import document_from_value
    from policylint.evaluate.snapshot import load_snapshot

    with tempfile.TemporaryDirectory() as temp:
        path = write_snapshot(Path(temp), args.principals)
        start = time.perf_counter()
        snapshot = load_snapshot(str(path))
        load = time.perf_counter() - start
        print(f"snapshot: {len(snapshot.principals)} principals, loaded in {load:.2f} s")
        for action in ("kms:Decrypt", "kms:*"):
            seconds, result = _median(lambda a=action: who_can(snapshot, a, KEY), args.rounds, clock)
            print(f"who can {action} on one key: {seconds:.3f} s ({len(result.accesses)} classes)")  # type: ignore[attr-defined]
    old, new = key_policies(args.statements)
    old_doc = document_from_value(old, "key-policy", "old.json")
    new_doc = document_from_value(new, "key-policy", "new.json")
    seconds, result = _median(lambda: diff_documents(old_doc, new_doc, kind="key-policy", account=OWN), args.rounds, clock)
    print(f"diff of two {args.statements}-statement key policies: {seconds:.3f} s ({len(result.accesses)} new accesses)")  # type: ignore[attr-defined]
    return 0


if __name__ == "__main__":
    sys.exit(main())
