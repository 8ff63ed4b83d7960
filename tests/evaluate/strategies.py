"""Hypothesis strategies for the evaluator: generated snapshots, statements to add, and queries.

A *spec* is plain JSON data that describes one snapshot (see `snapshot_data`):

- one entry per slot of `SLOTS`: the statements of that policy, or None when the policy is
  absent (only for `OPTIONAL` slots; an absent policy is not the same as an empty one);
- `grants`: the KMS grants of key `KEY`, as in a snapshot file;
- `role_tags`: `[tag, value]` pairs of role `ROLE` (distinct tags);
- `old_version`: slots whose policy has `Version` 2008-10-17 (no policy variables).

Every value of a spec is a list (or None) and no list's order matters, so shuffling them, as a
test of reordering does, never changes a decision.

The statements mix realistic elements (`Action`/`NotAction`, `Resource`/`NotResource`,
`Principal`/`NotPrincipal`, wildcards, policy variables) with conditions of every operator
family, set operators and `IfExists`, and odd values (`Bool` on `yes`, unknown operators, JSON
numbers and booleans, unresolvable variables).

`build_snapshot(spec)` builds the snapshot in memory, as `load_snapshot` would from
`snapshot_data(spec)` written as a file (documents get the kind their place gives them).
`decisions(snapshot, queries)` decides a list of queries (`QUERIES` by default), each a
(principal, action, resource, context) tuple as `decide` takes them.

For the fuzzer: `queries()` draws wider lists of queries, `query_text(query, ...)` writes one in
the query language, `query_texts(query)` mutates that text or makes up other text, and
`evaluator_inputs()` draws a whole fuzzing input (`EvaluatorInput`).
"""

from __future__ import annotations

import copy
import json
import random as random_module
import re
from typing import Any, NamedTuple

from hypothesis import strategies as st

from policylint.evaluate.decision import decide
from policylint.evaluate.snapshot import (
    AccountEntry,
    EndpointEntry,
    Grant,
    KeyEntry,
    PrincipalEntry,
    ResourceEntry,
    Snapshot,
)
from policylint.model.build import build_document
from policylint.model.policy import PolicyDocument
from policylint.source.document import SourceDocument

HOME = "111122223333"
OTHER = "444455556666"
ROLE = f"arn:aws:iam::{HOME}:role/App"
SESSION = f"arn:aws:sts::{HOME}:assumed-role/App/s1"
USER = f"arn:aws:iam::{OTHER}:user/bob"
PATH_ROLE = f"arn:aws:iam::{HOME}:role/team/Worker"
PATH_SESSION = f"arn:aws:sts::{HOME}:assumed-role/Worker/s2"
LINKED_ROLE = f"arn:aws:iam::{HOME}:role/aws-service-role/elasticloadbalancing.amazonaws.com/AWSServiceRoleForElasticLoadBalancing"
FEDERATED = f"arn:aws:sts::{HOME}:federated-user/carol"
HOME_ROOT = f"arn:aws:iam::{HOME}:root"
OTHER_ROOT = f"arn:aws:iam::{OTHER}:root"
KEY = f"arn:aws:kms:us-east-1:{HOME}:key/k1"
OTHER_KEY = f"arn:aws:kms:eu-west-1:{OTHER}:key/k2"
BUCKET = "arn:aws:s3:::bucket"
OBJECT = "arn:aws:s3:::bucket/a/b.txt"
ENDPOINT = "vpce-1"
HOME_ORG = "o-org1"
OTHER_ORG = "o-org2"

# -- statements ------------------------------------------------------------------------------

ACTIONS = (
    "kms:Decrypt",
    "kms:*",
    "kms:Encrypt",
    "kms:GenerateDataKey*",
    "kms:*crypt",
    "kms:?ecrypt",
    "KMS:decrypt",
    "kms:Describe*",
    "kms:CreateGrant",
    "kms:PutKeyPolicy",
    "s3:GetObject",
    "s3:*",
    "s3:Get*",
    "sts:AssumeRole",
    "sts:Assume*",
    "iam:PassRole",
    "*",
    "*:*",
    "ec2:*",
)
RESOURCES = (
    "*",
    KEY,
    OTHER_KEY,
    "arn:aws:kms:*:*:key/*",
    f"arn:aws:kms:us-east-1:{HOME}:*",
    "arn:aws:kms:*:*:alias/*",
    "arn:aws:kms:us-east-1:*:key/k?",
    f"{BUCKET}/*",
    BUCKET,
    "arn:aws:s3:::bucket/${aws:username}/*",
    "arn:aws:s3:::bucket/${aws:PrincipalTag/team, 'a'}/*",
    "arn:aws:s3:::bucket/a/${*}",
    "arn:aws:s3:::bucket/a/?.txt",
    ROLE,
    "arn:aws:iam::*:role/*",
    f"arn:aws:iam::{HOME}:role/team/*",
    "arn:aws:*:*:*:*",
    "arn:aws:s3:::${aws:nosuch}",
    "not-an-arn",
)
PRINCIPALS: tuple[Any, ...] = (
    "*",
    {"AWS": "*"},
    {"AWS": HOME_ROOT},
    {"AWS": HOME},
    {"AWS": OTHER},
    {"AWS": OTHER_ROOT},
    {"AWS": ROLE},
    {"AWS": SESSION},
    {"AWS": USER},
    {"AWS": PATH_ROLE},
    {"AWS": [ROLE, USER]},
    {"AWS": f"arn:aws:iam::{HOME}:role/*"},
    {"AWS": LINKED_ROLE},
    {"Service": "logs.amazonaws.com"},
    {"Service": ["kms.amazonaws.com", "logs.amazonaws.com"]},
    {"Federated": "cognito-identity.amazonaws.com"},
    {"CanonicalUser": "79a59df900b949e55d96a1e698fbacedfd6e09d98eacf8f8d5218e7cd47ef2be"},
    {"AWS": FEDERATED, "Service": "logs.amazonaws.com"},
)

# Each element of a statement is one draw from a table of (member name, value): `Action` and
# `NotAction`, `Resource`, `NotResource` or none (None), `Principal` and `NotPrincipal`. The
# values that make statements apply (`*`, the account, the role) are listed more than once.
ACTION_ELEMENTS: tuple[tuple[str, Any], ...] = (
    *(("Action", action) for action in ACTIONS),
    ("Action", "*"),
    ("Action", "kms:*"),
    ("Action", "s3:*"),
    ("Action", ["kms:Decrypt", "s3:GetObject"]),
    ("Action", ["kms:Encrypt", "kms:Describe*", "sts:AssumeRole"]),
    ("NotAction", "kms:PutKeyPolicy"),
    ("NotAction", ["s3:*", "iam:*"]),
    ("NotAction", "kms:Decrypt"),
    ("NotAction", "*"),
)
RESOURCE_ELEMENTS: tuple[tuple[str | None, Any], ...] = (
    *(("Resource", resource) for resource in RESOURCES),
    ("Resource", "*"),
    ("Resource", "*"),
    ("Resource", "*"),
    ("Resource", [KEY, f"{BUCKET}/*"]),
    ("Resource", [ROLE, OTHER_KEY, "not-an-arn"]),
    ("NotResource", OTHER_KEY),
    ("NotResource", [BUCKET, "arn:aws:iam::*:role/*"]),
    ("NotResource", "*"),
    (None, None),
)
PRINCIPAL_ELEMENTS: tuple[tuple[str, Any], ...] = (
    *(("Principal", principal) for principal in PRINCIPALS),
    ("Principal", "*"),
    ("Principal", {"AWS": HOME_ROOT}),
    ("Principal", {"AWS": ROLE}),
    ("NotPrincipal", {"AWS": USER}),
    ("NotPrincipal", {"AWS": [ROLE, SESSION, HOME_ROOT]}),
    ("NotPrincipal", {"AWS": OTHER}),
    ("NotPrincipal", {"Service": "logs.amazonaws.com"}),
)
EFFECTS = ("Allow",) * 15 + ("Deny",) * 8 + ("allow",)
SIDS = (None, None, None, None, "S1", "Use", "")

# Conditions that a query can plausibly meet or miss.
CONDITIONS: tuple[Any, ...] = (
    {"StringEquals": {"aws:PrincipalAccount": HOME}},
    {"Bool": {"aws:SecureTransport": "true"}},
    {"Bool": {"aws:SecureTransport": "false"}},
    {"BoolIfExists": {"aws:MultiFactorAuthPresent": "true"}},
    {"StringNotEqualsIfExists": {"aws:SourceVpce": ENDPOINT}},
    {"StringEquals": {"aws:SourceVpce": [ENDPOINT, "vpce-2"]}},
    {"StringEquals": {"aws:PrincipalOrgID": HOME_ORG}},
    {"StringEquals": {"aws:ResourceOrgID": "${aws:PrincipalOrgID}"}},
    {"StringLike": {"aws:PrincipalArn": f"arn:aws:iam::{HOME}:role/*"}},
    {"ArnLike": {"aws:PrincipalArn": "arn:aws:iam::*:role/App"}},
    {"ArnNotLikeIfExists": {"aws:SourceArn": BUCKET}},
    {"IpAddress": {"aws:SourceIp": ["10.0.0.0/8", "2001:db8::/32"]}},
    {"NotIpAddress": {"aws:SourceIp": "192.0.2.0/24"}},
    {"DateLessThan": {"aws:CurrentTime": "2030-01-01T00:00:00Z"}},
    {"DateGreaterThanIfExists": {"aws:EpochTime": 1700000000}},
    {"NumericLessThan": {"aws:MultiFactorAuthAge": "3600"}},
    {"NumericGreaterThanEquals": {"aws:MultiFactorAuthAge": 300}},
    {"Null": {"aws:SourceVpce": "true"}},
    {"Null": {"kms:EncryptionContext:app": "false"}},
    {"StringEquals": {"kms:EncryptionContext:app": "web"}},
    {"ForAnyValue:StringEquals": {"kms:EncryptionContextKeys": "app"}},
    {"ForAllValues:StringLike": {"aws:TagKeys": ["team", "env*"]}},
    {"ForAnyValue:StringNotEquals": {"aws:TagKeys": "secret"}},
    {"StringEquals": {"kms:ViaService": "s3.us-east-1.amazonaws.com"}},
    {"StringEquals": {"kms:CallerAccount": HOME}},
    {"StringEquals": {"aws:PrincipalTag/team": "blue"}},
    {"StringLike": {"aws:username": "${aws:PrincipalTag/team, 'bob'}"}},
    {"StringEqualsIgnoreCase": {"aws:PrincipalType": "assumedrole"}},
    {"StringEquals": {"aws:PrincipalServiceName": "logs.amazonaws.com"}},
    {"Bool": {"kms:GrantIsForAWSResource": True}},
    {"Bool": {"aws:SecureTransport": ["TRUE", "yes"]}},
    {"StringEquals": {"aws:RequestedRegion": ["us-east-1", "eu-west-1"]}},
    {"StringEquals": {"aws:PrincipalAccount": HOME}, "Bool": {"aws:SecureTransport": "true"}},
    {"StringEquals2": {"aws:SourceVpce": ENDPOINT}},
)

# For conditions made up of parts: operators of every family, with and without set operators
# and `IfExists`, and a few that do not exist.
BASE_OPERATORS = (
    "StringEquals",
    "StringNotEquals",
    "StringEqualsIgnoreCase",
    "StringNotEqualsIgnoreCase",
    "StringLike",
    "StringNotLike",
    "NumericEquals",
    "NumericNotEquals",
    "NumericLessThan",
    "NumericGreaterThanEquals",
    "DateEquals",
    "DateNotEquals",
    "DateLessThanEquals",
    "DateGreaterThan",
    "Bool",
    "BinaryEquals",
    "IpAddress",
    "NotIpAddress",
    "ArnEquals",
    "ArnLike",
    "ArnNotEquals",
    "ArnNotLike",
    "Null",
)
ODD_OPERATORS = ("NullIfExists", "IfExists", "ForSomeValues:StringEquals", "stringequals", "StringEquals2", "")
CONDITION_KEYS = (
    "aws:PrincipalAccount",
    "aws:PrincipalArn",
    "aws:PrincipalOrgID",
    "aws:PrincipalTag/team",
    "aws:PrincipalType",
    "aws:username",
    "aws:SourceVpce",
    "aws:SourceIp",
    "aws:SourceArn",
    "aws:SecureTransport",
    "aws:CurrentTime",
    "aws:EpochTime",
    "aws:MultiFactorAuthAge",
    "aws:TagKeys",
    "aws:RequestedRegion",
    "aws:ResourceAccount",
    "kms:CallerAccount",
    "kms:ViaService",
    "kms:EncryptionContext:app",
    "kms:EncryptionContextKeys",
    "kms:GrantIsForAWSResource",
    "AWS:sourcevpce",
    "aws:NoSuchKey",
)
CONDITION_VALUES: tuple[Any, ...] = (
    "true",
    "false",
    "True",
    "yes",
    True,
    False,
    1,
    0,
    3600,
    1.5,
    "-1",
    "1e3",
    "10.0.0.0/8",
    "10.1.2.3",
    "2001:db8::/32",
    "999.1.1.1/40",
    "2020-01-01T00:00:00Z",
    "2030-01-01",
    "2020-01-01T09:30:00+05:30",
    "1700000000",
    HOME,
    OTHER,
    HOME_ORG,
    ENDPOINT,
    ROLE,
    "arn:aws:iam::*:role/*",
    "arn:aws:s3:::*",
    "*",
    "?",
    "web",
    "app",
    "blue",
    "s3.us-east-1.amazonaws.com",
    "${aws:username}",
    "${aws:PrincipalTag/team}",
    "${aws:PrincipalTag/team, 'blue'}",
    "${aws:TagKeys}",
    "${*}",
    "${",
    "QUJD",
    "",
    None,
    # Edge cases of the parsers of each family.
    "9999-12-31T23:59:59-23:59",
    "0001-01-01T00:00:00+23:59",
    "2020-02-30",
    "1e999999",
    "NaN",
    "::/0",
    "fe80::1%eth0",
    "arn:aws:iam::*:*",
)

# Where statements live: (slot, whether its statements name principals).
SLOTS: tuple[tuple[str, bool], ...] = (
    ("identity0", False),
    ("identity1", False),
    ("boundary", False),
    ("session", False),
    ("user", False),
    ("worker", False),
    ("scp_root", False),
    ("scp_account", False),
    ("rcp", True),
    ("key", True),
    ("other_key", True),
    ("bucket", True),
    ("trust", True),
    ("endpoint", True),
)
# Slots that may be absent altogether (absence is not the same as an empty policy).
OPTIONAL = frozenset({"boundary", "session", "worker", "scp_root", "scp_account", "other_key", "endpoint"})
# The document kind of each slot, as a snapshot file gives it (`snapshot._MODEL_KINDS`).
SLOT_KINDS = {
    "identity0": "identity-policy",
    "identity1": "identity-policy",
    "boundary": "identity-policy",
    "session": "identity-policy",
    "user": "identity-policy",
    "worker": "identity-policy",
    "scp_root": "scp",
    "scp_account": "scp",
    "rcp": "rcp",
    "key": "key-policy",
    "other_key": "key-policy",
    "bucket": "resource-policy",
    "trust": "trust-policy",
    "endpoint": "resource-policy",
}

# A statement each policy often has in real accounts (full access in SCPs, the default key
# policy, ...): a spec starts a present policy with it half the time, so that many requests get
# as far as being allowed and the properties have allowed decisions to work on.
TYPICAL: dict[str, dict[str, Any]] = {
    "identity0": {"Effect": "Allow", "Action": ["kms:*", "s3:*", "sts:AssumeRole"], "Resource": "*"},
    "identity1": {"Effect": "Allow", "Action": "kms:Decrypt", "Resource": KEY},
    "boundary": {"Effect": "Allow", "Action": "*", "Resource": "*"},
    "session": {"Effect": "Allow", "Action": "*", "Resource": "*"},
    "user": {"Effect": "Allow", "Action": "kms:*", "Resource": "*"},
    "worker": {"Effect": "Allow", "Action": ["kms:*", "s3:GetObject"], "Resource": "*"},
    "scp_root": {"Effect": "Allow", "Action": "*", "Resource": "*"},
    "scp_account": {"Effect": "Allow", "Action": "*", "Resource": "*"},
    "rcp": {"Effect": "Allow", "Principal": "*", "Action": "*", "Resource": "*"},
    "key": {"Effect": "Allow", "Principal": {"AWS": HOME_ROOT}, "Action": "kms:*", "Resource": "*"},
    "other_key": {"Effect": "Allow", "Principal": {"AWS": HOME}, "Action": ["kms:Encrypt", "kms:Decrypt", "kms:DescribeKey"], "Resource": "*"},
    "bucket": {"Effect": "Allow", "Principal": {"AWS": [ROLE, USER]}, "Action": "s3:GetObject", "Resource": f"{BUCKET}/*"},
    "trust": {"Effect": "Allow", "Principal": {"AWS": HOME_ROOT}, "Action": "sts:AssumeRole"},
    "endpoint": {"Effect": "Allow", "Principal": "*", "Action": "*", "Resource": "*"},
}

# -- grants ----------------------------------------------------------------------------------

GRANTEES = (ROLE, USER, PATH_ROLE, SESSION, HOME_ROOT, "logs.amazonaws.com")
GRANT_OPERATIONS = ("Decrypt", "Encrypt", "GenerateDataKey", "DescribeKey", "CreateGrant", "RetireGrant", "ReEncryptFrom")
GRANT_CONSTRAINTS: tuple[Any, ...] = (
    None,
    None,
    {"encryption_context_equals": {"app": "web"}},
    {"encryption_context_subset": {"app": "web"}},
    {"encryption_context_equals": {}},
    {"encryption_context_subset": {"app": "web", "team": "blue"}},
    {"encryption_context_equals": {"app": "web"}, "encryption_context_subset": {"app": "web"}},
)

# -- queries ---------------------------------------------------------------------------------

# What the property tests ask: each caller with each (action, resource), the contexts in turn.
_CALLERS = (ROLE, SESSION, USER, HOME_ROOT, "anonymous", "logs.amazonaws.com", PATH_SESSION, LINKED_ROLE)
_CONTEXTS: tuple[dict[str, Any], ...] = (
    {},
    {"aws:SourceVpce": ENDPOINT, "aws:SecureTransport": "true"},
    {"kms:EncryptionContext:app": "web", "aws:SourceIp": "10.1.2.3", "aws:TagKeys": ("team", "env")},
)
_TARGETS = (
    ("kms:Decrypt", KEY),
    ("s3:GetObject", OBJECT),
    ("sts:AssumeRole", ROLE),
    ("kms:Encrypt", OTHER_KEY),
    ("kms:DescribeKey", KEY),
)
QUERIES: tuple[tuple[str, str, str, dict[str, Any]], ...] = tuple(
    (principal, action, resource, _CONTEXTS[(i + j) % len(_CONTEXTS)])
    for i, principal in enumerate(_CALLERS)
    for j, (action, resource) in enumerate(_TARGETS)
)

# Wider pools for the fuzzer's queries.
QUERY_PRINCIPALS = (
    ROLE,
    SESSION,
    USER,
    PATH_ROLE,
    PATH_SESSION,
    LINKED_ROLE,
    FEDERATED,
    HOME_ROOT,
    OTHER_ROOT,
    "anonymous",
    "logs.amazonaws.com",
    "kms.amazonaws.com",
    f"arn:aws:iam::{HOME}:user/ghost",
    f"arn:aws:iam::{OTHER}:role/Remote",
    f"arn:aws:sts::{OTHER}:assumed-role/Remote/x",
    f"arn:aws-cn:iam::{HOME}:role/App",
)
QUERY_ACTIONS = (
    "kms:Decrypt",
    "kms:Encrypt",
    "kms:GenerateDataKey",
    "kms:ReEncryptFrom",
    "kms:CreateGrant",
    "kms:DescribeKey",
    "kms:PutKeyPolicy",
    "kms:ScheduleKeyDeletion",
    "kms:RetireGrant",
    "KMS:decrypt",
    "s3:GetObject",
    "s3:PutObject",
    "sts:AssumeRole",
    "STS:assumerole",
    "iam:PassRole",
    "dynamodb:GetItem",
)
QUERY_RESOURCES = (
    KEY,
    OTHER_KEY,
    f"arn:aws:kms:eu-west-1:{OTHER}:key/unknown",
    f"arn:aws:kms:us-east-1:{HOME}:alias/app",
    "arn:aws:kms:us-east-1::key/k1",
    BUCKET,
    OBJECT,
    "arn:aws:s3:::bucket/bob/x",
    "arn:aws:s3:::other-bucket/x",
    ROLE,
    PATH_ROLE,
    f"arn:aws:dynamodb:us-east-1:{OTHER}:table/T",
    "*",
)
CONTEXT_VALUES: dict[str, tuple[Any, ...]] = {
    "aws:SourceVpce": (ENDPOINT, "vpce-2", (ENDPOINT, "vpce-2")),
    "aws:SecureTransport": ("true", "false", "TRUE", "1"),
    "aws:SourceIp": ("10.1.2.3", "192.0.2.7", "2001:db8::1", "::ffff:10.0.0.1", "not-an-ip"),
    "aws:CurrentTime": ("2024-01-01T00:00:00Z", "2031-06-01", "1700000000", "yesterday", "9999-12-31T23:59:59-23:59", "99999999999999999999"),
    "aws:EpochTime": ("1700000000", "0"),
    "aws:MultiFactorAuthAge": ("30", "7200", "-1", "1e3", "x", "1e999999", "NaN"),
    "aws:MultiFactorAuthPresent": ("true", "false"),
    "kms:EncryptionContext:app": ("web", "db", ("web", "db")),
    "kms:EncryptionContext:team": ("blue",),
    "kms:EncryptionContextKeys": (("app",), ("app", "team"), ()),
    "aws:TagKeys": (("team", "env"), (), ("secret",)),
    "kms:ViaService": ("s3.us-east-1.amazonaws.com", "ec2.us-east-1.amazonaws.com"),
    "aws:PrincipalTag/team": ("blue", "red"),
    "aws:username": ("bob", "App"),
    "aws:SourceArn": (BUCKET, "arn:aws:s3:::evil"),
    "aws:SourceAccount": (HOME, OTHER),
    "aws:PrincipalOrgID": (HOME_ORG, "o-evil"),
    "AWS:principalarn": (ROLE, "*"),
    "aws:RequestedRegion": ("us-east-1", "eu-west-1"),
    "kms:GrantIsForAWSResource": ("true",),
    "s3:prefix": ("", "home/", "${aws:username}"),
}

Query = tuple[str, str, str, dict[str, Any]]


# Made-up conditions: any operator (with set operators and `IfExists`), key and values.
OPERATOR_NAMES: tuple[str, ...] = (
    *(f"{qualifier}{base}{suffix}" for qualifier in ("", "ForAnyValue:", "ForAllValues:") for base in BASE_OPERATORS for suffix in ("", "IfExists")),
    *ODD_OPERATORS,
)
VALUE_OPTIONS: tuple[Any, ...] = (
    *CONDITION_VALUES,
    [],
    ["10.0.0.0/8", "not-an-ip"],
    [True, "false"],
    ["${aws:username}", "*"],
    [HOME, OTHER],
    ["2020-01-01", 1700000000, "junk"],
    [{"nested": 1}],
)


def _made_up_condition() -> st.SearchStrategy[dict[str, Any]]:
    return st.builds(
        lambda operator, key, values: {operator: {key: values}},
        st.sampled_from(OPERATOR_NAMES),
        st.sampled_from(CONDITION_KEYS),
        st.sampled_from(VALUE_OPTIONS),
    )


def conditions() -> st.SearchStrategy[Any]:
    """A `Condition` element, or None (half the time): plausible ones, some made of parts."""
    return st.one_of(st.none(), st.none(), st.sampled_from(CONDITIONS), _made_up_condition())


def _build_statement(
    sid: str | None, effect: str, action: tuple[str, Any], resource: tuple[str | None, Any], principal: tuple[str, Any] | None, condition: Any
) -> dict[str, Any]:
    statement: dict[str, Any] = {} if sid is None else {"Sid": sid}
    statement["Effect"] = effect
    for name, value in (action, resource, principal or (None, None)):
        if name is not None:
            statement[name] = copy.deepcopy(value)
    if condition is not None:
        statement["Condition"] = copy.deepcopy(condition)
    return statement


def _statement(with_principal: bool) -> st.SearchStrategy[dict[str, Any]]:
    """One statement of a policy that names principals (`with_principal`) or not."""
    return st.builds(
        _build_statement,
        st.sampled_from(SIDS),
        st.sampled_from(EFFECTS),
        st.sampled_from(ACTION_ELEMENTS),
        st.sampled_from(RESOURCE_ELEMENTS),
        st.sampled_from(PRINCIPAL_ELEMENTS) if with_principal else st.none(),
        conditions(),
    )


@st.composite
def grants(draw: st.DrawFn) -> dict[str, Any]:
    """One KMS grant as a snapshot file writes it."""
    grant: dict[str, Any] = {
        "grantee": draw(st.sampled_from(GRANTEES)),
        "operations": draw(st.lists(st.sampled_from(GRANT_OPERATIONS), min_size=1, max_size=3, unique=True)),
    }
    if draw(st.booleans()):
        grant["name"] = draw(st.sampled_from(("g1", "app-grant")))
    constraints = draw(st.sampled_from(GRANT_CONSTRAINTS))
    if constraints is not None:
        grant["constraints"] = constraints
    return grant


@st.composite
def specs(draw: st.DrawFn) -> dict[str, Any]:
    """A snapshot spec (see the module docstring)."""
    spec: dict[str, Any] = {}
    for slot, with_principal in SLOTS:
        if slot in OPTIONAL and draw(st.booleans()):
            spec[slot] = None
            continue
        typical = [copy.deepcopy(TYPICAL[slot])] if draw(st.booleans()) else []
        spec[slot] = typical + draw(st.lists(_statement(with_principal), max_size=3))
    spec["grants"] = draw(st.lists(grants(), max_size=2))
    spec["role_tags"] = [
        list(pair)
        for pair in draw(st.lists(st.sampled_from((("team", "blue"), ("team", "red"), ("env", "prod"))), max_size=2, unique_by=lambda p: p[0]))
    ]
    spec["old_version"] = draw(st.lists(st.sampled_from([slot for slot, _ in SLOTS]), max_size=1))
    return spec


# -- from a spec to a snapshot -----------------------------------------------------------------


def _policy(spec: dict[str, Any], slot: str) -> dict[str, Any] | None:
    statements = spec[slot]
    if statements is None:
        return None
    version = "2008-10-17" if slot in spec.get("old_version", ()) else "2012-10-17"
    return {"Version": version, "Statement": statements}


def snapshot_data(spec: dict[str, Any], order: tuple[int, ...] = (0, 1)) -> dict[str, Any]:
    """The snapshot file (policies inline) that `spec` describes; `order` orders the two
    identity policies of `ROLE`."""

    def policy(slot: str) -> dict[str, Any] | None:
        return _policy(spec, slot)

    identity = [policy("identity0"), policy("identity1")]
    scps = [[document] for document in (policy("scp_root"), policy("scp_account")) if document is not None]
    rcp = policy("rcp")
    return {
        "accounts": {
            HOME: {"organization": HOME_ORG, "scps": scps, "rcps": [[rcp]] if rcp is not None else []},
            OTHER: {"organization": OTHER_ORG},
        },
        "keys": {
            KEY: {"policy": policy("key"), "grants": copy.deepcopy(spec.get("grants", []))},
            OTHER_KEY: {"policy": policy("other_key")},
        },
        "resources": {BUCKET: {"account": HOME, "policy": policy("bucket")}},
        "principals": {
            ROLE: {
                "policies": [d for d in (identity[i] for i in order) if d is not None],
                "permissions_boundary": policy("boundary"),
                "session_policy": policy("session"),
                "trust_policy": policy("trust"),
                "tags": {tag: value for tag, value in spec.get("role_tags", [])},
            },
            USER: {"policies": [d for d in (policy("user"),) if d is not None]},
            PATH_ROLE: {"policies": [d for d in (policy("worker"),) if d is not None]},
            LINKED_ROLE: {"policies": [d for d in (identity[0],) if d is not None]},
        },
        "vpc_endpoints": {ENDPOINT: {"policy": policy("endpoint")}},
    }


def _document(name: str, value: dict[str, Any] | None, kind: str) -> PolicyDocument | None:
    if value is None:
        return None
    return build_document(SourceDocument(path=f"{name}.json", value=value, locator=None), kind=kind)  # type: ignore[arg-type]


def _grant(index: int, raw: dict[str, Any]) -> Grant:
    constraints = raw.get("constraints") or {}
    return Grant(
        index=index,
        name=raw.get("name"),
        grantee=raw["grantee"],
        operations=tuple(raw["operations"]),
        encryption_context_equals=constraints.get("encryption_context_equals"),
        encryption_context_subset=constraints.get("encryption_context_subset"),
        path="grants.json",
    )


def build_snapshot(spec: dict[str, Any], order: tuple[int, ...] = (0, 1)) -> Snapshot:
    """The snapshot `snapshot_data(spec, order)` describes, built in memory (no positions)."""

    def doc(slot: str) -> PolicyDocument | None:
        return _document(slot, _policy(spec, slot), SLOT_KINDS[slot])

    def docs(*found: PolicyDocument | None) -> tuple[PolicyDocument, ...]:
        return tuple(d for d in found if d is not None)

    identity = (doc("identity0"), doc("identity1"))
    rcp = doc("rcp")
    return Snapshot(
        path="generated",
        accounts={
            HOME: AccountEntry(
                account=HOME,
                organization=HOME_ORG,
                scps=tuple((d,) for d in docs(doc("scp_root"), doc("scp_account"))),
                rcps=((rcp,),) if rcp is not None else (),
            ),
            OTHER: AccountEntry(account=OTHER, organization=OTHER_ORG),
        },
        keys={
            KEY: KeyEntry(
                arn=KEY,
                account=HOME,
                policy=doc("key"),
                grants=tuple(_grant(i, raw) for i, raw in enumerate(spec.get("grants", []))),
            ),
            OTHER_KEY: KeyEntry(arn=OTHER_KEY, account=OTHER, policy=doc("other_key")),
        },
        resources={BUCKET: ResourceEntry(arn=BUCKET, account=HOME, policy=doc("bucket"))},
        principals={
            ROLE: PrincipalEntry(
                arn=ROLE,
                policies=docs(*(identity[i] for i in order)),
                permissions_boundary=doc("boundary"),
                session_policy=doc("session"),
                trust_policy=doc("trust"),
                tags={tag: value for tag, value in spec.get("role_tags", [])},
            ),
            USER: PrincipalEntry(arn=USER, policies=docs(doc("user"))),
            PATH_ROLE: PrincipalEntry(arn=PATH_ROLE, policies=docs(doc("worker"))),
            LINKED_ROLE: PrincipalEntry(arn=LINKED_ROLE, policies=docs(identity[0])),
        },
        vpc_endpoints={ENDPOINT: EndpointEntry(endpoint=ENDPOINT, policy=doc("endpoint"))},
    )


def decisions(snapshot: Snapshot, queries: tuple[Query, ...] | list[Query] = QUERIES) -> list[str]:
    """The decision value of each query."""
    return [decide(snapshot, *query).decision for query in queries]


def present_slots(spec: dict[str, Any]) -> list[str]:
    return [slot for slot, _ in SLOTS if spec[slot] is not None]


@st.composite
def addition(draw: st.DrawFn, spec: dict[str, Any], effect: str) -> tuple[str, dict[str, Any]]:
    """A statement with `effect` and a present slot of `spec` to add it to."""
    slot = draw(st.sampled_from(present_slots(spec)))
    statement = draw(_statement(dict(SLOTS)[slot]))
    statement["Effect"] = effect
    return slot, statement


def with_statement(spec: dict[str, Any], slot: str, statement: dict[str, Any]) -> dict[str, Any]:
    """A copy of `spec` with `statement` added at the end of `slot`."""
    changed = copy.deepcopy(spec)
    changed[slot] = [*changed[slot], statement]
    return changed


@st.composite
def additions(draw: st.DrawFn, effect: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """(spec, the same spec with one more statement of `effect` in one of its policies)."""
    spec = draw(specs())
    slot, statement = draw(addition(spec, effect))
    return spec, with_statement(spec, slot, statement)


def reordered(spec: dict[str, Any], rng: random_module.Random) -> dict[str, Any]:
    """`spec` with every order that must not matter shuffled: the statements of each policy,
    the members and listed values inside each statement (actions, resources, principals,
    condition operators, keys and values), the two SCP levels, the grants and their operations.
    Build it with `order=(1, 0)` to swap the identity policies of `ROLE` too."""
    shuffled = copy.deepcopy(spec)
    for slot, _ in SLOTS:
        if shuffled[slot] is not None:
            shuffled[slot] = _shuffled(shuffled[slot], rng)
    shuffled["grants"] = _shuffled(shuffled.get("grants", []), rng)
    if rng.random() < 0.5:
        shuffled["scp_root"], shuffled["scp_account"] = shuffled["scp_account"], shuffled["scp_root"]
        swap = {"scp_root": "scp_account", "scp_account": "scp_root"}
        shuffled["old_version"] = [swap.get(slot, slot) for slot in shuffled.get("old_version", [])]
    return shuffled


def _shuffled(value: Any, rng: random_module.Random) -> Any:
    """`value` with every list shuffled and the members of every object in another order."""
    if isinstance(value, list):
        items = [_shuffled(item, rng) for item in value]
        rng.shuffle(items)
        return items
    if isinstance(value, dict):
        pairs = [(name, _shuffled(item, rng)) for name, item in value.items()]
        rng.shuffle(pairs)
        return dict(pairs)
    return value


# -- queries for the fuzzer ------------------------------------------------------------------


@st.composite
def contexts(draw: st.DrawFn) -> dict[str, Any]:
    """Context keys for a query (a tuple value is a multivalued key); names differ in more than case."""
    names = draw(st.lists(st.sampled_from(tuple(CONTEXT_VALUES)), max_size=4, unique_by=str.lower))
    return {name: draw(st.sampled_from(CONTEXT_VALUES[name])) for name in names}


@st.composite
def single_queries(draw: st.DrawFn) -> Query:
    principal = draw(st.sampled_from(QUERY_PRINCIPALS))
    action = draw(st.sampled_from(QUERY_ACTIONS))
    resource = draw(st.sampled_from(QUERY_RESOURCES))
    return principal, action, resource, draw(contexts())


def queries(min_size: int = 3, max_size: int = 8) -> st.SearchStrategy[list[Query]]:
    """A list of queries: some from `QUERIES`, most from the wider pools."""
    return st.lists(st.one_of(single_queries(), single_queries(), st.sampled_from(QUERIES)), min_size=min_size, max_size=max_size)


_BARE_ATOM = re.compile(r'[^\s"]+')
_BARE_KEY = re.compile(r"[A-Za-z0-9._:/@+-]+")
_BARE_WORD = re.compile(r"[A-Za-z0-9._:/@*?+=-]+")
# Words the lexer takes as keywords when they stand alone, so never written bare.
_KEYWORDS = frozenset({"can", "who", "is", "do", "on", "with", "public", "allowed", "denied", "explicitly-denied", "implicitly-denied"})


def _written(text: str, bare: re.Pattern[str], quote: bool) -> str:
    if not quote and bare.fullmatch(text) and text.lower() not in _KEYWORDS:
        return text
    return json.dumps(text)


def query_text(query: Query, rng: random_module.Random | None = None) -> str:
    """`query` in the query language. With `rng`, parts that may be bare are quoted or not at
    random, keywords change case, and an account root principal may be its bare account id."""
    principal, action, resource, context = query

    def quote() -> bool:
        return rng is not None and rng.random() < 0.3

    def keyword(word: str) -> str:
        return word.upper() if rng is not None and rng.random() < 0.1 else word

    shown = principal
    match = re.fullmatch(r"arn:aws:iam::([0-9]{12}):root", principal)
    if match is not None and rng is not None and rng.random() < 0.5:
        shown = match.group(1)
    parts = [keyword("can"), _written(shown, _BARE_ATOM, quote()), keyword("do"), action, keyword("on"), _written(resource, _BARE_ATOM, quote())]
    entries = []
    for name, value in context.items():
        if isinstance(value, str):
            written = _written(value, _BARE_WORD, quote())
        else:
            written = "[" + ", ".join(_written(item, _BARE_WORD, quote()) for item in value) + "]"
        entries.append(f"{_written(name, _BARE_KEY, quote())} = {written}")
    if entries:
        parts += [keyword("with"), ", ".join(entries)]
    return " ".join(parts)


# Pieces that mutations insert: keywords, punctuation, escapes, and text that tends to break things.
QUERY_PIECES = (
    "can",
    "who can",
    "is",
    "public",
    "do",
    "on",
    "with",
    "=>",
    "=> allowed",
    "=",
    ",",
    "[",
    "]",
    "[]",
    '"',
    '""',
    "\\",
    '"\\u12"',
    '"\\ud800"',
    '"\\x"',
    "\ud800",
    "\x00",
    "\n",
    "\r\n",
    "\t",
    " ",
    "*",
    "?",
    "kms:*",
    "kms:Decrypt",
    "aws:SourceVpce",
    "AWS:SOURCEVPCE = vpce-2",
    HOME,
    "anonymous",
    "arn:aws:iam::111122223333:group/Admins",
    "arn:aws:iam::1:root",
    "arn:",
    "${aws:username}",
    "\u202e",
    "\U0001f600",
    "#",
    "a" * 300,
)


@st.composite
def query_texts(draw: st.DrawFn, query: Query) -> str:
    """Text for the query parser: `query` written out with up to three mutations (inserted
    pieces, deletions, swapped words, ...), or made-up text (random unicode, a mix of pieces,
    `who can` and `is ... public` forms)."""
    rng = random_module.Random(draw(st.integers(0, 2**32 - 1)))
    choice = draw(st.integers(0, 9))
    if choice == 0:
        return draw(st.text(min_size=1, max_size=60))
    if choice == 1:
        return " ".join(draw(st.lists(st.sampled_from(QUERY_PIECES), min_size=1, max_size=12)))
    if choice == 2:
        _, action, resource, _ = query
        form = draw(st.sampled_from(("who can {a} on {r}", "who can kms:* on {r}", "is {r} public", "who can {a} on {r} with aws:SourceVpce = vpce-1")))
        return form.format(a=action, r=_written(resource, _BARE_ATOM, rng.random() < 0.3))
    text = query_text(query, rng)
    for _ in range(draw(st.integers(0, 1) if choice < 6 else st.integers(1, 3))):
        how = draw(st.sampled_from(("insert", "insert", "delete", "replace", "swap", "truncate", "case")))
        at = draw(st.integers(0, len(text)))
        if how == "insert":
            piece = draw(st.one_of(st.sampled_from(QUERY_PIECES), st.text(max_size=3)))
            text = text[:at] + piece + text[at:]
        elif how == "delete":
            text = text[:at] + text[at + draw(st.integers(1, 12)) :]
        elif how == "replace" and at < len(text):
            text = text[:at] + draw(st.characters()) + text[at + 1 :]
        elif how == "swap":
            words = text.split(" ")
            i, j = draw(st.integers(0, len(words) - 1)), draw(st.integers(0, len(words) - 1))
            words[i], words[j] = words[j], words[i]
            text = " ".join(words)
        elif how == "truncate":
            text = text[:at]
        elif how == "case":
            text = text.swapcase()
    return text


class EvaluatorInput(NamedTuple):
    """One fuzzing input: a snapshot spec, queries, and what the property checks change."""

    spec: dict[str, Any]
    queries: list[Query]
    deny: tuple[str, dict[str, Any]]  # (slot, statement) to add
    allow: tuple[str, dict[str, Any]]
    grant: dict[str, Any]  # a grant to add to `KEY`
    shuffle_seed: int  # for `reordered`
    texts: list[str]  # for the query parser

    def as_json(self) -> dict[str, Any]:
        """The input as JSON data (multivalued context values as lists)."""
        return {
            "spec": self.spec,
            "queries": [[p, a, r, {k: v if isinstance(v, str) else list(v) for k, v in c.items()}] for p, a, r, c in self.queries],
            "deny": list(self.deny),
            "allow": list(self.allow),
            "grant": self.grant,
            "shuffle_seed": self.shuffle_seed,
            "texts": self.texts,
        }


@st.composite
def evaluator_inputs(draw: st.DrawFn) -> EvaluatorInput:
    spec = draw(specs())
    chosen = draw(queries())
    texts = [draw(query_texts(draw(st.sampled_from(chosen)))) for _ in range(draw(st.integers(1, 3)))]
    return EvaluatorInput(
        spec=spec,
        queries=chosen,
        deny=draw(addition(spec, "Deny")),
        allow=draw(addition(spec, "Allow")),
        grant=draw(grants()),
        shuffle_seed=draw(st.integers(0, 2**32 - 1)),
        texts=texts,
    )
