"""The replacement tables: every rule reads a real attribute, every provider key is a real SDK input."""

from __future__ import annotations

import collections.abc
import dataclasses
import typing

import pytest
from pulumi._types import input_type_types, is_input_type

from components.catalog.model import FabricKind, Offer
from components.plan.replacements import (
    ALL,
    DELETE,
    NOTE,
    RECREATE_NODES,
    REPLACE,
    RESOURCE_REPLACE_KEYS,
    RESOURCE_SHRINK_KEYS,
    SPEC_RULES,
    Rule,
    data_bearing_types,
)
from components.spec.model import Cluster, GpuPool, Network, Storage, TpuSlice
from components.spec.model import Kubernetes as K8s
from components.spec.resolved import ResolvedCluster, ResolvedPool, ResolvedSlice, ResolvedStorage
from tests.support.sdk_inputs import _unwrap, args_class

ROOTS = {"cluster": ResolvedCluster, "gpu-pool": ResolvedPool, "tpu-slice": ResolvedSlice, "storage": ResolvedStorage}
# dataclass field types that are themselves dataclasses, by name (the models use string annotations)
NESTED = {
    "spec": {
        "cluster": Cluster,
        "gpu-pool": GpuPool,
        "tpu-slice": TpuSlice,
        "storage": Storage,
    },
    "offer": Offer,
    "fabric": FabricKind,
    "network": Network,
    "kubernetes": K8s,
}


def _has_path(kind: str, dotted: str) -> bool:
    cls: typing.Any = ROOTS[kind]
    for part in dotted.split("."):
        names = {f.name for f in dataclasses.fields(cls)} | {n for n, v in vars(cls).items() if isinstance(v, property)}
        if part not in names:
            return False
        nxt = NESTED.get(part)
        cls = nxt.get(kind) if isinstance(nxt, dict) else nxt
        if cls is None:
            return part == dotted.split(".")[-1]
    return True


@pytest.mark.parametrize("rule", SPEC_RULES, ids=lambda r: f"{r.kind}:{r.field}:{r.when}")
def test_spec_rule_reads_a_real_attribute(rule: Rule) -> None:
    assert _has_path(rule.kind, rule.attr), f"{rule.kind} has no attribute path {rule.attr}"
    assert set(rule.effects) <= set(ALL)
    assert set(rule.effects.values()) <= {REPLACE, RECREATE_NODES, DELETE, NOTE}
    assert rule.when in ("changed", "decreased", "increased")
    # a reason for every cloud the rule applies to, naming no other cloud's service
    for cloud in rule.effects:
        why = rule.why_for(cloud)
        assert why, (rule.field, cloud)
        others = {"gcp": ("AKS", "EKS"), "azure": ("GKE", "EKS"), "aws": ("GKE", "AKS")}[cloud]
        assert not any(o in why for o in others), (rule.field, cloud, why)


def _declared(cls: type, dotted: str) -> bool:
    tp: typing.Any = cls
    for part in dotted.split("."):
        tp = _unwrap(tp)
        while typing.get_origin(tp) in (list, typing.Sequence, collections.abc.Sequence):
            tp = _unwrap(typing.get_args(tp)[0])
        if not (isinstance(tp, type) and is_input_type(tp)):
            return False
        declared = input_type_types(tp)
        if part not in declared:
            return False
        tp = declared[part]
    return True


@pytest.mark.parametrize("type_token", sorted({*RESOURCE_REPLACE_KEYS, *RESOURCE_SHRINK_KEYS}))
def test_provider_keys_are_sdk_inputs(type_token: str) -> None:
    cls = args_class(type_token)
    assert cls is not None
    for key in (*RESOURCE_REPLACE_KEYS.get(type_token, ()), *RESOURCE_SHRINK_KEYS.get(type_token, ())):
        assert _declared(cls, key), f"{type_token}: {key} is not an input of {cls.__name__}"


def test_every_data_bearing_type_is_watched() -> None:
    assert data_bearing_types() <= set(RESOURCE_REPLACE_KEYS)


def _res(type_: str, name: str, inputs: dict[str, object], protect: bool = True) -> object:
    from components.mockengine import CapturedResource

    return CapturedResource(type_, name, f"urn:pulumi:s::p::{type_}::{name}", None, True, inputs, protect=protect)


def test_resource_changes_sizes_that_only_grow() -> None:
    from components.plan.replacements import resource_changes

    lustre = "gcp:lustre/instance:Instance"
    base = [_res(lustre, "fs", {"capacityGib": "72000", "perUnitStorageThroughput": "250"})]
    shrunk = [_res(lustre, "fs", {"capacityGib": "36000", "perUnitStorageThroughput": "250"})]
    grown = [_res(lustre, "fs", {"capacityGib": "108000", "perUnitStorageThroughput": "250"})]
    (c,) = resource_changes(base, shrunk)  # type: ignore[arg-type]
    assert (c.severity, c.effect, c.kind) == ("danger", "replace", "storage") and c.protected
    assert resource_changes(base, grown) == []  # type: ignore[arg-type]
    retiered = [_res(lustre, "fs", {"capacityGib": "72000", "perUnitStorageThroughput": "500"})]
    assert [c.field for c in resource_changes(base, retiered)] == [f"{lustre} fs: perUnitStorageThroughput"]  # type: ignore[arg-type]
    filestore = "gcp:filestore/instance:Instance"
    fs_base = [_res(filestore, "nfs", {"fileShares": {"capacityGb": 2048, "name": "share"}})]
    fs_small = [_res(filestore, "nfs", {"fileShares": {"capacityGb": 1024, "name": "share"}})]
    assert resource_changes(fs_base, fs_small) != []  # type: ignore[arg-type]


def test_resource_changes_pool_force_new_and_gone() -> None:
    from components.plan.replacements import resource_changes

    ng = "aws:eks/nodeGroup:NodeGroup"
    base = [_res(ng, "p5", {"instanceTypes": ["p5.48xlarge"], "capacityType": "ON_DEMAND"}, protect=False)]
    head = [_res(ng, "p5", {"instanceTypes": ["p5e.48xlarge"], "capacityType": "ON_DEMAND"}, protect=False)]
    (c,) = resource_changes(base, head)  # type: ignore[arg-type]
    assert (c.severity, c.effect, c.before, c.after) == ("warning", "replace", ["p5.48xlarge"], ["p5e.48xlarge"])
    (gone,) = resource_changes(base, [])  # type: ignore[arg-type]
    assert gone.effect == "delete" and gone.severity == "warning"


def test_resource_changes_skip_inputs_the_program_ignores() -> None:
    """The Lustre legacy-port flag is `ignore_changes`: a version bump that would flip it is no replacement."""
    from components.plan.replacements import resource_changes

    lustre = "gcp:lustre/instance:Instance"
    base = [_res(lustre, "fs", {"capacityGib": "36000", "gkeSupportEnabled": True})]
    head = [_res(lustre, "fs", {"capacityGib": "36000"})]
    (c,) = resource_changes(base, head)  # type: ignore[arg-type]
    assert c.field == f"{lustre} fs: gkeSupportEnabled" and c.effect == "replace"
    head[0].ignore_changes = ["gkeSupportEnabled"]
    assert resource_changes(base, head) == []  # type: ignore[arg-type]


def test_an_eks_cluster_that_gets_a_name_is_replaced() -> None:
    from components.plan.replacements import resource_changes

    eks = "aws:eks/cluster:Cluster"
    before = [_res(eks, "fleet-ml-eks", {"roleArn": "r"}, protect=False)]  # autonamed by Pulumi
    after = [_res(eks, "fleet-ml-eks", {"roleArn": "r", "name": "ml"}, protect=False)]
    (c,) = resource_changes(before, after)  # type: ignore[arg-type]
    assert (c.effect, c.field, c.after) == ("replace", f"{eks} fleet-ml-eks: name", "ml")
