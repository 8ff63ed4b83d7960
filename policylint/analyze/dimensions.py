"""The free context keys of one question, grouped into dimensions with representative values.

A dimension is one key, or keys whose values depend on each other:
- `aws:PrincipalOrgPaths` with `aws:PrincipalOrgID` (a path starts with its organization id;
  likewise `aws:SourceOrgPaths` with `aws:SourceOrgID`);
- `kms:EncryptionContextKeys` with the `kms:EncryptionContext:KEY` keys (the set names the
  keys present; a name in the set that no policy reads gets a filler pair);
- keys tied by policy variables (`"kms:EncryptionContext:owner": "${aws:userid}"`).
Each dimension lists assignments (key -> value or None for absent), one per class of
assignments the atoms can tell apart. The decision depends on the free keys only through the
atoms, so the product of the dimensions meets every class of requests.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from itertools import product
from typing import NamedTuple

from policylint.analyze.atoms import Atom, Memo
from policylint.analyze.values import Candidates, Contextualise, Value, classes, scalar_candidates, set_candidates
from policylint.catalog.condition_keys import condition_key_info
from policylint.evaluate.conditions.base import json_text
from policylint.evaluate.context import RequestContext
from policylint.evaluate.match import GlobPattern
from policylint.evaluate.statement import multivalued

MAX_GROUP = 2048

ORG_PAIRS = (("aws:principalorgid", "aws:principalorgpaths"), ("aws:sourceorgid", "aws:sourceorgpaths"))
CONTEXT_KEYS = "kms:encryptioncontextkeys"
# Keys whose values name accounts and organizations (see `_Builder.named_apart`).
NAMING_KEYS = frozenset(
    {
        "aws:principalorgid",
        "aws:sourceorgid",
        "aws:sourceaccount",
        "aws:sourceowner",
        "kms:calleraccount",
        "aws:principalaccount",
        "aws:sourcearn",
    }
)
EC_PREFIX = "kms:encryptioncontext:"
FILLER = "example"


class Dimension(NamedTuple):
    keys: tuple[str, ...]  # the keys it sets, as named in the policies
    assignments: tuple[dict[str, Value], ...]
    exhaustive: bool
    # Whether the class of each assignment holds other values too (an absent key then also
    # stands for the values no atom tells from absence).
    merged: tuple[bool, ...] = ()


def is_multivalued(key: str, atoms: Sequence[Atom]) -> bool:
    """The catalog says so, or the key is unknown and used with a set operator."""
    if multivalued(key):
        return True
    return condition_key_info(key) is None and any(a.parts is not None and a.parts.qualifier for a in atoms)


class Caches:
    """What dimensions of one question share: candidates of keys whose atoms read no
    variable, and atom results."""

    def __init__(self) -> None:
        self.candidates: dict[tuple[object, ...], Candidates] = {}
        self.memo = Memo()
        self._atoms: list[Atom] = []

    def key(self, name: str, atoms: Sequence[Atom], prefix: str, extra: Sequence[GlobPattern]) -> tuple[object, ...] | None:
        if any(a.variables for a in atoms):
            return None
        self._atoms.extend(atoms)  # keep them alive: the key holds their ids
        return (name.lower(), tuple(id(a) for a in atoms), prefix, tuple(p.text for p in extra))


class _Builder:
    def __init__(
        self, names: Mapping[str, str], atoms: Sequence[Atom], base: Mapping[str, Value], context_of: Contextualise, caches: Caches
    ) -> None:
        self.names = names  # free keys: lower -> as named
        self.atoms = atoms
        self.base = base  # fixed keys: lower -> value
        self.context_of = context_of
        self.caches = caches
        self._base_context: RequestContext | None = None

    @property
    def base_context(self) -> RequestContext:
        if self._base_context is None:
            self._base_context = self.context_of({})
        return self._base_context

    def on(self, lower: str) -> list[Atom]:
        return [a for a in self.atoms if a.lower == lower]

    def touching(self, keys: set[str]) -> list[Atom]:
        return [a for a in self.atoms if a.lower in keys or a.variables & keys]

    def single(self, lower: str, assignment: Mapping[str, Value] | None = None, prefix: str = "", extra: Sequence[GlobPattern] = ()) -> Candidates:
        """Values (absence first) of one key; variables resolved with `assignment`."""
        name = self.names.get(lower, lower)
        atoms = self.on(lower)
        key = self.caches.key(name, atoms, prefix, extra)
        cached = self.caches.candidates.get(key) if key is not None else None
        if cached is not None:
            return cached
        context = self.context_of(dict(assignment or {})) if any(a.variables for a in atoms) else self.base_context
        found = scalar_candidates(name, atoms, context, prefix=prefix, extra_patterns=extra)
        if not is_multivalued(name, atoms):
            result = Candidates((None, *found.values), found.exhaustive)
        else:
            sets = set_candidates(name, [v for v in found.values if isinstance(v, str)], atoms, self.context_of, self.caches.memo)
            result = Candidates((None, *sets.values), found.exhaustive and sets.exhaustive)
        if key is not None:
            self.caches.candidates[key] = result
        return result

    def finish(
        self,
        keys: Sequence[str],
        assignments: list[dict[str, Value]],
        exhaustive: bool,
        apart: Callable[[dict[str, Value]], object] | None = None,
    ) -> Dimension:
        if len(assignments) > MAX_GROUP:
            assignments, exhaustive = assignments[:MAX_GROUP], False
        kept = classes(assignments, self.touching(set(keys)), self.context_of, self.caches.memo, apart)
        return Dimension(
            tuple(self.names.get(k, k) for k in keys),
            tuple(a for a, _ in kept),
            exhaustive,
            tuple(count > 1 for _, count in kept),
        )

    def named_apart(self, lower: str) -> Callable[[dict[str, Value]], object]:
        """Keep the key's literal constants apart: which account or organization a request
        names decides who the class is, even where the atoms do not tell them apart."""
        name = self.names.get(lower, lower)
        named = {t for a in self.on(lower) for t in (json_text(v) for v in a.values) if t and "*" not in t and "?" not in t}

        def apart(assignment: dict[str, Value]) -> object:
            value = assignment.get(name)
            return value if value in named else None

        return apart

    def org(self, id_key: str, path_key: str) -> Dimension:
        name_id, name_path = self.names.get(id_key, id_key), self.names[path_key]
        free_id = id_key in self.names
        exhaustive = True
        heads: list[GlobPattern] = []
        if free_id:
            heads = [GlobPattern.parse(v.split("/", 1)[0]) for a in self.on(path_key) for v in a.values if isinstance(v, str)]
            found = self.single(id_key, extra=heads)
            orgs, exhaustive = found.values, found.exhaustive
        else:
            fixed = self.base.get(id_key)
            orgs = (fixed if isinstance(fixed, str) else None,)
        assignments: list[dict[str, Value]] = []
        for org in orgs:
            head = {name_id: org} if free_id else {}
            if not isinstance(org, str):
                assignments.append({**head, name_path: None})
                continue
            paths = self.single(path_key, head, prefix=org + "/")
            exhaustive = exhaustive and paths.exhaustive
            # A principal of an organization has its path in it.
            assignments.extend({**head, name_path: value} for value in paths.values if value is not None)
        keys = [id_key, path_key] if free_id else [path_key]
        # Organizations the policies name stay apart: who gets in depends on which one it is.
        named = {t for a in self.on(id_key) for t in (json_text(v) for v in a.values) if t and "*" not in t and "?" not in t}
        named |= {h.text for h in (heads if free_id else []) if not h.has_wildcards}

        def apart(assignment: dict[str, Value]) -> object:
            org = assignment.get(name_id)
            return org if org in named else None

        return self.finish(keys, assignments, exhaustive, apart if free_id else None)

    def context_keys(self, ec_keys: list[str]) -> Dimension:
        name_set = self.names[CONTEXT_KEYS]
        per_key = [self.single(k) for k in ec_keys]
        exhaustive = all(c.exhaustive for c in per_key)
        referenced = {self.names[k][len(EC_PREFIX):].lower() for k in ec_keys}
        elements = scalar_candidates(name_set, self.on(CONTEXT_KEYS), self.base_context)
        extras = [e for e in elements.values if isinstance(e, str) and e.lower() not in referenced]
        exhaustive = exhaustive and elements.exhaustive and len(extras) <= 3
        assignments: list[dict[str, Value]] = []
        for combo in product(*(c.values for c in per_key)):
            pairs = {self.names[k]: v for k, v in zip(ec_keys, combo)}
            present = [self.names[k][len(EC_PREFIX):] for k, v in zip(ec_keys, combo) if v is not None]
            for extra in [None, *extras[:3]]:
                names = present + ([extra] if extra is not None else [])
                filler = {f"kms:EncryptionContext:{extra}": FILLER} if extra is not None else {}
                assignments.append({**pairs, **filler, name_set: tuple(names) if names else None})
            if len(assignments) > MAX_GROUP:
                exhaustive = False
                break
        return self.finish([*ec_keys, CONTEXT_KEYS], assignments, exhaustive)

    def coupled(self, keys: list[str]) -> Dimension:
        group = set(keys)
        lists: dict[str, list[Value]] = {}
        exhaustive = True
        for key in keys:
            found = self.single(key)
            lists[key] = list(found.values)
            exhaustive = exhaustive and found.exhaustive
        for key in keys:
            readers = {v for a in self.on(key) for v in a.variables} & group - {key}
            if not readers:
                continue
            if any({v for a in self.on(r) for v in a.variables} & group for r in readers):
                exhaustive = False  # variables reading keys that read variables: one level only
            ordered = sorted(readers)
            for combo in product(*(lists[r] for r in ordered)):
                more = self.single(key, dict(zip((self.names[r] for r in ordered), combo)))
                lists[key].extend(v for v in more.values if v not in lists[key])
        assignments: list[dict[str, Value]] = []
        for combo in product(*(lists[k] for k in keys)):
            assignments.append({self.names[k]: v for k, v in zip(keys, combo)})
            if len(assignments) > MAX_GROUP:
                exhaustive = False
                break
        return self.finish(keys, assignments, exhaustive)


def build_dimensions(
    names: Mapping[str, str],
    atoms: Sequence[Atom],
    base: Mapping[str, Value],
    context_of: Contextualise,
    caches: Caches | None = None,
) -> list[Dimension]:
    """Dimensions for the free keys `names` (lower -> as named), given the atoms that may
    decide and the fixed keys `base` (lower -> value)."""
    builder = _Builder(names, atoms, base, context_of, caches or Caches())
    left = set(names)
    dimensions: list[Dimension] = []
    for id_key, path_key in ORG_PAIRS:
        if path_key in left:
            dimensions.append(builder.org(id_key, path_key))
            left -= {id_key, path_key}
    ec_keys = sorted(k for k in left if k.startswith(EC_PREFIX))
    if CONTEXT_KEYS in left:
        dimensions.append(builder.context_keys(ec_keys))
        left -= {CONTEXT_KEYS, *ec_keys}
    parent = {key: key for key in left}

    def find(key: str) -> str:
        while parent[key] != key:
            key = parent[key]
        return key

    for atom in atoms:
        if atom.lower in left:
            for other in atom.variables & left:
                parent[find(other)] = find(atom.lower)
    groups: dict[str, list[str]] = {}
    for key in sorted(left):
        groups.setdefault(find(key), []).append(key)
    for keys in groups.values():
        if len(keys) > 1:
            dimensions.append(builder.coupled(keys))
        else:
            found = builder.single(keys[0])
            name = names[keys[0]]
            apart = builder.named_apart(keys[0]) if keys[0] in NAMING_KEYS else None
            dimensions.append(builder.finish(keys, [{name: v} for v in found.values], found.exhaustive, apart))
    return [d for d in dimensions if d.assignments]
