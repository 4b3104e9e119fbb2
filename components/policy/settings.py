"""The policies' configuration: schemas, per-environment defaults, and the environment itself.

Every threshold comes from the policy's ``PolicyConfigSchema`` (what ``pulumi preview
--policy-pack-config`` and a Pulumi Cloud policy group set), never from a constant in a rule.
A threshold is either one number for every environment or an object keyed by environment
(``{"dev": 16, "staging": 128, "prod": 2048}``); keys left out fall back to the defaults here.

The stack's environment, in order: the policy's ``environment`` config, the stack tag
``aiinfra-environment``, the ``environment`` of the fleet spec in the stack config
(``aiinfra:fleet``), else the strictest environment, ``dev`` (the ``accelerator-visibility``
policy says so, never silently). A resource's own ``aiinfra-environment`` label / tag can only
make its limits stricter: a pool labelled ``prod`` in a ``dev`` stack is judged as ``dev``
(otherwise anyone who can write a label could lift the organization's limits); a pool labelled
``dev`` in a ``prod`` stack is judged as ``dev``.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import yaml

from components.policy.specref import SpecIndex, index_spec

ENVIRONMENTS = ("dev", "staging", "prod")  # strictest first
FALLBACK_ENVIRONMENT = "dev"  # the strictest: an unknown environment never gets prod's limits
STACK_TAG = "aiinfra-environment"
CLASSES = ("frontier", "training", "inference")

MANDATORY = "mandatory"
ADVISORY = "advisory"


@dataclass(frozen=True)
class PolicySpec:
    """One policy: name, one-sentence description, default level, config schema and defaults."""

    name: str
    description: str
    level: str
    scope: str  # "resource" (Analyze) or "stack" (AnalyzeStack)
    properties: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    # environments where the policy applies by default (None: all)
    environments: tuple[str, ...] | None = None


def _per_env(kind: str, description: str, defaults: Mapping[str, Any], minimum: float = 0) -> dict[str, Any]:
    item: dict[str, Any] = {"type": kind, "minimum": minimum} if kind == "number" else {"type": kind}
    return {
        "description": description + " One value for every environment, or an object keyed by environment.",
        "type": [kind, "object"],
        **({"minimum": minimum} if kind == "number" else {}),
        "properties": {env: item for env in ENVIRONMENTS},
        "additionalProperties": False,
        "default": dict(defaults),
    }


def _class_list(description: str, defaults: Mapping[str, list[str]]) -> dict[str, Any]:
    item = {"type": "array", "items": {"type": "string", "enum": list(CLASSES)}}
    return {
        "description": description + " An object keyed by environment.",
        "type": "object",
        "properties": {env: item for env in ENVIRONMENTS},
        "additionalProperties": False,
        "default": dict(defaults),
    }


def _envs(description: str, default: list[str]) -> dict[str, Any]:
    return {
        "description": description,
        "type": "array",
        "items": {"type": "string", "enum": list(ENVIRONMENTS)},
        "default": default,
    }


_MBPS = {
    "description": "Sustained read MB/s one accelerator of each class needs from shared storage.",
    "type": "object",
    "properties": {c: {"type": "number", "minimum": 0} for c in CLASSES},
    "additionalProperties": False,
    "default": {"frontier": 250, "training": 125, "inference": 50},
}

COMMON_PROPERTIES: Mapping[str, Mapping[str, Any]] = {
    "environment": {
        "description": (
            "The stack's environment: its resources get this environment's limits (a resource's own "
            "aiinfra-environment label or tag can only make them stricter). Default: the stack tag "
            "aiinfra-environment, then the fleet spec's environment, else dev (the strictest)."
        ),
        "type": "string",
        "enum": list(ENVIRONMENTS),
    },
    "prices": {
        "description": (
            "Price overlays to price accelerators from (aiinfra prices refresh output, discounts): a file path "
            "(relative to the Pulumi project directory), an inline aiinfra-price-overlay/v1 object, or a list of "
            "them. Default: the stack setting aiinfra:prices, else the catalog's list prices."
        ),
        "type": ["string", "object", "array"],
    },
}

POLICIES: tuple[PolicySpec, ...] = (
    PolicySpec(
        "stack-ceilings",
        "The stack's accelerators and hourly cost at max scale stay within the environment's ceilings "
        "(and the fleet spec's own budget).",
        MANDATORY,
        "stack",
        {
            "maxAccelerators": _per_env(
                "number",
                "Accelerators (GPUs, TPU chips, Neuron chips) at max scale, per environment.",
                {"dev": 16, "staging": 128, "prod": 2048},
            ),
            "maxHourlyUsd": _per_env(
                "number",
                "On-demand (spot where used) USD per hour at max scale, per environment.",
                {"dev": 150, "staging": 2500, "prod": 40000},
            ),
            "honourFleetBudget": {
                "description": "Also enforce the fleet spec's budget "
                "(aiinfra:fleet budget.maxAccelerators / maxHourlyUsd).",
                "type": "boolean",
                "default": True,
            },
        },
    ),
    PolicySpec(
        "pool-max-nodes",
        "No accelerator pool can scale beyond the environment's node ceiling.",
        MANDATORY,
        "stack",
        {
            "maxNodesPerPool": _per_env(
                "number", "Nodes per accelerator pool at max scale.", {"dev": 4, "staging": 32, "prod": 256}
            )
        },
    ),
    PolicySpec(
        "tpu-slice-size",
        "No TPU slice is larger than the environment's chip ceiling.",
        MANDATORY,
        "resource",
        {"maxChipsPerSlice": _per_env("number", "TPU chips per slice.", {"dev": 16, "staging": 256, "prod": 8960})},
    ),
    PolicySpec(
        "scale-to-zero",
        "Accelerator pools outside prod scale down to zero nodes when idle.",
        MANDATORY,
        "stack",
        {"environments": _envs("Environments where pools must scale to zero.", ["dev", "staging"])},
        environments=("dev", "staging"),
    ),
    PolicySpec(
        "allowed-accelerator-classes",
        "Each environment uses only the accelerator classes it allows (no frontier parts in dev).",
        MANDATORY,
        "resource",
        {
            "allowedClasses": _class_list(
                "Accelerator classes (catalog class) each environment may use.",
                {
                    "dev": ["inference", "training"],
                    "staging": ["inference", "training", "frontier"],
                    "prod": ["inference", "training", "frontier"],
                },
            )
        },
    ),
    PolicySpec(
        "spot-outside-prod",
        "Accelerator pools outside prod run on spot (or reserved) capacity.",
        ADVISORY,
        "stack",
        {"environments": _envs("Environments where pools should use spot capacity.", ["dev", "staging"])},
        environments=("dev", "staging"),
    ),
    PolicySpec(
        "under-networked",
        "Multi-node pools of machines whose fabric is essential have that fabric configured.",
        MANDATORY,
        "stack",
        {
            "requirePlacement": {
                "description": "Also require compact / cluster / proximity placement (turn off for capacity "
                "reservations or Capacity Blocks that place nodes themselves).",
                "type": "boolean",
                "default": True,
            },
        },
    ),
    PolicySpec(
        "fabric-unused",
        "Machines that carry an accelerator fabric are not used in pools that can never exceed one node.",
        ADVISORY,
        "stack",
    ),
    PolicySpec(
        "shared-storage-overprovisioned",
        "Shared file systems are not provisioned far beyond the read throughput the stack's accelerators can use.",
        MANDATORY,
        "stack",
        {
            "maxRatio": {
                "description": "Flag when provisioned throughput exceeds this multiple of the accelerators' demand.",
                "type": "number",
                "minimum": 1,
                "default": 4,
            },
            "mbpsPerAccelerator": _MBPS,
        },
    ),
    PolicySpec(
        "shared-storage-bottleneck",
        "Shared file systems are not provisioned far below the read throughput the stack's accelerators need.",
        ADVISORY,
        "stack",
        {
            "minRatio": {
                "description": "Flag when provisioned throughput is below this fraction of the accelerators' demand.",
                "type": "number",
                "minimum": 0,
                "maximum": 1,
                "default": 0.25,
            },
            "mbpsPerAccelerator": _MBPS,
        },
    ),
    PolicySpec(
        "volume-performance",
        "Block volumes do not provision more IOPS or throughput than the instance they serve can consume.",
        MANDATORY,
        "stack",
    ),
    PolicySpec(
        "accelerator-visibility",
        "Accelerator resources the pack cannot fully read (unknown machine types, values unknown at preview) "
        "are reported, never passed silently.",
        ADVISORY,
        "stack",
    ),
)

BY_NAME: Mapping[str, PolicySpec] = {p.name: p for p in POLICIES}


def schema_properties(spec: PolicySpec) -> dict[str, Any]:
    """The policy's config schema properties (its own plus the common ``environment``)."""
    return {**{k: dict(v) for k, v in spec.properties.items()}, **{k: dict(v) for k, v in COMMON_PROPERTIES.items()}}


@dataclass(frozen=True)
class FleetHints:
    """What the stack config's fleet spec (``aiinfra:fleet``) says, if present."""

    environment: str | None = None
    max_accelerators: float | None = None
    max_hourly_usd: float | None = None
    # the spec's items by name, so fixes on ai-infra's resources can name spec fields
    spec: SpecIndex = field(default_factory=SpecIndex)


def fleet_hints(raw: Any) -> FleetHints:
    """Read ``environment`` and ``budget`` from the ``aiinfra:fleet`` config value (JSON / YAML / dict)."""
    doc = raw
    if isinstance(raw, str):
        try:
            doc = json.loads(raw)
        except ValueError:
            try:
                doc = yaml.safe_load(raw)
            except yaml.YAMLError:
                return FleetHints()
    if not isinstance(doc, Mapping):
        return FleetHints()
    env = doc.get("environment")
    budget = doc.get("budget") if isinstance(doc.get("budget"), Mapping) else {}
    assert isinstance(budget, Mapping)

    def number(v: Any) -> float | None:
        return float(v) if isinstance(v, int | float) and not isinstance(v, bool) else None

    return FleetHints(
        environment=env if env in ENVIRONMENTS else None,
        max_accelerators=number(budget.get("maxAccelerators")),
        max_hourly_usd=number(budget.get("maxHourlyUsd")),
        spec=index_spec(doc),
    )


@dataclass(frozen=True)
class Settings:
    """One policy's effective configuration for a stack."""

    spec: PolicySpec
    config: Mapping[str, Any]
    stack_tags: Mapping[str, str] = field(default_factory=dict)
    fleet: FleetHints = field(default_factory=FleetHints)

    def default_environment(self) -> tuple[str, str]:
        """(environment, where it came from) for resources without their own label."""
        env = self.config.get("environment")
        if env in ENVIRONMENTS:
            return env, "policy config"
        tag = self.stack_tags.get(STACK_TAG)
        if tag in ENVIRONMENTS:
            return tag, "stack tag"
        if self.fleet.environment:
            return self.fleet.environment, "fleet spec"
        return FALLBACK_ENVIRONMENT, "fallback"

    def environment(self, labels: Mapping[str, str]) -> str:
        """The environment whose limits apply to a resource with these labels.

        The stack's environment, or the resource's own label when that is stricter: a label
        never lifts the limits the stack's configuration sets.
        """
        return stricter(labels.get(STACK_TAG), self.default_environment()[0])

    def lifted_label(self, labels: Mapping[str, str]) -> str | None:
        """The resource's own environment label when it names a looser environment than applies."""
        own = labels.get(STACK_TAG)
        if own in ENVIRONMENTS and own != self.environment(labels):
            return own
        return None

    def raw(self, key: str) -> Any:
        if key in self.config and self.config[key] is not None:
            return self.config[key]
        prop = self.spec.properties.get(key) or COMMON_PROPERTIES.get(key) or {}
        return prop.get("default")

    def for_env(self, key: str, env: str) -> Any:
        """A per-environment threshold for ``env`` (a bare value applies to every environment)."""
        value = self.raw(key)
        if isinstance(value, Mapping):
            if env in value and value[env] is not None:
                return value[env]
            default = (self.spec.properties.get(key) or {}).get("default") or {}
            return default.get(env) if isinstance(default, Mapping) else default
        return value

    def applies(self, env: str) -> bool:
        envs = self.raw("environments")
        if isinstance(envs, list):
            return env in envs
        return self.spec.environments is None or env in self.spec.environments


def stricter(label: Any, configured: str) -> str:
    """``label`` if it names an environment at least as strict as ``configured``, else ``configured``."""
    if label in ENVIRONMENTS and ENVIRONMENTS.index(label) < ENVIRONMENTS.index(configured):
        return str(label)
    return configured


def settings_for(
    name: str,
    config: Mapping[str, Any] | None = None,
    stack_tags: Mapping[str, str] | None = None,
    fleet: FleetHints | None = None,
) -> Settings:
    return Settings(BY_NAME[name], dict(config or {}), dict(stack_tags or {}), fleet or FleetHints())
