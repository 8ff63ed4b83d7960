"""Access query benchmarks: snapshot load time and `can` query latency on a large synthetic snapshot.

    python3 bench/evaluator.py [--principals 10000] [--keys 1000] [--queries 2000] [--seed 1]
                               [--load-rounds 5] [--shell-rounds 3] [--workdir DIR] [--json FILE] [--profile N]

writes a snapshot (JSON, policies as files beside it) for one organization of three accounts,
then measures, in one run:
  - snapshot load: 5 fresh processes, each timing `load_snapshot` alone (imports excluded);
  - in-process queries: `parse_query`, `decide_query` and text `render` per query
    (time.perf_counter per query, after a warm-up on other queries), median and p99;
  - the shell: the same queries piped into `python3 -m policylint shell --snapshot FILE`,
    minus the same command on empty input, divided by the number of queries.
bench/run.py calls `cases(workdir, seed)` for `--workload evaluator`. See bench/README.md.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
if str(HERE) not in sys.path:
    sys.path.insert(0, str(HERE))
if str(REPO) not in sys.path:
    sys.path.insert(1, str(REPO))

from measure import Case, child_env  # noqa: E402

ORG = "o-b3nch1a2b3"
ACCOUNTS = ("111111111111", "222222222222", "333333333333")  # keys, workloads, data
OUTSIDER = "arn:aws:iam::999999999999:role/outsider"  # not in the snapshot
PRINCIPAL_SHARE = (0.2, 0.4, 0.4)
KEY_SHARE = (0.5, 0.25, 0.25)
REGIONS = ("us-east-1", "eu-west-1", "ap-southeast-1")
REGION_WEIGHTS = (0.6, 0.35, 0.05)
TEAMS = ("payments", "billing", "data", "platform", "ml")
ENVS = ("prod", "staging", "dev")
APPS = ("billing", "ledger", "search", "reports")
BUCKETS = tuple(f"acme-data-{n:02d}" for n in range(20))
KEY_USE = ("kms:Encrypt", "kms:Decrypt", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:DescribeKey")
KEY_ADMIN = (
    "kms:Create*", "kms:Describe*", "kms:Enable*", "kms:List*", "kms:Put*", "kms:Update*", "kms:Revoke*",
    "kms:Disable*", "kms:Get*", "kms:Delete*", "kms:TagResource", "kms:UntagResource",
    "kms:ScheduleKeyDeletion", "kms:CancelKeyDeletion",
)
KEY_USE_QUERIES = ("kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey", "kms:DescribeKey", "kms:ReEncryptFrom")
GRANT_OPERATIONS = ("Decrypt", "Encrypt", "GenerateDataKey", "DescribeKey", "ReEncryptFrom", "CreateGrant")
# Query actions and how often each is asked.
QUERY_ACTIONS = (
    ("kms:Decrypt", 25), ("kms:Encrypt", 12), ("kms:GenerateDataKey", 12), ("kms:DescribeKey", 8),
    ("kms:ReEncryptFrom", 3), ("kms:CreateGrant", 4), ("kms:ScheduleKeyDeletion", 3), ("kms:PutKeyPolicy", 2),
    ("kms:DisableKey", 2), ("kms:ListGrants", 2), ("s3:GetObject", 8), ("s3:PutObject", 5),
    ("s3:DeleteObject", 2), ("dynamodb:GetItem", 3), ("sqs:SendMessage", 2),
)
TARGET_MS = 5.0
HARNESS_QUERIES = 200


# -- the snapshot ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Principal:
    arn: str
    account: str
    name: str  # the role or user name, without path
    role: bool
    tags: tuple[tuple[str, str], ...]
    keys: tuple[str, ...]  # key ARNs its identity policies name
    buckets: tuple[str, ...]  # buckets its identity policies name


@dataclass(frozen=True)
class World:
    """What was written, and what the query generator needs to know about it."""

    snapshot: Path
    files: tuple[Path, ...]  # the snapshot and every policy file
    principals: tuple[Principal, ...]
    keys: tuple[str, ...]
    grants: tuple[tuple[str, str, tuple[str, ...], tuple[tuple[str, str], ...]], ...]  # key, grantee, operations, context


def _doc(*statements: dict) -> dict:
    return {"Version": "2012-10-17", "Statement": list(statements)}


def _allow(action: object, resource: object = "*", condition: dict | None = None, sid: str | None = None, **extra: object) -> dict:
    statement: dict = {"Sid": sid} if sid else {}
    statement.update({"Effect": "Allow", **extra, "Action": action, "Resource": resource})
    if condition:
        statement["Condition"] = condition
    return statement


def _deny(action: object, resource: object = "*", condition: dict | None = None, sid: str | None = None, **extra: object) -> dict:
    return {**_allow(action, resource, condition, sid, **extra), "Effect": "Deny"}


def _root(account: str) -> str:
    return f"arn:aws:iam::{account}:root"


def _via(regions: Sequence[str] = REGIONS, service: str = "s3") -> list[str]:
    return [f"{service}.{region}.amazonaws.com" for region in regions]


def _key_policies(named: dict[str, tuple[list[str], list[str]]]) -> dict[str, tuple[str, dict]]:
    """About 20 key policies: name -> (account, document). `named` gives each account's
    (administrators, users) for the console default policies."""
    out: dict[str, tuple[str, dict]] = {}
    for index, account in enumerate(ACCOUNTS):
        others = [a for a in ACCOUNTS if a != account]
        root = _allow("kms:*", sid="Enable IAM User Permissions", Principal={"AWS": _root(account)})
        admins, users = named[account]
        out[f"default-{account}"] = (account, _doc(root))
        for variant in (1, 2) if index < 2 else (1,):
            chosen_admins = admins[:2] if variant == 1 else admins[2:]
            chosen_users = users[:4] if variant == 1 else users[4:]
            out[f"console-{variant}-{account}"] = (account, _doc(
                root,
                _allow(list(KEY_ADMIN), sid="Allow access for Key Administrators", Principal={"AWS": chosen_admins}),
                _allow(list(KEY_USE), sid="Allow use of the key", Principal={"AWS": chosen_users}),
                _allow(["kms:CreateGrant", "kms:ListGrants", "kms:RevokeGrant"], sid="Allow attachment of persistent resources",
                       Principal={"AWS": chosen_users}, condition={"Bool": {"kms:GrantIsForAWSResource": "true"}}),
            ))
        out[f"cross-account-{account}"] = (account, _doc(
            root,
            _allow(list(KEY_USE), sid="AllowOtherAccounts", Principal={"AWS": [_root(a) for a in others]}),
            _allow("kms:CreateGrant", sid="AllowGrantsForAwsResources", Principal={"AWS": [_root(a) for a in others]},
                   condition={"Bool": {"kms:GrantIsForAWSResource": "true"}}),
        ))
        out[f"org-wide-{account}"] = (account, _doc(
            root,
            _allow(["kms:Decrypt", "kms:DescribeKey", "kms:GenerateDataKey*"], sid="AllowOrganization", Principal={"AWS": "*"},
                   condition={"StringEquals": {"aws:PrincipalOrgID": ORG}}),
        ))
        out[f"via-s3-{account}"] = (account, _doc(
            _allow(["kms:Encrypt", "kms:Decrypt", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:DescribeKey"],
                   sid="Allow access through S3 for all principals in the account", Principal={"AWS": "*"},
                   condition={"StringEquals": {"kms:CallerAccount": account, "kms:ViaService": _via()}}),
            _allow(["kms:Describe*", "kms:Get*", "kms:List*"], sid="Allow direct access to key metadata", Principal={"AWS": _root(account)}),
        ))
        out[f"team-guarded-{account}"] = (account, _doc(
            root,
            _deny("kms:Decrypt", sid="DenyOtherTeams", Principal={"AWS": "*"},
                  condition={"StringNotEquals": {"aws:PrincipalTag/team": TEAMS[index]}}),
        ))
    return out


# How often each key policy is attached: the central key account (the first) shares its keys more.
_KEY_POLICY_WEIGHTS = {"default": 30, "console-1": 14, "console-2": 11, "cross-account": 15, "org-wide": 10, "via-s3": 10, "team-guarded": 10}
_CENTRAL_KEY_POLICY_WEIGHTS = {"default": 8, "console-1": 10, "console-2": 10, "cross-account": 35, "org-wide": 25, "via-s3": 7, "team-guarded": 5}


def _identity_policies(rng: random.Random, keys: Sequence[str]) -> dict[str, tuple[int, dict]]:
    """About 50 identity policies: name -> (weight when attaching, document)."""
    out: dict[str, tuple[int, dict]] = {}
    for i in range(14):
        named = sorted(rng.sample(list(keys), rng.randint(3, 25)))
        condition = {"StringEquals": {"kms:ViaService": _via(REGIONS[:2], rng.choice(("s3", "dynamodb")))}} if i % 3 == 2 else None
        out[f"kms-use-keys-{i:02d}"] = (6, _doc(_allow(list(KEY_USE), named, condition, sid="UseNamedKeys")))
    for account in ACCOUNTS:
        out[f"kms-via-s3-{account}"] = (3, _doc(_allow(["kms:Decrypt", "kms:GenerateDataKey*"], f"arn:aws:kms:*:{account}:key/*",
                                                       {"StringEquals": {"kms:ViaService": _via()}}, sid="ThroughS3")))
    out["kms-all"] = (3, _doc(_allow("kms:*", sid="KmsEverything")))
    out["kms-admin"] = (1, _doc(_allow(list(KEY_ADMIN), sid="KeyAdministration"),
                                _deny("kms:ScheduleKeyDeletion", condition={"Bool": {"aws:MultiFactorAuthPresent": "false"}}, sid="NoDeletionWithoutMfa")))
    out["kms-read"] = (3, _doc(_allow(["kms:Describe*", "kms:List*", "kms:Get*"], sid="ReadKeyMetadata")))
    out["kms-abac-team"] = (4, _doc(_allow(["kms:Encrypt", "kms:Decrypt", "kms:GenerateDataKey*"], "arn:aws:kms:*:*:key/*",
                                           {"StringEquals": {"kms:EncryptionContext:team": "${aws:PrincipalTag/team}"}}, sid="OwnTeamContext")))
    for env in ENVS:
        out[f"kms-env-{env}"] = (2, _doc(_allow(["kms:Encrypt", "kms:Decrypt"], "arn:aws:kms:*:*:key/*",
                                                {"StringEquals": {"aws:PrincipalTag/env": env}}, sid="TaggedEnvironment")))
    for app in APPS:
        named = sorted(rng.sample(list(keys), 10))
        out[f"kms-context-{app}"] = (2, _doc(
            _allow("kms:Decrypt", named, {"StringEquals": {"kms:EncryptionContext:app": app}}, sid="DecryptAppData"),
            _allow("kms:GenerateDataKey", named, {"ForAllValues:StringEquals": {"kms:EncryptionContextKeys": ["app", "team"]}}, sid="EncryptAppData"),
        ))
    out["deny-key-destruction"] = (4, _doc(_deny(["kms:ScheduleKeyDeletion", "kms:DisableKey", "kms:PutKeyPolicy"], sid="NoKeyDestruction")))
    out["deny-outside-us-east-1"] = (2, _doc(_deny("kms:*", condition={"StringNotEquals": {"aws:RequestedRegion": "us-east-1"}}, sid="UsEast1Only")))
    out["deny-untagged-decrypt"] = (3, _doc(_deny("kms:Decrypt", condition={"Null": {"aws:PrincipalTag/team": "true"}}, sid="TaggedCallersOnly")))
    out["deny-cross-account-kms"] = (4, _doc(_deny("kms:*", condition={"StringNotEquals": {"aws:ResourceAccount": "${aws:PrincipalAccount}"}}, sid="OwnAccountKeysOnly")))
    for i in range(6):
        buckets = rng.sample(BUCKETS, 3)
        out[f"s3-read-{i}"] = (3, _doc(_allow(["s3:GetObject", "s3:ListBucket"], [f"arn:aws:s3:::{b}/*" for b in buckets] + [f"arn:aws:s3:::{b}" for b in buckets], sid="ReadBuckets")))
    for i in range(4):
        bucket = rng.choice(BUCKETS)
        out[f"s3-write-{i}"] = (2, _doc(_allow(["s3:PutObject", "s3:DeleteObject"], f"arn:aws:s3:::{bucket}/uploads/*", sid="WriteUploads")))
    for i in range(8):
        named = sorted(rng.sample(list(keys), 4))
        out[f"app-{i}"] = (4, _doc(
            _allow(["dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:Query"], f"arn:aws:dynamodb:*:*:table/app-{i}*", sid="Tables"),
            _allow("sqs:SendMessage", f"arn:aws:sqs:*:*:app-{i}-*", sid="Queues"),
            _allow(["kms:Decrypt", "kms:GenerateDataKey"], named, sid="AppKeys"),
            _allow("s3:GetObject", f"arn:aws:s3:::{BUCKETS[i]}/*", sid="AppBucket"),
        ))
    out["deny-s3-delete"] = (2, _doc(_deny("s3:DeleteObject", "arn:aws:s3:::*", sid="NoDeletes")))
    return out


def _boundaries() -> dict[str, dict]:
    return {
        "boundary-standard": _doc(_allow(["kms:*", "s3:*", "dynamodb:*", "sqs:*"], sid="Services"),
                                  _deny(["kms:ScheduleKeyDeletion", "kms:PutKeyPolicy"], sid="NoKeyAdministration")),
        "boundary-read-only": _doc(_allow(["kms:Decrypt", "kms:Describe*", "kms:List*", "s3:Get*", "s3:List*", "dynamodb:GetItem"], sid="ReadOnly")),
        "boundary-no-kms-admin": _doc(_allow("*", sid="Everything"), _deny(["kms:Create*", "kms:Put*", "kms:Disable*", "kms:Delete*"], sid="NoKmsAdmin")),
    }


def _scps() -> dict[str, dict]:
    return {
        "scp-full-access": _doc(_allow("*", sid="FullAWSAccess")),
        "scp-protect-keys": _doc(_deny(["kms:ScheduleKeyDeletion", "kms:DisableKey", "kms:PutKeyPolicy"], sid="ProtectKeys",
                                       condition={"ArnNotLike": {"aws:PrincipalArn": "arn:aws:iam::*:role/KeyAdmin-*"}})),
        "scp-region-deny": _doc(_deny("kms:*", sid="DenyRegion", condition={"StringEquals": {"aws:RequestedRegion": "ap-southeast-1"}})),
        "scp-allowed-services": _doc(_allow(["kms:*", "s3:*", "dynamodb:*", "sts:*"], sid="AllowedServices")),
    }


def _write_json(path: Path, value: object) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(value, indent=2) + "\n", encoding="utf-8")


def _names(account_index: int, count: int, rng: random.Random) -> list[tuple[str, str, bool]]:
    """(ARN, name, is role) of the principals of one account: 3 key administrators, then roles
    (about 70%, some under a path) and users."""
    account = ACCOUNTS[account_index]
    found = [(f"arn:aws:iam::{account}:role/KeyAdmin-{n}", f"KeyAdmin-{n}", True) for n in (1, 2, 3)]
    for n in range(count - 3):
        if rng.random() < 0.7:
            name, path = f"svc-{account_index}-{n:05d}", rng.choice(("", "app/", "service-role/"))
            found.append((f"arn:aws:iam::{account}:role/{path}{name}", name, True))
        else:
            name, path = f"dev-{account_index}-{n:05d}", rng.choice(("", "", "engineering/"))
            found.append((f"arn:aws:iam::{account}:user/{path}{name}", name, False))
    return found


def write_world(root: Path, principals: int = 10_000, keys: int = 1_000, seed: int = 1) -> World:
    """Write the snapshot and its policy files under `root` (same arguments, same bytes)."""
    rng = random.Random(f"{seed}:evaluator:snapshot")
    policies_dir = root / "policies"
    counts = [round(principals * share) for share in PRINCIPAL_SHARE]
    counts[-1] = principals - sum(counts[:-1])
    people = [_names(i, count, rng) for i, count in enumerate(counts)]
    named = {ACCOUNTS[i]: ([arn for arn, _, _ in found[:3]], [arn for arn, _, _ in found[3:11]]) for i, found in enumerate(people)}

    key_arns = []
    for _ in range(keys):
        account = rng.choices(ACCOUNTS, KEY_SHARE)[0]
        region = rng.choices(REGIONS, REGION_WEIGHTS)[0]
        key_arns.append(f"arn:aws:kms:{region}:{account}:key/{uuid.UUID(int=rng.getrandbits(128), version=4)}")
    key_policies = _key_policies(named)
    identity = _identity_policies(rng, key_arns)
    files: list[Path] = []
    for name, (_account, document) in key_policies.items():
        _write_json(policies_dir / "keys" / f"{name}.json", document)
        files.append(policies_dir / "keys" / f"{name}.json")
    for group, documents in (("identity", {n: d for n, (_w, d) in identity.items()}), ("boundaries", _boundaries()), ("scps", _scps())):
        for name, document in documents.items():
            _write_json(policies_dir / group / f"{name}.json", document)
            files.append(policies_dir / group / f"{name}.json")

    def ref(group: str, name: str) -> str:
        return f"policies/{group}/{name}.json"

    snapshot_keys: dict[str, dict] = {}
    grants = []
    for arn in key_arns:
        account = arn.split(":")[4]
        kinds = [k for k in _KEY_POLICY_WEIGHTS if f"{k}-{account}" in key_policies]
        table = _CENTRAL_KEY_POLICY_WEIGHTS if account == ACCOUNTS[0] else _KEY_POLICY_WEIGHTS
        kind = rng.choices(kinds, [table[k] for k in kinds])[0]
        entry: dict = {"policy": ref("keys", f"{kind}-{account}")}
        if rng.random() < 0.1:
            entry["grants"] = []
            for g in range(rng.randint(1, 3)):
                pool = people[ACCOUNTS.index(account) if rng.random() < 0.8 else rng.randrange(3)]
                grantee = rng.choice([p for p in pool[3:50] if p[2]])[0]
                operations = sorted(rng.sample(GRANT_OPERATIONS, rng.randint(1, 3)))
                grant: dict = {"name": f"grant-{g}", "grantee": grantee, "operations": operations}
                context: tuple[tuple[str, str], ...] = ()
                if rng.random() < 0.5:
                    context = (("app", rng.choice(APPS)),)
                    which = "encryption_context_equals" if rng.random() < 0.5 else "encryption_context_subset"
                    grant["constraints"] = {which: dict(context)}
                entry["grants"].append(grant)
                grants.append((arn, grantee, tuple(operations), context))
        snapshot_keys[arn] = entry

    names = list(identity)
    weights = [identity[n][0] for n in names]
    snapshot_principals: dict[str, dict] = {}
    listed: list[Principal] = []
    for index, found in enumerate(people):
        for arn, name, role in found:
            chosen = sorted(set(rng.choices(names, weights, k=rng.randint(1, 3))))
            if name.startswith("KeyAdmin"):
                chosen = sorted({"kms-admin", *chosen})
            entry = {"policies": [ref("identity", n) for n in chosen]}
            if rng.random() < 0.3:
                entry["permissions_boundary"] = ref("boundaries", rng.choice(sorted(_boundaries())))
            tags: dict[str, str] = {}
            if rng.random() < 0.6:
                tags["team"] = rng.choice(TEAMS)
                tags["env"] = rng.choice(ENVS)
                if rng.random() < 0.3:
                    tags["cost-center"] = f"cc-{rng.randrange(100):03d}"
                entry["tags"] = tags
            snapshot_principals[arn] = entry
            resources = [r for n in chosen for statement in identity[n][1]["Statement"] for r in _listed(statement.get("Resource"))]
            keys_named = tuple(sorted({r for r in resources if r.startswith("arn:aws:kms:")}))
            buckets = tuple(sorted({r.split(":::")[1].split("/")[0] for r in resources if r.startswith("arn:aws:s3:::")}))
            listed.append(Principal(arn, ACCOUNTS[index], name, role, tuple(sorted(tags.items())), keys_named, buckets))

    scp_root = [ref("scps", "scp-full-access")]
    account_scps = {
        ACCOUNTS[0]: [ref("scps", "scp-full-access"), ref("scps", "scp-protect-keys")],
        ACCOUNTS[1]: [ref("scps", "scp-full-access"), ref("scps", "scp-region-deny")],
        ACCOUNTS[2]: [ref("scps", "scp-allowed-services")],
    }
    snapshot = {
        "accounts": {account: {"organization": ORG, "scps": [scp_root, account_scps[account]]} for account in ACCOUNTS},
        "keys": snapshot_keys,
        "principals": snapshot_principals,
    }
    path = root / "snapshot.json"
    _write_json(path, snapshot)
    return World(path, (path, *files), tuple(listed), tuple(key_arns), tuple(grants))


def _listed(resource: object) -> list[str]:
    """The KMS key and S3 ARNs of a `Resource` without wildcards in the key or bucket."""
    values = [resource] if isinstance(resource, str) else resource if isinstance(resource, list) else []
    return [v for v in values if (v.startswith("arn:aws:kms:") and "*" not in v) or (v.startswith("arn:aws:s3:::") and "*" not in v.split("/")[0])]


# -- the queries ----------------------------------------------------------------------------------


def _caller(principal: Principal, rng: random.Random) -> str:
    if principal.role and rng.random() < 0.5:
        return f"arn:aws:sts::{principal.account}:assumed-role/{principal.name}/session-{rng.randrange(1000)}"
    return principal.arn


def _context(action: str, key: str, principal: Principal | None, rng: random.Random) -> list[tuple[str, str]]:
    """Zero to two `with` keys: most often none."""
    if rng.random() >= 0.4:
        return []
    if not action.startswith("kms:"):
        return [("aws:SourceIp", f"10.{rng.randrange(256)}.{rng.randrange(256)}.{rng.randrange(1, 255)}")]
    region = key.split(":")[3]
    tags = dict(principal.tags) if principal is not None else {}
    choices = [
        ("kms:ViaService", f"{rng.choice(('s3', 's3', 'dynamodb'))}.{region}.amazonaws.com"),
        ("kms:EncryptionContext:team", tags.get("team", rng.choice(TEAMS)) if rng.random() < 0.7 else rng.choice(TEAMS)),
        ("kms:EncryptionContext:app", rng.choice(APPS)),
        ("aws:MultiFactorAuthPresent", rng.choice(("true", "false"))),
    ]
    return rng.sample(choices, rng.randint(1, 2))


def _query(caller: str, action: str, resource: str, context: Sequence[tuple[str, str]]) -> str:
    text = f"can {caller} do {action} on {resource}"
    return text + (" with " + ", ".join(f"{key} = {value}" for key, value in context) if context else "")


def make_queries(world: World, count: int, seed: int, stream: str = "measured") -> list[str]:
    """`count` varied `can` queries: grant holders, callers on keys their policies name, on keys
    of their account and of others, S3/DynamoDB/SQS actions, an outsider; 40% with a `with`."""
    rng = random.Random(f"{seed}:evaluator:queries:{stream}")
    actions = [name for name, _ in QUERY_ACTIONS]
    weights = [weight for _, weight in QUERY_ACTIONS]
    by_arn = {p.arn: p for p in world.principals}
    queries = []
    for _ in range(count):
        roll = rng.random()
        if roll < 0.08 and world.grants:
            key, grantee, operations, context = rng.choice(world.grants)
            principal = by_arn[grantee]
            action = f"kms:{rng.choice(operations)}"
            exact = [(f"kms:EncryptionContext:{name}", value) for name, value in context]
            given = exact if exact and rng.random() < 0.6 else _context(action, key, principal, rng)
            queries.append(_query(_caller(principal, rng), action, key, given))
            continue
        principal = None if roll < 0.1 else rng.choice(world.principals)
        action = rng.choices(actions, weights)[0]
        service = action.split(":")[0]
        if service == "kms":
            pick = rng.random()
            if principal is not None and principal.keys and pick < 0.6:
                resource = rng.choice(principal.keys)
                action = rng.choices(KEY_USE_QUERIES, (40, 20, 25, 10, 5))[0]
            elif principal is not None and pick < 0.75:
                own = [k for k in world.keys if k.split(":")[4] == principal.account] or list(world.keys)
                resource = rng.choice(own)
            else:
                resource = rng.choice(world.keys)
        elif service == "s3":
            named = principal is not None and principal.buckets and rng.random() < 0.6
            bucket = rng.choice(principal.buckets if named else BUCKETS)  # type: ignore[union-attr]
            resource = f"arn:aws:s3:::{bucket}/{rng.choice(('uploads', 'data', 'reports'))}/{rng.randrange(10**6)}.bin"
        elif service == "dynamodb":
            account = principal.account if principal is not None else ACCOUNTS[0]
            resource = f"arn:aws:dynamodb:us-east-1:{account}:table/app-{rng.randrange(10)}"
        else:
            account = principal.account if principal is not None else ACCOUNTS[0]
            resource = f"arn:aws:sqs:us-east-1:{account}:app-{rng.randrange(10)}-events"
        caller = OUTSIDER if principal is None else _caller(principal, rng)
        queries.append(_query(caller, action, resource, _context(action, resource, principal, rng)))
    return queries


# -- measuring ------------------------------------------------------------------------------------


# One fresh process: imports first (timed apart), then load_snapshot alone; peak RSS at the end.
LOAD_CODE = (
    "import json,resource,sys,time\n"
    "t0 = time.perf_counter()\n"
    "from policylint.evaluate.snapshot import load_snapshot\n"
    "t1 = time.perf_counter()\n"
    "s = load_snapshot(sys.argv[1])\n"
    "t2 = time.perf_counter()\n"
    "print(json.dumps({'import_s': t1 - t0, 'load_s': t2 - t1, 'principals': len(s.principals), 'keys': len(s.keys),\n"
    "                  'rss_mb': resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))\n"
)


def fresh_loads(snapshot: Path, rounds: int = 5) -> list[dict[str, float]]:
    """Load the snapshot in `rounds` new processes; each result also has the process's wall time."""
    results = []
    for _ in range(rounds):
        start = time.perf_counter()
        done = subprocess.run([sys.executable, "-c", LOAD_CODE, str(snapshot)], env=child_env(), capture_output=True, text=True, check=True)
        result = json.loads(done.stdout)
        result["process_s"] = time.perf_counter() - start
        results.append(result)
    return results


@dataclass
class QueryTimes:
    """Seconds per query, by stage, and the decision of each query."""

    parse: list[float] = field(default_factory=list)
    decide: list[float] = field(default_factory=list)
    render: list[float] = field(default_factory=list)
    total: list[float] = field(default_factory=list)
    decisions: list[str] = field(default_factory=list)


def answer_all(snapshot: object, queries: Sequence[str], times: QueryTimes | None = None) -> list[str]:
    """Answer each query as the shell does (parse, decide, render text); the decisions."""
    from policylint.evaluate.explain import render
    from policylint.query import parse_query
    from policylint.querycli import decide_query, supported

    clock = time.perf_counter
    decisions = []
    for text in queries:
        t0 = clock()
        query = supported(parse_query(text))
        t1 = clock()
        decision = decide_query(snapshot, query)  # type: ignore[arg-type]
        t2 = clock()
        render(decision, "text")
        t3 = clock()
        decisions.append(decision.decision)
        if times is not None:
            times.parse.append(t1 - t0)
            times.decide.append(t2 - t1)
            times.render.append(t3 - t2)
            times.total.append(t3 - t0)
    if times is not None:
        times.decisions.extend(decisions)
    return decisions


def _run_shell(snapshot: Path, stdin: Path) -> float:
    command = [sys.executable, "-m", "policylint", "shell", "--snapshot", str(snapshot)]
    with open(stdin, "rb") as lines:
        start = time.perf_counter()
        done = subprocess.run(command, env=child_env(), stdin=lines, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, cwd=REPO)
        seconds = time.perf_counter() - start
    if done.returncode != 0 or done.stderr:
        tail = done.stderr.decode("utf-8", "replace").strip().splitlines()[-3:]
        raise RuntimeError(f"the shell exited {done.returncode}: {' | '.join(tail)}")
    return seconds


def shell_runs(snapshot: Path, queries: Sequence[str], workdir: Path, rounds: int) -> tuple[list[float], list[float]]:
    """Seconds of the shell on the queries and on empty input, `rounds` of each, interleaved."""
    full, empty = workdir / "queries.txt", workdir / "empty.txt"
    full.write_text("".join(f"{q}\n" for q in queries), encoding="utf-8")
    empty.write_text("", encoding="utf-8")
    with_queries, without = [], []
    for _ in range(rounds):
        without.append(_run_shell(snapshot, empty))
        with_queries.append(_run_shell(snapshot, full))
    return with_queries, without


def percentile(values: Sequence[float], fraction: float) -> float:
    """Nearest-rank percentile."""
    ordered = sorted(values)
    return ordered[max(0, min(len(ordered) - 1, int(-(-fraction * len(ordered) // 1)) - 1))]


def _account(arn: str) -> str | None:
    from policylint.evaluate.arn import account_of

    if arn.startswith("arn:aws:sts::"):
        return arn.split(":")[4]
    return account_of(arn)


def query_mix(queries: Sequence[str], decisions: Sequence[str]) -> dict[str, int]:
    """How many queries of each kind: decision, same/cross account, with/without context."""
    mix: Counter[str] = Counter(decisions)
    for text in queries:
        words = text.split()
        caller, resource = _account(words[1]), _account(words[5])
        mix["resource ARN without account" if resource is None else "same account" if caller == resource else "cross account"] += 1
        mix["with context" if " with " in text else "without context"] += 1
    return dict(mix)


# -- bench/run.py ---------------------------------------------------------------------------------


def cases(workdir: Path, seed: int) -> list[Case]:
    """The harness's cases: a warm in-process snapshot load, and 200 queries per round."""
    from policylint.evaluate.snapshot import load_snapshot

    world = write_world(workdir / "evaluator", seed=seed)
    snapshot = load_snapshot(str(world.snapshot))
    queries = make_queries(world, HARNESS_QUERIES, seed, "harness")
    label = f"evaluator ({len(world.principals):,} principals, {len(world.keys):,} keys)"

    def read_all() -> int:
        for path in world.files:
            json.loads(path.read_bytes())
        return len(world.files)

    def load() -> object:
        return load_snapshot(str(world.snapshot))

    def describe_load(loaded: object) -> str:
        return f"{len(loaded.principals):,} principals, {len(loaded.keys):,} keys"  # type: ignore[attr-defined]

    def ask() -> object:
        return answer_all(snapshot, queries)

    def describe_queries(decisions: object) -> str:
        counts = Counter(decisions)  # type: ignore[arg-type]
        return ", ".join(f"{name} {counts[name]}" for name in ("allowed", "explicitly-denied", "implicitly-denied"))

    return [
        Case(label, "snapshot load (imports warm)", load, read_all, len(world.files), None, describe_load,
             floor_label="floor (read + json.loads of the snapshot and policies)"),
        Case(label, f"{HARNESS_QUERIES} can queries (parse + decide + render)", ask, describe=describe_queries),
    ]


# -- standalone -----------------------------------------------------------------------------------


@dataclass
class Figures:
    machine: dict[str, object]
    arguments: dict[str, object]
    snapshot: dict[str, object]
    load: list[dict[str, float]]
    queries: dict[str, list[float]]
    mix: dict[str, int]
    shell: dict[str, list[float]]
    elapsed_s: float = 0.0


def measure_all(args: argparse.Namespace, workdir: Path, progress: Callable[[str], None]) -> Figures:
    from policylint.evaluate.snapshot import load_snapshot

    progress("writing the snapshot")
    world = write_world(workdir, args.principals, args.keys, args.seed)
    size = sum(path.stat().st_size for path in world.files)
    queries = make_queries(world, args.queries, args.seed)
    warmup = make_queries(world, min(200, args.queries), args.seed, "warm-up")
    progress(f"snapshot: {world.snapshot} ({size / 1e6:.1f} MB in {len(world.files)} files); {args.load_rounds} fresh loads")
    loads = fresh_loads(world.snapshot, args.load_rounds)
    progress("in-process queries")
    snapshot = load_snapshot(str(world.snapshot))
    answer_all(snapshot, warmup)
    times = QueryTimes()
    answer_all(snapshot, queries, times)
    progress(f"shell: {args.shell_rounds} runs with the queries, {args.shell_rounds} with empty input")
    full, empty = shell_runs(world.snapshot, queries, workdir, args.shell_rounds)
    return Figures(
        machine=_machine(),
        arguments={k: v for k, v in vars(args).items() if k != "json"},
        snapshot={"path": str(world.snapshot), "files": len(world.files), "bytes": size, "principals": len(world.principals),
                  "keys": len(world.keys), "grants": len(world.grants)},
        load=loads,
        queries={"parse_s": times.parse, "decide_s": times.decide, "render_s": times.render, "total_s": times.total},
        mix=query_mix(queries, times.decisions),
        shell={"with_queries_s": full, "empty_input_s": empty},
    )


def _machine() -> dict[str, object]:
    return {
        "python": platform.python_version(),
        "cpus": os.cpu_count(),
        "load_average": os.getloadavg() if hasattr(os, "getloadavg") else None,
    }


def render_table(figures: Figures) -> str:
    from tabulate import tabulate

    def row(label: str, values: Sequence[float], unit: str, p99: bool = True, target: str = "", note: str = "") -> list[object]:
        scale, digits = (1000, 2) if unit == "ms" else (1, 2)

        def show(value: float) -> str:
            return f"{value * scale:.{digits}f} {unit}"

        p = show(percentile(values, 0.99)) if p99 else ""
        return [label, len(values), show(statistics.median(values)), show(statistics.mean(values)), p, show(min(values)), show(max(values)), target, note]

    load, q = figures.load, figures.queries
    n = len(q["total_s"])
    met = "met" if statistics.median(q["total_s"]) * 1000 <= TARGET_MS else "not met"
    full, empty = figures.shell["with_queries_s"], figures.shell["empty_input_s"]
    per_query = (statistics.median(full) - statistics.median(empty)) / n
    shell_met = "met" if per_query * 1000 <= TARGET_MS else "not met"
    rows = [
        row("snapshot load, fresh process (load_snapshot only)", [r["load_s"] for r in load], "s", False,
            note=f"peak RSS {max(r['rss_mb'] for r in load):.0f} MB"),
        row("- whole process (start-up, imports, load)", [r["process_s"] for r in load], "s", False,
            note=f"imports {statistics.median(r['import_s'] for r in load):.2f} s"),
        row("query in-process: parse + decide + render", q["total_s"], "ms", target=f"median <= {TARGET_MS:g} ms: {met}"),
        row("- decide", q["decide_s"], "ms"),
        row("- parse", q["parse_s"], "ms"),
        row("- render", q["render_s"], "ms"),
        ["query in shell: (run - empty run) / N", n, "", f"{per_query * 1000:.2f} ms", "", "", "", f"mean <= {TARGET_MS:g} ms: {shell_met}",
         f"run {statistics.median(full):.2f} s, empty run {statistics.median(empty):.2f} s (medians of {len(full)})"],
    ]
    headers = ["measure", "n", "median", "mean", "p99", "min", "max", "target", "note"]
    return tabulate(rows, headers=headers, disable_numparse=True, colalign=("left",) + ("right",) * 6 + ("left", "left"))


def summary_lines(figures: Figures) -> list[str]:
    info, mix = figures.snapshot, figures.mix
    order = ("allowed", "explicitly-denied", "implicitly-denied", "same account", "cross account", "resource ARN without account", "with context", "without context")
    return [
        f"snapshot: {info['principals']:,} principals, {info['keys']:,} keys ({info['grants']} grants), {info['files']} files, {int(info['bytes']) / 1e6:.1f} MB",
        "queries: " + ", ".join(f"{name} {mix.get(name, 0)}" for name in order),
        f"total {figures.elapsed_s:.0f} s; python {figures.machine['python']}, {figures.machine['cpus']} cpus, load average {figures.machine['load_average']}",
    ]


def profile_lines(snapshot_path: Path, queries: Sequence[str], top: int) -> str:
    """cProfile of answering the queries in-process (after one warm-up pass), top functions by
    cumulative and by own time."""
    import cProfile
    import io
    import pstats

    from policylint.evaluate.snapshot import load_snapshot

    snapshot = load_snapshot(str(snapshot_path))
    answer_all(snapshot, queries[: min(200, len(queries))])
    profiler = cProfile.Profile()
    profiler.runcall(answer_all, snapshot, queries)
    out = io.StringIO()
    stats = pstats.Stats(profiler, stream=out).strip_dirs()
    stats.sort_stats("cumulative").print_stats(top)
    stats.sort_stats("tottime").print_stats(top)
    return out.getvalue()


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="bench/evaluator.py", description="snapshot load time and `can` query latency on a synthetic snapshot")
    parser.add_argument("--principals", type=int, default=10_000)
    parser.add_argument("--keys", type=int, default=1_000)
    parser.add_argument("--queries", type=int, default=2_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--load-rounds", type=int, default=5, help="fresh processes that load the snapshot (default 5)")
    parser.add_argument("--shell-rounds", type=int, default=3, help="shell runs with the queries, and as many with empty input (default 3)")
    parser.add_argument("--workdir", metavar="DIR", help="where to write the snapshot (default: a temporary folder)")
    parser.add_argument("--json", metavar="FILE", help="also write the figures, with every sample, as JSON to FILE")
    parser.add_argument("--profile", type=int, metavar="N", help="also profile the in-process queries and print the top N functions (standard error)")
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    if args.principals < 60 or args.keys < 30 or args.queries < 1 or args.load_rounds < 1 or args.shell_rounds < 1:
        parser.error("need --principals >= 60, --keys >= 30, and at least 1 query, load round and shell round")
    started = time.perf_counter()

    def progress(text: str) -> None:
        print(f"[{time.perf_counter() - started:6.1f} s] {text}", file=sys.stderr, flush=True)

    with tempfile.TemporaryDirectory(prefix="policylint-evaluator-") as temporary:
        workdir = Path(args.workdir) if args.workdir else Path(temporary)
        workdir.mkdir(parents=True, exist_ok=True)
        figures = measure_all(args, workdir, progress)
        figures.elapsed_s = time.perf_counter() - started
        if args.profile:
            progress("profile")
            world_queries = (workdir / "queries.txt").read_text(encoding="utf-8").splitlines()
            print(profile_lines(Path(figures.snapshot["path"]), world_queries, args.profile), file=sys.stderr)  # type: ignore[arg-type]
    print(render_table(figures))
    for line in summary_lines(figures):
        print(line)
    if args.json:
        Path(args.json).write_text(json.dumps(asdict(figures), indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
