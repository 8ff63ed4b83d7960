"""The document kinds policylint knows (a plain constant: importing it costs nothing)."""

from __future__ import annotations

KINDS: tuple[str, ...] = ("key-policy", "identity-policy", "resource-policy", "trust-policy", "scp", "rcp")
