"""policylint.analyze: symbolic access analysis, exact on the policy language the evaluator
supports, every "yes" backed by a request the concrete evaluator allows.

Questions: `who can ACTION on RESOURCE` (`whocan`), `is RESOURCE public` (`public`), "does
this change grant new access" (`diff`), and access assertions (`assertions`, `breaches`).

The finite-model argument. A decision of `policylint.evaluate` depends on the request through
(1) the principal, (2) the action, (3) the resource and (4) the context keys. Each is only ever
compared with constants written in the policies (or facts of the snapshot):

- the principal: equal to a `Principal` value, a grantee, in an account, an organization;
  with its ARN, account, type, tags compared by conditions (`classes`, `grouping`);
- the action: matched by `Action` / `NotAction` patterns and grant operations, plus a few
  facts the evaluator reads (`actions`);
- the context keys: compared by condition atoms (`atoms`): string equality, `Like` patterns,
  ARN patterns, numeric and date thresholds, IP ranges, booleans, presence (`values`).

Values that every comparison treats alike form a class, and the classes are finite: for
strings the product automaton of the patterns (`automaton`) reaches every combination of
matches some string has; for numbers, dates and addresses the constants and the points next to
them meet every interval; absence is a class; a set-valued key takes sets of element classes.
Principals outside the snapshot are stood for by one principal per class of every account the
policies name, one account nobody names, each named service principal and one nobody names,
and anonymous callers; they are given an identity policy that allows everything, which reads
"if its IAM policies allow it". One representative per class of principal and action, and
every combination of context classes of the keys that statements which can apply read
(`scope`, `dimensions`), is built into a request and decided by `evaluate` (`search`): the
answer for a class is the answer for every member, and each "yes" comes with its request (a
witness, `witness`), which the evaluator allowed.

Where this cannot be exact, the answer says "may" and names the case: more than
`search.MAX_COMBINATIONS` combinations, a key compared by operators of different families, a
policy variable in a compared value that reads another free key (one level is handled), the
automaton stopping at `automaton.MAX_STATES`, more than one account pattern. Those are
reported (`Undecided`), never dropped. What the evaluator does not model (keys a snapshot does
not hold, such as `aws:SourceIp` or `aws:CurrentTime`) are free keys like any other: the
answer says under which values access exists.
"""

from __future__ import annotations
