"""Render the fleet JSON Schema as a Markdown field reference (``docs/spec-reference.md``).

The schema is the single source of every field's meaning, type and default; this keeps the
docs from drifting (a test compares the checked-in file to a fresh render). Regenerate with
``python -m components.spec.reference > docs/spec-reference.md``.
"""

from __future__ import annotations

from typing import Any

from components.spec import limits
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
    if isinstance(value, list):
        return f"`[{', '.join(str(v) for v in value)}]`"
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
    out += _limits(schema, defs)
    return "\n".join(out)


def _limits(schema: dict[str, Any], defs: dict[str, Any]) -> list[str]:
    """The size limits: the schema's per-field ones and ``components.spec.limits``' document-wide ones."""
    cluster = defs["cluster"]["properties"]
    rows = [
        ("`clusters`", f"{schema['properties']['clusters']['maxItems']} clusters"),
        ("`clusters[].gpuPools`", f"{cluster['gpuPools']['maxItems']} pools"),
        ("`clusters[].tpuSlices`", f"{cluster['tpuSlices']['maxItems']} slices"),
        ("`clusters[].storage`", f"{cluster['storage']['maxItems']} items"),
        (
            "`labels` (each level)",
            f"{defs['labels']['maxProperties']} labels, so fleet + cluster labels and ai-infra's own four fit the "
            "50 tags AWS and Azure allow per resource",
        ),
        ("the file", f"{limits.MAX_DOCUMENT_BYTES:,} bytes"),
        ("values, YAML aliases (`*anchor`) expanded", f"{limits.MAX_VALUES:,} (an alias bomb is rejected unexpanded)"),
        ("nesting", f"{limits.MAX_DEPTH} levels"),
        ("any list / mapping", f"{limits.MAX_LIST_ITEMS} items / {limits.MAX_MAPPING_KEYS} keys"),
        ("any string / key", f"{limits.MAX_STRING_CHARS:,} / {limits.MAX_KEY_CHARS} characters"),
    ]
    return [
        "## Limits",
        "",
        "A spec beyond these is rejected before anything else reads it, so hostile or runaway input costs",
        "bounded time and memory (`validate`, `plan`, `diff` and the Pulumi program alike). Values quoted",
        f"back in messages are cut to {limits.ECHO_CHARS} characters.",
        "",
        "| what | at most |",
        "|---|---|",
        *(f"| {what} | {most} |" for what, most in rows),
        "",
    ]


if __name__ == "__main__":
    print(render(), end="")
