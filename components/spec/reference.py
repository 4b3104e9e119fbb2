"""Render the fleet JSON Schema as a Markdown field reference (``docs/spec-reference.md``).

The schema is the single source of every field's meaning, type and default; this keeps the
docs from drifting (a test compares the checked-in file to a fresh render). Regenerate with
``python -m components.spec.reference > docs/spec-reference.md``.
"""

from __future__ import annotations

from typing import Any

from components.spec.schema import fleet_schema

SECTIONS = [
    ("Fleet (top level)", None),
    ("Cluster (`clusters[]`)", "cluster"),
    ("GPU pool (`clusters[].gpuPools[]`)", "gpuPool"),
    ("TPU slice (`clusters[].tpuSlices[]`)", "tpuSlice"),
    ("Storage (`clusters[].storage[]`)", "storage"),
    ("Add-ons (`clusters[].addons`)", "addons"),
]


def _type(prop: dict[str, Any], defs: dict[str, Any]) -> str:
    if "$ref" in prop:
        name = prop["$ref"].split("/")[-1]
        target = defs[name]
        if "enum" in target:
            return " \\| ".join(f"`{v}`" for v in target["enum"])
        return {"labels": "map of string", "name": "name"}.get(name, name)
    if "enum" in prop:
        return " \\| ".join(f"`{v}`" for v in prop["enum"])
    t = prop.get("type", "")
    if t == "array":
        return "list"
    return str(t)


def _default(prop: dict[str, Any], defs: dict[str, Any]) -> str:
    if "$ref" in prop and "default" not in prop:
        prop = defs[prop["$ref"].split("/")[-1]]
    if "default" not in prop:
        return ""
    value = prop["default"]
    if value in ({}, []):
        return "empty"
    if isinstance(value, bool):
        return f"`{str(value).lower()}`"
    return f"`{value}`"


def _description(prop: dict[str, Any], defs: dict[str, Any]) -> str:
    text = prop.get("description")
    if text is None and "$ref" in prop:
        text = defs[prop["$ref"].split("/")[-1]].get("description", "")
    return (text or "").replace("|", "\\|")


def _rows(obj: dict[str, Any], defs: dict[str, Any], prefix: str = "") -> list[str]:
    rows: list[str] = []
    required = set(obj.get("required", []))
    for key, prop in obj.get("properties", {}).items():
        name = f"`{prefix}{key}`" + (" (required)" if key in required else "")
        rows.append(f"| {name} | {_type(prop, defs)} | {_default(prop, defs)} | {_description(prop, defs)} |")
        if prop.get("type") == "object" and "properties" in prop:
            rows.extend(_rows(prop, defs, f"{prefix}{key}."))
    return rows


def render() -> str:
    """The whole reference as Markdown."""
    schema = fleet_schema()
    defs = schema["$defs"]
    out = [
        "# Fleet spec reference (v1)",
        "",
        "Generated from `components/spec/fleet.schema.json` by `python -m components.spec.reference`;",
        "do not edit by hand. Every object rejects unknown keys (with a did-you-mean hint).",
        "",
    ]
    for title, ref in SECTIONS:
        obj = schema if ref is None else defs[ref]
        out += [f"## {title}", "", "| field | type | default | meaning |", "|---|---|---|---|"]
        out += _rows(obj, defs)
        out.append("")
    return "\n".join(out)


if __name__ == "__main__":
    print(render(), end="")
