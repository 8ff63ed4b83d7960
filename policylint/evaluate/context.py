"""The request context: who asks, for what action, on which resource, and the context keys.

Context key names are case-insensitive in IAM (`aws:CurrentTime` is `AWS:currenttime`), and so
is the tag-key part of tag keys such as `aws:PrincipalTag/Team`, so every lookup here folds
case on the whole key name. Values keep their case.
Reference: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_variables.html
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, field_validator

ANONYMOUS = "anonymous"


class RequestContext(BaseModel):
    """One request to evaluate.

    `principal` is an ARN, `anonymous`, or a service principal name (`lambda.amazonaws.com`);
    `keys` maps context key names to one value or a tuple of values (multivalued keys such as
    `aws:TagKeys`). An empty tuple is a key present with no values, which conditions treat as
    missing.
    """

    model_config = ConfigDict(frozen=True)

    principal: str
    action: str
    resource: str
    keys: Mapping[str, tuple[str, ...] | str] = Field(default_factory=dict)

    # Set in model_post_init (no default_factory: pydantic inspects a factory's signature on
    # every instantiation, and a context is made per query).
    _index: dict[str, tuple[str, ...]] = PrivateAttr()

    @field_validator("keys", mode="before")
    @classmethod
    def _normalise_keys(cls, value: Any) -> Any:
        if not isinstance(value, Mapping):
            return value
        normalised: dict[str, Any] = {}
        folded: set[str] = set()
        for name, values in value.items():
            if isinstance(name, str):
                if name.lower() in folded:
                    raise ValueError(f"context key `{name}` is given twice with different case")
                folded.add(name.lower())
            normalised[name] = (values,) if isinstance(values, str) else tuple(values)
        return normalised

    def model_post_init(self, __context: Any) -> None:
        # Values are tuples after validation; the `str` in the type is for callers.
        self._index = {
            name.lower(): values if isinstance(values, tuple) else (values,) for name, values in self.keys.items()
        }

    def get(self, key: str) -> tuple[str, ...] | None:
        """The values of context key `key` (case-insensitive), or None when it is absent."""
        return self._index.get(key.lower())

    def present(self, key: str) -> bool:
        """Whether context key `key` is in the request (case-insensitive)."""
        return key.lower() in self._index

    @property
    def is_anonymous(self) -> bool:
        return self.principal == ANONYMOUS


def lookup(context: RequestContext | Mapping[str, Any], key: str) -> tuple[str, ...] | None:
    """`context.get(key)` for a `RequestContext` or a plain mapping of key names to values."""
    if isinstance(context, RequestContext):
        return context.get(key)
    folded = key.lower()
    for name, values in context.items():
        if isinstance(name, str) and name.lower() == folded:
            return (values,) if isinstance(values, str) else tuple(values)
    return None
