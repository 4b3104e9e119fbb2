"""The Azure components on Pulumi's mock engine: types, names, parents and key inputs.

Every captured resource is also checked against the azure-native SDK's own input types
(``assert_inputs_match_sdk``), so a misspelt nested key fails here, not at ``pulumi up``.
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pulumi
import pytest
import yaml
from pulumi._types import input_type_types

from components.catalog import get_catalog
from components.fleet import Fleet
from components.mockengine import Capture, CapturedResource, run_program
from components.spec import load_fleet_object
from tests.components.azure.conftest import fleet_doc
from tests.support.sdk_inputs import args_class, assert_inputs_match_sdk

ROOT = Path(__file__).resolve().parents[3]
STACK = ROOT / "stacks" / "Pulumi.azure-train.yaml"

AKS = "azure-native:containerservice:ManagedCluster"
POOL = "azure-native:containerservice:AgentPool"
PPG = "azure-native:compute:ProximityPlacementGroup"
AMLFS = "azure-native:storagecache:AmlFilesystem"

# Each Azure GPU family in the catalog, by its first VM size (all sizes are covered below).
FAMILIES = {
    "ND H100 v5": "Standard_ND96isr_H100_v5",
    "ND H200 v5": "Standard_ND96isr_H200_v5",
    "ND A100 v4": "Standard_ND96asr_v4",
    "ND A100 v4 80GB": "Standard_ND96amsr_A100_v4",
    "NC A100 v4": "Standard_NC24ads_A100_v4",
    "NC H100 v5": "Standard_NC40ads_H100_v5",
    "NV A10 v5": "Standard_NV36ads_A10_v5",
    "NC T4 v3": "Standard_NC4as_T4_v3",
    "ND MI300X v5": "Standard_ND96isr_MI300X_v5",
}


def _stack_config() -> dict[str, Any]:
    config: dict[str, Any] = yaml.safe_load(STACK.read_text())["config"]
    return config


def _fleet_program(doc: dict[str, Any]) -> Any:
    fleet, _ = load_fleet_object(doc, "<test>")

    def program() -> None:
        built = Fleet("fleet", fleet)
        for name, exports in built.outputs.items():  # as __main__.py does
            pulumi.export(name, exports)

    return program


def _by_name(cap: Capture) -> dict[str, CapturedResource]:
    return {r.name: r for r in cap.resources}


# ----- the azure-train stack, through the real __main__.py -------------------------------------


@pytest.fixture(scope="module")
def train() -> Capture:
    return run_program(ROOT / "__main__.py", config=_stack_config(), stack="azure-train")


def test_train_stack_resources_types_names_parents(train: Capture) -> None:
    # The cluster's own resources; its add-ons (ClusterAddons) are tested in tests/components/addons.
    got = {(r.type, r.name, r.parent_name) for r in train.resources if "-addons" not in r.name}
    want = {
        ("aiinfra:index:Fleet", "fleet", None),
        ("aiinfra:azure:Cluster", "fleet-train-az", "fleet"),
        ("azure-native:resources:ResourceGroup", "fleet-train-az-rg", "fleet-train-az"),
        ("aiinfra:azure:Network", "fleet-train-az-network", "fleet-train-az"),
        ("azure-native:network:VirtualNetwork", "fleet-train-az-network-vnet", "fleet-train-az-network"),
        ("azure-native:network:PublicIPAddress", "fleet-train-az-network-nat-ip", "fleet-train-az-network"),
        ("azure-native:network:NatGateway", "fleet-train-az-network-nat", "fleet-train-az-network"),
        ("azure-native:network:Subnet", "fleet-train-az-network-nodes", "fleet-train-az-network"),
        ("azure-native:network:Subnet", "fleet-train-az-network-lustre-datasets", "fleet-train-az-network"),
        ("azure-native:managedidentity:UserAssignedIdentity", "fleet-train-az-identity", "fleet-train-az"),
        ("azure-native:authorization:RoleAssignment", "fleet-train-az-network-role", "fleet-train-az"),
        (AKS, "fleet-train-az-aks", "fleet-train-az"),
        # Kubernetes secrets: a Key Vault key the deployer creates and the cluster identity uses.
        ("azure-native:keyvault:Vault", "fleet-train-az-kv", "fleet-train-az"),
        ("azure-native:keyvault:Key", "fleet-train-az-secrets-key", "fleet-train-az"),
        ("azure-native:authorization:RoleAssignment", "fleet-train-az-kv-deployer", "fleet-train-az"),
        ("azure-native:authorization:RoleAssignment", "fleet-train-az-secrets-key-user", "fleet-train-az"),
        # Entra ID + Azure RBAC (no local accounts): the deployer is cluster admin.
        ("azure-native:authorization:RoleAssignment", "fleet-train-az-deployer-admin", "fleet-train-az"),
        # kube-audit-admin logs into a workspace with the spec's retention.
        ("azure-native:operationalinsights:Workspace", "fleet-train-az-logs", "fleet-train-az"),
        ("azure-native:monitor:DiagnosticSetting", "fleet-train-az-audit", "fleet-train-az"),
        ("aiinfra:azure:GpuPool", "fleet-train-az-ndh100", "fleet-train-az"),
        (PPG, "fleet-train-az-ndh100-ppg", "fleet-train-az-ndh100"),
        (POOL, "fleet-train-az-ndh100-pool", "fleet-train-az-ndh100"),
        ("aiinfra:azure:Storage", "fleet-train-az-datasets", "fleet-train-az"),
        (AMLFS, "fleet-train-az-datasets-amlfs", "fleet-train-az-datasets"),
    }
    assert got == want


def test_train_stack_inputs_match_the_sdk(train: Capture) -> None:
    assert_inputs_match_sdk(train.resources)


def test_train_stack_cluster_inputs(train: Capture) -> None:
    aks = train.named("fleet-train-az-aks").inputs
    assert aks["resourceName"] == "train-az"
    assert aks["kubernetesVersion"] == "1.35"
    assert aks["identity"] == {"type": "UserAssigned", "userAssignedIdentities": ["fleet-train-az-identity-id"]}
    assert aks["oidcIssuerProfile"] == {"enabled": True}
    assert aks["securityProfile"]["workloadIdentity"] == {"enabled": True}
    assert aks["securityProfile"]["azureKeyVaultKms"]["enabled"] is True
    net = aks["networkProfile"]
    assert (net["networkPlugin"], net["networkPluginMode"], net["outboundType"]) == (
        "azure",
        "overlay",
        "userAssignedNATGateway",
    )
    (system,) = aks["agentPoolProfiles"]
    assert system["mode"] == "System" and system["name"] == "system" and system["enableNodePublicIP"] is False
    assert system["vnetSubnetID"] == "fleet-train-az-network-nodes-id"


def test_train_stack_tags_on_everything_that_takes_tags(train: Capture) -> None:
    taggable = [
        r
        for r in train.resources
        if r.custom and "-addons" not in r.name and "tags" in input_type_types(args_class(r.type))
    ]
    assert len(taggable) == 12  # RG, VNet, IP, NAT, identity, AKS, PPG, pool, AMLFS, vault, key, workspace
    for r in taggable:
        tags = r.inputs.get("tags", {})
        assert tags.get("aiinfra-cluster") == "train-az", r.name
        assert tags.get("team") == "research" and tags.get("aiinfra-environment") == "prod", r.name


def test_train_stack_network_has_no_public_node_ips_and_nat_egress(train: Capture) -> None:
    nodes = train.named("fleet-train-az-network-nodes").inputs
    assert nodes["defaultOutboundAccess"] is False
    assert nodes["natGateway"] == {"id": "fleet-train-az-network-nat-id"}
    assert nodes["addressPrefix"] == "10.30.0.0/17"
    lustre = train.named("fleet-train-az-network-lustre-datasets").inputs
    assert lustre["addressPrefix"] == "10.30.229.0/24"  # the /24 slot of the second half the name picks
    nat = train.named("fleet-train-az-network-nat").inputs
    assert nat["zones"] == ["1"] and nat["sku"] == {"name": "Standard"}


def test_train_stack_infiniband_pool(train: Capture) -> None:
    pool = train.named("fleet-train-az-ndh100-pool").inputs
    assert pool["vmSize"] == "Standard_ND96isr_H100_v5"
    assert pool["mode"] == "User" and pool["enableAutoScaling"] is True
    assert (pool["minCount"], pool["maxCount"]) == (0, 4)
    assert pool["gpuProfile"] == {"driver": "None"}
    assert pool["nodeTaints"] == ["nvidia.com/gpu=present:NoSchedule"]
    assert pool["proximityPlacementGroupID"] == "fleet-train-az-ndh100-ppg-id"
    assert pool["osSKU"] == "Ubuntu" and pool["osDiskType"] == "Managed"
    assert pool["nodeLabels"]["aiinfra-fabric"] == "infiniband"
    assert pool["availabilityZones"] == ["1"]
    captured = train.named("fleet-train-az-ndh100-pool")
    assert "count" in captured.ignore_changes and captured.delete_before_replace
    ppg = train.named("fleet-train-az-ndh100-ppg").inputs
    assert ppg["zones"] == ["1"] and ppg["intent"] == {"vmSizes": ["Standard_ND96isr_H100_v5"]}


def test_train_stack_lustre_is_protected_with_sku_and_capacity(train: Capture) -> None:
    fs = train.named("fleet-train-az-datasets-amlfs")
    assert fs.protect
    assert fs.inputs["sku"] == {"name": "AMLFS-Durable-Premium-250"}
    assert fs.inputs["storageCapacityTiB"] == 16
    assert fs.inputs["zones"] == ["1"]
    assert fs.inputs["filesystemSubnet"] == "fleet-train-az-network-lustre-datasets-id"
    assert fs.inputs["maintenanceWindow"] == {"dayOfWeek": "Sunday", "timeOfDayUTC": "02:00"}


def test_train_stack_outputs() -> None:
    cap = run_program(ROOT / "__main__.py", config=_stack_config(), stack="azure-train", preview=False)
    out = cap.outputs["train-az"]
    assert out["clusterName"]
    assert out["pools"] == ["ndh100"]
    assert out["gpuPools"]["ndh100"]["fabric"] == "infiniband"
    assert out["infiniband"]["aksFeature"] == "AKSInfinibandSupport"
    assert "NVIDIA Network Operator" in out["infiniband"]["operator"]
    assert "kind: DaemonSet" in out["localNvmeRaid0Manifest"]
    assert out["storage"]["datasets"]["sku"] == "AMLFS-Durable-Premium-250"
    assert "kubeconfig" in out
    assert any("AKSInfinibandSupport" in s for s in out["nextSteps"])


def test_kubeconfig_is_a_secret_output_from_the_credentials_invoke() -> None:
    from components.azure.cluster import AksCluster

    fleet, _ = load_fleet_object(fleet_doc(gpuPools=[{"name": "t4", "accelerator": "T4", "maxNodes": 2}]), "<t>")
    held: dict[str, Any] = {}

    def program() -> None:
        cluster = AksCluster("c", fleet.clusters[0])
        held["secret"] = asyncio.ensure_future(cluster.exports["kubeconfig"].is_secret())

    cap = run_program(program)
    assert held["secret"].result() is True
    # The credentials come from an invoke, not from a resource.
    assert not [r for r in cap.resources if "Credential" in r.type]


# ----- every Azure GPU family in the catalog ---------------------------------------------------


AZURE_OFFERS = get_catalog().offers_for("azure")


@pytest.fixture(scope="module")
def every_size() -> tuple[Capture, dict[str, str]]:
    """One cluster with a two-node pool of every Azure VM size in the catalog."""
    pools = []
    names = {}
    for i, offer in enumerate(AZURE_OFFERS):
        name = f"gpu{i}"
        names[offer.machine_type] = name
        pools.append(
            {
                "name": name,
                "accelerator": offer.accelerator,
                "acceleratorsPerNode": offer.accelerators_per_node,
                "machineType": offer.machine_type,
                "minNodes": 0,
                "maxNodes": 2,
                "capacity": "spot" if offer.price.spot_usd else "on-demand",
            }
        )
    return run_program(_fleet_program(fleet_doc(gpuPools=pools))), names


def test_every_catalog_size_is_built_and_matches_the_sdk(every_size: tuple[Capture, dict[str, str]]) -> None:
    cap, _ = every_size
    assert {r.inputs["vmSize"] for r in cap.of_type(POOL)} == {o.machine_type for o in AZURE_OFFERS}
    assert_inputs_match_sdk(cap.resources)


@pytest.mark.parametrize(("family", "vm_size"), list(FAMILIES.items()), ids=list(FAMILIES))
def test_gpu_family_agent_pool(family: str, vm_size: str, every_size: tuple[Capture, dict[str, str]]) -> None:
    cap, names = every_size
    offer = get_catalog().offer_by_machine_type("azure", vm_size)
    assert offer is not None, f"{family}: {vm_size} is not in the catalog"
    name = names[vm_size]
    comp = cap.named(f"fleet-train-az-{name}")
    assert comp.type == "aiinfra:azure:GpuPool" and comp.parent_name == "fleet-train-az"
    pool = cap.named(f"fleet-train-az-{name}-pool")
    assert pool.type == POOL and pool.parent_name == f"fleet-train-az-{name}"
    inputs = pool.inputs
    assert inputs["agentPoolName"] == name
    assert inputs["vmSize"] == vm_size
    assert inputs["enableAutoScaling"] is True and inputs["minCount"] == 0 and inputs["maxCount"] == 2
    vendor = get_catalog().accelerators[offer.accelerator].vendor
    assert inputs["nodeTaints"] == [f"{'amd.com' if vendor == 'amd' else 'nvidia.com'}/gpu=present:NoSchedule"]
    assert inputs["nodeLabels"]["aiinfra-accelerator"] == offer.accelerator
    if offer.fabric.kind == "infiniband":
        ppg = cap.named(f"fleet-train-az-{name}-ppg")
        assert ppg.type == PPG and ppg.parent_name == f"fleet-train-az-{name}"
        assert inputs["proximityPlacementGroupID"] == f"fleet-train-az-{name}-ppg-id"
        assert inputs["gpuProfile"] == {"driver": "None"}
    else:
        assert "proximityPlacementGroupID" not in inputs
        assert inputs["gpuProfile"] == {"driver": "Install"}
    if offer.price.spot_usd:
        assert (inputs["scaleSetPriority"], inputs["scaleSetEvictionPolicy"], inputs["spotMaxPrice"]) == (
            "Spot",
            "Delete",
            -1,
        )
    else:
        assert "scaleSetPriority" not in inputs


# ----- storage kinds, protect opt-out, existing cluster / resource group ---------------------


def test_nfs_and_block_storage_and_protect_opt_out() -> None:
    doc = fleet_doc(
        gpuPools=[{"name": "a10", "accelerator": "A10", "acceleratorsPerNode": 1, "maxNodes": 2}],
        storage=[
            {"name": "models", "kind": "nfs", "capacityGiB": 1024},
            {
                "name": "scratch",
                "kind": "block",
                "capacityGiB": 512,
                "iops": 20000,
                "throughputMBps": 500,
                "protect": False,
            },
        ],
    )
    cap = run_program(_fleet_program(doc))
    assert_inputs_match_sdk(cap.resources)
    account = cap.named("fleet-train-az-models-account")
    share = cap.named("fleet-train-az-models-share")
    assert account.type == "azure-native:storage:StorageAccount" and account.protect
    assert account.inputs["kind"] == "FileStorage" and account.inputs["sku"] == {"name": "Premium_LRS"}
    assert account.inputs["enableHttpsTrafficOnly"] is False
    rules = account.inputs["networkRuleSet"]
    assert rules["defaultAction"] == "Deny"
    assert rules["virtualNetworkRules"] == [
        {"virtualNetworkResourceId": "fleet-train-az-network-nodes-id", "action": "Allow"}
    ]
    assert share.type == "azure-native:storage:FileShare" and share.protect
    assert (share.inputs["enabledProtocols"], share.inputs["shareQuota"]) == ("NFS", 1024)
    nodes = cap.named("fleet-train-az-network-nodes").inputs
    assert nodes["serviceEndpoints"] == [{"service": "Microsoft.Storage"}]
    disk = cap.named("fleet-train-az-scratch-disk")
    assert disk.type == "azure-native:compute:Disk" and not disk.protect
    assert disk.inputs["sku"] == {"name": "PremiumV2_LRS"}
    assert (disk.inputs["diskSizeGB"], disk.inputs["diskIOPSReadWrite"], disk.inputs["diskMBpsReadWrite"]) == (
        512,
        20000,
        500,
    )
    assert disk.inputs["zones"] == ["1"] and disk.inputs["creationData"] == {"createOption": "Empty"}
    role = cap.named("fleet-train-az-scratch-disk-role")
    assert role.inputs["scope"] == "fleet-train-az-scratch-disk-id"


def test_existing_cluster_and_resource_group() -> None:
    aks = "/subscriptions/0000/resourceGroups/shared-rg/providers/Microsoft.ContainerService/managedClusters/prod"
    doc = fleet_doc(
        kubernetes={"existingCluster": aks, "resourceGroup": "gpu-rg"},
        gpuPools=[{"name": "ndh100", "accelerator": "H100-80GB", "maxNodes": 2}],
    )
    cap = run_program(_fleet_program(doc))
    assert_inputs_match_sdk(cap.resources)
    types = {r.type for r in cap.resources}
    assert AKS not in types
    assert "azure-native:resources:ResourceGroup" not in types
    assert "azure-native:network:VirtualNetwork" not in types
    pool = cap.named("fleet-train-az-ndh100-pool").inputs
    assert (pool["resourceGroupName"], pool["resourceName"]) == ("shared-rg", "prod")
    assert "vnetSubnetID" not in pool and "orchestratorVersion" not in pool
    assert cap.named("fleet-train-az-ndh100-ppg").inputs["resourceGroupName"] == "gpu-rg"


def test_existing_resource_group_is_not_created() -> None:
    doc = fleet_doc(
        kubernetes={"version": "1.35", "resourceGroup": "team-rg"},
        gpuPools=[{"name": "t4", "accelerator": "T4", "maxNodes": 2}],
    )
    cap = run_program(_fleet_program(doc))
    assert not cap.of_type("azure-native:resources:ResourceGroup")
    assert cap.named("fleet-train-az-aks").inputs["resourceGroupName"] == "team-rg"
    assert cap.named("fleet-train-az-aks").inputs["nodeResourceGroup"] == "team-rg-nodes"


def test_multi_stack_azure_cluster_without_zone() -> None:
    """The Azure cluster of stacks/Pulumi.multi.yaml: regional (no zone), spot NC A100, NFS."""
    doc = yaml.safe_load((ROOT / "stacks" / "Pulumi.multi.yaml").read_text())["config"]["aiinfra:fleet"]
    doc["clusters"] = [c for c in doc["clusters"] if c["cloud"] == "azure"]
    cap = run_program(_fleet_program(doc))
    assert_inputs_match_sdk(cap.resources)
    pool = cap.named("fleet-serve-azure-nca100-pool").inputs
    assert pool["vmSize"] == "Standard_NC24ads_A100_v4" and pool["scaleSetPriority"] == "Spot"
    assert "availabilityZones" not in pool and "proximityPlacementGroupID" not in pool
    assert "zones" not in cap.named("fleet-serve-azure-network-nat").inputs
    assert cap.named("fleet-serve-azure-aks").inputs["sku"]["tier"] == "Standard"
    assert cap.named("fleet-serve-azure-models-share").inputs["enabledProtocols"] == "NFS"


def test_reserved_pool_gets_contributor_on_the_reservation_group() -> None:
    crg = "/subscriptions/0000/resourceGroups/capacity/providers/Microsoft.Compute/capacityReservationGroups/h100"
    doc = fleet_doc(
        gpuPools=[
            {"name": "ndh100", "accelerator": "H100-80GB", "maxNodes": 2, "capacity": "reserved", "reservation": crg}
        ]
    )
    cap = run_program(_fleet_program(doc))
    assert_inputs_match_sdk(cap.resources)
    role = cap.named("fleet-train-az-ndh100-crg-role")
    # Scoped to the reservation group itself, not to its resource group.
    assert role.inputs["scope"] == crg
    assert role.inputs["roleDefinitionId"].endswith("/roleDefinitions/b24988ac-6180-42a0-ab88-20f7382dd24c")
    assert role.inputs["roleDefinitionId"].startswith("/subscriptions/0000/")
    assert cap.named("fleet-train-az-ndh100-pool").inputs["capacityReservationGroupID"] == crg


def test_existing_cluster_with_lustre_gets_a_storage_vnet_to_peer() -> None:
    aks = "/subscriptions/0000/resourceGroups/shared-rg/providers/Microsoft.ContainerService/managedClusters/prod"
    doc = fleet_doc(
        kubernetes={"existingCluster": aks},
        gpuPools=[{"name": "t4", "accelerator": "T4", "maxNodes": 2}],
        storage=[{"name": "data", "kind": "lustre", "capacityGiB": 8192}],
    )
    cap = run_program(_fleet_program(doc), preview=False)
    assert_inputs_match_sdk(cap.resources)
    assert not cap.of_type(AKS) and not cap.of_type("azure-native:managedidentity:UserAssignedIdentity")
    assert cap.named("fleet-train-az-network-vnet").inputs["resourceGroupName"] == "shared-rg"
    assert "vnetSubnetID" not in cap.named("fleet-train-az-t4-pool").inputs
    fs = cap.named("fleet-train-az-data-amlfs").inputs
    assert fs["filesystemSubnet"] == "fleet-train-az-network-lustre-data-id"
    out = cap.outputs["train-az"]
    assert out["storageVnetId"] == "fleet-train-az-network-vnet-id"
    assert out["clusterName"] == "prod" and out["clusterId"] == aks
    assert any("peer the storage VNet" in s for s in out["nextSteps"])


def test_unbuildable_cluster_raises_fleet_build_error_with_the_spec_path() -> None:
    """Specs that bypass validation still fail with a spec path, never a traceback."""
    import dataclasses

    from components.azure import build_cluster
    from components.clouds import FleetBuildError

    fleet, _ = load_fleet_object(fleet_doc(gpuPools=[{"name": "t4", "accelerator": "T4"}]), "<t>")
    cluster = fleet.clusters[0]
    bad_k8s = dataclasses.replace(cluster.spec.kubernetes, version=None, existing_cluster="not-an-id")
    bad = dataclasses.replace(cluster, spec=dataclasses.replace(cluster.spec, kubernetes=bad_k8s))
    errors: list[FleetBuildError] = []

    def program() -> None:
        try:
            build_cluster("c", bad, pulumi.ResourceOptions())
        except FleetBuildError as err:
            errors.append(err)

    run_program(program)
    assert errors and errors[0].path == "clusters[0].kubernetes.existingCluster"
