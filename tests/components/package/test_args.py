"""One source of truth: the package schema's inputs equal the fleet JSON Schema, field by field.

``components/package/args.py`` is generated from ``fleet.schema.json``; these tests check that the
checked-in file is current, and then, independently of the generator, walk the JSON Schema and
the Pulumi package schema the plugin serves side by side: the same keys at every level, the same
required keys, the same types (enums with the same values, objects, maps, lists), and each
field's schema description and default in its Pulumi description.
"""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest

from components.package import codegen
from components.package.provider import schema as package_schema
from components.spec.schema import fleet_schema

ROOT = Path(__file__).resolve().parents[3]
_SCALARS = {"string": "string", "integer": "integer", "boolean": "boolean", "number": "number"}


def _target(prop: dict[str, Any], defs: dict[str, Any]) -> dict[str, Any] | None:
    return defs[prop["$ref"].split("/")[-1]] if "$ref" in prop else None


def _type_token(prop: dict[str, Any]) -> str | None:
    ref = prop.get("$ref", "")
    return ref.removeprefix("#/types/") if ref.startswith("#/types/") else None


def _compare_type(
    js: dict[str, Any], pp: dict[str, Any], pkg: dict[str, Any], defs: dict[str, Any], path: str
) -> list[str]:
    """Differences between one JSON Schema value schema and one Pulumi property."""
    target = _target(js, defs)
    if target is not None:
        js = {**target, **{k: v for k, v in js.items() if k != "$ref"}}
    token = _type_token(pp)
    declared = pkg["types"].get(token) if token else None
    if "enum" in js:
        if declared is None or "enum" not in declared:
            return [f"{path}: JSON Schema enum {js['enum']}, package property {pp}"]
        values = [e["value"] for e in declared["enum"]]
        return [] if values == js["enum"] else [f"{path}: enum values {js['enum']} != package {values}"]
    kind = js.get("type")
    if kind == "object" and "properties" in js:
        if declared is None or declared.get("type") != "object":
            return [f"{path}: JSON Schema object, package property {pp}"]
        return compare_object(js, declared.get("properties", {}), set(declared.get("required", [])), pkg, defs, path)
    if kind == "object":
        extra = js.get("additionalProperties")
        if pp.get("type") != "object" or not isinstance(extra, dict) or "additionalProperties" not in pp:
            return [f"{path}: JSON Schema map, package property {pp}"]
        return _compare_type(extra, pp["additionalProperties"], pkg, defs, f"{path}.*")
    if kind == "array":
        if pp.get("type") != "array":
            return [f"{path}: JSON Schema list, package property {pp}"]
        return _compare_type(js["items"], pp["items"], pkg, defs, f"{path}[]")
    if kind in _SCALARS:
        return [] if pp.get("type") == _SCALARS[kind] else [f"{path}: JSON Schema {kind}, package {pp.get('type')}"]
    return [f"{path}: JSON Schema type {kind!r} has no package counterpart"]


def compare_object(
    js: dict[str, Any],
    props: dict[str, Any],
    required: set[str],
    pkg: dict[str, Any],
    defs: dict[str, Any],
    path: str,
    omit: frozenset[str] = frozenset(),
) -> list[str]:
    """Every difference between a JSON Schema object and a package object (inputs or a type)."""
    out: list[str] = []
    js_props = {k: v for k, v in js.get("properties", {}).items() if k not in omit}
    where = path or "(top level)"
    out += [f"{where}: '{k}' is in the JSON Schema, not in the package" for k in js_props if k not in props]
    out += [f"{where}: '{k}' is in the package, not in the JSON Schema" for k in props if k not in js_props]
    js_required = set(js.get("required", [])) - omit
    for key in sorted(js_props.keys() & props.keys()):
        jp, pp = js_props[key], props[key]
        field = f"{path}.{key}" if path else key
        if (key in js_required) != (key in required):
            out.append(f"{field}: required in the JSON Schema: {key in js_required}, in the package: {key in required}")
        target = _target(jp, defs) or {}
        text = jp.get("description") or target.get("description")
        desc = pp.get("description", "")
        if not text or text not in desc:
            out.append(f"{field}: package description {desc!r} does not carry the JSON Schema's {text!r}")
        if key not in js_required and "default" not in desc.lower():
            out.append(f"{field}: optional, but its description names no default: {desc!r}")
        # A description that states its default in words ("Default: none (...)") is kept as written.
        if ("default" in jp or "default" in target) and "Default:" not in text:
            value = jp["default"] if "default" in jp else target["default"]
            if codegen.default_text(value) not in desc:
                out.append(f"{field}: default {value!r} is not in the package description {desc!r}")
        out += _compare_type(jp, pp, pkg, defs, field)
    return out


def parity(schema: dict[str, Any], pkg: dict[str, Any]) -> list[str]:
    """Every difference between the fleet JSON Schema and the package's component inputs."""
    defs = schema["$defs"]
    fleet = pkg["resources"]["aiinfra:index:Fleet"]
    out = compare_object(schema, fleet["inputProperties"], set(fleet.get("requiredInputs", [])), pkg, defs, "")
    # A cluster component: one clusters[] item without cloud, plus the fleet's environment.
    extras = {k: schema["properties"][k] for k in codegen.CLUSTER_COMPONENT_EXTRAS if k in schema["properties"]}
    cluster = {**defs["cluster"], "properties": {**extras, **defs["cluster"]["properties"]}}
    for component in codegen.CLOUD_COMPONENTS.values():
        res = pkg["resources"][f"aiinfra:index:{component}"]
        out += compare_object(
            cluster,
            res["inputProperties"],
            set(res.get("requiredInputs", [])),
            pkg,
            defs,
            component,
            omit=codegen.CLUSTER_COMPONENT_OMITS,
        )
    return out


def test_args_module_is_generated_from_the_current_schema() -> None:
    checked_in = (ROOT / "components/package/args.py").read_text("utf-8")
    assert checked_in == codegen.render(), (
        "components/package/args.py is stale: python -m components.package.codegen > components/package/args.py"
    )


def test_package_inputs_match_the_json_schema_field_by_field() -> None:
    assert parity(fleet_schema(), package_schema()) == []


def test_every_spec_field_is_compared() -> None:
    """The walk reaches every property of every object in the JSON Schema (nothing skipped)."""
    schema = fleet_schema()
    seen: list[str] = []

    def walk(obj: dict[str, Any], path: str) -> None:
        for key, prop in obj.get("properties", {}).items():
            seen.append(f"{path}.{key}" if path else key)
            target = _target(prop, schema["$defs"]) or prop
            item = target.get("items", {})
            item = _target(item, schema["$defs"]) or item
            for nested, suffix in ((target, ""), (item, "[]")):
                if "properties" in nested:
                    walk(nested, f"{path}.{key}{suffix}" if path else f"{key}{suffix}")

    walk(schema, "")
    pkg = package_schema()
    # Break each field in turn: the comparison names it.
    for field in seen:
        broken = copy.deepcopy(schema)
        obj = broken
        parts = field.replace("[]", "").split(".")
        for part in parts[:-1]:
            prop = obj["properties"][part]
            prop = _target(prop, broken["$defs"]) or prop
            items = prop.get("items")
            obj = (_target(items, broken["$defs"]) or items) if items else prop
        obj["properties"][parts[-1] + "Renamed"] = obj["properties"].pop(parts[-1])
        assert any(parts[-1] in line for line in parity(broken, pkg)), field
    assert len(seen) > 40


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (lambda s: s["$defs"]["gpuPool"]["properties"]["localSsd"]["enum"].append("raid10"), "enum values"),
        (lambda s: s["$defs"]["storage"]["required"].remove("capacityGiB"), "required in the JSON Schema"),
        (lambda s: s["$defs"]["tpuSlice"]["properties"]["count"].update(type="string"), "JSON Schema string"),
        (lambda s: s["$defs"]["gpuPool"]["properties"]["maxNodes"].update(default=2), "default 2"),
        (lambda s: s["properties"]["budget"].update(description="Other words."), "Other words."),
    ],
)
def test_a_drift_is_reported(change: Any, expected: str) -> None:
    schema = copy.deepcopy(fleet_schema())
    change(schema)
    assert any(expected in line for line in parity(schema, package_schema()))


def test_generated_names_and_defaults() -> None:
    assert codegen.member_name("on-demand") == "OnDemand"
    assert codegen.member_name(988) == "Value988"
    assert codegen.member_name("v5e") == "V5e"
    assert codegen.member_name("raid0") == "Raid0"
    assert codegen.pascal("systemPool") == "SystemPool"
    assert codegen.default_text({}) == "{}"
    assert codegen.default_text(True) == "true"
    assert codegen.describe({"description": "Boot disk.", "default": 200}, None) == "Boot disk. Default: `200`."
    # A description that already states its default is kept as written.
    assert codegen.describe({"description": "X. Default: none.", "default": 1}, None) == "X. Default: none."


def test_an_untypeable_schema_is_refused_with_its_path() -> None:
    schema = copy.deepcopy(fleet_schema())
    schema["$defs"]["gpuPool"]["properties"]["odd"] = {"oneOf": [{"type": "string"}, {"type": "integer"}]}
    with pytest.raises(ValueError, match=r"GpuPool\.odd"):
        codegen.build_model(schema)
