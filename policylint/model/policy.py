"""The typed policy model: frozen pydantic models, each element with its JSON pointer and range.

Raw values are kept as written; normalised views (lists, lower-cased action names, parsed
condition operators) sit beside them so that rules never re-parse strings. The range of an
element is computed on request from the document's locator (shared by all its elements).
Reference: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements.html
"""

from __future__ import annotations

from functools import cached_property
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from policylint.catalog.operators import OperatorParts
from policylint.kinds import KINDS  # noqa: F401  (re-exported)
from policylint.source.positions import Range

Kind = Literal["key-policy", "identity-policy", "resource-policy", "trust-policy", "scp", "rcp"]

PrincipalType = Literal["*", "AWS", "Service", "Federated", "CanonicalUser"]


class Node(BaseModel):
    """An element of a policy document: where it is (JSON pointer) and, on request, its range."""

    # Validators are built on first use only: the model builder makes nodes without validating
    # them (policylint.trusted), so a check run never needs them.
    model_config = ConfigDict(frozen=True, arbitrary_types_allowed=True, defer_build=True)

    pointer: str
    locator: Any = Field(default=None, exclude=True, repr=False)

    @property
    def range(self) -> Range | None:
        """Start and end in the user's file (None when the source has no positions for it)."""
        return self.locator.value_range(self.pointer) if self.locator is not None else None

    @property
    def key_range(self) -> Range | None:
        """Range of the member name that holds this element, for members of an object."""
        return self.locator.key_range(self.pointer) if self.locator is not None else None


class Text(Node):
    """A string element (Sid, Effect, Version, a resource, ...)."""

    value: str


class Action(Node):
    """One entry of Action / NotAction: `service:Name`, possibly with wildcards."""

    value: str
    lower: str
    service: str  # lower-case prefix, "" when there is no colon
    name: str  # lower-case part after the colon (or the whole value)

    @property
    def has_wildcard(self) -> bool:
        return "*" in self.value or "?" in self.value


class Principal(Node):
    """One principal value: `*` itself, or a value under AWS / Service / Federated / CanonicalUser."""

    type: PrincipalType
    value: str

    @property
    def is_wildcard(self) -> bool:
        """`"Principal": "*"` or `{"AWS": "*"}`: every principal."""
        return self.value == "*" and self.type in ("*", "AWS")


class ConditionValue(Node):
    """One value of a condition key, as text (JSON numbers and booleans as their JSON text)."""

    value: str
    json_type: Literal["string", "number", "boolean", "null", "other"] = "string"


class ConditionKey(Node):
    """A condition key under an operator, with its values (always a list)."""

    key: str
    lower: str
    values: tuple[ConditionValue, ...]


class ConditionOperator(Node):
    """A condition operator block, e.g. `ForAnyValue:StringLikeIfExists` and its keys."""

    operator: str
    parts: OperatorParts | None  # None for an unknown operator
    keys: tuple[ConditionKey, ...]


class Statement(Node):
    """One statement. Element fields are None when absent."""

    index: int
    sid: Text | None = None
    effect: Text | None = None
    principal: tuple[Principal, ...] | None = None
    not_principal: tuple[Principal, ...] | None = None
    action: tuple[Action, ...] | None = None
    not_action: tuple[Action, ...] | None = None
    resource: tuple[Text, ...] | None = None
    not_resource: tuple[Text, ...] | None = None
    condition: tuple[ConditionOperator, ...] | None = None
    # Pointers of the element members present, by element name (e.g. "Action" -> "/Statement/0/Action").
    members: dict[str, str] = Field(default_factory=dict)

    @property
    def is_allow(self) -> bool:
        return self.effect is not None and self.effect.value == "Allow"

    @property
    def is_deny(self) -> bool:
        return self.effect is not None and self.effect.value == "Deny"

    @property
    def label(self) -> str:
        """How messages name this statement: its Sid, or its index."""
        if self.sid is not None and self.sid.value:
            return f"statement `{self.sid.value}`"
        return f"statement {self.index}"

    @property
    def conditions(self) -> tuple[ConditionOperator, ...]:
        return self.condition or ()

    @cached_property
    def condition_pairs(self) -> tuple[tuple[ConditionOperator, ConditionKey], ...]:
        """Every (operator, key) pair of the statement's Condition, computed once per statement.

        Not a field: model_dump, equality and the JSON schema ignore it (pydantic skips
        cached_property); the value lives in the instance `__dict__` once read, so a
        `model_copy(update={"condition": ...})` would carry it over: build a new Statement instead.
        """
        if not self.condition:
            return ()
        return tuple([(op, key) for op in self.condition for key in op.keys])

    def condition_keys(self) -> tuple[tuple[ConditionOperator, ConditionKey], ...]:
        """Every (operator, key) pair of the statement's Condition (the cached `condition_pairs`)."""
        return self.condition_pairs if self.condition else ()


class PolicyDocument(Node):
    """A whole policy document, with what the tool decided about it."""

    path: str
    kind: Kind
    kind_inferred: bool
    account: str | None = None
    account_inferred: bool = False
    version: Text | None = None
    id: Text | None = None
    statements: tuple[Statement, ...] = ()
    # The statement element was a single object rather than a list.
    single_statement: bool = False
    label: str | None = None
    context: tuple[tuple[str, str], ...] = ()
    raw: Any = Field(default=None, exclude=True, repr=False)
    text: str | None = Field(default=None, exclude=True, repr=False)

    @property
    def version_value(self) -> str | None:
        return self.version.value if self.version is not None else None

    @property
    def variables_enabled(self) -> bool:
        """Policy variables are substituted only under Version 2012-10-17."""
        return self.version_value == "2012-10-17"
