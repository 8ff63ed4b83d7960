"""A decision as text for people or as JSON for programs.

Text: `ALLOWED`, `DENIED (explicit)` or `DENIED (implicit)`, then a `because:` line per reason:
the policy kind, `file:line`, the statement (its Sid, else its index) or grant, its effect, and
what it did. A required policy that had no allow has no statement. JSON: the `Decision` model
with `range` as start and end positions (line, column, offset).
"""

from __future__ import annotations

import json
from typing import Any

from policylint.evaluate.decision import Decision, Reason

HEADLINES = {
    "allowed": "ALLOWED",
    "explicitly-denied": "DENIED (explicit)",
    "implicitly-denied": "DENIED (implicit)",
}


def _label(reason: Reason) -> str:
    noun = "grant" if reason.policy_kind == "grant" else "statement"
    name = f"{noun} `{reason.sid}`" if reason.sid else f"{noun} {reason.statement}"
    return f"{name} ({reason.effect})" if reason.effect else name


def reason_line(reason: Reason) -> str:
    """One reason as a line of text (without indentation)."""
    where = reason.policy_kind
    if reason.path is not None:
        line = f":{reason.range.start.line}" if reason.range is not None else ""
        where += f" {reason.path}{line}"
    if reason.statement is None:
        return f"{where}: {reason.detail}"
    return f"{where}: {_label(reason)}: {reason.detail}"


def render_text(decision: Decision) -> str:
    lines = [HEADLINES[decision.decision]]
    if decision.reasons:
        lines.append("because:")
        lines.extend(f"  {reason_line(reason)}" for reason in decision.reasons)
    return "\n".join(lines) + "\n"


def _jsonable_context(context: Any) -> dict[str, Any]:
    return {name: values if isinstance(values, str) else list(values) for name, values in context.items()}


def decision_json(decision: Decision) -> dict[str, Any]:
    """The decision as plain JSON data."""
    data = decision.model_dump(mode="json")
    data["context"] = _jsonable_context(decision.context)
    return data


def render_json(decision: Decision) -> str:
    return json.dumps(decision_json(decision), indent=2, ensure_ascii=False) + "\n"


def render(decision: Decision, fmt: str) -> str:
    """`fmt` is `text` or `json`."""
    return render_json(decision) if fmt == "json" else render_text(decision)
