"""Cloud-side names that must fit a length limit without two different names becoming one.

Cutting ``"a-very-long-cluster-name-nodes"`` to a limit makes every name that shares the kept
prefix identical (two clusters whose names share 24 characters got one GCP service account).
``shorten`` keeps a name that fits unchanged (so existing resources keep their names) and
replaces the end of one that does not with a hash of the whole name.
"""

from __future__ import annotations

import hashlib

HASH_CHARS = 8


def shorten(name: str, limit: int, *, strip: str = "-_") -> str:
    """``name`` if it fits in ``limit`` characters, else its start, ``-`` and 8 hex of its SHA-256."""
    if len(name) <= limit:
        return name
    digest = hashlib.sha256(name.encode()).hexdigest()[:HASH_CHARS]
    return f"{name[: limit - HASH_CHARS - 1].rstrip(strip)}-{digest}"
