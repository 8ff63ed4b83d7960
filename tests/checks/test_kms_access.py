"""KMS key-policy access rules PL201-PL209: whole findings (rule, severity, message, pointer)
for each rule's positives, the tricky negatives, and the two AWS default key policies."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from policylint.rules.engine import check_loaded
from policylint.settings import Settings
from policylint.source.loader import load_text

CODES = ("PL201", "PL202", "PL203", "PL204", "PL205", "PL206", "PL207", "PL208", "PL209")
SEVERITY = {
    "PL201": "error",
    "PL202": "error",
    "PL203": "error",
    "PL204": "warning",
    "PL205": "warning",
    "PL206": "info",
    "PL207": "warning",
    "PL208": "warning",
    "PL209": "info",
}
OWN = "111122223333"
OTHER = "444455556666"
ROOT_ARN = f"arn:aws:iam::{OWN}:root"
OTHER_ROOT = f"arn:aws:iam::{OTHER}:root"
ADMIN = f"arn:aws:iam::{OWN}:role/KeyAdmin"
APP = f"arn:aws:iam::{OWN}:role/App"
USE = ["kms:Encrypt", "kms:Decrypt", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:DescribeKey"]
CONSOLE_ADMIN_ACTIONS = [
    "kms:Create*", "kms:Describe*", "kms:Enable*", "kms:List*", "kms:Put*", "kms:Update*", "kms:Revoke*",
    "kms:Disable*", "kms:Get*", "kms:Delete*", "kms:TagResource", "kms:UntagResource",
    "kms:ScheduleKeyDeletion", "kms:CancelKeyDeletion", "kms:RotateKeyOnDemand",
]
GRANT_FOR_AWS = {"Bool": {"kms:GrantIsForAWSResource": "true"}}
CREATE_STAR = "(it covers `kms:CreateAlias`, `kms:CreateCustomKeyStore`, `kms:CreateGrant`, `kms:CreateKey`)"


def statement(sid: str | None, principal: object, action: object, effect: str = "Allow", condition: dict | None = None, not_action: bool = False, not_principal: bool = False) -> dict:
    body: dict = {}
    if sid is not None:
        body["Sid"] = sid
    body["Effect"] = effect
    body["NotPrincipal" if not_principal else "Principal"] = principal
    body["NotAction" if not_action else "Action"] = action
    body["Resource"] = "*"
    if condition is not None:
        body["Condition"] = condition
    return body


def aws(*values: str) -> dict:
    return {"AWS": values[0] if len(values) == 1 else list(values)}


def policy(*statements: dict) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)}, indent=2)


ROOT = statement("Enable IAM policies", aws(ROOT_ARN), "kms:*")
CONSOLE_DEFAULT = policy(
    statement("Enable IAM User Permissions", aws(ROOT_ARN), "kms:*"),
    statement("Allow access for Key Administrators", aws(ADMIN), CONSOLE_ADMIN_ACTIONS),
    statement("Allow use of the key", aws(APP), USE),
    statement("Allow attachment of persistent resources", aws(APP), ["kms:CreateGrant", "kms:ListGrants", "kms:RevokeGrant"], condition=GRANT_FOR_AWS),
)
PUBLIC_TAIL = "no condition limits the caller's account, organization or ARN"
LOCKOUT_TAIL = "nobody can ever change this key policy again"
PL201_OWN = (
    f"the key policy does not give account `{OWN}` (the key's own account) `kms:*` without conditions, "
    "so IAM policies in that account cannot fully control access to the key"
)


def f(rule: str, pointer: str, message: str) -> tuple[str, str, str, str]:
    return (rule, SEVERITY[rule], message, pointer)


def pl209(users: str, root: str = "statement `Enable IAM policies`") -> tuple[str, str, str]:
    return (
        "PL209",
        f"the key users named in {users} are not all who can use the key: "
        f"{root} lets IAM policies in account `{OWN}` allow use too",
    )


def public(pointer: str, label: str, verb: str = "use") -> tuple[str, str, str, str]:
    return f("PL203", pointer, f"{label} lets principals in any AWS account {verb} the key: {PUBLIC_TAIL}")


CASES = [
    # --- the two AWS defaults -------------------------------------------------------------------
    ("aws default key policy", policy(statement("Enable IAM User Permissions", aws(ROOT_ARN), "kms:*")), {}, []),
    (
        "aws console default key policy: PL208 and PL209 only",
        CONSOLE_DEFAULT,
        {},
        [
            f("PL208", "/Statement/1/Principal/AWS", f"`{ADMIN}` can manage the key but not use it, and `kms:Create*` lets it grant itself use {CREATE_STAR}"),
            f("PL209", "/Statement/2/Principal", pl209("statement `Allow use of the key`", "statement `Enable IAM User Permissions`")[1]),
        ],
    ),
    # --- PL201 ----------------------------------------------------------------------------------
    (
        "PL201 and PL202: only named roles, nobody may change the policy",
        policy(statement("App", aws(APP), USE), statement("Ops", aws(ADMIN), ["kms:Describe*", "kms:ScheduleKeyDeletion"])),
        {},
        [f("PL201", "/Statement", PL201_OWN), f("PL202", "/Statement", f"no principal in account `{OWN}` can call `kms:PutKeyPolicy`: {LOCKOUT_TAIL}")],
    ),
    (
        "PL201: root kms:* only with MFA",
        policy(statement("Root", aws(ROOT_ARN), "kms:*", condition={"Bool": {"aws:MultiFactorAuthPresent": "true"}})),
        {},
        [f("PL201", "/Statement", PL201_OWN)],
    ),
    (
        "PL201: the configured account is not the one given kms:*",
        policy(statement("Root", aws(OTHER_ROOT), "kms:*")),
        {"account": OWN},
        [
            f("PL201", "/Statement", PL201_OWN),
            f("PL202", "/Statement", f"no principal in account `{OWN}` can call `kms:PutKeyPolicy`: {LOCKOUT_TAIL}"),
            f("PL204", "/Statement/0/Principal/AWS", f"statement `Root` lets account `{OTHER}` use and manage the key, and it is not a trusted account"),
            f("PL205", "/Statement/0/Principal/AWS", f"statement `Root` gives account `{OTHER}` key management permissions: `kms:PutKeyPolicy`, `kms:ScheduleKeyDeletion`, `kms:DisableKey` and 20 more"),
            f("PL206", "/Statement/0/Principal/AWS", f"statement `Root` delegates to account `{OTHER}`: any principal there whose IAM policies allow it can use and manage the key"),
            f("PL207", "/Statement/0/Action", f"statement `Root` lets key user `{OTHER_ROOT}` call `kms:CreateGrant` without `kms:GrantIsForAWSResource`: it can give use of the key to any principal"),
        ],
    ),
    ("PL201: bare account id with Action *", policy(statement(None, aws(OWN), "*")), {}, []),
    (
        "PL201: * pinned to the key's account with kms:* stands for the account",
        policy(statement("Account", "*", "kms:*", condition={"StringEquals": {"kms:CallerAccount": OWN}}), statement("Root", aws(ROOT_ARN), "kms:Describe*")),
        {},
        [],
    ),
    ("PL201: unknown account, no guess", policy(statement(None, {"Service": "macie.amazonaws.com"}, ["kms:Decrypt"])), {}, []),
    # --- PL202 ----------------------------------------------------------------------------------
    (
        "PL202: an unconditional Deny to everyone",
        policy(ROOT, statement("Sealed", "*", "kms:PutKeyPolicy", effect="Deny")),
        {},
        [f("PL202", "/Statement/1", f"statement `Sealed` denies `kms:PutKeyPolicy` to every principal in account `{OWN}` allowed to call it: {LOCKOUT_TAIL}")],
    ),
    (
        "PL202: a conditional Deny removes nothing for certain",
        policy(ROOT, statement("OnlyAdmin", "*", "kms:PutKeyPolicy", effect="Deny", condition={"ArnNotEquals": {"aws:PrincipalArn": ADMIN}})),
        {},
        [],
    ),
    (
        "PL202: Deny NotPrincipal spares the administrator, who has kms:Put*",
        policy(
            statement("Root", aws(ROOT_ARN), ["kms:Decrypt", "kms:Describe*"]),
            statement("Admin", aws(ADMIN), ["kms:Put*", "kms:Decrypt"]),
            statement("OthersNever", aws(ADMIN), "kms:PutKeyPolicy", effect="Deny", not_principal=True),
        ),
        {},
        [f("PL201", "/Statement", PL201_OWN)],
    ),
    # --- PL203 ----------------------------------------------------------------------------------
    (
        "PL203: Principal * without condition",
        policy(ROOT, statement("Everyone", "*", ["kms:Decrypt"])),
        {},
        [public("/Statement/1/Principal", "statement `Everyone`")],
    ),
    (
        "PL203: IfExists on the pinning key",
        policy(ROOT, statement("Org", aws("*"), ["kms:Decrypt"], condition={"StringEqualsIfExists": {"aws:PrincipalOrgID": "o-a1b2c3d4e5"}})),
        {},
        [public("/Statement/1/Principal/AWS", "statement `Org`")],
    ),
    (
        "PL203: Null check only",
        policy(ROOT, statement("Org", aws("*"), ["kms:Decrypt"], condition={"Null": {"aws:PrincipalOrgID": "false"}})),
        {},
        [public("/Statement/1/Principal/AWS", "statement `Org`")],
    ),
    (
        "PL203: StringLike with *",
        policy(ROOT, statement("Org", aws("*"), ["kms:Decrypt"], condition={"StringLike": {"aws:PrincipalOrgID": "*"}})),
        {},
        [public("/Statement/1/Principal/AWS", "statement `Org`")],
    ),
    (
        "PL203: ForAllValues is vacuous",
        policy(ROOT, statement("Org", aws("*"), ["kms:Decrypt"], condition={"ForAllValues:StringEquals": {"aws:PrincipalOrgID": "o-a1b2c3d4e5"}})),
        {},
        [public("/Statement/1/Principal/AWS", "statement `Org`")],
    ),
    (
        "PL203: negated operator, management actions",
        policy(ROOT, statement("NotThem", aws("*"), ["kms:Decrypt", "kms:PutKeyPolicy"], condition={"StringNotEquals": {"kms:CallerAccount": OTHER}})),
        {},
        [public("/Statement/1/Principal/AWS", "statement `NotThem`", "use and manage")],
    ),
    (
        "PL203: a policy variable of the caller is a tautology",
        policy(ROOT, statement("Self", aws("*"), ["kms:Decrypt"], condition={"StringEquals": {"kms:CallerAccount": "${aws:PrincipalAccount}"}})),
        {},
        [public("/Statement/1/Principal/AWS", "statement `Self`")],
    ),
    (
        "PL203: NotPrincipal with Allow",
        policy(ROOT, statement("AllButIntern", aws(f"arn:aws:iam::{OWN}:role/Intern"), ["kms:Decrypt"], not_principal=True)),
        {},
        [f("PL203", "/Statement/1/NotPrincipal", "statement `AllButIntern` allows with `NotPrincipal`: principals in any AWS account except those listed can use the key")],
    ),
    (
        "PL203 negative: aws:PrincipalOrgID pin",
        policy(ROOT, statement("Org", aws("*"), ["kms:Decrypt"], condition={"StringEquals": {"aws:PrincipalOrgID": "o-a1b2c3d4e5"}})),
        {},
        [],
    ),
    (
        "PL203 negative: service principal and * with aws:SourceAccount",
        policy(
            ROOT,
            statement("Trail", {"Service": "cloudtrail.amazonaws.com"}, "kms:GenerateDataKey*", condition={"StringEquals": {"aws:SourceAccount": OWN}}),
            statement("Logs", "*", "kms:GenerateDataKey*", condition={"ArnLike": {"aws:SourceArn": f"arn:aws:logs:us-east-1:{OWN}:log-group:*"}}),
        ),
        {},
        [],
    ),
    (
        "PL203 negative: aws:SourceArn of an S3 bucket pins; a bucket wildcard does not",
        policy(
            ROOT,
            statement("Bucket", "*", "kms:GenerateDataKey", condition={"ArnLike": {"aws:SourceArn": "arn:aws:s3:::central-logs"}}),
            statement("AnyBucket", "*", "kms:GenerateDataKey", condition={"ArnLike": {"aws:SourceArn": "arn:aws:s3:::*"}}),
        ),
        {},
        [public("/Statement/2/Principal", "statement `AnyBucket`")],
    ),
    (
        "PL203: ForAnyValue on organization paths with a wildcard organization",
        policy(ROOT, statement("Paths", aws("*"), ["kms:Decrypt"], condition={"ForAnyValue:StringLike": {"aws:PrincipalOrgPaths": "o-*/r-ab12/*"}})),
        {},
        [public("/Statement/1/Principal/AWS", "statement `Paths`")],
    ),
    (
        "PL203 negative: CloudFormation Ref as the caller account",
        policy(ROOT, statement("Ebs", aws("*"), USE, condition={"StringEquals": {"kms:CallerAccount": {"Ref": "AWS::AccountId"}}})),
        {},
        [],
    ),
    # --- PL204 / PL205 / PL206 --------------------------------------------------------------------
    (
        "PL204 and PL206: another account's root, untrusted",
        policy(ROOT, statement("Backup", aws(OTHER_ROOT), ["kms:Decrypt", "kms:DescribeKey"])),
        {},
        [
            f("PL204", "/Statement/1/Principal/AWS", f"statement `Backup` lets account `{OTHER}` use the key, and it is not a trusted account"),
            f("PL206", "/Statement/1/Principal/AWS", f"statement `Backup` delegates to account `{OTHER}`: any principal there whose IAM policies allow it can use the key"),
            f("PL209", "/Statement/1/Principal", pl209("statement `Backup`")[1]),
        ],
    ),
    (
        "PL204 negative: trusted account (PL206 stays)",
        policy(ROOT, statement("Backup", aws(OTHER_ROOT), ["kms:Decrypt"])),
        {"trusted_accounts": frozenset({OTHER})},
        [
            f("PL206", "/Statement/1/Principal/AWS", f"statement `Backup` delegates to account `{OTHER}`: any principal there whose IAM policies allow it can use the key"),
            f("PL209", "/Statement/1/Principal", pl209("statement `Backup`")[1]),
        ],
    ),
    (
        "PL204 and PL205: * pinned by kms:CallerAccount to another account",
        policy(ROOT, statement("Partner", "*", ["kms:Decrypt", "kms:DisableKey"], condition={"StringEquals": {"kms:CallerAccount": [OTHER, "777788889999"]}})),
        {"trusted_accounts": frozenset({"777788889999"})},
        [
            f("PL204", "/Statement/1/Principal", f"statement `Partner` lets any principal of account `{OTHER}` use and manage the key, and it is not a trusted account"),
            f("PL205", "/Statement/1/Principal", f"statement `Partner` gives any principal of accounts `{OTHER}` and `777788889999` key management permissions: `kms:DisableKey`"),
        ],
    ),
    (
        "PL205 regardless of trust, PL207 for the role",
        policy(ROOT, statement("Ops", aws(f"arn:aws:iam::{OTHER}:role/Ops"), "kms:*")),
        {"trusted_accounts": frozenset({OTHER})},
        [
            f("PL205", "/Statement/1/Principal/AWS", f"statement `Ops` gives `arn:aws:iam::{OTHER}:role/Ops` key management permissions: `kms:PutKeyPolicy`, `kms:ScheduleKeyDeletion`, `kms:DisableKey` and 20 more"),
            f("PL207", "/Statement/1/Action", f"statement `Ops` lets key user `arn:aws:iam::{OTHER}:role/Ops` call `kms:CreateGrant` without `kms:GrantIsForAWSResource`: it can give use of the key to any principal"),
            f("PL209", "/Statement/1/Principal", pl209("statement `Ops`")[1]),
        ],
    ),
    (
        "PL204 for a role of another account; grants for AWS resources are use, not management",
        policy(ROOT, statement("Vault", aws(f"arn:aws:iam::{OTHER}:role/Vault"), ["kms:CreateGrant", "kms:ListGrants", "kms:RevokeGrant"], condition=GRANT_FOR_AWS)),
        {},
        [f("PL204", "/Statement/1/Principal/AWS", f"statement `Vault` lets `arn:aws:iam::{OTHER}:role/Vault` use the key, and its account `{OTHER}` is not a trusted account")],
    ),
    (
        "PL204/PL205 negative: service principal with another source account",
        policy(ROOT, statement("Trail", {"Service": "cloudtrail.amazonaws.com"}, "kms:*", condition={"StringEquals": {"aws:SourceAccount": OTHER}})),
        {},
        [],
    ),
    # --- PL207 / PL208 ----------------------------------------------------------------------------
    (
        "PL207: use and CreateGrant in one statement",
        policy(ROOT, statement("Jobs", aws(APP, f"arn:aws:iam::{OWN}:role/Batch"), ["kms:Decrypt", "kms:CreateGrant"])),
        {},
        [
            f("PL207", "/Statement/1/Action/1", f"statement `Jobs` lets key users `{APP}` and `arn:aws:iam::{OWN}:role/Batch` call `kms:CreateGrant` without `kms:GrantIsForAWSResource`: they can give use of the key to any principal"),
            f("PL209", "/Statement/1/Principal", pl209("statement `Jobs`")[1]),
        ],
    ),
    (
        "PL207 negative: AWS managed key pattern with kms:ViaService",
        policy(ROOT, statement("Ebs", aws("*"), USE + ["kms:CreateGrant"], condition={"StringEquals": {"kms:CallerAccount": OWN, "kms:ViaService": "ec2.us-east-1.amazonaws.com"}})),
        {},
        [],
    ),
    (
        "PL208: kms:PutKeyPolicy named directly",
        policy(ROOT, statement("Editors", aws(ADMIN), ["kms:PutKeyPolicy", "kms:GetKeyPolicy"])),
        {},
        [f("PL208", "/Statement/1/Principal/AWS", f"`{ADMIN}` can manage the key but not use it, and `kms:PutKeyPolicy` lets it grant itself use")],
    ),
    (
        "PL208: kms:Put* expands to one action",
        policy(ROOT, statement("Admins", aws(ADMIN), ["kms:Describe*", "kms:Put*"])),
        {},
        [f("PL208", "/Statement/1/Principal/AWS", f"`{ADMIN}` can manage the key but not use it, and `kms:Put*` lets it grant itself use (it covers `kms:PutKeyPolicy`)")],
    ),
    (
        "PL208: NotAction",
        policy(ROOT, statement("Admins", aws(ADMIN), ["kms:Encrypt", "kms:Decrypt", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:Sign", "kms:Verify*", "kms:GenerateMac", "kms:DeriveSharedSecret", "kms:Encapsulate", "kms:Decapsulate"], not_action=True)),
        {},
        [f("PL208", "/Statement/1/Principal/AWS", f"`{ADMIN}` can manage the key but not use it, and the `NotAction` of statement `Admins` lets it grant itself use (it allows `kms:CreateGrant`, `kms:PutKeyPolicy`)")],
    ),
    (
        "PL208 negative: grants only for AWS resources",
        policy(ROOT, statement("Admins", aws(ADMIN), ["kms:Describe*", "kms:Disable*", "kms:CreateGrant"], condition=GRANT_FOR_AWS)),
        {},
        [],
    ),
    # --- template placeholders ------------------------------------------------------------------
    (
        "placeholder account: its root has kms:*, and a literal account may be the same one",
        policy(
            statement("Root", aws("arn:${AWS::Partition}:iam::${AWS::AccountId}:root"), "kms:*"),
            statement("Literal", aws(OTHER_ROOT), ["kms:Decrypt"]),
        ),
        {"account": "${AWS::AccountId}"},
        [],
    ),
    (
        "placeholder administrator can change the policy: PL201 only",
        policy(statement("Admin", aws("arn:aws:iam::${AWS::AccountId}:role/Admin"), ["kms:Put*", "kms:Decrypt"])),
        {"account": OWN},
        [f("PL201", "/Statement", PL201_OWN)],
    ),
    # --- kinds ----------------------------------------------------------------------------------
    ("other kinds are not checked", policy(statement("Everyone", "*", "kms:*")), {"kind": "resource-policy"}, []),
]


def run(document: str, settings: dict) -> list:
    result = load_text("key.json", document + "\n")
    outcome = check_loaded(result, Settings(select=CODES, **settings))
    return outcome.findings


@pytest.mark.parametrize(("name", "document", "settings", "expected"), CASES, ids=[c[0] for c in CASES])
def test_kms_access_findings(name: str, document: str, settings: dict, expected: list) -> None:
    found = [(x.rule, x.severity, x.message, x.pointer) for x in run(document, settings)]
    assert sorted(found) == sorted(expected)


LOCATED = [
    ("public principal", policy(ROOT, statement("Everyone", "*", ["kms:Decrypt"])), "PL203", (16, 20)),
    ("console administrators", CONSOLE_DEFAULT, "PL208", (17, 16)),
    ("lockout at the Statement element", policy(statement("App", aws(APP), USE)), "PL202", (3, 16)),
]


@pytest.mark.parametrize(("name", "document", "rule", "start"), LOCATED, ids=[c[0] for c in LOCATED])
def test_findings_are_located(name: str, document: str, rule: str, start: tuple[int, int]) -> None:
    [finding] = [x for x in run(document, {}) if x.rule == rule]
    assert finding.range is not None
    assert (finding.range.start.line, finding.range.start.column) == start


SAMPLES = Path(__file__).resolve().parents[2] / "samples" / "key-policies"
SAMPLE_EXPECTED = {
    "default-key-policy.json": [],
    "console-default-key-policy.json": ["PL208", "PL209"],
    "cross-account-key-policy.json": ["PL204", "PL204", "PL206", "PL209"],
    "cross-account-admin-key-policy.json": ["PL204", "PL205", "PL207", "PL209"],
    "public-key-policy.json": ["PL203"],
    "org-shared-key-policy.json": [],
    "lockout-key-policy.json": ["PL201", "PL202"],
    "deny-lockout-key-policy.json": ["PL202"],
    "admin-grant-self-use-key-policy.json": ["PL208", "PL209"],
    "grant-without-condition-key-policy.json": ["PL207", "PL209"],
    "missing-root-key-policy.json": ["PL201", "PL208"],
}


def test_every_sample_is_listed() -> None:
    assert sorted(p.name for p in SAMPLES.glob("*.json")) == sorted(SAMPLE_EXPECTED)


@pytest.mark.parametrize(("name", "rules"), sorted(SAMPLE_EXPECTED.items()))
def test_sample_key_policies(name: str, rules: list[str]) -> None:
    text = (SAMPLES / name).read_text(encoding="utf-8")
    outcome = check_loaded(load_text(f"samples/key-policies/{name}", text), Settings(select=CODES))
    assert sorted(x.rule for x in outcome.findings) == sorted(rules)


def test_samples_show_every_rule() -> None:
    assert {code for rules in SAMPLE_EXPECTED.values() for code in rules} == set(CODES)
