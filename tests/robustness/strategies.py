"""Hypothesis strategies for policy files: valid-looking policies, mutated ones, and raw bytes.

`policy_files()` is the one to fuzz with: (file name, bytes). It mixes
- plausible policies (real and made-up actions, ARNs, principals, condition operators and keys),
- the same with a mutation at a random place (a random JSON value, a wrong type, a deleted or an
  unknown key, random unicode including lone surrogates and NUL),
- byte-level damage (truncation, inserted bytes, BOMs, duplicated keys) and plain random bytes,
- policies wrapped as `aws kms get-key-policy` output (a policy inside a JSON string).
"""

from __future__ import annotations

import json

from hypothesis import strategies as st

from policylint.settings import Settings

ACCOUNT = "111122223333"

# Run settings to check the inputs with: inferred kind, and each kind forced.
SETTINGS = (
    Settings(),
    Settings(kind="key-policy", account=ACCOUNT),
    Settings(kind="identity-policy"),
    Settings(kind="resource-policy", account=ACCOUNT, organization_id="o-a1b2c3d4e5"),
    Settings(kind="trust-policy"),
    Settings(kind="scp"),
)

ACTIONS = (
    "*",
    "kms:*",
    "kms:Decrypt",
    "kms:Encrypt",
    "kms:CreateGrant",
    "kms:PutKeyPolicy",
    "kms:Re*",
    "kms:ListKeys",
    "s3:GetObject",
    "s3:Get*",
    "s3:*Object*",
    "iam:PassRole",
    "sts:AssumeRole",
    "ec2:DescribeInstances",
    "dynamodb:GetItem",
    "s3:GetObjekt",
    "nosuchservice:DoThing",
    "S3:getobject",
    "kms:",
    ":",
    "*a*a*a*a*a*a*a*a*b",
)
RESOURCES = (
    "*",
    "arn:aws:s3:::bucket/*",
    "arn:aws:s3:::bucket",
    f"arn:aws:kms:us-east-1:{ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab",
    f"arn:aws:kms:us-east-1:{ACCOUNT}:alias/app",
    f"arn:aws:iam::{ACCOUNT}:role/App",
    f"arn:aws:dynamodb:us-east-1:{ACCOUNT}:table/Orders",
    "arn:aws:s3:::${aws:username}/*",
    "arn:aws:s3:::bucket/${aws:PrincipalTag/team}/*",
    "arn:aws:s3:::b/${",
    "arn:aws:*:*:*:*",
    "arn:",
    "arn:aws:kms:::",
    "not-an-arn",
)
PRINCIPALS = (
    "*",
    {"AWS": "*"},
    {"AWS": f"arn:aws:iam::{ACCOUNT}:root"},
    {"AWS": ACCOUNT},
    {"AWS": [f"arn:aws:iam::{ACCOUNT}:role/App", "arn:aws:iam::444455556666:root"]},
    {"AWS": "arn:aws:iam::444455556666:user/*"},
    {"Service": "logs.amazonaws.com"},
    {"Service": ["s3.amazonaws.com", "cloudtrail.amazonaws.com"]},
    {"Federated": "cognito-identity.amazonaws.com"},
    {"CanonicalUser": "79a59df900b949e55d96a1e698fbacedfd6e09d98eacf8f8d5218e7cd47ef2be"},
    {"AWS": "AIDAJQABLZS4A3QDU576Q"},
    {"AWS": "arn:aws:iam::1:root"},
)
OPERATORS = (
    "StringEquals",
    "StringNotEquals",
    "StringLike",
    "StringEqualsIgnoreCase",
    "ArnLike",
    "ArnEquals",
    "NumericLessThan",
    "NumericGreaterThanEquals",
    "DateGreaterThan",
    "Bool",
    "IpAddress",
    "NotIpAddress",
    "Null",
    "BinaryEquals",
    "ForAnyValue:StringLike",
    "ForAllValues:StringEquals",
    "StringEqualsIfExists",
    "ForAllValues:ArnLikeIfExists",
    "StringEquals2",
    "ForSomeValues:StringEquals",
    "IfExists",
    "",
)
CONDITION_KEYS = (
    "aws:PrincipalArn",
    "aws:PrincipalOrgID",
    "aws:SourceIp",
    "aws:SourceAccount",
    "aws:SourceArn",
    "aws:SecureTransport",
    "aws:CurrentTime",
    "aws:PrincipalTag/team",
    "aws:RequestTag/${aws:username}",
    "kms:ViaService",
    "kms:CallerAccount",
    "kms:GrantIsForAWSResource",
    "kms:EncryptionContext:app",
    "s3:prefix",
    "s3:max-keys",
    "aws:NoSuchKey",
    "nokey",
)
CONDITION_VALUES = (
    "true",
    "false",
    "10.0.0.0/8",
    "2001:db8::/32",
    "999.1.1.1/40",
    "2020-01-01T00:00:00Z",
    "o-a1b2c3d4e5",
    ACCOUNT,
    "*",
    "arn:aws:iam::*:role/*",
    "kms.us-east-1.amazonaws.com",
    "${aws:username}",
    "QUJD",
    "",
)

# Text that tends to break things: NUL, lone surrogates, bidi controls, long runs, non-BMP.
NASTY_TEXT = (
    "\x00",
    "\ud800",
    "\udfff",
    "\u202e",
    "\ufeff",
    "\U0001f600",
    "a" * 5000,
    "*" * 200,
    "${" * 50,
    "\n",
    "`",
    "\\",
    "~1/~0",
)


def _one_or_list(values: st.SearchStrategy) -> st.SearchStrategy:
    return st.one_of(values, st.lists(values, min_size=0, max_size=4))


json_scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**30), max_value=10**30),
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(max_size=20),
    st.sampled_from(NASTY_TEXT),
)

# Any JSON value (small), for putting at random places.
json_values = st.recursive(
    json_scalars,
    lambda children: st.one_of(st.lists(children, max_size=4), st.dictionaries(st.text(max_size=10), children, max_size=4)),
    max_leaves=12,
)

conditions = st.dictionaries(
    st.sampled_from(OPERATORS),
    st.dictionaries(st.sampled_from(CONDITION_KEYS), _one_or_list(st.sampled_from(CONDITION_VALUES)), min_size=1, max_size=3),
    min_size=1,
    max_size=3,
)


@st.composite
def statements(draw: st.DrawFn) -> dict:
    statement: dict = {}
    if draw(st.booleans()):
        statement["Sid"] = draw(st.one_of(st.from_regex(r"[A-Za-z0-9]{1,12}", fullmatch=True), st.text(max_size=8)))
    statement["Effect"] = draw(st.sampled_from(("Allow", "Allow", "Deny", "allow")))
    if draw(st.integers(0, 2)) > 0:
        statement["Principal" if draw(st.integers(0, 5)) else "NotPrincipal"] = draw(st.sampled_from(PRINCIPALS))
    statement["Action" if draw(st.integers(0, 5)) else "NotAction"] = draw(_one_or_list(st.sampled_from(ACTIONS)))
    statement["Resource" if draw(st.integers(0, 5)) else "NotResource"] = draw(_one_or_list(st.sampled_from(RESOURCES)))
    if draw(st.booleans()):
        statement["Condition"] = draw(conditions)
    return statement


@st.composite
def policies(draw: st.DrawFn) -> dict:
    """A plausible policy document (key, identity or resource policy; often with findings)."""
    policy: dict = {}
    version = draw(st.sampled_from(("2012-10-17", "2012-10-17", "2008-10-17", None)))
    if version is not None:
        policy["Version"] = version
    if draw(st.booleans()):
        policy["Id"] = draw(st.text(max_size=10))
    many = draw(st.lists(statements(), min_size=1, max_size=4))
    policy["Statement"] = many if len(many) > 1 or draw(st.booleans()) else many[0]
    return policy


def _places(value: object, path: tuple = ()) -> list[tuple]:
    """Paths (tuples of keys / indexes) of every element of a JSON value, the root included."""
    found = [path]
    if isinstance(value, dict):
        for key, child in value.items():
            found.extend(_places(child, path + (key,)))
    elif isinstance(value, list):
        for index, child in enumerate(value):
            found.extend(_places(child, path + (index,)))
    return found


def _replace(value: object, path: tuple, new: object) -> object:
    if not path:
        return new
    head, rest = path[0], path[1:]
    if isinstance(value, dict):
        return {**value, head: _replace(value[head], rest, new)}
    copy = list(value)  # type: ignore[call-overload]
    copy[head] = _replace(copy[head], rest, new)
    return copy


def _get(value: object, path: tuple) -> object:
    for step in path:
        value = value[step]  # type: ignore[index]
    return value


@st.composite
def mutated_policies(draw: st.DrawFn) -> object:
    """A policy with one to three mutations at random places."""
    value: object = draw(policies())
    for _ in range(draw(st.integers(1, 3))):
        how = draw(st.sampled_from(("value", "wrap", "unwrap", "stringify", "drop", "unknown-key", "nasty", "nasty", "number")))
        places = _places(value)
        if how == "nasty":  # damage text where there is text: the strings of the policy
            places = [p for p in places if isinstance(_get(value, p), str)] or places
        path = draw(st.sampled_from(places))
        current = _get(value, path)
        if how == "value":
            new = draw(json_values)
        elif how == "wrap":
            new = [current]
        elif how == "unwrap":
            new = current[0] if isinstance(current, list) and current else current
        elif how == "stringify":
            new = json.dumps(current)
        elif how == "drop" and path:
            parent = _get(value, path[:-1])
            if isinstance(parent, dict):
                new_parent = {k: v for k, v in parent.items() if k != path[-1]}
            else:
                new_parent = [v for i, v in enumerate(parent) if i != path[-1]]  # type: ignore[arg-type]
            value = _replace(value, path[:-1], new_parent)
            continue
        elif how == "unknown-key" and isinstance(current, dict):
            new = {**current, draw(st.one_of(st.text(max_size=12), st.sampled_from(NASTY_TEXT))): draw(json_values)}
        elif how == "nasty":
            text = current if isinstance(current, str) else ""
            at = draw(st.integers(0, len(text)))
            new = text[:at] + draw(st.sampled_from(NASTY_TEXT)) + text[at:]
        elif how == "number":
            new = draw(st.sampled_from((0, -1, 10**400, 1e308, 5e-324, 2**63, -(2**63))))
        else:
            new = draw(json_values)
        value = _replace(value, path, new)
    return value


def _dump(value: object, ascii_only: bool, indent: int | None) -> bytes:
    # Lone surrogates cannot be encoded as UTF-8: written as `\ud800` escapes when ascii_only, or
    # as raw (invalid) UTF-8 bytes otherwise.
    return json.dumps(value, ensure_ascii=ascii_only, indent=indent).encode("utf-8", "surrogatepass")


@st.composite
def damaged_bytes(draw: st.DrawFn, data: bytes) -> bytes:
    how = draw(st.sampled_from(("truncate", "insert", "flip", "bom", "utf16", "duplicate-key", "nul", "none")))
    if how == "truncate" and data:
        return data[: draw(st.integers(0, len(data) - 1))]
    if how == "insert":
        at = draw(st.integers(0, len(data)))
        return data[:at] + draw(st.binary(min_size=1, max_size=8)) + data[at:]
    if how == "flip" and data:
        at = draw(st.integers(0, len(data) - 1))
        return data[:at] + bytes([data[at] ^ draw(st.integers(1, 255))]) + data[at + 1 :]
    if how == "bom":
        return b"\xef\xbb\xbf" + data
    if how == "utf16":
        return data.decode("utf-8", "surrogatepass").encode("utf-16", "surrogatepass")
    if how == "duplicate-key" and data.startswith(b"{") and len(data) > 2:
        return b'{"Statement": [], "Version": "2012-10-17", ' + data[1:]
    if how == "nul":
        at = draw(st.integers(0, len(data)))
        return data[:at] + b"\x00" + data[at:]
    return data


@st.composite
def policy_files(draw: st.DrawFn) -> tuple[str, bytes]:
    """(file name, bytes) of a policy file worth checking."""
    kind = draw(st.sampled_from(("valid", "mutated", "mutated", "damaged", "wrapped", "random")))
    if kind == "random":
        return "random.json", draw(st.one_of(st.binary(max_size=200), st.text(max_size=200).map(lambda t: t.encode("utf-8", "surrogatepass"))))
    value = draw(policies()) if kind in ("valid", "damaged") else draw(mutated_policies())
    data = _dump(value, draw(st.booleans()), draw(st.sampled_from((None, 2))))
    if kind == "wrapped":
        inner = data.decode("utf-8", "surrogatepass")
        return "key-policy.json", _dump({"Policy": inner, "PolicyName": "default"}, draw(st.booleans()), 2)
    if kind == "damaged":
        data = draw(damaged_bytes(data))
    return f"{kind}.json", data
