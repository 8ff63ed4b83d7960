"""Making pydantic models from values that are already of the fields' types, without validating them.

The model builder (`policylint.model.build`) decides every value itself, from JSON it has just
parsed: a string field gets a `str`, a tuple field a `tuple` of nodes it made. Validating that
again was a third of the cost of building the model, so the builder makes nodes the way
pydantic's `model_construct` does (the same instance attributes, no validation) without its
per-call work (aliases, defaults, extras), which costs about as much as validating. The builder
must therefore give every field, in the order the class declares them.
`tests/model/test_trusted.py` validates every node the builder makes from the samples and from
generated policies, and checks that validation gives back the same node.

The records a check run makes from values policylint has already checked (settings from a
validated config, catalog facts, findings, the report) are made the same way (`record`), so that a
check run builds no pydantic validator at all: the first one costs ~45 M instructions on its own
(pydantic's plugin loader imports `importlib.metadata`), each further class ~2 M.
`tests/test_records.py` validates each such record and compares.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Any, TypeVar

from pydantic import BaseModel

ModelT = TypeVar("ModelT", bound=BaseModel)

Setter = Callable[[BaseModel, Any], None]

# The instance attributes a model instance holds (BaseModel's slots), as model_construct sets them.
_ATTRIBUTES = ("__dict__", "__pydantic_fields_set__", "__pydantic_extra__", "__pydantic_private__")


def _setter(name: str) -> Setter:
    """Set BaseModel's attribute `name` through its slot descriptor: a third faster per node than
    `object.__setattr__`, which looks the name up along the class's bases first."""
    setter = getattr(BaseModel.__dict__.get(name), "__set__", None)
    if setter is None:  # a pydantic that keeps the attribute elsewhere

        def setter(node: BaseModel, value: Any) -> None:
            object.__setattr__(node, name, value)

    return setter


def maker(cls: type[ModelT]) -> Callable[[dict[str, Any]], ModelT]:
    """A constructor of `cls` instances from a dict of all of its fields, already of their types.

    The dict becomes the instance's `__dict__`: the caller gives a new dict per instance.
    """
    fields = set(cls.model_fields)
    new = object.__new__
    set_dict, set_fields, set_extra, set_private = (_setter(name) for name in _ATTRIBUTES)

    def make(values: dict[str, Any]) -> ModelT:
        node = new(cls)
        set_dict(node, values)
        set_fields(node, fields.copy())
        set_extra(node, None)
        set_private(node, None)
        return node

    return make


_IMMUTABLE = (type(None), bool, int, float, str, bytes, tuple, frozenset)


def record(cls: type[ModelT]) -> Callable[..., ModelT]:
    """A constructor of `cls` instances from keyword arguments already of the fields' types; a
    field not given gets its default (a new one per instance from a default factory).

    For values policylint has checked itself: nothing is converted (a list stays a list where the
    field says tuple), so callers give the fields' own types.
    """
    make = maker(cls)
    template: dict[str, Any] = {}  # every field, in order, with its default (None when required)
    factories: list[tuple[str, Callable[[], Any]]] = []
    required = []
    for name, field in cls.model_fields.items():
        template[name] = None
        if field.is_required():
            required.append(name)
        elif field.default_factory is None and isinstance(field.default, _IMMUTABLE):
            template[name] = field.default
        else:  # a factory, or a mutable default that each instance gets a copy of
            factories.append((name, partial(field.get_default, call_default_factory=True)))
    known = frozenset(template)
    needed = frozenset(required)

    def construct(**values: Any) -> ModelT:
        if not known.issuperset(values):
            raise TypeError(f"{cls.__name__} has no field {sorted(set(values) - known)[0]!r}")
        if not needed.issubset(values):
            raise TypeError(f"{cls.__name__} needs {sorted(needed - set(values))[0]!r}")
        data = template.copy()
        data.update(values)
        for name, factory in factories:
            if name not in values:
                data[name] = factory()
        return make(data)

    return construct
