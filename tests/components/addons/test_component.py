"""ClusterAddons on the mock engine, per cloud and fabric kind: releases and pinned versions,
namespaces, placement against the captured pools' taints, multi-network objects one for one
with the fabric VPCs, Kueue quotas, monitoring labels, schemas, and switching add-ons off."""

from __future__ import annotations

import json
from typing import Any

import pytest

from components.addons.component import ClusterAddons
from components.addons.objects import DCGM_APP, MONITORING_NAMESPACE, PROM_CLUSTER, PROM_NODE, PROM_POOL
from components.catalog import get_catalog
from components.gcp import translate as gcp
from components.mockengine import Capture, CapturedResource, run_program
from components.spec.model import ADDON_FIELDS
from components.spec.resolved import LABEL_CLUSTER, LABEL_POOL
from tests.components.addons.helpers import (
    GCP_PROJECT,
    SPECS,
    addon_resources,
    k8s,
    pool_labels,
    pool_taints,
    resolved,
    run,
)
from tests.support.crds import crd_errors
from tests.support.sdk_inputs import args_class, sdk_input_errors

CAT = get_catalog()
POOL_MACHINES = {p.name: p.offer.machine_type for s in SPECS for p in resolved(s).clusters[0].pools}


def releases(capture: Capture) -> dict[str, dict[str, Any]]:
    return {r.inputs["name"]: r.inputs for r in k8s(capture, "Release")}


def custom_resources(capture: Capture) -> list[CapturedResource]:
    return [r for r in k8s(capture) if r.custom and args_class(r.type) is None]


@pytest.mark.parametrize("spec", sorted(SPECS))
def test_every_object_matches_its_schema(spec: str) -> None:
    capture = run(spec)
    assert k8s(capture), "add-ons are on by default"
    problems = [f"{r.name}: {e}" for r in addon_resources(capture) for e in sdk_input_errors(r.type, r.inputs)]
    for r in custom_resources(capture):
        obj = {"apiVersion": r.inputs["apiVersion"], "kind": r.inputs["kind"], "metadata": r.inputs["metadata"]}
        if "spec" in r.inputs:
            obj["spec"] = r.inputs["spec"]
        problems += crd_errors(obj)
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("spec", sorted(SPECS))
def test_releases_are_pinned_catalog_charts_in_their_namespaces(spec: str) -> None:
    capture = run(spec)
    cloud = resolved(spec).clusters[0].cloud
    for name, inputs in releases(capture).items():
        addon = next(a for a in CAT.addons.addons.values() if (i := a.install_on(cloud)) and i.chart == name)
        install = addon.install_on(cloud)
        assert install is not None
        assert inputs["version"] == install.version and inputs["version"], name
        assert inputs["namespace"] == install.namespace
        assert inputs["chart"].endswith(install.chart)
        if install.repository and install.repository.startswith("oci://"):
            assert inputs["chart"] == f"{install.repository}/{install.chart}"
        else:
            assert inputs["repositoryOpts"]["repo"] == install.repository


def _targets_of(r: CapturedResource) -> tuple[set[str], list[dict[str, Any]]]:
    """(pools a workload selects, its tolerations) for DaemonSets, Helm values and NicClusterPolicy."""
    i = r.inputs
    if r.type.endswith(":DaemonSet"):
        spec = i["spec"]["template"]["spec"]
        return {spec["nodeSelector"][LABEL_POOL]}, spec["tolerations"]
    if r.type.endswith(":NicClusterPolicy"):
        terms = i["spec"]["nodeAffinity"]["requiredDuringSchedulingIgnoredDuringExecution"]["nodeSelectorTerms"]
        return set(terms[0]["matchExpressions"][0]["values"]), i["spec"]["tolerations"]
    values = i["values"]
    if "neuronInstances" in values:  # the Neuron chart selects nodes by instance type
        pools = {p for p, machine in POOL_MACHINES.items() if machine in values["neuronInstances"]}
        return pools, values["devicePlugin"]["tolerations"]
    tolerations = values.get("tolerations") or values.get("daemonsets", {}).get("tolerations") or []
    aff = values.get("affinity") or values.get("devicePlugin", {}).get("affinity")
    if aff is None:
        return set(), tolerations
    terms = aff["nodeAffinity"]["requiredDuringSchedulingIgnoredDuringExecution"]["nodeSelectorTerms"]
    expr = terms[0]["matchExpressions"][0]
    assert expr["key"] == LABEL_POOL
    return set(expr["values"]), tolerations


@pytest.mark.parametrize("spec", sorted(SPECS))
def test_pool_workloads_select_real_pools_and_tolerate_their_taints(spec: str) -> None:
    capture = run(spec)
    taints = pool_taints(capture)
    assert taints and all(taints.values()), taints
    checked = 0
    for r in k8s(capture):
        if not (r.type.endswith((":DaemonSet", ":NicClusterPolicy")) or r.type.endswith(":Release")):
            continue
        pools, tolerations = _targets_of(r)
        tolerated = {(t["key"], t.get("value"), t["effect"]) for t in tolerations}
        for pool in pools:
            assert pool in taints, f"{r.name} selects unknown pool {pool}"
            assert taints[pool] <= tolerated, f"{r.name} does not tolerate {taints[pool] - tolerated}"
            checked += 1
    assert checked


@pytest.mark.parametrize(("spec", "fabric_networks"), [("gcp-tcpx", 4), ("gcp-tcpxo", 8), ("gcp-rdma", 9)])
def test_gke_network_objects_match_the_fabric_vpcs_one_for_one(spec: str, fabric_networks: int) -> None:
    capture = run(spec)
    subnets = {
        (r.inputs["network"], r.inputs["name"])
        for r in capture.of_type("gcp:compute/subnetwork:Subnetwork")
        if r.inputs["name"] != "c-gcp-nodes"
    }
    vpcs = {
        r.name.removeprefix("fleet-c-gcp-network-"): r.inputs["name"]
        for r in capture.of_type("gcp:compute/network:Network")
    }
    params = [r.inputs["spec"] for r in k8s(capture, "GKENetworkParamSet")]
    networks = k8s(capture, "Network")
    assert len(params) == len(subnets) == len(networks) == fabric_networks
    created_vpc_names = set(vpcs.values())
    assert {p["vpc"] for p in params} <= created_vpc_names
    assert {p["vpcSubnet"] for p in params} == {name for _, name in subnets}
    # Every Network points at the param set of its own name, as the pods' interfaces annotation names it.
    for n in networks:
        ref = n.inputs["spec"]["parametersRef"]
        assert ref["name"] == n.inputs["metadata"]["name"] and ref["kind"] == "GKENetworkParamSet"
    modes = {p["deviceMode"] for p in params}
    assert modes == ({"NetDevice", "RDMA"} if spec == "gcp-rdma" else {"NetDevice"})


@pytest.mark.parametrize(
    ("spec", "manifests"),
    [
        ("gcp-tcpx", {"nccl-tcpx-installer"}),
        ("gcp-tcpxo", {"nccl-tcpxo-installer", "nri-device-injector"}),
        ("gcp-rdma", {"nccl-rdma-installer"}),
    ],
)
def test_gke_nccl_installer_per_fabric_and_no_duplicate_gpu_enablement(spec: str, manifests: set[str]) -> None:
    capture = run(spec)
    groups = {r.name.removeprefix("fleet-c-gcp-addons-"): r.inputs["files"] for r in k8s(capture, "ConfigGroup")}
    assert set(groups) == manifests
    for mid, files in groups.items():
        assert files == list(CAT.addons.manifests[mid].urls)
    # GKE manages drivers and the device plugin: nothing of ours duplicates them.
    assert not {"nvidia-device-plugin", "gpu-operator"} & set(releases(capture))


def test_aws_gpu_neuron_efa_enablement_and_eks_csi_addons() -> None:
    capture = run("aws-efa")
    rel = releases(capture)
    assert {"gpu-operator", "nvidia-device-plugin", "neuron-helm-chart", "aws-efa-k8s-device-plugin"} <= set(rel)
    # No Amazon Linux driver container exists: on EKS the operator never tries to install one.
    assert rel["gpu-operator"]["values"]["driver"]["enabled"] is False
    tolerated = {(t["key"], t["value"]) for t in rel["gpu-operator"]["values"]["daemonsets"]["tolerations"]}
    assert tolerated == {("nvidia.com/gpu", "true")}
    assert rel["neuron-helm-chart"]["values"]["neuronInstances"] == ["trn1.32xlarge"]
    efa_pools = _targets_of(
        next(r for r in k8s(capture, "Release") if r.inputs["name"] == "aws-efa-k8s-device-plugin")
    )[0]
    assert efa_pools == {"p5", "trn"}
    eks = {
        r.inputs["addonName"]: r.inputs["addonVersion"]
        for r in capture.of_type("aws:eks/addon:Addon")
        if r in addon_resources(capture)
    }
    assert eks == {
        "aws-fsx-csi-driver": CAT.addons.addons["lustreCsi"].install_on("aws").version,  # type: ignore[union-attr]
        "aws-efs-csi-driver": CAT.addons.addons["nfsCsi"].install_on("aws").version,  # type: ignore[union-attr]
    }


def test_azure_infiniband_network_operator_and_gpu_operator_with_rdma() -> None:
    capture = run("azure-ib")
    rel = releases(capture)
    assert rel["network-operator"]["version"] == CAT.addons.addons["networkOperator"].installs[0].version
    assert rel["gpu-operator"]["values"]["driver"]["rdma"]["enabled"] is True
    assert rel["gpu-operator"]["values"]["dcgmExporter"]["enabled"] is False  # our per-pool exporter runs
    assert "enabled" not in rel["gpu-operator"]["values"]["driver"]  # AKS Ubuntu: the operator builds the driver
    (policy,) = k8s(capture, "NicClusterPolicy")
    config = json.loads(policy.inputs["spec"]["rdmaSharedDevicePlugin"]["config"])
    assert config["configList"][0]["resourceName"] == "shared_ib"
    assert _targets_of(policy)[0] == {"ndh100"}
    lustre = {r.name: r.inputs["files"] for r in k8s(capture, "ConfigGroup")}
    assert list(lustre.values()) == [list(CAT.addons.manifests["azurelustre-csi"].urls)]


@pytest.mark.parametrize("spec", ["azure-managed-driver", "aws-accelerated"])
def test_pools_with_a_cloud_installed_driver_get_the_device_plugin(spec: str) -> None:
    rel = releases(run(spec))
    assert "nvidia-device-plugin" in rel and "gpu-operator" not in rel


@pytest.mark.parametrize(
    ("spec", "image_driver", "operator_driver"),
    [("aws-efa", {"p5"}, {"plain"}), ("azure-ib", {"nca100"}, {"ndh100"})],
)
def test_device_plugin_and_gpu_operator_split_the_nvidia_pools_of_a_mixed_cluster(
    spec: str, image_driver: set[str], operator_driver: set[str]
) -> None:
    """Pools whose node image brings the driver get the standalone device plugin and the
    operator's opt-out label; the operator serves (and tolerates) only the others."""
    capture = run(spec)
    plugin, operator = (next(r for r in k8s(capture, "Release") if r.inputs["name"] == n) for n in CHARTS)
    assert _targets_of(plugin)[0] == image_driver
    taints = pool_taints(capture)
    tolerated = {(t["key"], t["value"], t["effect"]) for t in _targets_of(operator)[1]}
    assert all(taints[p] <= tolerated for p in operator_driver)
    skip = dict(CAT.addons.addons["gpuOperator"].skip_node_labels)
    assert skip == {"nvidia.com/gpu.deploy.operands": "false"}
    labels = pool_labels(capture)
    for pool in image_driver:
        assert skip.items() <= labels[pool].items(), pool
    for pool in set(labels) - image_driver:  # operator pools, Neuron pools
        assert not skip.keys() & labels[pool].keys(), pool


CHARTS = ("nvidia-device-plugin", "gpu-operator")


@pytest.mark.parametrize("spec", ["gcp-rdma", "aws-efa", "azure-ib"])
def test_each_file_system_gets_a_volume_and_claim_named_after_it(spec: str) -> None:
    capture = run(spec)
    claims = {r.inputs["metadata"]["name"]: r.inputs for r in k8s(capture, "PersistentVolumeClaim")}
    volumes = {r.inputs["metadata"]["name"]: r.inputs for r in k8s(capture, "PersistentVolume")}
    assert set(claims) == {"datasets", "home"}
    for name, claim in claims.items():
        pv = volumes[claim["spec"]["volumeName"]]
        assert pv["spec"]["claimRef"] == {"namespace": claim["metadata"]["namespace"], "name": name}
        assert pv["spec"]["persistentVolumeReclaimPolicy"] == "Retain"
        assert pv["spec"]["capacity"] == claim["spec"]["resources"]["requests"]
    drivers = {v["spec"]["csi"]["driver"] for v in volumes.values()}
    assert (
        drivers
        == {
            "gcp-rdma": {"lustre.csi.storage.gke.io", "filestore.csi.storage.gke.io"},
            "aws-efa": {"fsx.csi.aws.com", "efs.csi.aws.com"},
            "azure-ib": {"azurelustre.csi.azure.com", "file.csi.azure.com"},
        }[spec]
    )


@pytest.mark.parametrize("spec", sorted(SPECS))
def test_kueue_flavor_and_queue_per_pool_and_slice_with_max_scale_quotas(spec: str) -> None:
    capture = run(spec)
    fleet = resolved(spec).clusters[0]
    queues = {r.inputs["metadata"]["name"]: r.inputs["spec"] for r in k8s(capture, "ClusterQueue")}
    flavors = {r.inputs["metadata"]["name"]: r.inputs["spec"] for r in k8s(capture, "ResourceFlavor")}
    expected = {p.name for p in fleet.pools} | {s.name for s in fleet.slices}
    assert set(queues) == set(flavors) == expected
    for pool in fleet.pools:
        quota = {
            q["name"]: q["nominalQuota"] for q in queues[pool.name]["resourceGroups"][0]["flavors"][0]["resources"]
        }
        accel = next(k for k in quota if k.endswith(("/gpu", "/neuron")))
        assert quota[accel] == str(pool.spec.max_nodes * pool.offer.accelerators_per_node)
        if pool.fabric is not None and pool.fabric.kind == "efa":
            assert quota["vpc.amazonaws.com/efa"] == str(pool.spec.max_nodes * pool.offer.fabric.efa_interfaces)
        assert flavors[pool.name]["nodeLabels"] == {LABEL_POOL: pool.name}
    for sl in fleet.slices:
        quota = queues[sl.name]["resourceGroups"][0]["flavors"][0]["resources"]
        assert quota == [{"name": "google.com/tpu", "nominalQuota": str(sl.chips_total)}]


@pytest.mark.parametrize("spec", ["gcp-tcpx", "aws-efa", "azure-ib"])
def test_one_dcgm_exporter_per_nvidia_pool_with_the_rightsize_label_contract(spec: str) -> None:
    capture = run(spec)
    cluster = resolved(spec).clusters[0]
    daemonsets = {r.inputs["metadata"]["name"]: r.inputs for r in k8s(capture, "DaemonSet")}
    nvidia = [p.name for p in cluster.pools if CAT.accelerators[p.offer.accelerator].vendor == "nvidia"]
    assert set(daemonsets) == {f"{DCGM_APP}-{p}" for p in nvidia}
    for pool in nvidia:
        ds = daemonsets[f"{DCGM_APP}-{pool}"]
        assert ds["metadata"]["namespace"] == MONITORING_NAMESPACE
        labels = ds["spec"]["template"]["metadata"]["labels"]
        assert labels[LABEL_POOL] == pool and labels[LABEL_CLUSTER] == cluster.name
        image = ds["spec"]["template"]["spec"]["containers"][0]["image"]
        assert image == CAT.addons.addons["gpuMonitoring"].images["dcgmExporter"].ref
    if cluster.cloud == "gcp":
        (pm,) = k8s(capture, "PodMonitoring")
        target = pm.inputs["spec"]["targetLabels"]
        assert {(m["from"], m["to"]) for m in target["fromPod"]} == {
            (LABEL_POOL, PROM_POOL),
            (LABEL_CLUSTER, PROM_CLUSTER),
        }
        assert PROM_NODE in target["metadata"]
        assert capture.outputs["c-gcp"]["addons"]["prometheusQueryEndpoint"].endswith(
            "/projects/proj-1/location/global/prometheus"
        )
    elif cluster.cloud == "azure":
        (pm,) = k8s(capture, "PodMonitor")
        targets = {r["targetLabel"] for r in pm.inputs["spec"]["podMetricsEndpoints"][0]["relabelings"]}
        assert targets == {PROM_POOL, PROM_CLUSTER, PROM_NODE}
        assert capture.of_type("azure-native:monitor:DataCollectionRuleAssociation")
    else:
        (scraper,) = capture.of_type("aws:amp/scraper:Scraper")
        config = json.loads(scraper.inputs["scrapeConfiguration"])
        relabel = config["scrape_configs"][0]["relabel_configs"]
        assert {r.get("target_label") for r in relabel} >= {PROM_POOL, PROM_CLUSTER, PROM_NODE}
        assert capture.of_type("aws:amp/workspace:Workspace")


@pytest.mark.parametrize(
    ("spec", "name", "gone"),
    [
        ("gcp-tcpxo", "gpuDirect", ("GKENetworkParamSet", "Network", "ConfigGroup")),
        ("aws-efa", "efaDevicePlugin", ("aws-efa-k8s-device-plugin",)),
        ("azure-ib", "networkOperator", ("network-operator", "NicClusterPolicy")),
        ("gcp-rdma", "lustreCsi", ("pv-datasets", "pvc-datasets")),
        ("aws-efa", "nfsCsi", ("pv-home", "aws-efs-csi-driver")),
        ("aws-efa", "kueue", ("ClusterQueue", "ResourceFlavor", "LocalQueue", "kueue")),
        ("azure-ib", "gpuMonitoring", ("DaemonSet", "PodMonitor", "DataCollectionRule")),
        ("aws-efa", "neuronDevicePlugin", ("neuron-helm-chart",)),
        ("aws-efa", "gpuOperator", ("gpu-operator",)),
        ("gcp-tcpx", "jobset", ("jobset",)),
    ],
)
def test_switching_an_addon_off_removes_it(spec: str, name: str, gone: tuple[str, ...]) -> None:
    def present(capture: Capture) -> set[str]:
        found = set()
        for r in addon_resources(capture):
            for g in gone:
                if r.type.endswith(f":{g}") or r.name.endswith(f"-{g}") or r.inputs.get("name") == g:
                    found.add(g)
        return found

    assert present(run(spec)) == set(gone)
    assert present(run(spec, ((name, "disabled"),))) == set()


def test_every_addon_disabled_leaves_no_provider_and_no_objects() -> None:
    off = tuple((n, "disabled") for n in ADDON_FIELDS)
    capture = run("aws-efa", off)
    assert not addon_resources(capture)
    assert not [r for r in capture.resources if r.type == "pulumi:providers:kubernetes"]


def test_the_kubernetes_provider_is_made_from_the_cluster_kubeconfig() -> None:
    cluster = resolved("gcp-tcpx").clusters[0]
    kubeconfig = gcp.kubeconfig("train", "203.0.113.1", "Q0E=")
    capture = run_program(
        lambda: ClusterAddons("addons", cluster, {"kubeconfig": kubeconfig, "storage": {}}), config=GCP_PROJECT
    )
    (provider,) = [r for r in capture.resources if r.type == "pulumi:providers:kubernetes"]
    assert provider.inputs["kubeconfig"] == kubeconfig
    objects = [r for r in capture.resources if r.type.startswith("kubernetes:") and r.custom]
    assert objects and all(r.provider and r.provider.startswith(provider.urn) for r in objects)


def test_fabric_manifests_select_the_accelerators_of_the_pools_that_use_them() -> None:
    for offer in CAT.offers_for("gcp"):
        fabric = CAT.fabrics[offer.fabric.kind]
        for mid in fabric.manifests:
            selects = CAT.addons.manifests[mid].selects["cloud.google.com/gke-accelerator"]
            assert offer.accelerator_type in selects, (offer.machine_type, mid)


def test_network_object_names_are_the_ones_gke_workloads_use() -> None:
    cluster = resolved("gcp-tcpxo").clusters[0]
    names = sorted(d["metadata"]["name"] for d in gcp.fabric_manifests(cluster, gcp.network_plan(cluster)))
    assert names == sorted([f"vpc{i}" for i in range(1, 9)] * 2)


TEAMS = ("workloadNamespaces", ("default", "team-a", "team-b"))


@pytest.mark.parametrize("spec", ["gcp-rdma", "aws-efa", "azure-ib"])
def test_every_workload_namespace_gets_each_claim_and_local_queue(spec: str) -> None:
    capture = run(spec, (TEAMS,))
    cluster = resolved(spec).clusters[0]
    spaces = set(TEAMS[1])
    targets = {p.name for p in cluster.pools} | {s.name for s in cluster.slices}
    queues = {(r.inputs["metadata"]["namespace"], r.inputs["metadata"]["name"]) for r in k8s(capture, "LocalQueue")}
    assert queues == {(ns, t) for ns in spaces for t in targets}
    assert all(r.inputs["spec"]["clusterQueue"] == r.inputs["metadata"]["name"] for r in k8s(capture, "LocalQueue"))
    claims = {
        (r.inputs["metadata"]["namespace"], r.inputs["metadata"]["name"]): r
        for r in k8s(capture, "PersistentVolumeClaim")
    }
    assert set(claims) == {(ns, name) for ns in spaces for name in ("datasets", "home")}
    volumes = {r.inputs["metadata"]["name"]: r.inputs for r in k8s(capture, "PersistentVolume")}
    assert len(volumes) == len(claims)  # a volume binds exactly one claim
    for (ns, name), claim in claims.items():
        pv = volumes[claim.inputs["spec"]["volumeName"]]
        assert pv["spec"]["claimRef"] == {"namespace": ns, "name": name}
        # Every namespace's volume reaches the same file system.
        default_pv = volumes[claims[("default", name)].inputs["spec"]["volumeName"]]
        assert pv["spec"]["csi"] == default_pv["spec"]["csi"]
    # default keeps the names it had before workloadNamespaces existed (no replacement).
    assert claims[("default", "datasets")].name.endswith("-pvc-datasets")
    assert claims[("team-a", "datasets")].name.endswith("-pvc-datasets.team-a")
    # The namespaces the cluster lacks are created, kept on removal, and go in first.
    namespaces = {r.inputs["metadata"]["name"]: r for r in k8s(capture, "Namespace")}
    assert {"team-a", "team-b"} <= set(namespaces) and "default" not in namespaces
    for ns in ("team-a", "team-b"):
        assert namespaces[ns].retain_on_delete
        inside = [r for r in k8s(capture) if r.inputs.get("metadata", {}).get("namespace") == ns]
        assert len(inside) == len(targets) + 2
        assert all(namespaces[ns].urn in r.dependencies for r in inside), ns
    # Every rendered object still matches its SDK input type or CRD schema.
    problems = [f"{r.name}: {e}" for r in addon_resources(capture) for e in sdk_input_errors(r.type, r.inputs)]
    for r in custom_resources(capture):
        obj = {"apiVersion": r.inputs["apiVersion"], "kind": r.inputs["kind"], "metadata": r.inputs["metadata"]}
        problems += crd_errors({**obj, "spec": r.inputs["spec"]} if "spec" in r.inputs else obj)
    assert not problems, "\n".join(problems)


def test_stack_outputs_name_the_namespaces_of_each_claim_and_queue() -> None:
    capture = run("gcp-rdma", (TEAMS,))  # GKE's outputs resolve at preview
    outputs = capture.outputs["c-gcp"]["addons"]
    assert outputs["volumes"] == {n: {"claim": n, "namespaces": list(TEAMS[1])} for n in ("datasets", "home")}
    assert set(outputs["queues"]) == {"a3ultra", "a4", "v5p"}
    assert outputs["queues"]["a4"] == {"localQueue": "a4", "namespaces": list(TEAMS[1])}


def test_without_default_no_object_goes_to_default_and_system_namespaces_are_not_created() -> None:
    capture = run("aws-efa", (("workloadNamespaces", ("kube-system", "ml")),))
    placed = {
        r.inputs["metadata"]["namespace"]
        for r in k8s(capture)
        if r.type.endswith(("LocalQueue", "PersistentVolumeClaim"))
    }
    assert placed == {"kube-system", "ml"}
    assert {r.inputs["metadata"]["name"] for r in k8s(capture, "Namespace")} == {"ml", MONITORING_NAMESPACE}


def test_monitoring_objects_wait_for_their_namespace() -> None:
    capture = run("azure-ib")
    (ns,) = k8s(capture, "Namespace")
    inside = [r for r in k8s(capture) if r.inputs.get("metadata", {}).get("namespace") == MONITORING_NAMESPACE]
    assert inside and all(ns.urn in r.dependencies for r in inside)
    assert not ns.retain_on_delete
