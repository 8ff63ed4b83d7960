"""Regenerate the rule table in README.md from the rule files, or check that it is current.

Usage: `python3 scripts/gen_rule_docs.py [--check] [README]` (default README: the repository's).
Exit codes: 0 written or current, 1 stale (with --check), 2 unusable invocation.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # run from a source checkout without installing the package
    sys.path.insert(0, str(ROOT))

from policylint.rules.docs import REGENERATE_COMMAND, current_rule_table, readme_rule_table, with_rule_table  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="gen_rule_docs.py", description="regenerate the README rule table")
    parser.add_argument("readme", nargs="?", default=str(ROOT / "README.md"), metavar="README")
    parser.add_argument("--check", action="store_true", help="only report whether the table is current")
    args = parser.parse_args(argv)
    path = Path(args.readme)
    try:
        text = path.read_text(encoding="utf-8") if path.exists() else None
    except OSError as error:
        print(f"gen_rule_docs.py: cannot read `{path}`: {(error.strerror or str(error)).lower()}", file=sys.stderr)
        return 2
    table = readme_rule_table()
    if args.check:
        if text is not None and current_rule_table(text) == table:
            return 0
        print(f"{path}: the rule table is stale; run `{REGENERATE_COMMAND}`", file=sys.stderr)
        return 1
    try:
        updated = with_rule_table(text, table)
    except ValueError as error:
        print(f"gen_rule_docs.py: {path}: {error}", file=sys.stderr)
        return 2
    if updated != text:
        path.write_text(updated, encoding="utf-8")
        print(f"updated the rule table in {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
