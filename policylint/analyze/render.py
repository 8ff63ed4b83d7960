"""Analysis answers as text for people or JSON for programs (functions return strings).

Text: a headline, then one block per principal class: who, the actions, the conditions
(`only with ...`), and the witness as a `can ...` query that `policylint query` accepts.
Witnesses for principals outside the snapshot say that they assume IAM policies that allow
the request. JSON: the report models, each witness with its `query` text.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from policylint.analyze.access import Access, AccessReport, Undecided
from policylint.analyze.diff import DiffReport
from policylint.analyze.public import HEADLINES, PublicReport
from policylint.analyze.witness import Witness

MAX_ACTIONS_SHOWN = 12
_ASSUMED = "    (a principal outside the snapshot, assumed to have IAM policies that allow it)"


def _actions(actions: Sequence[str]) -> str:
    shown = ", ".join(actions[:MAX_ACTIONS_SHOWN])
    rest = len(actions) - MAX_ACTIONS_SHOWN
    return shown + (f" and {rest} more" if rest > 0 else "")


def _header(entry: Access) -> list[str]:
    if entry.kind == "principal" and len(entry.members) > 1:
        return [f"{len(entry.members)} principals alike:"] + [f"  {member}" for member in entry.members]
    return [entry.who]


def _blocks(entries: Sequence[Access], *, diff: bool = False) -> list[str]:
    """Entries of one class under one header: each with its actions, conditions, witness."""
    lines: list[str] = []
    previous: str | None = None
    for entry in entries:
        if entry.who != previous:
            lines += [""] + _header(entry)
            previous = entry.who
        lines.append(f"  {_actions(entry.actions)}")
        if entry.conditions:
            lines.append("    only when " + " and ".join(entry.conditions))
        witness = entry.witness
        lines.append(f"    witness: {witness.query}")
        if diff and witness.before is not None:
            lines.append(f"    (the new policy allows it; the old one: {witness.before})")
        if witness.assumed_identity and not diff:
            lines.append(_ASSUMED)
    return lines


def _undecided(items: Sequence[Undecided]) -> list[str]:
    if not items:
        return []
    lines = ["", "may (not decided exactly: too many combinations, or conditions the analysis cannot enumerate):"]
    lines.extend(f"  {u.who}: {_actions(u.actions)}" for u in items)
    return lines


def who_can_text(report: AccessReport, action: str) -> str:
    members = sum(len(a.members) for a in report.accesses if a.kind == "principal")
    outside = sum(1 for a in report.accesses if a.kind != "principal")
    lines = [f"who can {action} on {report.resource}"]
    if not report.accesses:
        lines.append("NOBODY" if not report.undecided else "NOBODY for certain")
    else:
        lines.append(f"{members} principals of the snapshot and {outside} classes of principals outside it")
    lines.extend(_blocks(report.accesses))
    lines.extend(_undecided(report.undecided))
    return "\n".join(lines) + "\n"


def public_text(report: PublicReport) -> str:
    zone = ", ".join(f"`{z}`" for z in report.zone) or "none"
    lines = [f"{HEADLINES[report.verdict]}: {report.resource}", f"zone of trust: {zone}"]
    if report.public:
        lines += ["", "principals nobody named can:"]
        lines.extend(("  " + line) if line else line for line in _blocks(report.public))
    lines.extend(_undecided(report.undecided))
    if report.external:
        lines += ["", "cross-account access by named principals (not public):"]
        lines.extend(("  " + line) if line else line for line in _blocks(report.external))
    return "\n".join(lines) + "\n"


def diff_text(report: DiffReport) -> str:
    if not report.accesses and not report.undecided:
        return f"no new access: `{report.new}` allows nothing that `{report.old}` does not\n"
    lines = [f"new access: `{report.new}` allows what `{report.old}` does not ({report.kind} in account `{report.account}`)"]
    lines.extend(_blocks(report.accesses, diff=True))
    lines.extend(_undecided(report.undecided))
    return "\n".join(lines) + "\n"


def _witness_json(witness: Witness) -> dict[str, Any]:
    data = witness.model_dump(mode="json")
    data["context"] = {k: v if isinstance(v, str) else list(v) for k, v in witness.context.items()}
    data["query"] = witness.query
    return data


def _access_json(entry: Access) -> dict[str, Any]:
    data = entry.model_dump(mode="json", exclude={"witnesses"})
    data["witnesses"] = [_witness_json(w) for w in entry.witnesses]
    return data


def _undecided_json(items: Sequence[Undecided]) -> list[dict[str, Any]]:
    return [u.model_dump(mode="json") for u in items]


def who_can_json(report: AccessReport, action: str) -> str:
    data = {
        "question": f"who can {action} on {report.resource}",
        "resource": report.resource,
        "actions": list(report.actions),
        "accesses": [_access_json(a) for a in report.accesses],
        "undecided": _undecided_json(report.undecided),
    }
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"


def public_json(report: PublicReport) -> str:
    data = {
        "resource": report.resource,
        "verdict": report.verdict,
        "zone": list(report.zone),
        "public": [_access_json(a) for a in report.public],
        "undecided": _undecided_json(report.undecided),
        "external": [_access_json(a) for a in report.external],
    }
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"


def diff_json(report: DiffReport) -> str:
    data = {
        "kind": report.kind,
        "account": report.account,
        "old": report.old,
        "new": report.new,
        "new_access": [_access_json(a) for a in report.accesses],
        "undecided": _undecided_json(report.undecided),
    }
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"
