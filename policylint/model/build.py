"""JSON value of a policy -> PolicyDocument. Lenient: what is malformed is left out of the model
(the schema check reports it), so that rules see everything that can be understood.

Every value is decided here from the parsed JSON, with the fields' types (strings, tuples of
nodes), so the nodes are made without validating them again (`policylint.trusted`): a large
policy has tens of thousands of nodes, and each file of a run is built once.
"""

from __future__ import annotations

from policylint.catalog.operators import parse_operator
from policylint.model.infer import infer_account, infer_kind
from policylint.model.policy import (
    Action,
    ConditionKey,
    ConditionOperator,
    ConditionValue,
    PolicyDocument,
    Principal,
    Statement,
    Text,
)
from policylint.trusted import maker
from policylint.source.document import SourceDocument
from policylint.source.positions import escape_pointer_token

PRINCIPAL_TYPES = ("AWS", "Service", "Federated", "CanonicalUser")

_text_node = maker(Text)
_action_node = maker(Action)
_principal_node = maker(Principal)
_value_node = maker(ConditionValue)
_key_node = maker(ConditionKey)
_operator_node = maker(ConditionOperator)
_statement_node = maker(Statement)
_document_node = maker(PolicyDocument)


def build_document(
    source: SourceDocument,
    *,
    kind: str | None = None,
    account: str | None = None,
) -> PolicyDocument:
    """Build the model of one document.

    The kind is the container's (e.g. a CloudFormation KMS key), else `kind`, else inferred.
    The account is `account`, else the container's, else inferred from the principals.
    """
    value = source.value
    loc = source.locator
    statements: tuple[Statement, ...] = ()
    single = False
    version = doc_id = None
    if isinstance(value, dict):
        version = _text(value.get("Version"), "/Version", loc)
        doc_id = _text(value.get("Id"), "/Id", loc)
        raw_statements = value.get("Statement")
        if isinstance(raw_statements, dict):
            single = True
            statements = (_statement(raw_statements, "/Statement", 0, loc),)
        elif isinstance(raw_statements, list):
            statements = tuple(
                [_statement(item, f"/Statement/{i}", i, loc) for i, item in enumerate(raw_statements) if isinstance(item, dict)]
            )
    chosen_kind = source.kind or kind
    kind_inferred = chosen_kind is None
    if chosen_kind is None:
        chosen_kind = infer_kind(statements)
    chosen_account = account or source.account
    account_inferred = False
    if chosen_account is None:
        chosen_account = infer_account(statements)
        account_inferred = chosen_account is not None
    return _document_node(
        {
            "pointer": "",
            "locator": loc,
            "path": source.path,
            "kind": chosen_kind,
            "kind_inferred": kind_inferred,
            "account": chosen_account,
            "account_inferred": account_inferred,
            "version": version,
            "id": doc_id,
            "statements": statements,
            "single_statement": single,
            "label": source.label,
            "context": tuple(source.context),
            "raw": value,
            "text": source.text,
        }
    )


def _text(value: object, pointer: str, loc: object) -> Text | None:
    if isinstance(value, str):
        return _text_node({"pointer": pointer, "locator": loc, "value": value})
    return None


def _strings(value: object, pointer: str) -> list[tuple[str, str]]:
    """(pointer, string) for a string or each string of a list."""
    if isinstance(value, str):
        return [(pointer, value)]
    if isinstance(value, list):
        return [(f"{pointer}/{i}", item) for i, item in enumerate(value) if isinstance(item, str)]
    return []


def _action(pointer: str, loc: object, text: str) -> Action:
    lower = text.lower()
    service, sep, name = lower.partition(":")
    if not sep:
        service, name = "", lower
    return _action_node({"pointer": pointer, "locator": loc, "value": text, "lower": lower, "service": service, "name": name})


def _actions(value: object, pointer: str, loc: object) -> tuple[Action, ...] | None:
    if value is None:
        return None
    if isinstance(value, str):
        return (_action(pointer, loc, value),)
    if isinstance(value, list):
        return tuple([_action(f"{pointer}/{i}", loc, item) for i, item in enumerate(value) if isinstance(item, str)])
    return ()


def _texts(value: object, pointer: str, loc: object) -> tuple[Text, ...] | None:
    if value is None:
        return None
    if isinstance(value, str):
        return (_text_node({"pointer": pointer, "locator": loc, "value": value}),)
    if isinstance(value, list):
        return tuple(
            [_text_node({"pointer": f"{pointer}/{i}", "locator": loc, "value": item}) for i, item in enumerate(value) if isinstance(item, str)]
        )
    return ()


def _principals(value: object, pointer: str, loc: object) -> tuple[Principal, ...] | None:
    if value is None:
        return None
    if value == "*":
        return (_principal_node({"pointer": pointer, "locator": loc, "type": "*", "value": "*"}),)
    result = []
    if isinstance(value, dict):
        for ptype in PRINCIPAL_TYPES:
            if ptype in value:
                for ptr, text in _strings(value[ptype], f"{pointer}/{ptype}"):
                    result.append(_principal_node({"pointer": ptr, "locator": loc, "type": ptype, "value": text}))
    return tuple(result)


def _condition_text(value: object) -> tuple[str, str]:
    if isinstance(value, bool):
        return ("true" if value else "false"), "boolean"
    if isinstance(value, str):
        return value, "string"
    if isinstance(value, (int, float)):
        return repr(value), "number"
    if value is None:
        return "null", "null"
    return "", "other"


def _conditions(value: object, pointer: str, loc: object) -> tuple[ConditionOperator, ...] | None:
    if not isinstance(value, dict):
        return None
    operators = []
    for op, block in value.items():
        op_ptr = f"{pointer}/{_token(op)}"
        keys = []
        if isinstance(block, dict):
            for key, raw in block.items():
                key_ptr = f"{op_ptr}/{_token(key)}"
                items = [(f"{key_ptr}/{i}", v) for i, v in enumerate(raw)] if isinstance(raw, list) else [(key_ptr, raw)]
                values = []
                for ptr, item in items:
                    if isinstance(item, str):
                        values.append(_value_node({"pointer": ptr, "locator": loc, "value": item, "json_type": "string"}))
                        continue
                    text, json_type = _condition_text(item)
                    values.append(_value_node({"pointer": ptr, "locator": loc, "value": text, "json_type": json_type}))
                keys.append(_key_node({"pointer": key_ptr, "locator": loc, "key": key, "lower": key.lower(), "values": tuple(values)}))
        operators.append(
            _operator_node({"pointer": op_ptr, "locator": loc, "operator": op, "parts": parse_operator(op), "keys": tuple(keys)})
        )
    return tuple(operators)


def _token(key: str) -> str:
    """`key` as a JSON pointer token (member names rarely need escaping)."""
    return escape_pointer_token(key) if "~" in key or "/" in key else key


def _statement(raw: dict, pointer: str, index: int, loc: object) -> Statement:
    return _statement_node(
        {
            "pointer": pointer,
            "locator": loc,
            "index": index,
            "sid": _text(raw.get("Sid"), pointer + "/Sid", loc),
            "effect": _text(raw.get("Effect"), pointer + "/Effect", loc),
            "principal": _principals(raw.get("Principal"), pointer + "/Principal", loc),
            "not_principal": _principals(raw.get("NotPrincipal"), pointer + "/NotPrincipal", loc),
            "action": _actions(raw.get("Action"), pointer + "/Action", loc),
            "not_action": _actions(raw.get("NotAction"), pointer + "/NotAction", loc),
            "resource": _texts(raw.get("Resource"), pointer + "/Resource", loc),
            "not_resource": _texts(raw.get("NotResource"), pointer + "/NotResource", loc),
            "condition": _conditions(raw.get("Condition"), pointer + "/Condition", loc),
            "members": {key: f"{pointer}/{_token(key)}" for key in raw},
        }
    )
