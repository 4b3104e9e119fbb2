"""Normalization of raw provider resources: shapes, counts, joins, unknowns, malformed input."""

from __future__ import annotations

from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from components.catalog import get_catalog
from components.policy.normalize import SUPPORTED_TYPES, RawResource, looks_like_accelerator, normalize_stack
from components.policy.values import UNKNOWN, plain
from tests.policies import raw


def _r(type_: str, name: str, props: dict[str, Any], parent: str | None = None) -> RawResource:
    return RawResource(type_, name, f"urn:{name}", props, parent)


def test_gke_cluster_inline_pools_and_regional_zones() -> None:
    cluster = _r(
        "gcp:container/cluster:Cluster",
        "c",
        {
            "location": "us-central1",
            "nodePools": [
                {
                    "name": "l4",
                    "autoscaling": {"minNodeCount": 0.0, "maxNodeCount": 2.0},
                    "nodeConfig": {"machineType": "g2-standard-24"},
                },
                {"name": "sys", "nodeCount": 3.0, "nodeConfig": {"machineType": "e2-standard-4"}},
            ],
        },
    )
    (pool,) = normalize_stack([cluster]).pools
    assert pool.name == "c/l4" and pool.shape.per_node == 2 and pool.max_nodes == 6.0  # 2 per zone x 3 zones
    assert pool.accelerators_at_max == 12


def test_gke_n1_with_guest_t4_and_numeric_strings() -> None:
    np = _r(
        "gcp:container/nodePool:NodePool",
        "t4",
        {
            "location": "us-central1-b",
            "nodeCount": "2",
            "nodeConfig": {
                "machineType": "n1-standard-16",
                "guestAccelerators": [{"type": "nvidia-tesla-t4", "count": 2.0}],
                "preemptible": True,
            },
        },
    )
    (pool,) = normalize_stack([np]).pools
    assert (pool.shape.accelerator, pool.shape.per_node, pool.min_nodes, pool.max_nodes) == ("T4", 2, 2.0, 2.0)
    assert pool.shape.spot and pool.shape.node_usd() == 0.56


def test_aks_managed_cluster_profiles_and_vmss() -> None:
    mc = _r(
        "azure-native:containerservice:ManagedCluster",
        "aks",
        {
            "tags": {"aiinfra-environment": "staging"},
            "agentPoolProfiles": [
                {"name": "system", "vmSize": "Standard_D4s_v5", "count": 3.0, "mode": "System"},
                {
                    "name": "a100",
                    "vmSize": "Standard_NC24ads_A100_v4",
                    "enableAutoScaling": True,
                    "minCount": 0.0,
                    "maxCount": 3.0,
                    "scaleSetPriority": "Spot",
                },
            ],
        },
    )
    vmss = _r(
        "azure-native:compute:VirtualMachineScaleSet",
        "ss",
        {
            "sku": {"name": "Standard_ND96asr_v4", "capacity": 2.0},
            "virtualMachineProfile": {"priority": "Regular"},
        },
    )
    pools = {p.name: p for p in normalize_stack([mc, vmss]).pools}
    assert set(pools) == {"aks/a100", "ss"}
    assert pools["aks/a100"].labels["aiinfra-environment"] == "staging" and pools["aks/a100"].shape.spot
    assert pools["ss"].shape.fabric_missing == ("no proximity placement group (proximityPlacementGroupID)",)


def test_asg_mixed_instances_and_instance_group_join() -> None:
    lt = _r(
        "aws:ec2/launchTemplate:LaunchTemplate",
        "lt",
        {"name": "train", "placement": {"groupName": "cpg"}, "networkInterfaces": [{"interfaceType": "efa"}] * 4},
    )
    asg = _r(
        "aws:autoscaling/group:Group",
        "asg",
        {
            "minSize": 0.0,
            "maxSize": 8.0,
            "mixedInstancesPolicy": {
                "launchTemplate": {
                    "launchTemplateSpecification": {"launchTemplateName": "train"},
                    "overrides": [{"instanceType": "p4d.24xlarge"}, {"instanceType": "g5.xlarge"}],
                },
                "instancesDistribution": {"onDemandPercentageAboveBaseCapacity": 0.0},
            },
        },
    )
    tmpl = _r(
        "gcp:compute/instanceTemplate:InstanceTemplate",
        "tmpl",
        {
            "name": "a2",
            "machineType": "a2-highgpu-8g",
            "networkInterfaces": [{"network": "default"}],
        },
        "urn:p",
    )
    igm = _r(
        "gcp:compute/instanceGroupManager:InstanceGroupManager",
        "igm",
        {
            "targetSize": 3.0,
            "versions": [{"instanceTemplate": "<unknown>"}],
        },
        "urn:p",
    )
    view = normalize_stack([lt, asg, tmpl, igm])
    pools = {p.name: p for p in view.pools}
    assert pools["asg"].shape.machine_type == "p4d.24xlarge" and pools["asg"].shape.spot
    assert pools["asg"].shape.fabric_missing == ()  # 4 EFA interfaces + placement group from the template
    assert pools["igm"].shape.machine_type == "a2-highgpu-8g" and pools["igm"].accelerators_at_max == 24
    assert not view.notes


def test_group_whose_template_is_missing_is_noted() -> None:
    ng = _r(
        "aws:eks/nodeGroup:NodeGroup",
        "ng",
        {"scalingConfig": {"minSize": 0.0, "maxSize": 2.0}, "launchTemplate": {"id": "lt-0123"}},
    )
    view = normalize_stack([ng])
    assert any("template is not in this stack" in n.message for n in view.notes)


def test_queued_resource_multislice_and_filestore() -> None:
    q = _r(
        "gcp:tpu/v2QueuedResource:V2QueuedResource",
        "q",
        {
            "tpu": {
                "nodeSpecs": [
                    {"parent": "p", "node": {"acceleratorType": "v5litepod-16"}},
                    {"parent": "p", "node": {"acceleratorType": "v5litepod-16"}},
                ]
            }
        },
    )
    fs = _r(
        "gcp:filestore/instance:Instance", "fs", {"tier": "ZONAL", "fileShares": {"name": "s", "capacityGb": 10240.0}}
    )
    view = normalize_stack([q, fs])
    assert [p.shape.tpu_chips for p in view.pools] == [16, 16]
    (store,) = view.storage
    assert store.capacity_tib == 10.0 and store.throughput_mbps == 2600.0


def test_unknown_values_become_notes_not_crashes() -> None:
    unk = raw.UNK
    resources = [
        _r("gcp:container/nodePool:NodePool", "a", {"nodeConfig": unk}),
        _r("gcp:container/nodePool:NodePool", "b", {"nodeConfig": {"machineType": unk}, "nodeCount": 1.0}),
        _r("aws:eks/nodeGroup:NodeGroup", "c", {"instanceTypes": unk, "scalingConfig": {"maxSize": unk}}),
        _r("gcp:lustre/instance:Instance", "d", {"capacityGib": unk, "perUnitStorageThroughput": "250"}),
        _r("aws:ebs/volume:Volume", "e", {"iops": unk}),
    ]
    view = normalize_stack(resources)
    assert {n.name for n in view.notes} == {"a", "b", "c", "d", "e"}
    assert plain({"x": [unk, {"secret": 3.0}]}) == {"x": [UNKNOWN, 3.0]}


def test_every_catalog_offer_looks_like_an_accelerator_machine() -> None:
    for offer in get_catalog().offers:
        assert looks_like_accelerator(offer.cloud, offer.machine_type) or not offer.bundled, offer.machine_type


_json = st.recursive(
    st.none()
    | st.booleans()
    | st.floats(allow_nan=False)
    | st.text(max_size=8)
    | st.sampled_from([raw.UNK, "<unknown>"]),
    lambda children: st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=12), children, max_size=4),
    max_leaves=12,
)
_keys = st.sampled_from(
    [
        "nodeConfig",
        "autoscaling",
        "machineType",
        "instanceType",
        "instanceTypes",
        "vmSize",
        "scalingConfig",
        "launchTemplate",
        "acceleratorType",
        "tpu",
        "capacityGib",
        "storageCapacity",
        "sku",
        "nodePools",
        "agentPoolProfiles",
        "networkInterfaces",
        "fileShares",
        "iops",
        "count",
        "maxCount",
        "versions",
    ]
)


@settings(max_examples=150, deadline=None)
@given(
    types=st.lists(st.sampled_from(SUPPORTED_TYPES), min_size=1, max_size=4),
    props=st.lists(st.dictionaries(_keys, _json, max_size=5), min_size=4, max_size=4),
)
def test_no_input_crashes_normalization(types: list[str], props: list[dict[str, Any]]) -> None:
    resources = [_r(t, f"r{i}", props[i]) for i, t in enumerate(types)]
    view = normalize_stack(resources)
    from components.policy.rules import RULES
    from components.policy.settings import settings_for

    for name, rule in RULES.items():
        rule(view, settings_for(name))
    assert not [n for n in view.notes if "could not read" in n.message], [n.message for n in view.notes]


def test_single_host_tpu_pool_slices_are_one_vm_each() -> None:
    (pool,) = normalize_stack(raw.gke_pool("v5e", "ct5lp-hightpu-8t", 0.0, 10.0, networks=0, compact=False)).pools
    assert pool.shape.tpu_chips == 8 and pool.accelerators_at_max == 80


def test_from_captured_and_regional_pool_message() -> None:
    from components.mockengine import CapturedResource
    from components.policy.normalize import from_captured
    from components.policy.rules import pool_max_nodes
    from components.policy.settings import settings_for

    captured = CapturedResource(
        "gcp:container/nodePool:NodePool",
        "l4",
        "urn:l4",
        None,
        True,
        {
            "location": "us-central1",
            "autoscaling": {"minNodeCount": 0.0, "maxNodeCount": 4.0},
            "nodeConfig": {"machineType": "g2-standard-12", "resourceLabels": {"aiinfra-environment": "dev"}},
        },
    )
    view = normalize_stack(from_captured([captured]))
    (finding,) = pool_max_nodes(view, settings_for("pool-max-nodes"))
    assert "can scale to 12 nodes" in finding.message and "4 per zone in 3 zones" in finding.message
    assert finding.fix.startswith("lower autoscaling.maxNodeCount to 1 per zone (3 in total over 3 zones)")


def test_cpu_groups_are_out_of_scope_without_notes() -> None:
    tmpl = _r(
        "gcp:compute/instanceTemplate:InstanceTemplate", "web", {"name": "web", "machineType": "e2-standard-4"}, "p"
    )
    igm = _r(
        "gcp:compute/instanceGroupManager:InstanceGroupManager",
        "web-mig",
        {"targetSize": 30.0, "versions": [{"instanceTemplate": "<unknown>"}]},
        "p",
    )
    lt = _r("aws:ec2/launchTemplate:LaunchTemplate", "api", {"name": "api", "instanceType": "m7i.large"}, "q")
    asg = _r(
        "aws:autoscaling/group:Group",
        "api-asg",
        {"minSize": 2.0, "maxSize": 40.0, "launchTemplate": {"name": "api"}},
        "q",
    )
    view = normalize_stack([tmpl, igm, lt, asg])
    assert view.pools == [] and view.notes == []
