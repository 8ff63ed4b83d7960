"""What the tests of models made without validation (policylint.trusted) share: the records
reachable from a value, and the check that validation gives each of them back unchanged."""

from __future__ import annotations

from pydantic import BaseModel


def records(value: object) -> list[BaseModel]:
    """Every pydantic model reachable from `value` through fields, tuples, lists, sets and dict
    values, the outermost first."""
    found = []
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, BaseModel):
            found.append(item)
            stack.extend(item.__dict__[name] for name in type(item).model_fields)
        elif isinstance(item, (tuple, list, frozenset)):
            stack.extend(item)
        elif isinstance(item, dict):
            stack.extend(item.values())
    return found


def assert_as_validated(item: BaseModel) -> None:
    """`item` equals the validation of its own field values, field by field and in type (a tuple
    where the field says tuple, the literal a field allows)."""
    cls = type(item)
    validated = cls.model_validate({name: item.__dict__[name] for name in cls.model_fields})
    assert validated == item, cls.__name__
    for name in cls.model_fields:
        assert type(validated.__dict__[name]) is type(item.__dict__[name]), f"{cls.__name__}.{name}"
