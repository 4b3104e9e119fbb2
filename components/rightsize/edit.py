"""``rightsize --write``: apply proposals to the spec file in place, keeping comments and order.

Uses ruamel.yaml's round-trip mode, so the diff a reviewer sees is the changed values only:
comments, key order, quoting and flow style stay as written. Works on a bare spec or a stack
config (the fleet under ``config: aiinfra:fleet``). A value of ``None`` removes the key (a
``machineType`` that the new accelerator's default offer makes unnecessary).
"""

from __future__ import annotations

import io
import re
from collections.abc import Mapping, MutableMapping
from pathlib import Path
from typing import Any

from components.spec.loader import CONFIG_KEY

_PART = re.compile(r"\[(\d+)\]|([^.\[\]]+)")


class EditError(Exception):
    """The file does not have the path a proposal edits (it changed since it was read)."""


def _yaml() -> Any:
    from ruamel.yaml import YAML

    y = YAML(typ="rt")
    y.preserve_quotes = True
    y.width = 4096  # never re-wrap long lines
    return y


def _parts(path: str) -> list[str | int]:
    return [int(m.group(1)) if m.group(1) is not None else m.group(2) for m in _PART.finditer(path)]


def apply_edits(text: str, edits: Mapping[str, Any]) -> str:
    """``text`` with each spec path set to its value (or removed, for None)."""
    from ruamel.yaml.util import load_yaml_guess_indent

    y = _yaml()
    # keep the file's own indentation (``  - name:`` under ``clusters:`` in the examples)
    _data, sequence, offset = load_yaml_guess_indent(text)
    offset = offset or 0
    y.indent(mapping=max(2, sequence - offset), sequence=sequence, offset=offset)
    doc = y.load(text)
    root = doc
    if isinstance(doc, Mapping) and "config" in doc and "clusters" not in doc:
        root = doc["config"][CONFIG_KEY]
    for path, value in edits.items():
        *head, last = _parts(path)
        node = root
        for part in head:
            try:
                node = node[part]
            except (KeyError, IndexError, TypeError):
                raise EditError(f"{path}: not in the file (was it edited since it was read?)") from None
        if not isinstance(node, MutableMapping):
            raise EditError(f"{path}: its parent is not a mapping")
        if value is None:
            if last in node:
                del node[last]
            continue
        if not hasattr(node, "insert"):
            raise EditError(f"{path}: its parent is not a mapping")
        if last in node:
            node[last] = value
        else:
            # machineType goes after the pool's accelerator fields, as the examples write it;
            # any other new key at the end of its mapping
            keys = list(node.keys())
            anchor = "acceleratorsPerNode" if last == "machineType" and "acceleratorsPerNode" in keys else None
            position = keys.index(anchor) + 1 if anchor else len(keys)
            node.insert(position, last, value)  # ruamel's CommentedMap keeps the order
    buf = io.StringIO()
    y.dump(doc, buf)
    return buf.getvalue()


def write_edits(path: str | Path, edits: Mapping[str, Any]) -> str:
    """Apply ``edits`` to the file at ``path`` in place; returns the new text."""
    p = Path(path)
    new = apply_edits(p.read_text("utf-8"), edits)
    p.write_text(new, encoding="utf-8")
    return new
