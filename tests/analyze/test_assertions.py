"""Access assertions: the table format, the configuration, and PL401 findings (passing and
failing assertions, with and without a snapshot)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from policylint.analyze.assertions import Assertion, AssertionTableError, parse_assertion
from policylint.config import ConfigError, resolve_settings
from policylint.rules.engine import check_loaded
from policylint.settings import Settings
from policylint.source.loader import load_text

OWN, PARTNER, OTHER = "111122223333", "444455556666", "777788889999"
ROOT = f"arn:aws:iam::{OWN}:root"
SAMPLES = Path(__file__).resolve().parents[2] / "samples"
KEY = "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab"
SYNTHETIC_KEY = f"arn:aws:kms:us-east-1:{OWN}:key/00000000-0000-0000-0000-000000000000"

HOME = {"name": "home", "no-access": ["kms:Decrypt", "kms:CreateGrant"], "outside": [OWN, PARTNER]}
APP = {"name": "app", "must-allow": ["kms:Decrypt"], "principal": f"arn:aws:iam::{OWN}:role/App"}


@pytest.mark.parametrize(
    ("name", "table", "message"),
    [
        ("not a table", [], "assertion 1 must be a table"),
        ("no name", {"no-access": ["kms:Decrypt"]}, "assertion 1 needs a `name`"),
        ("unknown key", {"name": "x", "nope": 1}, "assertion 1: unknown key `nope` (known: name, no-access, outside, must-allow, principal, context, paths, snapshot, key, message)"),
        ("both kinds", {"name": "x", "no-access": ["a:b"], "must-allow": ["a:b"]}, "assertion 1 (`x`) needs exactly one of `no-access` and `must-allow`"),
        ("no principal", {"name": "x", "must-allow": ["kms:Decrypt"]}, "assertion 1 (`x`): `must-allow` needs a `principal`"),
        ("bad actions", {"name": "x", "no-access": [1]}, "assertion 1 (`x`): `no-access` must be a string or a list of strings"),
        ("snapshot without key", {**APP, "snapshot": "s.yaml"}, "assertion 1 (`app`): `snapshot` and `key` go together"),
        ("outside with must-allow", {**APP, "outside": [OWN]}, "assertion 1 (`app`): `outside` goes with `no-access`, not `must-allow`"),
        ("bad context", {**APP, "context": {"kms:ViaService": 3}}, "assertion 1 (`app`): the value of `kms:ViaService` in `context` must be a string or a list of strings"),
    ],
)
def test_table_errors(name: str, table: object, message: str) -> None:
    with pytest.raises(AssertionTableError) as raised:
        parse_assertion(table, "assertion 1")
    assert str(raised.value) == message


def test_table() -> None:
    found = parse_assertion({**APP, "context": {"kms:ViaService": "s3.us-east-1.amazonaws.com"}, "paths": "keys/*.json"}, "a", "/repo")
    assert found == Assertion(
        name="app",
        must_allow=("kms:Decrypt",),
        principal=f"arn:aws:iam::{OWN}:role/App",
        context=(("kms:ViaService", "s3.us-east-1.amazonaws.com"),),
        paths=("keys/*.json",),
        origin="a (`app`)",
    )
    assert (found.applies_to("keys/app.json"), found.applies_to("repo/keys/app.json"), found.applies_to("other/app.json")) == (True, True, False)


def test_configuration(tmp_path: Path) -> None:
    (tmp_path / "more.toml").write_text('[[assert]]\nname = "app"\nmust-allow = "kms:Decrypt"\nprincipal = "arn:aws:iam::111122223333:role/App"\n', encoding="utf-8")
    (tmp_path / "policylint.toml").write_text(
        'assertions = "more.toml"\n[[assert]]\nname = "home"\nno-access = ["kms:Decrypt"]\noutside = ["111122223333"]\n', encoding="utf-8"
    )
    settings = resolve_settings({}, config_path=None, cwd=str(tmp_path))
    assert [(a.name, a.no_access, a.must_allow) for a in settings.assertions] == [("home", ("kms:Decrypt",), ()), ("app", (), ("kms:Decrypt",))]


def test_configuration_error(tmp_path: Path) -> None:
    (tmp_path / "policylint.toml").write_text('[[assert]]\nname = "home"\n', encoding="utf-8")
    with pytest.raises(ConfigError) as raised:
        resolve_settings({}, config_path=None, cwd=str(tmp_path))
    assert str(raised.value) == f"{tmp_path / 'policylint.toml'}: assertion 1 (`home`) needs exactly one of `no-access` and `must-allow`"


def statement(sid: str, principal: object, action: object, condition: dict | None = None) -> dict:
    body: dict = {"Sid": sid, "Effect": "Allow", "Principal": principal, "Action": action, "Resource": "*"}
    if condition is not None:
        body["Condition"] = condition
    return body


def policy(*statements: dict) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


ENABLE_IAM = statement("EnableIAM", {"AWS": ROOT}, "kms:*")


def _findings(document: str, *tables: dict, base: str = "") -> list[tuple[str, str]]:
    assertions = tuple(parse_assertion(t, f"assertion {i + 1}", base) for i, t in enumerate(tables))
    outcome = check_loaded(load_text("keys/key.json", document + "\n"), Settings(select=("PL401",), account=OWN, assertions=assertions))
    return [(f.pointer, f.message) for f in outcome.findings]


CASES = [
    ("the accounts listed only", policy(ENABLE_IAM, statement("Partner", {"AWS": f"arn:aws:iam::{PARTNER}:root"}, "kms:Decrypt")), [HOME], []),
    (
        "another account",
        policy(ENABLE_IAM, statement("Other", {"AWS": f"arn:aws:iam::{OTHER}:root"}, ["kms:Decrypt", "kms:Encrypt"])),
        [HOME],
        [
            (
                "/Statement/1",
                f"assertion `home` is violated: any principal of account `{OTHER}` whose IAM policies allow it can `kms:Decrypt`, "
                f"as `can arn:aws:iam::{OTHER}:role/ExampleRole do kms:Decrypt on {SYNTHETIC_KEY}` shows",
            )
        ],
    ),
    (
        "a grant to anyone in the account through EBS stays inside",
        policy(statement("Ebs", "*", ["kms:Decrypt", "kms:CreateGrant"], {"StringEquals": {"kms:CallerAccount": OWN, "kms:ViaService": "ec2.us-east-1.amazonaws.com"}})),
        [HOME],
        [],
    ),
    (
        "a condition that does not restrict",
        policy(ENABLE_IAM, statement("Org", "*", "kms:CreateGrant", {"StringLike": {"aws:PrincipalOrgID": "*"}})),
        [HOME],
        [
            (
                "/Statement/1",
                "assertion `home` is violated: any AWS principal in any other account whose IAM policies allow it can `kms:CreateGrant` "
                "only when `aws:PrincipalOrgID` is present, "
                f"as `can arn:aws:iam::999999999999:role/ExampleRole do kms:CreateGrant on {SYNTHETIC_KEY} with aws:PrincipalOrgID = o-example000` shows",
            )
        ],
    ),
    ("the role is named", policy(statement("App", {"AWS": f"arn:aws:iam::{OWN}:role/App"}, "kms:Decrypt")), [APP], []),
    ("the account delegates to IAM", policy(ENABLE_IAM), [APP], []),
    (
        "the role is not named and nothing delegates",
        policy(statement("Admin", {"AWS": f"arn:aws:iam::{OWN}:role/Admin"}, "kms:*")),
        [APP],
        [
            (
                "/Statement",
                f"assertion `app` is violated: `arn:aws:iam::{OWN}:role/App` cannot `kms:Decrypt`: "
                f"the key policy does not allow `kms:Decrypt` to `arn:aws:iam::{OWN}:role/App`",
            )
        ],
    ),
    (
        "the role only through S3, and the assertion says through S3",
        policy(statement("App", {"AWS": f"arn:aws:iam::{OWN}:role/App"}, "kms:Decrypt", {"StringEquals": {"kms:ViaService": "s3.us-east-1.amazonaws.com"}})),
        [{**APP, "context": {"kms:ViaService": "s3.us-east-1.amazonaws.com"}}],
        [],
    ),
    (
        "the assertion applies to other files",
        policy(ENABLE_IAM, statement("Other", {"AWS": f"arn:aws:iam::{OTHER}:root"}, "kms:Decrypt")),
        [{**HOME, "paths": ["other/*.json"]}],
        [],
    ),
]


@pytest.mark.parametrize(("name", "document", "tables", "expected"), CASES, ids=[c[0] for c in CASES])
def test_pl401(name: str, document: str, tables: list[dict], expected: list) -> None:
    assert _findings(document, *tables) == expected


def test_must_allow_with_a_snapshot() -> None:
    """With the sample snapshot, App's boundary and identity policy apply: Decrypt is allowed,
    kms:Encrypt is not (its identity policy does not allow it)."""
    table = {"name": "app", "must-allow": ["kms:Decrypt", "kms:Encrypt"], "principal": f"arn:aws:iam::{OWN}:role/App", "snapshot": "snapshot/snapshot.yaml", "key": KEY}
    document = policy(ENABLE_IAM)
    assert _findings(document, table, base=str(SAMPLES)) == [
        (
            "/Statement",
            f"assertion `app` is violated: `arn:aws:iam::{OWN}:role/App` cannot `kms:Encrypt`: "
            f"no identity policy of `arn:aws:iam::{OWN}:role/App` allows `kms:Encrypt` on `{KEY}`",
        )
    ]


def test_sample_assertions_file() -> None:
    settings = resolve_settings({}, config_path=str(SAMPLES / "analysis" / "policylint.toml"), cwd=str(SAMPLES))
    for name, expected in (("old-key-policy.json", []), ("new-key-policy.json", ["/Statement/2"])):
        text = (SAMPLES / "analysis" / name).read_text(encoding="utf-8")
        outcome = check_loaded(load_text(f"samples/analysis/{name}", text), settings.model_copy(update={"select": ("PL401",)}))
        assert [f.pointer for f in outcome.findings] == expected
