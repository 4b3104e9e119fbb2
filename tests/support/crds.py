"""Check rendered custom resources against their CRD's OpenAPI schema, vendored as test data.

``tests/support/crds/<group>_<version>_<Kind>.json`` holds the ``openAPIV3Schema`` of each
CRD ai-infra creates objects of, taken from the vendor's file at the version the add-on pins
(``addonVersion``, ``source``; descriptions dropped). The API server prunes fields a
structural schema does not declare, so a misspelt key would vanish silently: here every
object schema that lists ``properties`` (and does not preserve unknown fields) is closed.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

import jsonschema

CRD_DIR = Path(__file__).with_name("crds")


def _closed(node: Any) -> Any:
    if isinstance(node, dict):
        out = {k: _closed(v) for k, v in node.items()}
        if (
            "properties" in node
            and "additionalProperties" not in node
            and not node.get("x-kubernetes-preserve-unknown-fields")
        ):
            out["additionalProperties"] = False
        return out
    if isinstance(node, list):
        return [_closed(v) for v in node]
    return node


@cache
def crd_files() -> dict[tuple[str, str], dict[str, Any]]:
    """(apiVersion, kind) -> the vendored CRD record."""
    out: dict[tuple[str, str], dict[str, Any]] = {}
    for path in sorted(CRD_DIR.glob("*.json")):
        rec = json.loads(path.read_text())
        out[(f"{rec['group']}/{rec['version']}", rec["kind"])] = rec
    return out


def crd_errors(obj: dict[str, Any]) -> list[str]:
    """Every way ``obj`` (apiVersion, kind, metadata, spec) breaks its CRD schema; a missing CRD is an error."""
    key = (obj.get("apiVersion", ""), obj.get("kind", ""))
    rec = crd_files().get(key)
    if rec is None:
        return [f"{key[0]} {key[1]}: no vendored CRD schema in {CRD_DIR}"]
    validator = jsonschema.Draft202012Validator(_closed(rec["schema"]))
    return [
        f"{key[1]} {obj.get('metadata', {}).get('name')}: {'/'.join(map(str, e.absolute_path))}: {e.message}"
        for e in validator.iter_errors(obj)
    ]
