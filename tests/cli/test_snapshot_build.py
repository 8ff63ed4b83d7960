"""Snapshots from AWS CLI exports: `policylint snapshot build`, `query --authorization-details`,
and the same answers both ways."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from urllib.parse import quote

import pytest

from policylint.evaluate.decision import Decision
from policylint.evaluate.snapshot import load_snapshot
from policylint.query import CanQuery, parse_query
from policylint.querycli import decide_query
from policylint.snapshot_build import ExportFiles, build_from_exports

ACCOUNT = "111122223333"
KEY = f"arn:aws:kms:eu-west-1:{ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab"
KEY_ID = "1234abcd-12ab-34cd-56ef-1234567890ab"
CAROL = f"arn:aws:iam::{ACCOUNT}:user/carol"
DAVE = f"arn:aws:iam::{ACCOUNT}:user/dave"
ERIN = f"arn:aws:iam::{ACCOUNT}:user/erin"
APP = f"arn:aws:iam::{ACCOUNT}:role/service-role/app"
SESSION = f"arn:aws:sts::{ACCOUNT}:assumed-role/app/job"
APP_ACCESS = f"arn:aws:iam::{ACCOUNT}:policy/app-access"
BOUNDARY = f"arn:aws:iam::{ACCOUNT}:policy/boundary"
REPORTS = "arn:aws:s3:::reports/2024/q1.csv"


def _policy(*statements: dict) -> dict:
    return {"Version": "2012-10-17", "Statement": list(statements)}


READ_REPORTS = _policy({"Sid": "ReadReports", "Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::reports/*"})
APP_ACCESS_V1 = _policy({"Sid": "OldEverything", "Effect": "Allow", "Action": "kms:*", "Resource": "*"})
APP_ACCESS_V2 = _policy({"Sid": "DecryptOnly", "Effect": "Allow", "Action": "kms:Decrypt", "Resource": KEY})
BOUNDARY_DOC = _policy({"Sid": "Bound", "Effect": "Allow", "Action": ["kms:Decrypt", "kms:DescribeKey", "s3:GetObject"], "Resource": "*"})
DAVE_INLINE = _policy({"Sid": "AllKms", "Effect": "Allow", "Action": "kms:*", "Resource": "*"})
APP_INLINE = _policy({"Sid": "NoDeletion", "Effect": "Deny", "Action": "kms:ScheduleKeyDeletion", "Resource": "*"})
APP_TRUST = _policy({"Sid": "TrustCarol", "Effect": "Allow", "Principal": {"AWS": CAROL}, "Action": "sts:AssumeRole"})
KEY_POLICY = _policy(
    {"Sid": "EnableIAM", "Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:root"}, "Action": "kms:*", "Resource": "*"},
    {
        "Sid": "PaymentsRoles",
        "Effect": "Allow",
        "Principal": {"AWS": "*"},
        "Action": "kms:GenerateDataKey",
        "Resource": "*",
        "Condition": {"StringEquals": {"aws:PrincipalTag/team": "payments", "kms:CallerAccount": ACCOUNT}},
    },
)
SCP = _policy(
    {"Sid": "AllowAll", "Effect": "Allow", "Action": "*", "Resource": "*"},
    {"Sid": "NoBucketDeletion", "Effect": "Deny", "Action": "s3:DeleteBucket", "Resource": "*"},
)

EXPORT = {
    "UserDetailList": [
        {"UserName": "carol", "Arn": CAROL, "Path": "/", "GroupList": ["readers"], "UserPolicyList": [], "AttachedManagedPolicies": []},
        {
            "UserName": "dave",
            "Arn": DAVE,
            "Path": "/",
            "GroupList": [],
            "UserPolicyList": [{"PolicyName": "all-kms", "PolicyDocument": DAVE_INLINE}],
            "AttachedManagedPolicies": [],
            "PermissionsBoundary": {"PermissionsBoundaryType": "Policy", "PermissionsBoundaryArn": BOUNDARY},
            "Tags": [{"Key": "team", "Value": "payments"}],
        },
        {
            "UserName": "erin",
            "Arn": ERIN,
            "Path": "/",
            "GroupList": ["ghosts"],
            "AttachedManagedPolicies": [{"PolicyName": "ReadOnlyAccess", "PolicyArn": "arn:aws:iam::aws:policy/ReadOnlyAccess"}],
        },
    ],
    "GroupDetailList": [
        {
            "GroupName": "readers",
            "Arn": f"arn:aws:iam::{ACCOUNT}:group/readers",
            "Path": "/",
            # As the IAM API returns it: URL-encoded JSON.
            "GroupPolicyList": [{"PolicyName": "read-reports", "PolicyDocument": quote(json.dumps(READ_REPORTS))}],
            "AttachedManagedPolicies": [{"PolicyName": "app-access", "PolicyArn": APP_ACCESS}],
        }
    ],
    "RoleDetailList": [
        {
            "RoleName": "app",
            "Arn": APP,
            "Path": "/service-role/",
            "AssumeRolePolicyDocument": APP_TRUST,
            "RolePolicyList": [{"PolicyName": "no-deletion", "PolicyDocument": APP_INLINE}],
            "AttachedManagedPolicies": [{"PolicyName": "app-access", "PolicyArn": APP_ACCESS}],
            "Tags": [{"Key": "team", "Value": "payments"}],
        }
    ],
    "Policies": [
        {
            "PolicyName": "app-access",
            "Arn": APP_ACCESS,
            "DefaultVersionId": "v2",
            "PolicyVersionList": [
                {"Document": APP_ACCESS_V1, "VersionId": "v1", "IsDefaultVersion": False},
                {"Document": APP_ACCESS_V2, "VersionId": "v2", "IsDefaultVersion": True},
            ],
        },
        {
            "PolicyName": "boundary",
            "Arn": BOUNDARY,
            "DefaultVersionId": "v1",
            "PolicyVersionList": [{"Document": BOUNDARY_DOC, "VersionId": "v1", "IsDefaultVersion": True}],
        },
    ],
    "IsTruncated": False,
}
GRANTS = {
    "Grants": [
        {
            "KeyId": KEY,
            "GrantId": "g-1",
            "Name": "reports",
            "GranteePrincipal": APP,
            "Operations": ["Encrypt"],
            "Constraints": {"EncryptionContextEquals": {"dept": "it"}},
        }
    ]
}
DESCRIBE_KEY = {"KeyMetadata": {"AWSAccountId": ACCOUNT, "KeyId": KEY_ID, "Arn": KEY, "KeyState": "Enabled"}}
DESCRIBE_POLICY = {
    "Policy": {
        "PolicySummary": {"Id": "p-1", "Name": "guardrails", "Type": "SERVICE_CONTROL_POLICY"},
        "Content": json.dumps(SCP),
    }
}
GET_KEY_POLICY = {"Policy": json.dumps(KEY_POLICY, indent=2), "PolicyName": "default"}

FILES = {
    "details.json": EXPORT,
    "grants.json": GRANTS,
    "key.json": DESCRIBE_KEY,
    "scp.json": DESCRIBE_POLICY,
    "key-policy.json": GET_KEY_POLICY,
}
EXPORT_ARGS = [
    "--authorization-details", "details.json",
    "--describe-key", "key.json",
    "--key-policy", f"{KEY_ID}=key-policy.json",
    "--grants", f"{KEY}=grants.json",
    "--scp", "scp.json",
    "--organization-id", "o-a1b2c3d4e5",
]
MISSING_WARNINGS = (
    "policylint: warning: managed policy `arn:aws:iam::aws:policy/ReadOnlyAccess` (attached to user `erin`) is not in"
    " `details.json`: its statements are left out\n"
    "policylint: warning: group `ghosts` of user `erin` is not in `details.json`: its policies are left out\n"
)


def run(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "policylint", *args], cwd=cwd, capture_output=True, text=True, timeout=120)


@pytest.fixture()
def tree(tmp_path: Path) -> Path:
    for name, value in FILES.items():
        (tmp_path / name).write_text(json.dumps(value, indent=2) + "\n")
    return tmp_path


# Each query and its answer; both routes must give it, with the same reasons.
QUERIES = [
    ("group-inline-url-encoded", f"can {CAROL} do s3:GetObject on {REPORTS}", "allowed"),
    ("group-attached-default-version", f"can {CAROL} do kms:Decrypt on {KEY}", "allowed"),
    ("not-the-old-version", f"can {CAROL} do kms:Encrypt on {KEY}", "implicitly-denied"),
    ("boundary-allows", f"can {DAVE} do kms:Decrypt on {KEY}", "allowed"),
    ("boundary-limits", f"can {DAVE} do kms:Encrypt on {KEY}", "implicitly-denied"),
    ("user-tags", f"can {DAVE} do kms:GenerateDataKey on {KEY}", "allowed"),
    ("role-inline-deny", f"can {SESSION} do kms:ScheduleKeyDeletion on {KEY}", "explicitly-denied"),
    ("role-attached", f"can {SESSION} do kms:Decrypt on {KEY}", "allowed"),
    ("role-tags", f"can {SESSION} do kms:GenerateDataKey on {KEY}", "allowed"),
    ("grant", f"can {SESSION} do kms:Encrypt on {KEY} with kms:EncryptionContext:dept = it", "allowed"),
    ("grant-context", f"can {SESSION} do kms:Encrypt on {KEY} with kms:EncryptionContext:dept = hr", "implicitly-denied"),
    ("trust-policy", f"can {CAROL} do sts:AssumeRole on {APP}", "allowed"),
    ("trust-policy-other", f"can {DAVE} do sts:AssumeRole on {APP}", "implicitly-denied"),
    ("scp-deny", f"can {CAROL} do s3:DeleteBucket on arn:aws:s3:::reports", "explicitly-denied"),
    ("missing-managed-policy", f"can {ERIN} do s3:GetObject on {REPORTS}", "implicitly-denied"),
    ("org-id", f"can {CAROL} do s3:GetObject on {REPORTS} with aws:PrincipalOrgID = o-zzzzzzzzzz", "allowed"),
]


def _comparable(decision: Decision) -> tuple:
    """The decision without file paths and positions (they differ between the routes)."""
    return (decision.decision, [(r.policy_kind, r.statement, r.sid, r.effect, r.matched, r.detail) for r in decision.reasons])


@pytest.mark.parametrize(("name", "query", "expected"), QUERIES, ids=[q[0] for q in QUERIES])
def test_both_routes_answer_alike(built: tuple, name: str, query: str, expected: str) -> None:
    direct, written = built
    parsed = parse_query(query)
    assert isinstance(parsed, CanQuery)
    first, second = decide_query(direct, parsed), decide_query(written, parsed)
    assert (first.decision, _comparable(first)) == (expected, _comparable(second))


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple:
    """The snapshot built directly from the exports, and the one written by `snapshot build`
    and read back."""
    root = tmp_path_factory.mktemp("exports")
    for name, value in FILES.items():
        (root / name).write_text(json.dumps(value, indent=2) + "\n")
    done = run("snapshot", "build", *EXPORT_ARGS, "-o", "snapshot.json", cwd=root)
    assert (done.returncode, done.stdout, done.stderr) == (0, "", MISSING_WARNINGS)
    files = ExportFiles(
        authorization_details=str(root / "details.json"),
        key_policies=((KEY_ID, str(root / "key-policy.json")),),
        grants=((KEY, str(root / "grants.json")),),
        describe_keys=(str(root / "key.json"),),
        scps=(str(root / "scp.json"),),
        organization_id="o-a1b2c3d4e5",
    )
    return build_from_exports(files).snapshot, load_snapshot(str(root / "snapshot.json"))


def test_written_snapshot_content(tree: Path) -> None:
    done = run("snapshot", "build", *EXPORT_ARGS, cwd=tree)
    data = json.loads(done.stdout)
    grant = {"name": "reports", "grantee": APP, "operations": ["Encrypt"], "constraints": {"encryption_context_equals": {"dept": "it"}}}
    assert (done.returncode, data) == (
        0,
        {
            "accounts": {ACCOUNT: {"organization": "o-a1b2c3d4e5", "scps": [SCP]}},
            "keys": {KEY: {"policy": KEY_POLICY, "grants": [grant]}},
            "principals": {
                CAROL: {"policies": [READ_REPORTS, APP_ACCESS_V2]},
                DAVE: {"policies": [DAVE_INLINE], "permissions_boundary": BOUNDARY_DOC, "tags": {"team": "payments"}},
                ERIN: {},
                APP: {"policies": [APP_INLINE, APP_ACCESS_V2], "trust_policy": APP_TRUST, "tags": {"team": "payments"}},
            },
        },
    )


def _line_before(path: Path, needle: str) -> int:
    """The line before the first line holding `needle` (where a statement's `{` is)."""
    lines = path.read_text().splitlines()
    return next(i for i, line in enumerate(lines, start=1) if needle in line) - 1


def test_query_from_exports_cites_the_export(tree: Path) -> None:
    done = run("query", *EXPORT_ARGS, f"can {DAVE} do kms:Encrypt on {KEY}", cwd=tree)
    key_line = 2  # the policy string of `get-key-policy` output
    all_kms = _line_before(tree / "details.json", '"Sid": "AllKms"')
    expected = (
        "DENIED (implicit)\n"
        "because:\n"
        f"  key-policy key-policy.json:{key_line}: statement `EnableIAM` (Allow): allows `kms:Encrypt` to"
        f" `arn:aws:iam::{ACCOUNT}:root`, which delegates to IAM\n"
        f"  identity-policy details.json:{all_kms}: statement `AllKms` (Allow):"
        f" allows `kms:Encrypt` on `{KEY}`\n"
        "  permissions-boundary details.json: the permissions boundary does not allow `kms:Encrypt`\n"
    )
    assert (done.returncode, done.stdout, done.stderr) == (1, expected, MISSING_WARNINGS)


def test_query_from_exports_locates_statements(tree: Path) -> None:
    done = run("query", *EXPORT_ARGS, f"can {CAROL} do s3:GetObject on {REPORTS}", cwd=tree)
    group_line = _line_before(tree / "details.json", '"PolicyName": "read-reports"') + 2  # the encoded string
    scp_line = _line_before(tree / "scp.json", '"Content"') + 1
    expected = (
        "ALLOWED\n"
        "because:\n"
        f"  identity-policy details.json:{group_line}: statement `ReadReports` (Allow): allows `s3:GetObject` on `{REPORTS}`\n"
        f"  scp scp.json:{scp_line}: statement `AllowAll` (Allow): allows `s3:GetObject` on `{REPORTS}`\n"
    )
    assert (done.returncode, done.stdout) == (0, expected)


def test_shell_from_exports(tree: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "policylint", "shell", *EXPORT_ARGS],
        cwd=tree, input="keys\nprincipals\n", capture_output=True, text=True, timeout=120,
    )
    assert (done.returncode, done.stdout, done.stderr) == (0, f"{KEY}\n{CAROL}\n{DAVE}\n{ERIN}\n{APP}\n", MISSING_WARNINGS)


def test_output_is_written_whole_or_not_at_all(tree: Path) -> None:
    (tree / "snapshot.json").write_text("previous\n")
    failed = run("snapshot", "build", "--authorization-details", "missing.json", "-o", "snapshot.json", cwd=tree)
    kept = (tree / "snapshot.json").read_text()
    done = run("snapshot", "build", "--describe-key", "key.json", "-o", "snapshot.json", cwd=tree)
    written = json.loads((tree / "snapshot.json").read_text())
    leftovers = sorted(p.name for p in tree.iterdir() if p.name.startswith(".policylint-"))
    assert (failed.returncode, kept, done.returncode, written, leftovers) == (2, "previous\n", 0, {"keys": {KEY: {}}}, [])


BUILD_ERRORS = [
    ("nothing", [], "give `--authorization-details FILE` or keys (`--key-policy KEY_ARN=FILE`, `--describe-key FILE`)"),
    ("missing-file", ["--authorization-details", "missing.json"], "missing.json: cannot read file: no such file or directory"),
    ("not-json", ["--authorization-details", "broken.json"], "broken.json:2: expected a JSON value, found `,`"),
    ("not-an-export", ["--authorization-details", "grants.json"], "grants.json: not `aws iam get-account-authorization-details` output"),
    ("key-policy-without-key", ["--key-policy", "key-policy.json"], "`--key-policy` takes `KEY_ARN=FILE`, not `key-policy.json`"),
    ("unknown-key-id", ["--key-policy", "abcd=key-policy.json"], "--key-policy: `abcd` is not a key ARN, nor the key id of a `--describe-key` file"),
    (
        "not-a-key-arn",
        ["--key-policy", f"arn:aws:s3:::{KEY_ID}=key-policy.json"],
        f"--key-policy: `arn:aws:s3:::{KEY_ID}` is not a KMS key ARN",
    ),
    ("not-describe-key", ["--describe-key", "grants.json"], "grants.json: not `aws kms describe-key` output"),
    ("not-list-grants", ["--grants", f"{KEY}=key.json"], "key.json: not `aws kms list-grants` output"),
    ("bad-operation", ["--grants", f"{KEY}=bad-grants.json"], "bad-grants.json:3: `Decrypt*` is not a grant operation"),
    (
        "bad-organization",
        ["--describe-key", "key.json", "--organization-id", "org-1"],
        "`org-1` is not an organization id (`o-` and 10 to 32 letters or digits)",
    ),
    ("url-encoded-not-json", ["--authorization-details", "bad-export.json"], "bad-export.json:9: embedded policy: the URL-encoded document is not JSON"),
    ("policy-not-an-object", ["--authorization-details", "bad-trust.json"], "bad-trust.json:6: the policy document is not a JSON object"),
]


@pytest.mark.parametrize(("name", "args", "message"), BUILD_ERRORS, ids=[e[0] for e in BUILD_ERRORS])
def test_build_errors_are_one_line(tree: Path, name: str, args: list[str], message: str) -> None:
    (tree / "broken.json").write_text('{\n  "UserDetailList": [,]\n}\n')
    (tree / "bad-grants.json").write_text(json.dumps({"Grants": [{"GranteePrincipal": APP, "Operations": ["Decrypt*"]}]}, indent=2))
    bad_export = {"UserDetailList": [{"UserName": "x", "Arn": CAROL, "UserPolicyList": [{"PolicyName": "p", "PolicyDocument": "%7Bnot"}]}]}
    (tree / "bad-export.json").write_text(json.dumps(bad_export, indent=2))
    bad_trust = {"RoleDetailList": [{"RoleName": "app", "Arn": APP, "AssumeRolePolicyDocument": 5}]}
    (tree / "bad-trust.json").write_text(json.dumps(bad_trust, indent=2))
    done = run("snapshot", "build", *args, cwd=tree)
    assert (done.returncode, done.stdout, done.stderr) == (2, "", f"policylint: error: {message}\n")


QUERY_ERRORS = [
    (
        "snapshot-and-exports",
        ["--snapshot", "s.yaml", "--authorization-details", "details.json"],
        "give either `--snapshot FILE` or exports (`--authorization-details`, `--key-policy`, ...), not both",
    ),
    (
        "identity-policy-with-exports",
        ["--authorization-details", "details.json", "--identity-policy", "x.json"],
        "`--identity-policy` goes with `--key-policy FILE --key ARN`; exports give the identity policies",
    ),
    (
        "two-plain-key-policies",
        ["--key-policy", "key-policy.json", "--key-policy", "key-policy.json", "--key", KEY],
        "give one `--key-policy FILE` with `--key ARN`, or `--key-policy KEY_ARN=FILE` for each key",
    ),
    (
        "plain-key-policy-with-exports",
        ["--authorization-details", "details.json", "--key-policy", "key-policy.json"],
        "`--key-policy FILE` needs `--key ARN`; or write `--key-policy KEY_ARN=FILE`",
    ),
    ("scp-alone", ["--scp", "scp.json"], "give either `--snapshot FILE` or `--authorization-details FILE` (or keys)"),
    ("key-given-twice", ["--key-policy", f"{KEY}=key-policy.json", "--key-policy", f"{KEY}=key-policy.json"], f"--key-policy: key `{KEY}` is given twice"),
]


@pytest.mark.parametrize(("name", "args", "message"), QUERY_ERRORS, ids=[e[0] for e in QUERY_ERRORS])
def test_query_source_errors(tree: Path, name: str, args: list[str], message: str) -> None:
    done = run("query", *args, f"can {CAROL} do kms:Decrypt on {KEY}", cwd=tree)
    assert (done.returncode, done.stdout, done.stderr) == (2, "", f"policylint: error: {message}\n")


def test_plain_key_policy_with_key_joins_the_exports(tree: Path) -> None:
    args = ["--authorization-details", "details.json", "--key-policy", "key-policy.json", "--key", KEY]
    done = run("query", *args, f"can {CAROL} do kms:Decrypt on {KEY}", cwd=tree)
    assert (done.returncode, done.stdout.splitlines()[0]) == (0, "ALLOWED")


def test_terraform_plan_grants_feed_the_snapshot(tree: Path) -> None:
    """`--grants KEY=plan.json`: the plan's `aws_kms_grant` resources become the key's grants."""
    plan = Path(__file__).parents[1] / "source" / "data" / "terraform" / "plan.json"
    (tree / "plan.json").write_text(plan.read_text())
    batch = "arn:aws:sts::111122223333:assumed-role/batch/job"
    args = ["--authorization-details", "details.json", "--key-policy", f"{KEY}=key-policy.json", "--grants", f"{KEY}=plan.json"]
    allowed = run("query", *args, f"can {batch} do kms:Decrypt on {KEY} with kms:EncryptionContext:Department = Finance", cwd=tree)
    denied = run("query", *args, f"can {batch} do kms:Decrypt on {KEY} with kms:EncryptionContext:Department = HR", cwd=tree)
    assert (allowed.returncode, allowed.stdout.splitlines()[0]) == (0, "ALLOWED")
    assert "grant" in allowed.stdout
    assert (denied.returncode, denied.stdout.splitlines()[0]) == (1, "DENIED (implicit)")
