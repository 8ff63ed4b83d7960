"""Witnesses: concrete requests that back an answer, written as `can ...` queries.

A witness is checked by the concrete evaluator when it is made (`search` keeps only requests
`evaluate` allowed) and can be checked again with `verify`. Its query text parses with the
query language, so a user can paste it into `policylint query`; a witness whose principal is
not in the snapshot (`assumed_identity`) was evaluated with an identity policy that allows
everything, standing for "if its IAM policies allow it".
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping

from pydantic import BaseModel, ConfigDict

from policylint.evaluate.decision import DecisionValue, decide
from policylint.evaluate.snapshot import Snapshot

_ATOM = re.compile(r'[^\s"]+')
_KEY = re.compile(r"[A-Za-z0-9._:/@+-]+")
_WORD = re.compile(r"[A-Za-z0-9._:/@*?+=-]+")
_KEYWORDS = frozenset({"can", "who", "is", "do", "on", "with", "public"})


class Witness(BaseModel):
    """One request and the decision the concrete evaluator gave it."""

    model_config = ConfigDict(frozen=True)

    principal: str
    action: str
    resource: str
    context: Mapping[str, tuple[str, ...] | str] = {}
    decision: DecisionValue
    assumed_identity: bool = False
    # For `diff`: the decision under the old policy (the new one gave `decision`).
    before: DecisionValue | None = None

    @property
    def query(self) -> str:
        """The request as a `can` query."""
        text = f"can {_atom(self.principal)} do {self.action} on {_atom(self.resource)}"
        if self.context:
            pairs = ", ".join(f"{_key(k)} = {_value(v)}" for k, v in sorted(self.context.items(), key=lambda kv: kv[0].lower()))
            text += f" with {pairs}"
        return text


def _quoted(text: str) -> str:
    return json.dumps(text, ensure_ascii=False)


def _atom(text: str) -> str:
    return text if _ATOM.fullmatch(text) and text.lower() not in _KEYWORDS else _quoted(text)


def _key(text: str) -> str:
    return text if _KEY.fullmatch(text) else _quoted(text)


def _scalar(text: str) -> str:
    return text if _WORD.fullmatch(text) and text.lower() not in _KEYWORDS else _quoted(text)


def _value(value: tuple[str, ...] | str) -> str:
    if isinstance(value, str):
        return _scalar(value)
    return "[" + ", ".join(_scalar(v) for v in value) + "]"


def verify(snapshot: Snapshot, witness: Witness) -> DecisionValue:
    """Decide the witness again with the concrete evaluator; a principal outside the snapshot
    (`assumed_identity`) is first added with an identity policy that allows everything."""
    if witness.assumed_identity:
        from policylint.analyze.synthetic import with_principals
        from policylint.evaluate.arn import session_role_arn

        role = session_role_arn(witness.principal)
        snapshot = with_principals(snapshot, [role or witness.principal], sessions=role is not None)
    return decide(snapshot, witness.principal, witness.action, witness.resource, dict(witness.context)).decision
