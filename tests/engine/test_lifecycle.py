"""``pulumi up``, a second preview, a pool change and ``pulumi destroy`` on each training stack.

After ``up --yes``: ``preview --expect-no-changes`` passes (names and URNs are stable across
runs); the kubeconfig stack output is a secret; changing one pool's accelerator previews a
replace of that pool alone; ``destroy --yes`` stops at protected storage and the stand-in
never sees a ``Delete`` for it.
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.engine.conftest import EngineProject
from tests.engine.engine import REPLACE_OPS, ops, replaced, urn_name, urn_type

pytestmark = pytest.mark.engine

PACK = "policies/overprovisioning"

# Per stack: the first pool's accelerator before and after the change, and the types whose
# replacement is that pool (a node pool; on AWS the node group and its launch template).
POOL_CHANGE: dict[str, tuple[str, str, frozenset[str]]] = {
    "gcp-train": ("H100-80GB", "H200-141GB", frozenset({"gcp:container/nodePool:NodePool"})),
    "azure-train": ("H100-80GB", "H200-141GB", frozenset({"azure-native:containerservice:AgentPool"})),
    "aws-train": (
        "H100-80GB",
        "H200-141GB",
        frozenset({"aws:eks/nodeGroup:NodeGroup", "aws:ec2/launchTemplate:LaunchTemplate"}),
    ),
}
POOL_TYPES = frozenset().union(*(types for _, _, types in POOL_CHANGE.values())) | {"gcp:tpu/v2Vm:V2Vm"}
CLUSTER_TYPES = frozenset(
    {"gcp:container/cluster:Cluster", "azure-native:containerservice:ManagedCluster", "aws:eks/cluster:Cluster"}
)


def _state(project: EngineProject, stack: str) -> list[dict[str, Any]]:
    exported = project.run("stack", "export", "--stack", stack).json()
    resources: list[dict[str, Any]] = exported["deployment"].get("resources", [])
    return resources


def _find_kubeconfigs(outputs: Any) -> list[Any]:
    found = []
    if isinstance(outputs, dict):
        for key, value in outputs.items():
            if key == "kubeconfig":
                found.append(value)
            else:
                found.extend(_find_kubeconfigs(value))
    return found


@pytest.mark.parametrize("stack", sorted(POOL_CHANGE))
def test_up_is_stable_replaces_one_pool_and_destroy_stops_at_protected_storage(
    project: EngineProject, stack: str
) -> None:
    project.stack(stack)
    project.run("up", "--yes", "--stack", stack, "--policy-pack", PACK)
    state = _state(project, stack)
    protected = {r["urn"] for r in state if r.get("protect")}
    assert protected, "data-bearing storage is protected"
    # Every custom resource, the add-ons' Kubernetes objects included, passed the stand-in's Check.
    checked = {c["urn"] for c in project.calls() if c["method"] == "Check"}
    custom = {r["urn"] for r in state if r.get("custom") and not r["type"].startswith("pulumi:providers:")}
    assert custom - checked == set()
    assert any(urn_type(u).startswith("kubernetes:") for u in custom), "the add-ons are deployed"

    # Stable names and URNs: nothing to do on a second run.
    project.run("preview", "--expect-no-changes", "--stack", stack)

    # The kubeconfig is a secret output (shown only with --show-secrets).
    outputs = project.run("stack", "output", "--json", "--stack", stack).json()
    kubeconfigs = _find_kubeconfigs(outputs)
    assert kubeconfigs and all(k == "[secret]" for k in kubeconfigs), outputs
    shown = _find_kubeconfigs(project.run("stack", "output", "--json", "--show-secrets", "--stack", stack).json())
    assert all(isinstance(k, str) and "server" in k for k in shown), shown

    # One pool's accelerator changes: that pool alone is replaced.
    before, after, pool_types = POOL_CHANGE[stack]
    key = "aiinfra:fleet.clusters[0].gpuPools[0].accelerator"
    assert project.run("config", "get", "--path", key, "--stack", stack).stdout.strip() == before
    project.run("config", "set", "--path", key, after, "--stack", stack)
    preview = project.run("preview", "--stack", stack, "--json").json()
    changed = replaced(preview)
    assert changed, ops(preview)
    pool = project.run("config", "get", "--path", "aiinfra:fleet.clusters[0].gpuPools[0].name", "--stack", stack)
    pool_name = pool.stdout.strip()
    for urn in changed:
        assert urn_type(urn) in pool_types, f"{urn} is replaced: {ops(preview)}"
        assert pool_name in urn_name(urn), f"{urn} is not the pool {pool_name}"
    assert not {u for u, op in ops(preview).items() if op in REPLACE_OPS | {"delete"}} & protected
    # No other pool, no cluster, no storage is touched (fabric networks may follow the new machine).
    for urn in ops(preview):
        kind = urn_type(urn)
        if kind in POOL_TYPES | CLUSTER_TYPES or urn in protected:
            assert kind in pool_types and pool_name in urn_name(urn), f"{urn}: {ops(preview)[urn]}"
    project.run("config", "set", "--path", key, before, "--stack", stack)

    # destroy stops at protected storage and deletes none of it.
    project.clear_calls()
    result = project.run("destroy", "--yes", "--stack", stack, check=False)
    assert result.code != 0, result.describe()
    assert "protect" in result.output, result.describe()
    deleted = {c["urn"] for c in project.calls() if c["method"] == "Delete"}
    assert not deleted & protected, f"protected storage deleted: {sorted(deleted & protected)}"
    left = {r["urn"] for r in _state(project, stack)}
    assert protected <= left
