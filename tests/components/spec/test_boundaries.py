"""Every bound of the fleet spec, tested at the edge (accepted) and one past it (rejected).

The schema's bounds are written out below as the contract users rely on; a test walks the
schema and fails when a bound is added, removed or moved without this table, so a change
such as ``maxNodes`` minimum 1 -> 0 cannot pass unnoticed. The semantic caps that need the
catalog or a cloud's limits (AKS 1000 nodes per pool, GKE compact placement, the /20
network, storage IOPS) are tested the same way further down.
"""

from __future__ import annotations

import copy
from typing import Any

import pytest

from components.spec import SpecError, load_fleet_object
from components.spec.schema import fleet_schema, schema_issues

# A document that sets every bounded field, so each can be moved to its edge.
BASE: dict[str, Any] = {
    "budget": {"maxHourlyUsd": 100, "maxAccelerators": 16},
    "clusters": [
        {
            "name": "train",
            "cloud": "gcp",
            "region": "us-central1",
            "zone": "us-central1-a",
            "kubernetes": {"existingCluster": "prod", "resourceGroup": "rg"},
            "access": {"authorizedCidrs": ["203.0.113.0/24"]},
            "encryption": {"kmsKey": "key", "keyVault": "vault"},
            "addons": {"workloadNamespaces": ["default"]},
            "systemPool": {"machineType": "e2-standard-4", "nodes": 2},
            "gpuPools": [
                {
                    "name": "h100",
                    "accelerator": "H100-80GB",
                    "acceleratorsPerNode": 8,
                    "machineType": "a3-highgpu-8g",
                    "minNodes": 0,
                    "maxNodes": 2,
                    "capacity": "reserved",
                    "reservation": "res",
                    "diskSizeGiB": 200,
                }
            ],
            "tpuSlices": [
                {
                    "name": "v5p",
                    "version": "v5p",
                    "topology": "2x2x1",
                    "count": 1,
                    "capacity": "reserved",
                    "reservation": "tpu-res",
                    "runtimeVersion": "v2-alpha-tpuv5",
                }
            ],
            "storage": [
                {"name": "data", "kind": "lustre", "capacityGiB": 36000, "throughputMBpsPerTiB": 250},
                {"name": "vol", "kind": "block", "capacityGiB": 100, "iops": 3000, "throughputMBps": 140},
            ],
        }
    ],
}

POOL = ("clusters", 0, "gpuPools", 0)
SLICE = ("clusters", 0, "tpuSlices", 0)
LUSTRE = ("clusters", 0, "storage", 0)
VOL = ("clusters", 0, "storage", 1)
CLUSTER = ("clusters", 0)

# (schema location, keyword, bound) -> where the bound applies in a document.
BOUNDS: dict[tuple[str, str, int], tuple[str | int, ...]] = {
    ("budget.maxHourlyUsd", "minimum", 0): ("budget", "maxHourlyUsd"),
    ("budget.maxAccelerators", "minimum", 0): ("budget", "maxAccelerators"),
    ("clusters", "minItems", 1): ("clusters",),
    ("clusters", "maxItems", 50): ("clusters",),
    ("cluster.gpuPools", "maxItems", 100): (*CLUSTER, "gpuPools"),
    ("cluster.tpuSlices", "maxItems", 100): (*CLUSTER, "tpuSlices"),
    ("cluster.storage", "maxItems", 32): (*CLUSTER, "storage"),
    ("addons.workloadNamespaces", "minItems", 1): (*CLUSTER, "addons", "workloadNamespaces"),
    ("addons.workloadNamespaces", "maxItems", 50): (*CLUSTER, "addons", "workloadNamespaces"),
    ("addons.workloadNamespaces", "maxLength", 63): (*CLUSTER, "addons", "workloadNamespaces", 0),
    ("name", "maxLength", 63): (*CLUSTER, "name"),
    ("cluster.region", "minLength", 1): (*CLUSTER, "region"),
    ("cluster.zone", "minLength", 1): (*CLUSTER, "zone"),
    ("cluster.kubernetes.existingCluster", "minLength", 1): (*CLUSTER, "kubernetes", "existingCluster"),
    ("cluster.kubernetes.resourceGroup", "minLength", 1): (*CLUSTER, "kubernetes", "resourceGroup"),
    ("cluster.access.authorizedCidrs", "maxItems", 40): (*CLUSTER, "access", "authorizedCidrs"),
    ("cluster.access.authorizedCidrs", "minLength", 1): (*CLUSTER, "access", "authorizedCidrs", 0),
    ("cluster.encryption.kmsKey", "minLength", 1): (*CLUSTER, "encryption", "kmsKey"),
    ("cluster.encryption.keyVault", "minLength", 1): (*CLUSTER, "encryption", "keyVault"),
    ("cluster.systemPool.machineType", "minLength", 1): (*CLUSTER, "systemPool", "machineType"),
    ("cluster.systemPool.nodes", "minimum", 1): (*CLUSTER, "systemPool", "nodes"),
    ("cluster.systemPool.nodes", "maximum", 10): (*CLUSTER, "systemPool", "nodes"),
    ("gpuPool.accelerator", "minLength", 1): (*POOL, "accelerator"),
    ("gpuPool.acceleratorsPerNode", "minimum", 1): (*POOL, "acceleratorsPerNode"),
    ("gpuPool.machineType", "minLength", 1): (*POOL, "machineType"),
    ("gpuPool.minNodes", "minimum", 0): (*POOL, "minNodes"),
    ("gpuPool.maxNodes", "minimum", 1): (*POOL, "maxNodes"),
    ("gpuPool.reservation", "minLength", 1): (*POOL, "reservation"),
    ("gpuPool.diskSizeGiB", "minimum", 50): (*POOL, "diskSizeGiB"),
    ("gpuPool.diskSizeGiB", "maximum", 65536): (*POOL, "diskSizeGiB"),
    ("tpuSlice.count", "minimum", 1): (*SLICE, "count"),
    ("tpuSlice.reservation", "minLength", 1): (*SLICE, "reservation"),
    ("tpuSlice.runtimeVersion", "minLength", 1): (*SLICE, "runtimeVersion"),
    ("tpuSlice.version", "minLength", 1): (*SLICE, "version"),
    ("storage.capacityGiB", "minimum", 1): (*VOL, "capacityGiB"),
    ("storage.throughputMBpsPerTiB", "minimum", 1): (*LUSTRE, "throughputMBpsPerTiB"),
    ("storage.iops", "minimum", 1): (*VOL, "iops"),
    ("storage.throughputMBps", "minimum", 1): (*VOL, "throughputMBps"),
}

KEYWORDS = ("minimum", "maximum", "minLength", "maxLength", "minItems", "maxItems")


def _schema_bounds() -> set[tuple[str, str, int]]:
    """Every numeric bound in the schema, keyed by a readable location."""
    found: set[tuple[str, str, int]] = set()

    def walk(node: Any, where: str) -> None:
        if not isinstance(node, dict):
            return
        found.update((where, k, node[k]) for k in KEYWORDS if k in node)
        for key, sub in node.get("properties", {}).items():
            walk(sub, f"{where}.{key}" if where else key)
        if "items" in node:
            walk(node["items"], where)

    schema = fleet_schema()
    walk(schema, "")
    for name, sub in schema["$defs"].items():
        walk(sub, name)
    return found


def _doc_with(path: tuple[str | int, ...], value: Any) -> dict[str, Any]:
    doc = copy.deepcopy(BASE)
    target: Any = doc
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value
    return doc


def _path_text(path: tuple[str | int, ...]) -> str:
    out = ""
    for key in path:
        out += f"[{key}]" if isinstance(key, int) else (f".{key}" if out else key)
    return out


def _nth(sample: Any, i: int) -> Any:
    """The i-th distinct copy of a list item (lists may demand unique items)."""
    if isinstance(sample, str):
        return f"{sample}{i}"
    item = copy.deepcopy(sample)
    if isinstance(item, dict) and "name" in item:
        item["name"] = f"{item['name']}{i}"
    return item


def _value(keyword: str, n: int, path: tuple[str | int, ...]) -> Any:
    """A value of size ``n`` for the keyword's type: a number, a string of n characters, or a
    list of n distinct copies of the first item ``BASE`` has at ``path``."""
    if keyword in ("minLength", "maxLength"):
        return "a" * n
    if keyword in ("minItems", "maxItems"):
        items: Any = BASE
        for key in path:
            items = items[key]
        return [_nth(items[0], i) for i in range(n)]
    return n


def test_base_document_is_valid() -> None:
    assert schema_issues(BASE) == []


def test_every_schema_bound_is_in_the_table() -> None:
    assert _schema_bounds() == set(BOUNDS)


@pytest.mark.parametrize("bound", sorted(BOUNDS), ids=lambda b: f"{b[0]}-{b[1]}")
def test_schema_bound_at_the_edge_is_accepted(bound: tuple[str, str, int]) -> None:
    _, keyword, n = bound
    assert schema_issues(_doc_with(BOUNDS[bound], _value(keyword, n, BOUNDS[bound]))) == []


@pytest.mark.parametrize("bound", sorted(BOUNDS), ids=lambda b: f"{b[0]}-{b[1]}")
def test_schema_bound_one_past_the_edge_is_rejected_at_its_path(bound: tuple[str, str, int]) -> None:
    _, keyword, n = bound
    past = n - 1 if keyword.startswith("min") else n + 1
    issues = schema_issues(_doc_with(BOUNDS[bound], _value(keyword, past, BOUNDS[bound])))
    assert [i.path for i in issues] == [_path_text(BOUNDS[bound])], [i.format() for i in issues]


# ----- semantic caps (catalog and cloud limits) -------------------------------------------------


def _fleet(cloud: str, region: str, zone: str | None, **cluster: Any) -> dict[str, Any]:
    doc: dict[str, Any] = {"name": "c1", "cloud": cloud, "region": region, **cluster}
    if zone:
        doc["zone"] = zone
    return {"environment": "prod", "clusters": [doc]}


def _issues_at(doc: dict[str, Any], path: str) -> list[str]:
    """Messages of the errors and warnings at ``path`` (none when the spec is clean there)."""
    try:
        _, warnings = load_fleet_object(doc, "<test>")
    except SpecError as err:
        return [i.message for i in err.issues if i.path == path]
    return [i.message for i in warnings if i.path == path]


MAX_NODES = "clusters[0].gpuPools[0].maxNodes"


@pytest.mark.parametrize(("max_nodes", "flagged"), [(1000, False), (1001, True)])
def test_aks_pool_node_cap_is_1000_inclusive(max_nodes: int, flagged: bool) -> None:
    # AKS: "Allowed values must be in the range of 0 to 1000 (inclusive) for user pools".
    pool = {"name": "nc", "accelerator": "A100-80GB", "acceleratorsPerNode": 1, "maxNodes": max_nodes}
    doc = _fleet("azure", "eastus", "1", network={"fabric": "none"}, gpuPools=[pool])
    assert bool(_issues_at(doc, MAX_NODES)) == flagged


@pytest.mark.parametrize(("max_nodes", "flagged"), [(150, False), (151, True)])
def test_gke_compact_placement_cap_is_150_nodes(max_nodes: int, flagged: bool) -> None:
    pool = {"name": "a3", "accelerator": "H100-80GB", "acceleratorsPerNode": 8, "maxNodes": max_nodes}
    doc = _fleet("gcp", "us-central1", "us-central1-a", gpuPools=[pool])
    messages = [m for m in _issues_at(doc, MAX_NODES) if "compact placement" in m]
    assert bool(messages) == flagged


@pytest.mark.parametrize(("min_nodes", "flagged"), [(4, False), (5, True)])
def test_min_nodes_up_to_max_nodes(min_nodes: int, flagged: bool) -> None:
    pool = {"name": "l4", "accelerator": "L4", "acceleratorsPerNode": 1, "minNodes": min_nodes, "maxNodes": 4}
    doc = _fleet("gcp", "us-central1", None, gpuPools=[pool])
    assert bool(_issues_at(doc, "clusters[0].gpuPools[0].minNodes")) == flagged


@pytest.mark.parametrize(("prefix", "flagged"), [(20, False), (21, True)])
def test_cluster_network_is_a_slash_20_or_larger(prefix: int, flagged: bool) -> None:
    doc = _fleet("aws", "us-east-1", None, network={"cidr": f"10.20.0.0/{prefix}"})
    assert bool(_issues_at(doc, "clusters[0].network.cidr")) == flagged


# Block volume ceilings per cloud (storage.yaml maxIops, each from the disk's own page):
# Hyperdisk Balanced 160,000; Premium SSD v2 80,000; EBS io2 Block Express 256,000.
@pytest.mark.parametrize(
    ("cloud", "region", "zone", "capacity", "max_iops"),
    [
        ("gcp", "us-central1", "us-central1-a", 65536, 160_000),
        ("azure", "eastus", "1", 65536, 80_000),
        ("aws", "us-east-1", "us-east-1a", 65536, 256_000),
    ],
)
def test_block_volume_iops_ceiling(cloud: str, region: str, zone: str, capacity: int, max_iops: int) -> None:
    def iops_issues(iops: int) -> list[str]:
        vol = {"name": "vol", "kind": "block", "capacityGiB": capacity, "iops": iops}
        return _issues_at(_fleet(cloud, region, zone, storage=[vol]), "clusters[0].storage[0].iops")

    assert iops_issues(max_iops) == []
    assert any(str(max_iops) in m for m in iops_issues(max_iops + 1))
