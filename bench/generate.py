"""Synthetic benchmark workloads, written deterministically from a seed.

    python3 bench/generate.py OUT_DIR [--seed N] [--files N] [--statements N]

writes under OUT_DIR:
  synthetic/        FILES small key and identity policies in folders of 100 (about one in five
                    has something a rule reports; a few are not valid JSON)
  large/policy.json one identity policy of STATEMENTS statements
  small/            the same number of statements spread over documents of 5 statements
  single/key.json   one clean key policy (start-up cost)

The same seed and sizes give byte-identical files.
"""

from __future__ import annotations

import argparse
import json
import random
from collections.abc import Callable
from pathlib import Path

ACCOUNT = "111122223333"
OTHER_ACCOUNT = "444455556666"

_READ_ACTIONS = (
    "s3:GetObject",
    "s3:GetObjectVersion",
    "s3:ListBucket",
    "dynamodb:GetItem",
    "dynamodb:Query",
    "dynamodb:Scan",
    "sqs:ReceiveMessage",
    "sqs:GetQueueAttributes",
    "logs:DescribeLogStreams",
    "ec2:DescribeInstances",
)
_WRITE_ACTIONS = (
    "s3:PutObject",
    "s3:DeleteObject",
    "dynamodb:PutItem",
    "dynamodb:UpdateItem",
    "sqs:SendMessage",
    "logs:CreateLogStream",
    "logs:PutLogEvents",
)
_KEY_USE = ("kms:Encrypt", "kms:Decrypt", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:DescribeKey")
_KEY_ADMIN = (
    "kms:Describe*",
    "kms:Enable*",
    "kms:List*",
    "kms:Update*",
    "kms:Disable*",
    "kms:Get*",
    "kms:TagResource",
    "kms:UntagResource",
    "kms:ScheduleKeyDeletion",
    "kms:CancelKeyDeletion",
)


def _resource_for(action: str, rng: random.Random) -> str:
    service = action.split(":", 1)[0]
    n = rng.randrange(1000)
    if service == "s3":
        return f"arn:aws:s3:::bucket-{n}" if action == "s3:ListBucket" else f"arn:aws:s3:::bucket-{n}/data/*"
    if service == "dynamodb":
        return f"arn:aws:dynamodb:us-east-1:{ACCOUNT}:table/table-{n}"
    if service == "sqs":
        return f"arn:aws:sqs:us-east-1:{ACCOUNT}:queue-{n}"
    if service == "logs":
        return f"arn:aws:logs:us-east-1:{ACCOUNT}:log-group:/app/{n}:*"
    return "*"


def identity_statement(rng: random.Random, sid: str) -> dict:
    """A clean identity-policy statement on one service."""
    pool = _READ_ACTIONS if rng.random() < 0.6 else _WRITE_ACTIONS
    first = rng.choice(pool)
    service = first.split(":", 1)[0]
    actions = sorted({first, *(a for a in rng.sample(pool, 3) if a.startswith(service + ":"))})
    statement: dict = {
        "Sid": sid,
        "Effect": "Allow",
        "Action": actions if len(actions) > 1 else actions[0],
        "Resource": sorted({_resource_for(a, rng) for a in actions}),
    }
    if rng.random() < 0.3:
        statement["Condition"] = {"StringEquals": {"aws:RequestedRegion": rng.choice(("us-east-1", "eu-west-1"))}}
    elif rng.random() < 0.2:
        statement["Condition"] = {"IpAddress": {"aws:SourceIp": f"10.{rng.randrange(256)}.0.0/16"}}
    return statement


def identity_policy(rng: random.Random, statements: int) -> dict:
    return {"Version": "2012-10-17", "Statement": [identity_statement(rng, f"Stmt{i}") for i in range(statements)]}


def key_policy(rng: random.Random) -> dict:
    """A clean key policy: root access, key administrators, key users, grants for AWS services."""
    role = f"arn:aws:iam::{ACCOUNT}:role"
    statements = [
        {"Sid": "EnableRootAccess", "Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:root"}, "Action": "kms:*", "Resource": "*"},
        {"Sid": "KeyAdministrators", "Effect": "Allow", "Principal": {"AWS": f"{role}/KeyAdmin"}, "Action": list(_KEY_ADMIN), "Resource": "*"},
        {"Sid": "KeyUsers", "Effect": "Allow", "Principal": {"AWS": f"{role}/App{rng.randrange(100)}"}, "Action": list(_KEY_USE), "Resource": "*"},
    ]
    if rng.random() < 0.5:
        statements.append(
            {
                "Sid": "GrantsForAwsResources",
                "Effect": "Allow",
                "Principal": {"AWS": f"{role}/App{rng.randrange(100)}"},
                "Action": ["kms:CreateGrant", "kms:ListGrants", "kms:RevokeGrant"],
                "Resource": "*",
                "Condition": {"Bool": {"kms:GrantIsForAWSResource": "true"}},
            }
        )
    return {"Version": "2012-10-17", "Id": f"key-policy-{rng.randrange(10**6)}", "Statement": statements}


# Ways to spoil a document so that some rule reports it: document -> document (or raw text).
def _public_key(doc: dict, rng: random.Random) -> dict:
    doc["Statement"][-1]["Principal"] = "*"
    return doc


def _unknown_action(doc: dict, rng: random.Random) -> dict:
    statement = doc["Statement"][-1]
    statement["Action"] = [*([statement["Action"]] if isinstance(statement["Action"], str) else statement["Action"]), "s3:GetObjekt"]
    return doc


def _no_root(doc: dict, rng: random.Random) -> dict:
    doc["Statement"] = [s for s in doc["Statement"] if s.get("Sid") != "EnableRootAccess"]
    return doc


def _cross_account(doc: dict, rng: random.Random) -> dict:
    doc["Statement"][-1]["Principal"] = {"AWS": f"arn:aws:iam::{OTHER_ACCOUNT}:root"}
    return doc


def _duplicate_sid(doc: dict, rng: random.Random) -> dict:
    doc["Statement"].append(dict(doc["Statement"][0]))
    return doc


def _allow_not_action(doc: dict, rng: random.Random) -> dict:
    statement = doc["Statement"][0]
    statement["NotAction"] = statement.pop("Action")
    return doc


def _old_version(doc: dict, rng: random.Random) -> dict:
    doc["Version"] = "2008-10-17"
    return doc


def _redundant_action(doc: dict, rng: random.Random) -> dict:
    doc["Statement"][0]["Action"] = ["s3:Get*", "s3:GetObject"]
    doc["Statement"][0]["Resource"] = "arn:aws:s3:::bucket-1/*"
    return doc


_KEY_SPOILERS: tuple[Callable[[dict, random.Random], dict], ...] = (_public_key, _unknown_action, _no_root, _cross_account, _duplicate_sid)
_IDENTITY_SPOILERS: tuple[Callable[[dict, random.Random], dict], ...] = (_unknown_action, _allow_not_action, _old_version, _redundant_action, _duplicate_sid)


def _text(doc: dict) -> str:
    return json.dumps(doc, indent=2) + "\n"


def synthetic_document(rng: random.Random, finding_rate: float = 0.2) -> tuple[str, str]:
    """(kind, JSON text) of one small document: a key policy or an identity policy."""
    kind = "key" if rng.random() < 0.5 else "identity"
    doc = key_policy(rng) if kind == "key" else identity_policy(rng, rng.randint(1, 4))
    roll = rng.random()
    if roll < 0.01:
        return kind, _text(doc)[:-3] + ",\n}\n"  # trailing comma: not JSON
    if roll < finding_rate:
        spoil = rng.choice(_KEY_SPOILERS if kind == "key" else _IDENTITY_SPOILERS)
        doc = spoil(doc, rng)
    return kind, _text(doc)


def _write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def synthetic_tree(root: Path, files: int = 10_000, seed: int = 0, finding_rate: float = 0.2) -> Path:
    """FILES small documents in folders of 100 under ROOT/synthetic."""
    rng = random.Random(f"{seed}:synthetic")
    out = root / "synthetic"
    for i in range(files):
        kind, text = synthetic_document(rng, finding_rate)
        _write(out / f"d{i // 100:03d}" / f"{kind}-{i:05d}.json", text)
    return out


def large_document(root: Path, statements: int = 5_000, seed: int = 0) -> Path:
    """One identity policy of STATEMENTS statements, ROOT/large/policy.json."""
    rng = random.Random(f"{seed}:large")
    path = root / "large" / "policy.json"
    _write(path, _text(identity_policy(rng, statements)))
    return path


def small_documents(root: Path, statements: int = 5_000, per_document: int = 5, seed: int = 0) -> Path:
    """The same number of statements as `large_document`, in documents of PER_DOCUMENT statements."""
    rng = random.Random(f"{seed}:small")
    out = root / "small"
    for i in range(max(1, statements // per_document)):
        _write(out / f"policy-{i:05d}.json", _text(identity_policy(rng, per_document)))
    return out


def single_key_policy(root: Path, seed: int = 0) -> Path:
    path = root / "single" / "key.json"
    _write(path, _text(key_policy(random.Random(f"{seed}:single"))))
    return path


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="write the synthetic benchmark workloads")
    parser.add_argument("out", type=Path)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--files", type=int, default=10_000, help="documents in synthetic/ (default 10000)")
    parser.add_argument("--statements", type=int, default=5_000, help="statements of large/policy.json (default 5000)")
    args = parser.parse_args(argv)
    print(synthetic_tree(args.out, args.files, args.seed))
    print(large_document(args.out, args.statements, args.seed))
    print(small_documents(args.out, args.statements, seed=args.seed))
    print(single_key_policy(args.out, args.seed))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
