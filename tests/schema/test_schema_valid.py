"""The shipped policy schema is a valid draft 2020-12 schema, for every document kind.

Runs do not check it (policylint.schema.validate builds validators without `check_schema`).
"""

from __future__ import annotations

import pytest
from jsonschema import Draft202012Validator
from jsonschema.exceptions import SchemaError

from policylint.kinds import KINDS
from policylint.schema.validate import policy_schema


@pytest.mark.parametrize("kind", KINDS)
def test_schema_for_each_kind_is_valid(kind: str) -> None:
    schema = dict(policy_schema())
    schema["$ref"] = f"#/$defs/{kind}"
    Draft202012Validator.check_schema(schema)


def test_a_broken_schema_would_be_caught() -> None:
    schema = dict(policy_schema())
    schema["$ref"] = 5
    with pytest.raises(SchemaError):
        Draft202012Validator.check_schema(schema)
