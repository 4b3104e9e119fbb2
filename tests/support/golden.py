"""Golden-file assertions: compare data to a checked-in JSON file, normalized.

Data is dumped as sorted, indented JSON so a diff shows one changed field per line. To
regenerate after an intended change, run the tests with ``AIINFRA_UPDATE_GOLDEN=1`` and
review the diff of the golden files before committing them.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

UPDATE_ENV = "AIINFRA_UPDATE_GOLDEN"


def normalize(data: Any) -> str:
    """Sorted-key, indented JSON with a trailing newline (floats that are whole print as ints)."""

    def fix(v: Any) -> Any:
        if isinstance(v, float) and v.is_integer():
            return int(v)
        if isinstance(v, dict):
            return {str(k): fix(x) for k, x in v.items()}
        if isinstance(v, list | tuple):
            return [fix(x) for x in v]
        return v

    return json.dumps(fix(data), indent=2, sort_keys=True, default=str) + "\n"


def assert_golden(path: Path, data: Any) -> None:
    """Assert ``data`` equals the golden file at ``path`` (write it when updating)."""
    text = normalize(data)
    if os.environ.get(UPDATE_ENV):
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        return
    assert path.exists(), f"golden file {path} is missing; run with {UPDATE_ENV}=1 to create it, then review it"
    expected = path.read_text(encoding="utf-8")
    assert text == expected, f"{path} differs; if the change is intended, rerun with {UPDATE_ENV}=1 and review the diff"
