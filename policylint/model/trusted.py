"""Making model nodes from values that are already of the fields' types, without validating them.

The model builder (`policylint.model.build`) decides every value itself, from JSON it has just
parsed: a string field gets a `str`, a tuple field a `tuple` of nodes it made. Validating that
again was a third of the cost of building the model, so the builder makes nodes the way
pydantic's `model_construct` does (the same instance attributes, no validation) without its
per-call work (aliases, defaults, extras), which costs about as much as validating. The builder
must therefore give every field, in the order the class declares them.
`tests/model/test_trusted.py` validates every node the builder makes from the samples and from
generated policies, and checks that validation gives back the same node.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from pydantic import BaseModel

ModelT = TypeVar("ModelT", bound=BaseModel)

_set = object.__setattr__


def maker(cls: type[ModelT]) -> Callable[[dict[str, Any]], ModelT]:
    """A constructor of `cls` instances from a dict of all of its fields, already of their types.

    The dict becomes the instance's `__dict__`: the caller gives a new dict per instance.
    """
    fields = set(cls.model_fields)
    new = object.__new__

    def make(values: dict[str, Any]) -> ModelT:
        node = new(cls)
        _set(node, "__dict__", values)
        _set(node, "__pydantic_fields_set__", fields.copy())
        _set(node, "__pydantic_extra__", None)
        _set(node, "__pydantic_private__", None)
        return node

    return make
