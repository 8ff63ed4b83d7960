"""Policy documents for the analysis tests, written as plain data."""

from __future__ import annotations


def statement(
    principal: object,
    action: object,
    effect: str = "Allow",
    condition: dict | None = None,
    resource: str = "*",
    not_principal: bool = False,
) -> dict:
    """One statement; `not_principal` puts the principal under `NotPrincipal`."""
    body: dict = {"Effect": effect, "NotPrincipal" if not_principal else "Principal": principal, "Action": action, "Resource": resource}
    if condition is not None:
        body["Condition"] = condition
    return body


def policy(*statements: dict) -> dict:
    return {"Version": "2012-10-17", "Statement": list(statements)}
