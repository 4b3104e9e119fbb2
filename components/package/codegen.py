"""Generate the component package's typed args (``components/package/args.py``) from the fleet JSON Schema.

The JSON Schema (``components/spec/fleet.schema.json``) is the one source of truth for the
spec's fields; the Pulumi package schema is inferred by ``pulumi.provider.experimental`` from
Python type annotations and attribute docstrings. This module writes those annotations: one
``TypedDict`` per spec object (``ClusterSpec``, ``GpuPoolSpec``, ...) and one ``Enum`` per
spec enum, every field typed, described and given its default, under the spec's own
camelCase keys, so the dict a component receives is a fleet spec document as it is.

Regenerate after a schema change (a test fails until you do)::

    python -m components.package.codegen > components/package/args.py

Names: an object under ``$defs`` becomes ``<Def>Spec``; an inline object property
``<Property>Spec``; an enum under ``$defs`` ``<Def>``, an inline enum ``<Owner><Property>``
(``ClusterCloud``, ``GpuPoolPlacement``), where ``Owner`` is the spec object without
``Spec``. Enum members are PascalCase (``OnDemand``; integers ``Value<n>``).
"""

from __future__ import annotations

import json
import keyword
import re
import sys
from dataclasses import dataclass, field
from typing import Any

from components.spec.schema import fleet_schema

# The cluster components take one ``clusters[]`` item without ``cloud`` (the component is the
# cloud), plus the fleet's ``environment``; one args class per cloud.
CLOUD_COMPONENTS = {"gcp": "GcpCluster", "azure": "AzureCluster", "aws": "AwsCluster"}
CLOUD_TITLES = {"gcp": "GCP (GKE)", "azure": "Azure (AKS)", "aws": "AWS (EKS)"}
# Fields of a ``clusters[]`` item a cluster component does not take as input.
CLUSTER_COMPONENT_OMITS = frozenset({"cloud"})
# Fleet-level fields a cluster component takes as well.
CLUSTER_COMPONENT_EXTRAS = ("environment",)


def pascal(name: str) -> str:
    """``gpuPool`` -> ``GpuPool``; ``system-pool`` -> ``SystemPool``."""
    parts = re.split(r"[^A-Za-z0-9]+", name)
    return "".join(p[:1].upper() + p[1:] for p in parts if p)


def member_name(value: Any) -> str:
    """An enum member name for a spec value, PascalCase as Pulumi SDKs name enum members (TypeScript
    ``Capacity.OnDemand``, Go ``CapacityOnDemand``): ``on-demand`` -> ``OnDemand``, ``988`` -> ``Value988``."""
    if isinstance(value, bool) or not isinstance(value, str):
        return f"Value{value}"
    name = pascal(value)
    if not name or name[0].isdigit() or keyword.iskeyword(name):
        name = f"Value{name}"
    return name


def default_text(value: Any) -> str:
    """How a default reads in a description: ``on-demand``, ``true``, ``{}`` (empty)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return value
    return json.dumps(value, separators=(", ", ": "))


def describe(prop: dict[str, Any], target: dict[str, Any] | None) -> str:
    """A field's description: the schema's text, then its default when the schema has one.

    A property's own ``description`` / ``default`` win over those of the ``$ref`` target
    (JSON Schema 2020-12 annotations beside a ``$ref``).
    """
    text = prop.get("description") or (target or {}).get("description") or ""
    has_default = "default" in prop or (target is not None and "default" in target)
    if has_default and "Default:" not in text:
        value = prop["default"] if "default" in prop else (target or {})["default"]
        text = f"{text.rstrip()} Default: `{default_text(value)}`."
    return text.strip()


@dataclass
class EnumDef:
    name: str
    description: str
    values: list[Any]


@dataclass
class ObjectDef:
    name: str
    description: str
    # (key, python type, required, description)
    fields: list[tuple[str, str, bool, str]] = field(default_factory=list)


@dataclass
class Model:
    """Every class to write, in definition order (a class after the classes it uses)."""

    enums: dict[str, EnumDef] = field(default_factory=dict)
    objects: dict[str, ObjectDef] = field(default_factory=dict)
    order: list[str] = field(default_factory=list)


class _Builder:
    def __init__(self, schema: dict[str, Any]) -> None:
        self.schema = schema
        self.defs: dict[str, Any] = schema.get("$defs", {})
        self.model = Model()

    def _enum(self, name: str, description: str, values: list[Any]) -> str:
        known = self.model.enums.get(name)
        if known is None:
            self.model.enums[name] = EnumDef(name, description, list(values))
            self.model.order.append(name)
        elif known.values != list(values):
            raise ValueError(f"two different enums would both be named {name}: {known.values} and {values}")
        return name

    def py_type(self, owner: str, key: str, prop: dict[str, Any]) -> str:
        """The Python annotation of one property (classes it needs are added to the model)."""
        if "$ref" in prop:
            def_name = prop["$ref"].split("/")[-1]
            target = self.defs[def_name]
            if "enum" in target:
                return self._enum(pascal(def_name), target.get("description", ""), target["enum"])
            if target.get("type") == "object" and "properties" in target:
                return self.object_class(f"{pascal(def_name)}Spec", target)
            return self.py_type(owner, key, target)
        if "enum" in prop:
            return self._enum(f"{owner}{pascal(key)}", prop.get("description", ""), prop["enum"])
        kind = prop.get("type")
        if kind == "string":
            return "str"
        if kind == "integer":
            return "int"
        if kind == "boolean":
            return "bool"
        if kind == "number":
            return "float"
        if kind == "array":
            return f"list[{self.py_type(owner, key, prop['items'])}]"
        if kind == "object" and "properties" in prop:
            return self.object_class(f"{pascal(key)}Spec", prop)
        if kind == "object" and isinstance(prop.get("additionalProperties"), dict):
            return f"dict[str, {self.py_type(owner, key, prop['additionalProperties'])}]"
        raise ValueError(f"{owner}.{key}: the package cannot type this schema: {json.dumps(prop)[:200]}")

    def fields_of(
        self, owner: str, obj: dict[str, Any], omit: frozenset[str] = frozenset()
    ) -> list[tuple[str, str, bool, str]]:
        required = set(obj.get("required", []))
        out = []
        for key, prop in obj.get("properties", {}).items():
            if key in omit:
                continue
            target = self.defs[prop["$ref"].split("/")[-1]] if "$ref" in prop else None
            out.append((key, self.py_type(owner, key, prop), key in required, describe(prop, target)))
        return out

    def object_class(self, name: str, obj: dict[str, Any]) -> str:
        if name in self.model.objects:
            return name
        placeholder = ObjectDef(name, obj.get("description", ""))
        self.model.objects[name] = placeholder
        placeholder.fields = self.fields_of(name.removesuffix("Spec"), obj)
        self.model.order.append(name)
        return name

    def build(self) -> Model:
        top = self.schema
        fleet = ObjectDef("FleetArgs", "The inputs of `Fleet`: a whole fleet spec (v1). " + top.get("description", ""))
        fleet.fields = self.fields_of("Fleet", top)
        self.model.objects[fleet.name] = fleet
        self.model.order.append(fleet.name)
        cluster = self.defs["cluster"]
        top_props = top.get("properties", {})
        for cloud, component in CLOUD_COMPONENTS.items():
            args = ObjectDef(
                f"{component}Args",
                f"The inputs of `{component}`: one `clusters[]` item of the fleet spec on {CLOUD_TITLES[cloud]} "
                f"(without `cloud`), and the fleet's `environment`.",
            )
            args.fields = [
                (key, self.py_type("Fleet", key, top_props[key]), False, describe(top_props[key], None))
                for key in CLUSTER_COMPONENT_EXTRAS
            ] + self.fields_of("Cluster", cluster, CLUSTER_COMPONENT_OMITS)
            self.model.objects[args.name] = args
            self.model.order.append(args.name)
        return self.model


def build_model(schema: dict[str, Any] | None = None) -> Model:
    """The classes ``args.py`` holds, from the fleet JSON Schema (default: the shipped one)."""
    return _Builder(schema if schema is not None else fleet_schema()).build()


def _docstring(text: str, indent: str) -> str:
    text = text.replace("\\", "\\\\").replace('"""', '\\"\\"\\"')
    return f'{indent}"""{text}"""'


def _enum_bases(model: Model) -> list[str]:
    return sorted({"StrEnum" if all(isinstance(v, str) for v in e.values) else "IntEnum" for e in model.enums.values()})


def render(schema: dict[str, Any] | None = None) -> str:
    """The text of ``components/package/args.py``."""
    model = build_model(schema)
    out = [
        '"""Typed args of the ai-infra component package, generated from ``components/spec/fleet.schema.json``.',
        "",
        "Do not edit: regenerate with ``python -m components.package.codegen > components/package/args.py``.",
        "``pulumi.provider.experimental`` infers the package schema (types, descriptions) from these",
        "annotations and docstrings; keys are the spec's own camelCase keys. No ``from __future__ import",
        "annotations`` here: the schema inference reads the annotations as live types.",
        '"""',
        "",
        "from enum import " + ", ".join(_enum_bases(model)),
        "from typing import NotRequired, TypedDict",
        "",
    ]
    for name in model.order:
        out.append("")
        if name in model.enums:
            enum = model.enums[name]
            base = "StrEnum" if all(isinstance(v, str) for v in enum.values) else "IntEnum"
            out.append(f"class {name}({base}):")
            out.append(_docstring(enum.description or f"{name} values.", "    "))
            out.append("")
            for value in enum.values:
                out.append(f"    {member_name(value)} = {json.dumps(value)}")
        else:
            obj = model.objects[name]
            out.append(f"class {name}(TypedDict):")
            out.append(_docstring(obj.description or f"{name}.", "    "))
            for key, py, required, desc in obj.fields:
                out.append("")
                out.append(f"    {key}: {py if required else f'NotRequired[{py}]'}")
                out.append(_docstring(desc, "    "))
        out.append("")
    return "\n".join(out).rstrip() + "\n"


if __name__ == "__main__":
    sys.stdout.write(render())
