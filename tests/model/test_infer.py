"""Kind and account inference, and the typed model's normalised views."""

from __future__ import annotations

import json

import pytest

from policylint.model.build import build_document
from policylint.source.loader import load_text


def _document(policy: dict, **kwargs):
    result = load_text("p.json", json.dumps(policy))
    return build_document(result.documents[0], **kwargs)


def _statement(**fields):
    return {"Effect": "Allow", "Resource": "*", **fields}


KIND_CASES = [
    ("no principal", [_statement(Action="s3:GetObject")], "identity-policy"),
    ("kms only with principal", [_statement(Principal={"AWS": "arn:aws:iam::111122223333:root"}, Action="kms:*")], "key-policy"),
    ("assume role", [_statement(Principal={"Service": "ec2.amazonaws.com"}, Action="sts:AssumeRole")], "trust-policy"),
    ("bucket policy", [_statement(Principal="*", Action="s3:GetObject")], "resource-policy"),
    ("mixed services", [_statement(Principal="*", Action=["kms:Decrypt", "s3:GetObject"])], "resource-policy"),
]


@pytest.mark.parametrize(("name", "statements", "expected"), KIND_CASES, ids=[c[0] for c in KIND_CASES])
def test_kind_is_inferred(name, statements, expected):
    document = _document({"Version": "2012-10-17", "Statement": statements})
    assert (document.kind, document.kind_inferred) == (expected, True)


def test_kind_flag_wins_over_inference():
    document = _document({"Statement": [_statement(Action="s3:*")]}, kind="scp")
    assert (document.kind, document.kind_inferred) == ("scp", False)


ACCOUNT_CASES = [
    ("root arn", ["arn:aws:iam::111122223333:root"], "111122223333"),
    ("bare account id", ["444455556666"], "444455556666"),
    ("root wins over frequent role", ["arn:aws:iam::444455556666:role/A", "arn:aws:iam::444455556666:role/B", "arn:aws:iam::111122223333:root"], "111122223333"),
    ("most frequent role account", ["arn:aws:iam::444455556666:role/A", "arn:aws:iam::111122223333:role/B", "arn:aws:iam::111122223333:role/C"], "111122223333"),
    ("none", ["*"], None),
]


@pytest.mark.parametrize(("name", "principals", "expected"), ACCOUNT_CASES, ids=[c[0] for c in ACCOUNT_CASES])
def test_account_is_inferred(name, principals, expected):
    document = _document({"Statement": [_statement(Principal={"AWS": principals}, Action="kms:*")]})
    assert (document.account, document.account_inferred) == (expected, expected is not None)


def test_account_flag_is_not_inferred():
    document = _document({"Statement": [_statement(Principal={"AWS": "arn:aws:iam::111122223333:root"}, Action="kms:*")]}, account="999988887777")
    assert (document.account, document.account_inferred) == ("999988887777", False)


def test_model_normalises_elements():
    document = _document(
        {
            "Version": "2012-10-17",
            "Statement": {
                "Sid": "One",
                "Effect": "Allow",
                "Principal": {"AWS": "arn:aws:iam::111122223333:role/App", "Service": ["logs.amazonaws.com"]},
                "Action": ["KMS:Decrypt", "kms:GenerateDataKey*"],
                "Resource": "*",
                "Condition": {"ForAnyValue:StringLikeIfExists": {"kms:EncryptionContextKeys": ["a", 1, True]}},
            },
        }
    )
    assert document.single_statement is True
    (statement,) = document.statements
    assert [(a.pointer, a.lower, a.service, a.name, a.has_wildcard) for a in statement.action] == [
        ("/Statement/Action/0", "kms:decrypt", "kms", "decrypt", False),
        ("/Statement/Action/1", "kms:generatedatakey*", "kms", "generatedatakey*", True),
    ]
    assert [(p.type, p.value, p.pointer) for p in statement.principal] == [
        ("AWS", "arn:aws:iam::111122223333:role/App", "/Statement/Principal/AWS"),
        ("Service", "logs.amazonaws.com", "/Statement/Principal/Service/0"),
    ]
    (operator,) = statement.condition
    assert (operator.parts.qualifier, operator.parts.base, operator.parts.if_exists) == ("ForAnyValue", "StringLike", True)
    (key,) = operator.keys
    assert [(v.value, v.json_type, v.pointer) for v in key.values] == [
        ("a", "string", "/Statement/Condition/ForAnyValue:StringLikeIfExists/kms:EncryptionContextKeys/0"),
        ("1", "number", "/Statement/Condition/ForAnyValue:StringLikeIfExists/kms:EncryptionContextKeys/1"),
        ("true", "boolean", "/Statement/Condition/ForAnyValue:StringLikeIfExists/kms:EncryptionContextKeys/2"),
    ]
    assert statement.range.start.offset == document.text.index("{", 1)


def test_model_is_frozen():
    document = _document({"Statement": [_statement(Action="s3:*")]})
    with pytest.raises(Exception):
        document.kind = "scp"  # type: ignore[misc]
