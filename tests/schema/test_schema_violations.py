"""Structural validation of policy documents: every message, per document kind."""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from typing import Any

import pytest

from policylint.findings import Violation
from policylint.schema.fastcheck import structurally_valid
from policylint.schema.validate import KINDS, policy_schema, schema_violations

PRINCIPAL_SHAPE = (
    "must be `*` or an object keyed by `AWS`, `Service`, `Federated` or `CanonicalUser`"
)


def v(pointer: str, message: str, code: str = "PL002", at_key: bool = False) -> Violation:
    return Violation(code=code, pointer=pointer, message=message, at_key=at_key)


def empty(pointer: str, message: str) -> Violation:
    return v(pointer, message, code="PL014")


def policy(*statements: dict[str, Any], **top: Any) -> dict[str, Any]:
    return {"Version": "2012-10-17", "Statement": list(statements), **top}


def allow(**elements: Any) -> dict[str, Any]:
    """An identity statement allowing s3:GetObject on *, with `elements` changed (None drops)."""
    statement: dict[str, Any] = {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}
    statement.update(elements)
    return {k: e for k, e in statement.items() if e is not None}


def key_statement(**elements: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "Principal": {"AWS": "arn:aws:iam::111122223333:root"},
        "Action": "kms:*",
    }
    return allow(**(base | elements))


def trust(**elements: Any) -> dict[str, Any]:
    statement: dict[str, Any] = {
        "Effect": "Allow",
        "Principal": {"Service": "ec2.amazonaws.com"},
        "Action": "sts:AssumeRole",
    }
    statement.update(elements)
    return {k: e for k, e in statement.items() if e is not None}


DEFAULT_KEY_POLICY = {
    "Version": "2012-10-17",
    "Id": "key-default-1",
    "Statement": [
        {
            "Sid": "Enable IAM User Permissions",
            "Effect": "Allow",
            "Principal": {"AWS": "arn:aws:iam::111122223333:root"},
            "Action": "kms:*",
            "Resource": "*",
        }
    ],
}

VALID = [
    ("default key policy", "key-policy", DEFAULT_KEY_POLICY),
    (
        "key policy with conditions and a service principal list",
        "key-policy",
        policy(
            key_statement(Sid="Allow use of the key", Action=["kms:Decrypt", "kms:Encrypt"]),
            {
                "Effect": "Allow",
                "Principal": {"Service": ["logs.amazonaws.com", "cloudtrail.amazonaws.com"]},
                "Action": "kms:GenerateDataKey*",
                "Resource": "*",
                "Condition": {
                    "StringLike": {"kms:EncryptionContext:aws:cloudtrail:arn": "arn:aws:*"},
                    "Bool": {"kms:GrantIsForAWSResource": True},
                    "NumericLessThan": {"aws:MultiFactorAuthAge": 3600},
                },
            },
        ),
    ),
    (
        "key policy with NotPrincipal and NotAction",
        "key-policy",
        policy(
            {
                "Effect": "Deny",
                "NotPrincipal": {"AWS": ["arn:aws:iam::111122223333:root"]},
                "NotAction": ["kms:Decrypt"],
                "NotResource": "arn:aws:kms:*:111122223333:key/*",
            }
        ),
    ),
    ("identity policy", "identity-policy", policy(allow(), allow(Action=["s3:*"], Sid="Two"))),
    (
        "identity policy with a single statement object and no version",
        "identity-policy",
        {"Statement": allow(Condition={"IpAddress": {"aws:SourceIp": ["10.0.0.0/8", 1, 2.5]}})},
    ),
    (
        "identity policy version and sid values are not this check's business",
        "identity-policy",
        policy(allow(Sid="has spaces, and punctuation!"), Version="banana"),
    ),
    (
        "bucket policy",
        "resource-policy",
        policy(
            allow(Principal="*", Resource="arn:aws:s3:::bucket/*"),
            allow(
                Effect="Deny",
                Principal={"AWS": "*"},
                Action="s3:*",
                Condition={"Bool": {"aws:SecureTransport": "false"}},
            ),
            Id="BucketPolicy",
        ),
    ),
    (
        "ECR repository policy without Resource",
        "resource-policy",
        policy(allow(Principal={"AWS": "arn:aws:iam::111122223333:root"}, Resource=None)),
    ),
    (
        "trust policy",
        "trust-policy",
        policy(
            trust(),
            trust(
                Principal={"Federated": "arn:aws:iam::111122223333:oidc-provider/example.com"},
                Action="sts:AssumeRoleWithWebIdentity",
                Condition={"StringEquals": {"example.com:aud": "sts.amazonaws.com"}},
            ),
            trust(Principal={"CanonicalUser": "79a59df900b949e55d96a1e698fbaced"}),
        ),
    ),
    (
        "service control policy",
        "scp",
        policy(
            allow(Action="*"),
            allow(
                Effect="Deny",
                NotAction=["iam:*", "sts:*"],
                Action=None,
                Condition={"StringNotEquals": {"aws:RequestedRegion": ["eu-west-1"]}},
            ),
        ),
    ),
    (
        "resource control policy",
        "rcp",
        policy(
            allow(
                Effect="Deny",
                Principal="*",
                Action=["s3:*", "sqs:*"],
                Condition={"BoolIfExists": {"aws:SecureTransport": False}},
            )
        ),
    ),
]


@pytest.mark.parametrize(("name", "kind", "document"), VALID, ids=[c[0] for c in VALID])
def test_valid_documents_have_no_violations(name: str, kind: str, document: object) -> None:
    assert schema_violations(document, kind) == []


@pytest.mark.parametrize(("name", "kind", "document"), VALID, ids=[c[0] for c in VALID])
def test_valid_documents_take_the_fast_path(name: str, kind: str, document: object) -> None:
    assert structurally_valid(document, kind) is True


CASES = [
    # --- the document ---------------------------------------------------------------------
    ("top level array", "identity-policy", [allow()],
     [v("", "policy must be a JSON object, not an array")]),
    ("top level string", "key-policy", "policy",
     [v("", "policy must be a JSON object, not a string")]),
    ("top level number", "key-policy", 1, [v("", "policy must be a JSON object, not a number")]),
    ("top level boolean", "scp", True, [v("", "policy must be a JSON object, not a boolean")]),
    ("top level null", "rcp", None, [v("", "policy must be a JSON object, not null")]),
    ("no statement", "identity-policy", {"Version": "2012-10-17"},
     [v("", "`Statement` is missing")]),
    ("empty document", "trust-policy", {}, [v("", "`Statement` is missing")]),
    ("misspelt statement explains the missing one", "identity-policy",
     {"Version": "2012-10-17", "Statment": [allow()]},
     [v("/Statment", "unknown element `Statment` in policy; did you mean `Statement`?",
        at_key=True)]),
    ("lowercase statement", "identity-policy", {"statement": [allow()]},
     [v("/statement", "unknown element `statement` in policy; did you mean `Statement`?",
        at_key=True)]),
    ("unknown top-level element", "resource-policy",
     policy(allow(Principal="*"), RevisionId="35d8"),
     [v("/RevisionId", "unknown element `RevisionId` in policy", at_key=True)]),
    ("version not a string", "identity-policy", policy(allow(), Version=20121017),
     [v("/Version", "`Version` must be a string")]),
    ("id not a string", "key-policy", policy(key_statement(), Id={"Fn::Sub": "x"}),
     [v("/Id", "`Id` must be a string")]),
    ("statement a string", "identity-policy", {"Statement": "Allow"},
     [v("/Statement", "`Statement` must be an object or a list of objects")]),
    ("statement null", "identity-policy", {"Statement": None},
     [v("/Statement", "`Statement` must be an object or a list of objects")]),
    ("statement empty list", "identity-policy", policy(),
     [empty("/Statement", "`Statement` is empty")]),
    ("statement entry a string", "identity-policy", {"Statement": [allow(), "Allow"]},
     [v("/Statement/1", "statement must be a JSON object, not a string")]),
    ("statement entry a list", "identity-policy", {"Statement": [[allow()]]},
     [v("/Statement/0", "statement must be a JSON object, not an array")]),
    # --- statement elements ---------------------------------------------------------------
    ("lowercase effect value", "identity-policy", policy(allow(Effect="allow")),
     [v("/Statement/0/Effect", "`Effect` must be `Allow` or `Deny`, not `allow`")]),
    ("effect boolean", "identity-policy", policy(allow(Effect=True)),
     [v("/Statement/0/Effect", "`Effect` must be `Allow` or `Deny`, not `true`")]),
    ("effect number", "identity-policy", policy(allow(Effect=1)),
     [v("/Statement/0/Effect", "`Effect` must be `Allow` or `Deny`, not `1`")]),
    ("effect list", "identity-policy", policy(allow(Effect=["Allow"])),
     [v("/Statement/0/Effect", "`Effect` must be `Allow` or `Deny`, not an array")]),
    ("long effect value is clipped", "identity-policy", policy(allow(Effect="A" * 80)),
     [v("/Statement/0/Effect", "`Effect` must be `Allow` or `Deny`, not `" + "A" * 59 + "…`")]),
    ("effect in a single statement object", "identity-policy",
     {"Statement": allow(Effect="Permit")},
     [v("/Statement/Effect", "`Effect` must be `Allow` or `Deny`, not `Permit`")]),
    ("no effect", "identity-policy", policy(allow(Effect=None)),
     [v("/Statement/0", "statement has no `Effect`")]),
    ("misspelt effect", "identity-policy", policy(allow(Effect=None, Efect="Allow")),
     [v("/Statement/0/Efect", "unknown element `Efect` in statement; did you mean `Effect`?",
        at_key=True)]),
    ("sid not a string", "identity-policy", policy(allow(Sid=1)),
     [v("/Statement/0/Sid", "`Sid` must be a string")]),
    ("misspelt action", "identity-policy", policy(allow(Action=None, Actions="s3:*")),
     [v("/Statement/0/Actions", "unknown element `Actions` in statement; did you mean `Action`?",
        at_key=True)]),
    ("misspelt not-resource", "scp", policy(allow(Resource=None, NotResources="*")),
     [v("/Statement/0/NotResources",
        "unknown element `NotResources` in statement; did you mean `NotResource`?", at_key=True)]),
    ("unknown statement element", "identity-policy", policy(allow(Comment="why")),
     [v("/Statement/0/Comment", "unknown element `Comment` in statement", at_key=True)]),
    ("unknown element name with a slash", "identity-policy", policy(allow(**{"a/b~": 1})),
     [v("/Statement/0/a~1b~0", "unknown element `a/b~` in statement", at_key=True)]),
    ("empty statement", "identity-policy", policy({}),
     [v("/Statement/0", "statement has no `Effect`"),
      v("/Statement/0", "statement has no `Action` or `NotAction`"),
      v("/Statement/0", "statement has no `Resource` or `NotResource`")]),
    ("action and not-action", "identity-policy", policy(allow(NotAction="s3:PutObject")),
     [v("/Statement/0", "statement has both `Action` and `NotAction`")]),
    ("resource and not-resource", "key-policy", policy(key_statement(NotResource="*")),
     [v("/Statement/0", "statement has both `Resource` and `NotResource`")]),
    ("principal and not-principal", "resource-policy",
     policy(allow(Effect="Deny", Principal="*", NotPrincipal={"AWS": "arn:aws:iam::1:root"})),
     [v("/Statement/0", "statement has both `Principal` and `NotPrincipal`")]),
    ("no action in identity policy", "identity-policy", policy(allow(Action=None)),
     [v("/Statement/0", "statement has no `Action` or `NotAction`")]),
    ("no action in key policy", "key-policy", policy(key_statement(Action=None)),
     [v("/Statement/0", "statement has no `Action` or `NotAction`")]),
    ("no action in resource policy", "resource-policy", policy(allow(Principal="*", Action=None)),
     [v("/Statement/0", "statement has no `Action` or `NotAction`")]),
    ("no action in trust policy", "trust-policy", policy(trust(Action=None)),
     [v("/Statement/0", "statement has no `Action` or `NotAction`")]),
    ("no action in rcp", "rcp", policy(allow(Principal="*", Action=None)),
     [v("/Statement/0", "statement has no `Action`")]),
    ("no resource in identity policy", "identity-policy", policy(allow(Resource=None)),
     [v("/Statement/0", "statement has no `Resource` or `NotResource`")]),
    ("no resource in key policy", "key-policy", policy(key_statement(Resource=None)),
     [v("/Statement/0", "statement has no `Resource` or `NotResource`")]),
    ("no resource in scp", "scp", policy(allow(Resource=None)),
     [v("/Statement/0", "statement has no `Resource` or `NotResource`")]),
    ("no resource in rcp", "rcp", policy(allow(Principal="*", Resource=None)),
     [v("/Statement/0", "statement has no `Resource` or `NotResource`")]),
    ("resource in trust policy", "trust-policy", policy(trust(Resource="*")),
     [v("/Statement/0/Resource", "`Resource` is not allowed in a trust policy", at_key=True)]),
    ("empty resource in trust policy reported once", "trust-policy", policy(trust(Resource=[])),
     [v("/Statement/0/Resource", "`Resource` is not allowed in a trust policy", at_key=True)]),
    ("not-resource in trust policy", "trust-policy", policy(trust(NotResource="*")),
     [v("/Statement/0/NotResource", "`NotResource` is not allowed in a trust policy",
        at_key=True)]),
    ("not-action in rcp", "rcp", policy(allow(Principal="*", Action=None, NotAction="s3:*")),
     [v("/Statement/0/NotAction", "`NotAction` is not allowed in a resource control policy",
        at_key=True)]),
    # --- Action / NotAction / Resource / NotResource ----------------------------------------
    ("action a number", "identity-policy", policy(allow(Action=5)),
     [v("/Statement/0/Action", "`Action` must be a string or a list of strings")]),
    ("resource an object", "identity-policy", policy(allow(Resource={"Fn::GetAtt": ["B", "Arn"]})),
     [v("/Statement/0/Resource", "`Resource` must be a string or a list of strings")]),
    ("not-action null", "scp", policy(allow(Action=None) | {"NotAction": None}),
     [v("/Statement/0/NotAction", "`NotAction` must be a string or a list of strings")]),
    ("action empty list", "identity-policy", policy(allow(Action=[])),
     [empty("/Statement/0/Action", "`Action` is empty")]),
    ("action empty string", "identity-policy", policy(allow(Action="")),
     [empty("/Statement/0/Action", "`Action` is empty")]),
    ("resource empty list", "key-policy", policy(key_statement(Resource=[])),
     [empty("/Statement/0/Resource", "`Resource` is empty")]),
    ("not-resource empty string", "identity-policy", policy(allow(Resource=None, NotResource="")),
     [empty("/Statement/0/NotResource", "`NotResource` is empty")]),
    ("empty string among actions", "identity-policy", policy(allow(Action=["s3:GetObject", ""])),
     [empty("/Statement/0/Action/1", "empty string in `Action`")]),
    ("number among resources", "identity-policy", policy(allow(Resource=["arn:aws:s3:::b", 1])),
     [v("/Statement/0/Resource/1", "entries of `Resource` must be strings")]),
    ("object among not-actions", "identity-policy",
     policy(allow(Action=None, NotAction=[{"Ref": "A"}])),
     [v("/Statement/0/NotAction/0", "entries of `NotAction` must be strings")]),
    # --- Principal / NotPrincipal -------------------------------------------------------------
    ("principal an ARN string", "key-policy",
     policy(key_statement(Principal="arn:aws:iam::111122223333:root")),
     [v("/Statement/0/Principal", f"`Principal` {PRINCIPAL_SHAPE}")]),
    ("principal a list", "resource-policy", policy(allow(Principal=["*"])),
     [v("/Statement/0/Principal", f"`Principal` {PRINCIPAL_SHAPE}")]),
    ("not-principal a number", "resource-policy", policy(allow(Effect="Deny", NotPrincipal=0)),
     [v("/Statement/0/NotPrincipal", f"`NotPrincipal` {PRINCIPAL_SHAPE}")]),
    ("principal empty object", "key-policy", policy(key_statement(Principal={})),
     [empty("/Statement/0/Principal", "`Principal` is empty")]),
    ("not-principal empty object", "resource-policy", policy(allow(Effect="Deny", NotPrincipal={})),
     [empty("/Statement/0/NotPrincipal", "`NotPrincipal` is empty")]),
    ("unknown principal type", "key-policy", policy(key_statement(Principal={"IAM": "arn"})),
     [v("/Statement/0/Principal/IAM",
        "unknown principal type `IAM`; expected `AWS`, `Service`, `Federated` or `CanonicalUser`",
        code="PL009", at_key=True)]),
    ("misspelt principal type, its bad value not reported", "trust-policy",
     policy(trust(Principal={"Services": []})),
     [v("/Statement/0/Principal/Services",
        "unknown principal type `Services`; did you mean `Service`?", code="PL009", at_key=True)]),
    ("principal type lowercase", "trust-policy", policy(trust(Principal={"aws": "*"})),
     [v("/Statement/0/Principal/aws", "unknown principal type `aws`; did you mean `AWS`?",
        code="PL009", at_key=True)]),
    ("principal value an object", "key-policy",
     policy(key_statement(Principal={"AWS": {"Fn::Sub": "arn"}})),
     [v("/Statement/0/Principal/AWS",
        "`AWS` in `Principal` must be a string or a list of strings")]),
    ("principal value empty list", "trust-policy", policy(trust(Principal={"Service": []})),
     [empty("/Statement/0/Principal/Service", "`Service` in `Principal` is empty")]),
    ("not-principal entry null", "resource-policy",
     policy(allow(Effect="Deny", NotPrincipal={"AWS": ["arn:aws:iam::1:root", None]})),
     [v("/Statement/0/NotPrincipal/AWS/1", "entries of `AWS` in `NotPrincipal` must be strings")]),
    # --- Condition ----------------------------------------------------------------------------
    ("condition a string", "identity-policy", policy(allow(Condition="aws:SecureTransport")),
     [v("/Statement/0/Condition", "`Condition` must be an object of condition operators")]),
    ("condition a list", "identity-policy", policy(allow(Condition=[])),
     [v("/Statement/0/Condition", "`Condition` must be an object of condition operators")]),
    ("condition empty", "identity-policy", policy(allow(Condition={})),
     [empty("/Statement/0/Condition", "`Condition` is empty")]),
    ("operator a string", "identity-policy", policy(allow(Condition={"Bool": "true"})),
     [v("/Statement/0/Condition/Bool",
        "condition operator `Bool` must be an object of condition keys")]),
    ("operator empty", "identity-policy", policy(allow(Condition={"StringEquals": {}})),
     [empty("/Statement/0/Condition/StringEquals",
            "condition operator `StringEquals` has no keys")]),
    ("condition value an object", "key-policy",
     policy(key_statement(Condition={"StringEquals": {"kms:CallerAccount": {"Ref": "A"}}})),
     [v("/Statement/0/Condition/StringEquals/kms:CallerAccount",
        "condition key `kms:CallerAccount` must be a string, number, boolean or a list of them")]),
    ("condition value null", "identity-policy",
     policy(allow(Condition={"Null": {"aws:TokenIssueTime": None}})),
     [v("/Statement/0/Condition/Null/aws:TokenIssueTime",
        "condition key `aws:TokenIssueTime` must be a string, number, boolean or a list of them")]),
    ("condition values empty, key with a slash", "identity-policy",
     policy(allow(Condition={"StringEquals": {"aws:PrincipalTag/team": []}})),
     [empty("/Statement/0/Condition/StringEquals/aws:PrincipalTag~1team",
            "condition key `aws:PrincipalTag/team` has no values")]),
    ("condition value list holds a list", "identity-policy",
     policy(allow(Condition={"IpAddress": {"aws:SourceIp": ["10.0.0.0/8", ["192.0.2.0/24"]]}})),
     [v("/Statement/0/Condition/IpAddress/aws:SourceIp/1",
        "values of condition key `aws:SourceIp` must be strings, numbers or booleans")]),
    # --- several problems, reported in document order -------------------------------------------
    ("problems in document order", "identity-policy",
     {"Statement": [allow(Action=[]), allow(Effect="deny", Resource=[""])], "Version": 2},
     [empty("/Statement/0/Action", "`Action` is empty"),
      v("/Statement/1/Effect", "`Effect` must be `Allow` or `Deny`, not `deny`"),
      empty("/Statement/1/Resource/0", "empty string in `Resource`"),
      v("/Version", "`Version` must be a string")]),
]


@pytest.mark.parametrize(("name", "kind", "document", "expected"), CASES, ids=[c[0] for c in CASES])
def test_violations(name: str, kind: str, document: object, expected: list[Violation]) -> None:
    assert schema_violations(document, kind) == expected
    assert structurally_valid(document, kind) is False


@pytest.mark.parametrize("kind", KINDS)
def test_default_key_policy_across_kinds(kind: str) -> None:
    document = DEFAULT_KEY_POLICY
    expected = (
        [v("/Statement/0/Resource", "`Resource` is not allowed in a trust policy", at_key=True)]
        if kind == "trust-policy"
        else []
    )
    assert schema_violations(document, kind) == expected


def test_unknown_kind_is_rejected() -> None:
    with pytest.raises(ValueError, match="unknown document kind 'bucket'"):
        schema_violations(DEFAULT_KEY_POLICY, "bucket")


# --- the schema itself -------------------------------------------------------------------------

_FAILING_KEYWORDS = frozenset(
    {"type", "enum", "const", "required", "minItems", "minLength", "minProperties", "anyOf", "not"}
)
# Subschemas whose own failures never surface: `if` only selects, anyOf branches and `not`
# bodies are summarised by the keyword that holds them.
_SILENT = frozenset({"if", "anyOf", "not"})


def _subschemas(schema: object, path: str) -> Iterator[tuple[str, Mapping[str, Any]]]:
    if isinstance(schema, Mapping):
        yield path, schema
        for key, child in schema.items():
            if key in _SILENT or key == "x-messages":
                continue
            yield from _subschemas(child, f"{path}/{key}")
    elif isinstance(schema, list):
        for index, child in enumerate(schema):
            yield from _subschemas(child, f"{path}/{index}")


def _templates() -> list[str]:
    found = []
    for _, schema in _subschemas(policy_schema(), ""):
        for spec in schema.get("x-messages", {}).values():
            found.append(spec["message"])
            found.extend(spec.get("known", {}).values())
    return sorted(set(found))


def test_every_failing_keyword_has_a_message() -> None:
    missing = [
        f"{path}: {keyword}"
        for path, schema in _subschemas(policy_schema(), "")
        for keyword in sorted(_FAILING_KEYWORDS & set(schema))
        if keyword not in schema.get("x-messages", {})
    ]
    assert missing == []


def test_every_message_follows_the_house_style() -> None:
    bad = [t for t in _templates() if t[0].isupper() or t.endswith(".") or "'" in t]
    assert bad == []


@pytest.mark.parametrize("template", _templates())
def test_every_message_template_is_pinned_by_a_case(template: str) -> None:
    pattern = re.compile(re.sub(r"\\\{[a-z]+\\\}", ".*", re.escape(template)) + r"\Z")
    pinned = [e.message for *_, expected in CASES for e in expected]
    assert any(pattern.match(message) for message in pinned), template
