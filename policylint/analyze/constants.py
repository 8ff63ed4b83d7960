"""The constants policies use to name principals: accounts, organizations, principal ARNs,
ARN patterns, service principals. Principal classes are built from them."""

from __future__ import annotations

from collections.abc import Iterable

from pydantic import BaseModel, ConfigDict

from policylint.analyze.atoms import Atom, grant_atoms, statement_atoms
from policylint.evaluate.arn import is_account_id, is_account_root, parse_arn
from policylint.evaluate.conditions.base import json_text
from policylint.evaluate.snapshot import Grant
from policylint.model.policy import PolicyDocument

ACCOUNT_VALUE_KEYS = frozenset(
    {"kms:calleraccount", "aws:principalaccount", "aws:sourceaccount", "aws:sourceowner", "aws:resourceaccount"}
)
ARN_VALUE_KEYS = frozenset({"aws:principalarn", "aws:sourcearn"})
ORG_VALUE_KEYS = frozenset({"aws:principalorgid", "aws:sourceorgid", "aws:resourceorgid"})
ORG_PATH_KEYS = frozenset({"aws:principalorgpaths", "aws:sourceorgpaths"})
SERVICE_VALUE_KEYS = frozenset({"aws:principalservicename", "aws:principalservicenameslist"})


class Constants(BaseModel):
    """What the policies name. `arn_atoms` are the atoms on `aws:PrincipalArn` (patterns the
    ARN of a principal is compared with); `principal_arns` the IAM/STS ARNs written as
    principals or grantees."""

    model_config = ConfigDict(frozen=True)

    accounts: frozenset[str] = frozenset()
    account_patterns: frozenset[str] = frozenset()
    organizations: frozenset[str] = frozenset()
    principal_arns: frozenset[str] = frozenset()
    arn_atoms: tuple[Atom, ...] = ()
    services: frozenset[str] = frozenset()
    literals: frozenset[str] = frozenset()
    keys: frozenset[str] = frozenset()  # every condition key read (lower case)
    variables: frozenset[str] = frozenset()  # every key read through a policy variable


def _texts(atom: Atom) -> list[str]:
    return [t for t in (json_text(v) for v in atom.values) if t is not None]


def _wild(text: str) -> bool:
    return "*" in text or "?" in text


def collect(documents: Iterable[PolicyDocument], grants: Iterable[Grant] = ()) -> Constants:
    accounts: set[str] = set()
    patterns: set[str] = set()
    orgs: set[str] = set()
    arns: set[str] = set()
    arn_atoms: list[Atom] = []
    services: set[str] = set()
    literals: set[str] = set()
    keys: set[str] = set()
    variables: set[str] = set()
    atoms: list[Atom] = []
    for document in documents:
        for statement in document.statements:
            for principal in (statement.principal or ()) + (statement.not_principal or ()):
                value = principal.value
                if principal.type == "Service":
                    services.add(value)
                elif principal.type == "AWS" and value != "*":
                    parsed = parse_arn(value)
                    if is_account_id(value):
                        accounts.add(value)
                    elif parsed is not None and is_account_id(parsed.account):
                        accounts.add(parsed.account)
                        if not is_account_root(value) and parsed.service in ("iam", "sts"):
                            arns.add(value)
            atoms.extend(statement_atoms(document, statement))
    for grant in grants:
        atoms.extend(grant_atoms(grant))
        parsed = parse_arn(grant.grantee)
        if parsed is not None and is_account_id(parsed.account):
            accounts.add(parsed.account)
            arns.add(grant.grantee)
        else:
            services.add(grant.grantee)
    for atom in atoms:
        lower = atom.lower
        keys.add(lower)
        variables |= atom.variables
        texts = _texts(atom)
        literals.update(t for t in texts if not _wild(t))
        if lower in ACCOUNT_VALUE_KEYS:
            accounts.update(t for t in texts if is_account_id(t))
            patterns.update(t for t in texts if _wild(t) and "${" not in t)
        elif lower in ARN_VALUE_KEYS:
            if lower == "aws:principalarn":
                arn_atoms.append(atom)
            for text in texts:
                parts = text.split(":", 5)
                if len(parts) == 6 and is_account_id(parts[4]):
                    accounts.add(parts[4])
        elif lower in ORG_VALUE_KEYS:
            orgs.update(t for t in texts if not _wild(t) and "${" not in t)
        elif lower in ORG_PATH_KEYS:
            heads = (t.split("/", 1)[0] for t in texts)
            orgs.update(h for h in heads if h and not _wild(h) and "${" not in h)
        elif lower in SERVICE_VALUE_KEYS:
            services.update(t for t in texts if not _wild(t))
    return Constants(
        accounts=frozenset(accounts),
        account_patterns=frozenset(patterns),
        organizations=frozenset(orgs),
        principal_arns=frozenset(arns),
        arn_atoms=tuple(arn_atoms),
        services=frozenset(services),
        literals=frozenset(literals),
        keys=frozenset(keys),
        variables=frozenset(variables),
    )
