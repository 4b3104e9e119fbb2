"""Property tests: any Azure spec either fails validation with spec issues, or translates.

No spec, however odd (tiny or huge CIDRs, many Lustre file systems, every VM size, spot,
reserved, raid0), may produce a traceback in the Azure rules or translate functions.
"""

from __future__ import annotations

from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from components.azure import rules
from components.azure import translate as tr
from components.catalog import get_catalog
from components.spec import SpecError, load_fleet_object
from tests.components.azure.conftest import fleet_doc

OFFERS = get_catalog().offers_for("azure")
CRG = "/subscriptions/s/resourceGroups/r/providers/Microsoft.Compute/capacityReservationGroups/g"


@st.composite
def pools(draw: st.DrawFn) -> list[dict[str, Any]]:
    out = []
    for i in range(draw(st.integers(0, 3))):
        offer = draw(st.sampled_from(OFFERS))
        lo = draw(st.integers(0, 4))
        capacity = draw(st.sampled_from(["on-demand", "spot", "reserved"]))
        pool: dict[str, Any] = {
            # mostly valid names, sometimes ones AKS rejects
            "name": draw(st.sampled_from([f"gpu{i}"] * 6 + ["system", f"pool-{i}", f"averylongpool{i}"])),
            "accelerator": offer.accelerator,
            "machineType": offer.machine_type,
            "acceleratorsPerNode": offer.accelerators_per_node,
            "minNodes": lo,
            "maxNodes": lo + draw(st.one_of(st.integers(0, 16), st.integers(0, 1200))),
            "capacity": capacity,
            "localSsd": draw(st.sampled_from(["none", "raid0"])) if offer.local_nvme else "none",
            "gpuDriver": draw(st.sampled_from(["default", "latest", "none"])),
        }
        if pool["maxNodes"] < 1:
            pool["maxNodes"] = 1
        if capacity == "reserved":
            pool["reservation"] = draw(st.sampled_from([CRG, CRG, "not-an-id"]))
        out.append(pool)
    return out


@st.composite
def storage(draw: st.DrawFn) -> list[dict[str, Any]]:
    out = []
    for i in range(draw(st.integers(0, 4))):
        kind = draw(st.sampled_from(["lustre", "nfs", "block"]))
        item: dict[str, Any] = {"name": f"data{i}", "kind": kind, "capacityGiB": draw(st.integers(100, 60_000))}
        if kind == "lustre":
            tier = draw(st.sampled_from([40, 125, 250, 500]))
            step = {40: 49152, 125: 16384, 250: 8192, 500: 4096}[tier]
            item["throughputMBpsPerTiB"] = tier
            item["capacityGiB"] = step * draw(st.integers(1, 16)) + draw(st.sampled_from([0, 0, 0, 1024]))
        if kind == "block" and draw(st.booleans()):
            item["iops"] = draw(st.integers(3000, 80_000))
            item["throughputMBps"] = draw(st.integers(125, 1200))
        out.append(item)
    return out


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    gpu_pools=pools(),
    items=storage(),
    prefix=st.sampled_from([8, 12, 16, 16, 16, 20, 20, 22]),
    zone=st.sampled_from(["1", "2", "3", None]),
    fabric=st.sampled_from(["auto", "none", "rdma"]),
)
def test_any_spec_validates_or_translates(
    gpu_pools: list[dict[str, Any]], items: list[dict[str, Any]], prefix: int, zone: str | None, fabric: str
) -> None:
    doc = fleet_doc(
        gpuPools=gpu_pools, storage=items, zone=zone, network={"cidr": f"10.0.0.0/{prefix}", "fabric": fabric}
    )
    try:
        fleet, _ = load_fleet_object(doc, "<prop>")
    except SpecError as err:
        assert err.issues and all(i.message for i in err.issues)
        return
    cluster = fleet.clusters[0]
    assert not [i for i in rules.check_cluster(cluster) if i.severity == "error"]
    layout = tr.network_layout(cluster)
    tr.managed_cluster_args(cluster, layout, "rg", "id", "subnet")
    for p in cluster.pools:
        args = tr.agent_pool_args(cluster, p, "rg", "c", "subnet", "ppg" if p.compact else None)
        assert args["vm_size"] == p.offer.machine_type
        assert args["min_count"] <= args["max_count"] <= rules.MAX_POOL_NODES
    for s in cluster.storage:
        if s.spec.kind == "lustre":
            assert tr.aml_filesystem_args(cluster, s, "rg", layout.lustre_subnets[s.name])["storage_capacity_ti_b"] >= 4
        elif s.spec.kind == "nfs":
            tr.nfs_account_args(cluster, s, "rg", tr.storage_account_name(cluster, s, "x"), ["subnet"])
        else:
            tr.disk_args(cluster, s, "rg")
    tr.next_steps(cluster)
    if any(p.spec.local_ssd == "raid0" for p in cluster.pools):
        assert "DaemonSet" in tr.raid0_manifest(cluster)
