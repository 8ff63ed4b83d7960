"""`policylint diff OLD NEW` and `policylint diff --git REV PATH`: new access in a policy change.

Functions here return `(standard output, error message or None, exit code)`; `cli.py` prints.
Exit codes: 0 no new access, 1 new access (or access that may be new), 2 an error.
With `--git REV`, OLD is the file as of revision REV (`git show REV:./PATH`, run in the
file's folder) and NEW the working file.
"""

from __future__ import annotations

import os
import subprocess

from policylint.analyze.diff import DIFF_KINDS, DiffError, diff_documents
from policylint.analyze.render import diff_json, diff_text
from policylint.evaluate.arn import is_account_id
from policylint.model.build import build_document
from policylint.model.policy import PolicyDocument
from policylint.source.document import LoadResult
from policylint.source.loader import load_file, load_text

EXIT_SAME = 0
EXIT_NEW_ACCESS = 1
EXIT_ERROR = 2
GIT_TIMEOUT_S = 30


class DiffUsageError(ValueError):
    """An invocation of `diff` that cannot be carried out."""


def _document(result: LoadResult, label: str, kind: str | None) -> PolicyDocument:
    if result.problems:
        raise DiffUsageError(f"`{label}`: {result.problems[0].message}")
    if len(result.documents) != 1:
        raise DiffUsageError(f"`{label}` must hold one policy document, not {len(result.documents)}")
    return build_document(result.documents[0], kind=kind)


def _git_show(revision: str, path: str) -> str:
    if not revision or revision.startswith("-"):
        raise DiffUsageError(f"`{revision}` is not a git revision")
    folder, name = os.path.split(os.path.abspath(path))
    try:
        done = subprocess.run(
            ["git", "-C", folder, "show", f"{revision}:./{name}"],
            capture_output=True,
            timeout=GIT_TIMEOUT_S,
            check=False,
        )
    except FileNotFoundError:
        raise DiffUsageError("`--git` needs the `git` command, which is not installed") from None
    except subprocess.TimeoutExpired:
        raise DiffUsageError(f"`git show` took more than {GIT_TIMEOUT_S} s") from None
    if done.returncode != 0:
        message = done.stderr.decode("utf-8", "replace").strip().splitlines()
        reason = message[-1].lower().removeprefix("fatal: ") if message else "git failed"
        raise DiffUsageError(f"cannot read `{path}` at `{revision}`: {reason}")
    try:
        return done.stdout.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise DiffUsageError(f"`{path}` at `{revision}` is not UTF-8 text") from None


def run_diff(
    paths: list[str],
    *,
    git: str | None = None,
    kind: str | None = None,
    account: str | None = None,
    trusted_accounts: tuple[str, ...] = (),
    fmt: str = "text",
) -> tuple[str, str | None, int]:
    """Compare two policy files (or a file with its version at a git revision)."""
    try:
        if kind is not None and kind not in DIFF_KINDS:
            raise DiffUsageError(f"`--kind` must be one of {', '.join(DIFF_KINDS)} for `diff`, not `{kind}`")
        if git is not None:
            if len(paths) != 1:
                raise DiffUsageError("`diff --git REV` takes one file: the working file to compare with its version at REV")
            new_path = paths[0]
            old_label = f"{git}:{new_path}"
            old_result = load_text(old_label, _git_show(git, new_path))
        else:
            if len(paths) != 2:
                raise DiffUsageError("`diff` takes two files, OLD and NEW (or `--git REV PATH`)")
            old_label, new_path = paths
            old_result = load_file(old_label)
        new = _document(load_file(new_path), new_path, kind)
        old = _document(old_result, old_label, kind or new.kind)
        chosen = kind or new.kind
        owner = account or new.account or old.account
        if owner is None or "${" in owner:
            raise DiffUsageError("give `--account ID`: the account the key or resource belongs to")
        if not is_account_id(owner):
            raise DiffUsageError(f"`--account` must be a 12-digit AWS account id, not `{owner}`")
        report = diff_documents(
            old, new, kind=chosen, account=owner, trusted_accounts=trusted_accounts, old_label=old_label, new_label=new_path
        )
    except (DiffUsageError, DiffError) as error:
        return "", str(error), EXIT_ERROR
    text = diff_json(report) if fmt == "json" else diff_text(report)
    return text, None, EXIT_NEW_ACCESS if report.accesses or report.undecided else EXIT_SAME
