"""Pure translation of a cluster's add-on plan into Helm releases, vendor manifests and the
Kubernetes objects ai-infra renders itself.

Nothing here creates a Pulumi resource. ``render(cluster, refs)`` returns ``Item``s: each a
Helm release (chart, pinned version, namespace, values), a manifest group (pinned URLs), an
EKS add-on (pinned version) or one Kubernetes object as a plain dict in Kubernetes spelling
(camelCase), exactly as the API server would take it. Deploy-time values (file system ids,
mount addresses, the GCP project) come in through ``Refs`` untouched: the component passes
``pulumi.Output`` values, tests pass strings.

Placement always comes from ``plan.pool_targets``: a pod meant for a pool selects the
``aiinfra-pool`` label and tolerates exactly that pool's taints.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from components.addons.plan import PoolTarget, addon_plan, pool_targets
from components.catalog import get_catalog
from components.spec.resolved import LABEL_CLUSTER, LABEL_POOL, ResolvedCluster, ResolvedStorage

#: The namespace whose workload-facing objects (LocalQueues, PersistentVolumeClaims) keep the
#: plain names they had before ``workloadNamespaces`` existed (no replacement on upgrade).
DEFAULT_NAMESPACE = "default"
#: Namespaces every cluster already has: listed in ``workloadNamespaces``, never created.
#: https://kubernetes.io/docs/concepts/overview/working-with-objects/namespaces/#initial-namespaces
BUILTIN_NAMESPACES = ("default", "kube-node-lease", "kube-public", "kube-system")
MONITORING_NAMESPACE = "aiinfra-monitoring"
DCGM_APP = "dcgm-exporter"
DCGM_PORT = 9400
SCRAPE_INTERVAL = "30s"
# Prometheus label names of the rightsize contract (docs/addons.md#gpu-metrics-labels).
PROM_POOL, PROM_CLUSTER, PROM_NODE = "aiinfra_pool", "aiinfra_cluster", "node"
# Kueue counts accelerators and fabric devices (what the policies approve); CPU, memory and
# ephemeral storage are left to the scheduler, so pods need not declare them to be admitted.
# https://kueue.sigs.k8s.io/docs/reference/kueue-config.v1beta2/#Resources
KUEUE_EXCLUDED = ("cpu", "memory", "ephemeral-storage", "hugepages-")
KUEUE_FRAMEWORKS = ("batch/job", "jobset.x-k8s.io/jobset", "kubeflow.org/mpijob", "kubeflow.org/pytorchjob", "pod")
# The Amazon Managed Service for Prometheus collector's Kubernetes identity and permissions.
# https://docs.aws.amazon.com/prometheus/latest/userguide/AMP-collector-how-to.html#AMP-collector-eks-setup
AMP_COLLECTOR_USER = "aps-collector-user"


@dataclass(frozen=True)
class HelmItem:
    """A Helm release (``kubernetes.helm.v3.Release``)."""

    name: str
    addon: str
    repository: str
    chart: str
    version: str
    namespace: str
    values: Mapping[str, Any]


@dataclass(frozen=True)
class ManifestItem:
    """Vendor YAML applied as published (``kubernetes.yaml.v2.ConfigGroup``)."""

    name: str
    addon: str
    urls: tuple[str, ...]


@dataclass(frozen=True)
class EksAddonItem:
    """An EKS add-on (``aws.eks.Addon``)."""

    name: str
    addon: str
    addon_name: str
    version: str


@dataclass(frozen=True)
class ObjectItem:
    """One Kubernetes object ai-infra renders; ``after`` names add-ons whose CRDs/controllers it
    needs; ``retain`` keeps it in the cluster when the program stops declaring it (a namespace
    that holds the user's own workloads)."""

    name: str
    addon: str  # the add-on (or, for workload namespaces, the spec field) it belongs to
    obj: Mapping[str, Any]
    after: tuple[str, ...] = ()
    retain: bool = False

    @property
    def namespace(self) -> str | None:
        """The namespace the object lives in (None for cluster-scoped objects)."""
        ns = self.obj["metadata"].get("namespace")
        return str(ns) if ns is not None else None

    @property
    def api_version(self) -> str:
        return str(self.obj["apiVersion"])

    @property
    def kind(self) -> str:
        return str(self.obj["kind"])


Item = HelmItem | ManifestItem | EksAddonItem | ObjectItem


@dataclass(frozen=True)
class StorageRef:
    """Deploy-time facts of one storage item a PersistentVolume needs (Outputs or strings)."""

    id: Any = None  # GCP instance id / AWS file system id / Azure resource id
    address: Any = None  # GCP mount "<ip>@tcp:/fs" or "<ip>:/share"; AWS DNS name; Azure MGS address
    mount_name: Any = None  # FSx mount name
    account: Any = None  # Azure storage account
    share: Any = None  # share / file system name


@dataclass(frozen=True)
class Refs:
    """Deploy-time values the rendered objects refer to."""

    project: Any = None  # GCP project
    location: Any = None  # GKE location of Managed Lustre / Filestore instances
    resource_group: Any = None  # Azure resource group of the storage
    storage: Mapping[str, StorageRef] = field(default_factory=dict)


def _meta(name: str, namespace: str | None = None, labels: Mapping[str, str] | None = None) -> dict[str, Any]:
    meta: dict[str, Any] = {"name": name}
    if namespace is not None:
        meta["namespace"] = namespace
    if labels:
        meta["labels"] = dict(labels)
    return meta


def _affinity(targets: Sequence[PoolTarget]) -> dict[str, Any]:
    """Node affinity to exactly these pools (by their aiinfra-pool label).

    Never empty: the API server rejects an ``In`` with no values, so a pool-bound add-on with
    no pool to serve is off (``plan.addon_plan``) and never reaches here.
    """
    if not targets:
        raise ValueError("node affinity to no pool: a pool-bound add-on with nothing to serve must be off")
    return {
        "nodeAffinity": {
            "requiredDuringSchedulingIgnoredDuringExecution": {
                "nodeSelectorTerms": [
                    {
                        "matchExpressions": [
                            {"key": LABEL_POOL, "operator": "In", "values": sorted(t.name for t in targets)}
                        ]
                    }
                ]
            }
        }
    }


def _tolerations(targets: Sequence[PoolTarget]) -> list[dict[str, str]]:
    """Tolerations for every taint of these pools, each once."""
    seen: dict[tuple[str, str, str], dict[str, str]] = {}
    for t in targets:
        for tol in t.tolerations:
            seen.setdefault((tol["key"], tol["value"], tol["effect"]), tol)
    return [seen[k] for k in sorted(seen)]


def _targets(cluster: ResolvedCluster, names: Sequence[str]) -> list[PoolTarget]:
    return [t for t in pool_targets(cluster) if t.name in names]


def _overlay(base: Mapping[str, Any], over: Mapping[str, Any]) -> dict[str, Any]:
    """``base`` with ``over`` laid on top, nested mappings merged key by key (Helm's own rule)."""
    out = dict(base)
    for key, value in over.items():
        if isinstance(value, Mapping) and isinstance(out.get(key), Mapping):
            out[key] = _overlay(out[key], value)
        else:
            out[key] = value
    return out


def _helm(cluster: ResolvedCluster, addon: str, values: Mapping[str, Any], release: str | None = None) -> HelmItem:
    """A release of the add-on's pinned chart: the catalog's values for the cloud, then ``values``."""
    row = get_catalog().addons.addons[addon]
    install = row.install_on(cluster.cloud)
    assert install is not None and install.kind == "helm", addon
    assert install.repository and install.chart and install.version
    return HelmItem(
        name=release or install.chart,
        addon=addon,
        repository=install.repository,
        chart=install.chart,
        version=install.version,
        namespace=install.namespace,
        values=_overlay(row.values.get(cluster.cloud, {}), values),
    )


# ----- GPU enablement ---------------------------------------------------------------------------


def nvidia_device_plugin(cluster: ResolvedCluster, pools: Sequence[str]) -> HelmItem:
    """The device plugin on the pools whose driver the cloud installs (EKS AL2023 NVIDIA, AKS)."""
    targets = _targets(cluster, pools)
    # The chart's default affinity wants NFD/GFD labels neither EKS nor AKS nodes carry.
    return _helm(cluster, "nvidiaDevicePlugin", {"affinity": _affinity(targets), "tolerations": _tolerations(targets)})


def gpu_operator(cluster: ResolvedCluster, pools: Sequence[str]) -> HelmItem:
    """The GPU Operator for NVIDIA pools without a cloud-installed driver.

    Pools whose node image brings the driver carry the operator's opt-out label (see
    ``plan``), so it runs only on ``pools``. With InfiniBand it builds the driver with
    GPUDirect RDMA against the Network Operator's MOFED and reuses that operator's NFD (Azure's
    AKS InfiniBand values); on EKS the catalog turns its driver off (no Amazon Linux driver
    container). Its DCGM exporter is off when ai-infra's own per-pool exporter runs (one DCGM
    per node).
    """
    plan = addon_plan(cluster)
    targets = _targets(cluster, pools)
    rdma = plan["networkOperator"].on
    values: dict[str, Any] = {
        "daemonsets": {"tolerations": _tolerations(targets)},
        "driver": {"rdma": {"enabled": rdma}},
        "migManager": {"enabled": False},
        "vgpuDeviceManager": {"enabled": False},
        "vfioManager": {"enabled": False},
        "sandboxDevicePlugin": {"enabled": False},
        "dcgmExporter": {"enabled": not plan["gpuMonitoring"].on},
    }
    if rdma:
        values["nfd"] = {"enabled": False}
    return _helm(cluster, "gpuOperator", values)


def neuron_device_plugin(cluster: ResolvedCluster, pools: Sequence[str]) -> HelmItem:
    """The Neuron device plugin on the Trainium/Inferentia pools: the chart selects nodes by
    instance type (``neuronInstances``), so it gets exactly the pools' instance types."""
    targets = _targets(cluster, pools)
    if not targets:  # the chart turns neuronInstances into a node-affinity `In` list
        raise ValueError("the Neuron device plugin with no pool to serve must be off")
    return _helm(
        cluster,
        "neuronDevicePlugin",
        {
            "neuronInstances": sorted({t.machine_type for t in targets}),
            "devicePlugin": {"tolerations": _tolerations(targets)},
            "scheduler": {"enabled": False},
            "npd": {"enabled": False},
        },
    )


# ----- fabric -------------------------------------------------------------------------------------


def efa_device_plugin(cluster: ResolvedCluster, pools: Sequence[str]) -> HelmItem:
    targets = _targets(cluster, pools)
    return _helm(cluster, "efaDevicePlugin", {"affinity": _affinity(targets), "tolerations": _tolerations(targets)})


def network_operator(cluster: ResolvedCluster, pools: Sequence[str]) -> list[Item]:
    """The Network Operator (with NFD) and an InfiniBand NicClusterPolicy for the IB pools."""
    cat = get_catalog()
    addon = cat.addons.addons["networkOperator"]
    targets = _targets(cluster, pools)
    fabric = cat.fabric("infiniband")
    resource = fabric.pod_resource
    assert resource is not None
    resource_name, hca_max = resource
    prefix, short = str(resource_name).split("/", 1)
    ofed, rdma = addon.images["ofedDriver"], addon.images["rdmaSharedDevicePlugin"]
    config = {
        "configList": [
            {
                "resourcePrefix": prefix,
                "resourceName": short,
                "rdmaHcaMax": int(hca_max),
                "selectors": {"vendors": ["15b3"], "linkTypes": ["infiniband"]},
            }
        ]
    }
    policy = {
        "apiVersion": "mellanox.com/v1alpha1",
        "kind": "NicClusterPolicy",
        "metadata": _meta("nic-cluster-policy"),
        "spec": {
            "nodeAffinity": _affinity(targets)["nodeAffinity"],
            "tolerations": _tolerations(targets),
            "ofedDriver": {
                "repository": ofed.repository,
                "image": ofed.image,
                "version": ofed.version,
                "upgradePolicy": {"autoUpgrade": True, "maxParallelUpgrades": 1},
            },
            "rdmaSharedDevicePlugin": {
                "repository": rdma.repository,
                "image": rdma.image,
                "version": rdma.version,
                "config": json.dumps(config, sort_keys=True),
            },
        },
    }
    return [
        _helm(cluster, "networkOperator", {"nfd": {"enabled": True, "deployNodeFeatureRules": False}}),
        ObjectItem("nic-cluster-policy", "networkOperator", policy, after=("networkOperator",)),
    ]


def gpu_direct(cluster: ResolvedCluster, pools: Sequence[str]) -> list[Item]:
    """A Network + GKENetworkParamSet per fabric subnet (one for one with the VPCs the network
    component creates) and each pool fabric's NCCL installer manifests."""
    from components.gcp import translate as gcp

    cat = get_catalog()
    items: list[Item] = [
        ObjectItem(f"{doc['kind'].lower()}-{doc['metadata']['name']}", "gpuDirect", doc)
        for doc in gcp.fabric_manifests(cluster, gcp.network_plan(cluster))
    ]
    manifest_ids: list[str] = []
    for pool in cluster.pools:
        if pool.name in pools and pool.fabric is not None:
            manifest_ids += [m for m in pool.fabric.manifests if m not in manifest_ids]
    for mid in manifest_ids:
        items.append(ManifestItem(mid, "gpuDirect", cat.addons.manifests[mid].urls))
    return items


# ----- storage ------------------------------------------------------------------------------------


def _gib(storage: ResolvedStorage) -> str:
    return f"{storage.spec.capacity_gib}Gi"


def _nfs_ip(mount: Any) -> Any:
    """``<ip>`` from ``<ip>:/share`` or ``<ip>@tcp:/fs`` (a plain value or an Output)."""
    if isinstance(mount, str) or mount is None:
        return mount.split(":")[0].split("@")[0] if mount else mount
    return mount.apply(lambda m: m.split(":")[0].split("@")[0] if m else m)


def _csi_source(cluster: ResolvedCluster, storage: ResolvedStorage, refs: Refs) -> dict[str, Any]:
    """The CSI volume source of a static PersistentVolume for one file system."""
    ref = refs.storage.get(storage.name, StorageRef())
    kind, cloud = storage.spec.kind, cluster.cloud
    if cloud == "gcp":
        from components.gcp.translate import filestore_share_name, lustre_filesystem_name

        if kind == "lustre":
            # https://cloud.google.com/managed-lustre/docs/lustre-csi-driver-existing-instance
            return {
                "driver": "lustre.csi.storage.gke.io",
                "volumeHandle": _join(refs.project, "/", cluster.spec.zone or "", "/", storage.name),
                "volumeAttributes": {"ip": _nfs_ip(ref.address), "filesystem": lustre_filesystem_name(storage.name)},
            }
        # https://cloud.google.com/filestore/docs/csi-driver#access
        location = cluster.spec.zone or cluster.spec.region
        share = filestore_share_name(storage.name)
        return {
            "driver": "filestore.csi.storage.gke.io",
            "volumeHandle": f"modeInstance/{location}/{storage.name}/{share}",
            "volumeAttributes": {"ip": _nfs_ip(ref.address), "volume": share},
        }
    if cloud == "aws":
        if kind == "lustre":
            # https://github.com/kubernetes-sigs/aws-fsx-csi-driver/tree/master/examples/kubernetes/static_provisioning
            return {
                "driver": "fsx.csi.aws.com",
                "volumeHandle": ref.id,
                "volumeAttributes": {"dnsname": ref.address, "mountname": ref.mount_name},
            }
        # https://github.com/kubernetes-sigs/aws-efs-csi-driver/tree/master/examples/kubernetes/static_provisioning
        return {"driver": "efs.csi.aws.com", "volumeHandle": ref.id}
    if kind == "lustre":
        # https://github.com/kubernetes-sigs/azurelustre-csi-driver/blob/main/docs/static-provisioning.md
        return {
            "driver": "azurelustre.csi.azure.com",
            "volumeHandle": _join(refs.resource_group, "#", storage.name),
            "volumeAttributes": {"mgs-ip-address": ref.address, "fs-name": "lustrefs"},
        }
    # https://learn.microsoft.com/azure/aks/azure-csi-files-storage-provision#create-a-persistent-volume
    return {
        "driver": "file.csi.azure.com",
        "volumeHandle": _join(refs.resource_group, "#", ref.account, "#", storage.name),
        "volumeAttributes": {
            "resourceGroup": refs.resource_group,
            "storageAccount": ref.account,
            "shareName": storage.name,
            "protocol": "nfs",
        },
    }


def _join(*parts: Any) -> Any:
    """Concatenate strings and Outputs (an Output when any part is one; unknown parts read as "")."""
    if all(isinstance(p, str) or p is None for p in parts):
        return "".join(p or "" for p in parts)
    import pulumi

    return pulumi.Output.all(*parts).apply(lambda values: "".join(str(v) if v is not None else "" for v in values))


def _scoped(name: str, namespace: str) -> str:
    """An object's name in ``namespace``: plain in ``default``, else with ``.<namespace>``
    (a dot: no cluster, storage, pool or namespace name contains one, so names never collide)."""
    return name if namespace == DEFAULT_NAMESPACE else f"{name}.{namespace}"


def workload_namespaces(cluster: ResolvedCluster) -> tuple[str, ...]:
    """``clusters[].addons.workloadNamespaces``: where LocalQueues and claims go."""
    return cluster.spec.addons.workload_namespaces


def namespace_objects(cluster: ResolvedCluster) -> list[Item]:
    """A Namespace per listed workload namespace the cluster does not already have. They are
    retained: removing one from the spec never deletes the jobs and data claims in it."""
    return [
        ObjectItem(
            f"workload-namespace-{ns}",
            "workloadNamespaces",
            {"apiVersion": "v1", "kind": "Namespace", "metadata": _meta(ns, labels={LABEL_CLUSTER: cluster.name})},
            retain=True,
        )
        for ns in workload_namespaces(cluster)
        if ns not in BUILTIN_NAMESPACES
    ]


def volumes(cluster: ResolvedCluster, kind: str, addon: str, refs: Refs) -> list[Item]:
    """Per ``kind`` storage item and workload namespace, a PersistentVolume and a claim named
    after the item. A volume binds one claim, so each namespace gets its own volume, all with
    the same CSI source: kubelet keys a CSI volume by driver and volume handle, so pods of two
    namespaces on one node share its mount. (Two volumes with one handle in a single pod would
    clash, kubernetes/kubernetes#91556; a pod sees only its namespace's claim.)"""
    items: list[Item] = []
    for st in cluster.storage:
        if st.spec.kind != kind:
            continue
        labels = {LABEL_CLUSTER: cluster.name, "aiinfra-storage": st.name}
        csi = _csi_source(cluster, st, refs)
        for ns in workload_namespaces(cluster):
            pv_name = _scoped(f"{cluster.name}-{st.name}", ns)
            pv = {
                "apiVersion": "v1",
                "kind": "PersistentVolume",
                "metadata": _meta(pv_name, labels=labels),
                "spec": {
                    "capacity": {"storage": _gib(st)},
                    "accessModes": ["ReadWriteMany"],
                    # The file system outlives the claim: deleting the claim never deletes data.
                    "persistentVolumeReclaimPolicy": "Retain",
                    "storageClassName": "",
                    "claimRef": {"namespace": ns, "name": st.name},
                    "csi": csi,
                },
            }
            pvc = {
                "apiVersion": "v1",
                "kind": "PersistentVolumeClaim",
                "metadata": _meta(st.name, ns, labels),
                "spec": {
                    "accessModes": ["ReadWriteMany"],
                    "storageClassName": "",
                    "volumeName": pv_name,
                    "resources": {"requests": {"storage": _gib(st)}},
                },
            }
            items += [
                ObjectItem(_scoped(f"pv-{st.name}", ns), addon, pv, after=(addon,)),
                ObjectItem(_scoped(f"pvc-{st.name}", ns), addon, pvc),
            ]
    return items


def csi_driver(cluster: ResolvedCluster, addon: str) -> list[Item]:
    """The CSI driver where ai-infra installs it (Azure Lustre manifests, EKS add-ons)."""
    install = get_catalog().addons.addons[addon].install_on(cluster.cloud)
    if install is None:
        return []  # the cloud runs it (GKE add-ons, Azure Files)
    if install.kind == "eks-addon":
        assert install.addon_name and install.version
        return [EksAddonItem(install.addon_name, addon, install.addon_name, install.version)]
    urls = tuple(u for mid in install.manifests for u in get_catalog().addons.manifests[mid].urls)
    return [ManifestItem(install.manifests[0], addon, urls)]


# ----- scheduling ---------------------------------------------------------------------------------


def kueue(cluster: ResolvedCluster) -> list[Item]:
    """Kueue, and per pool/slice a ResourceFlavor (its nodes), a ClusterQueue (max-scale quota,
    shared by every namespace) and a LocalQueue of the pool's name in each workload namespace."""
    manager = {
        "apiVersion": "config.kueue.x-k8s.io/v1beta2",
        "kind": "Configuration",
        "health": {"healthProbeBindAddress": ":8081"},
        "metrics": {"bindAddress": ":8443"},
        "webhook": {"port": 9443},
        "leaderElection": {"leaderElect": True, "resourceName": "c1f6bfd2.kueue.x-k8s.io"},
        "integrations": {"frameworks": list(KUEUE_FRAMEWORKS)},
        "resources": {"excludeResourcePrefixes": list(KUEUE_EXCLUDED)},
    }
    items: list[Item] = [
        _helm(cluster, "kueue", {"managerConfig": {"controllerManagerConfigYaml": json.dumps(manager, indent=2)}})
    ]
    for t in pool_targets(cluster):
        items += queue_objects(cluster, t)
    return items


def quotas(target: PoolTarget) -> list[tuple[str, int]]:
    """(resource, nominal quota) of a pool's ClusterQueue: its accelerators and fabric devices at max nodes."""
    rows = [(target.resource, target.accelerators_per_node * target.max_nodes)]
    if target.fabric_resource is not None:
        name, per_node = target.fabric_resource
        rows.append((name, per_node * target.max_nodes))
    return rows


def queue_objects(cluster: ResolvedCluster, target: PoolTarget) -> list[Item]:
    labels = {LABEL_CLUSTER: cluster.name, LABEL_POOL: target.name}
    flavor = {
        "apiVersion": "kueue.x-k8s.io/v1beta2",
        "kind": "ResourceFlavor",
        "metadata": _meta(target.name, labels=labels),
        "spec": {"nodeLabels": target.node_selector, "tolerations": target.tolerations},
    }
    rows = quotas(target)
    queue = {
        "apiVersion": "kueue.x-k8s.io/v1beta2",
        "kind": "ClusterQueue",
        "metadata": _meta(target.name, labels=labels),
        "spec": {
            "namespaceSelector": {},
            "queueingStrategy": "BestEffortFIFO",
            "resourceGroups": [
                {
                    "coveredResources": [r for r, _ in rows],
                    "flavors": [
                        {"name": target.name, "resources": [{"name": r, "nominalQuota": str(q)} for r, q in rows]}
                    ],
                }
            ],
        },
    }
    locals_ = [
        ObjectItem(
            _scoped(f"localqueue-{target.name}", ns),
            "kueue",
            {
                "apiVersion": "kueue.x-k8s.io/v1beta2",
                "kind": "LocalQueue",
                "metadata": _meta(target.name, ns, labels),
                "spec": {"clusterQueue": target.name},
            },
            after=("kueue",),
        )
        for ns in workload_namespaces(cluster)
    ]
    return [
        ObjectItem(f"resourceflavor-{target.name}", "kueue", flavor, after=("kueue",)),
        ObjectItem(f"clusterqueue-{target.name}", "kueue", queue, after=("kueue",)),
        *locals_,
    ]


def jobset(cluster: ResolvedCluster) -> HelmItem:
    return _helm(cluster, "jobset", {})


# ----- monitoring ---------------------------------------------------------------------------------


def dcgm_exporter(cluster: ResolvedCluster, target: PoolTarget) -> dict[str, Any]:
    """One DCGM exporter DaemonSet for one pool; its pods carry the pool and cluster labels that
    the scrape turns into ``aiinfra_pool`` / ``aiinfra_cluster``."""
    image = get_catalog().addons.addons["gpuMonitoring"].images["dcgmExporter"]
    labels = {"app.kubernetes.io/name": DCGM_APP, LABEL_POOL: target.name, LABEL_CLUSTER: cluster.name}
    env: list[dict[str, Any]] = [
        {"name": "DCGM_EXPORTER_LISTEN", "value": f":{DCGM_PORT}"},
        {"name": "DCGM_EXPORTER_KUBERNETES", "value": "true"},
        {"name": "NODE_NAME", "valueFrom": {"fieldRef": {"fieldPath": "spec.nodeName"}}},
    ]
    mounts = [{"name": "pod-resources", "mountPath": "/var/lib/kubelet/pod-resources", "readOnly": True}]
    volumes: list[dict[str, Any]] = [{"name": "pod-resources", "hostPath": {"path": "/var/lib/kubelet/pod-resources"}}]
    if cluster.cloud == "gcp":
        # COS keeps the GKE-installed driver under /home/kubernetes/bin/nvidia (GMP's DCGM example).
        env.append({"name": "LD_LIBRARY_PATH", "value": "/usr/local/nvidia/lib64"})
        mounts.append({"name": "nvidia", "mountPath": "/usr/local/nvidia", "readOnly": True})
        volumes.append({"name": "nvidia", "hostPath": {"path": "/home/kubernetes/bin/nvidia", "type": "Directory"}})
    else:
        # The NVIDIA container runtime (EKS accelerated AMI, AKS, GPU Operator) injects the driver.
        env.append({"name": "NVIDIA_VISIBLE_DEVICES", "value": "all"})
    return {
        "apiVersion": "apps/v1",
        "kind": "DaemonSet",
        "metadata": _meta(f"{DCGM_APP}-{target.name}", MONITORING_NAMESPACE, labels),
        "spec": {
            "selector": {"matchLabels": {"app.kubernetes.io/name": DCGM_APP, LABEL_POOL: target.name}},
            "updateStrategy": {"type": "RollingUpdate"},
            "template": {
                "metadata": {"labels": labels},
                "spec": {
                    "nodeSelector": target.node_selector,
                    "tolerations": target.tolerations,
                    "priorityClassName": "system-node-critical",
                    "automountServiceAccountToken": False,
                    "containers": [
                        {
                            "name": DCGM_APP,
                            "image": image.ref,
                            "env": env,
                            "ports": [{"name": "metrics", "containerPort": DCGM_PORT}],
                            # SYS_ADMIN for the profiling metrics (DCGM_FI_PROF_*), as NVIDIA's manifest.
                            "securityContext": {"runAsUser": 0, "capabilities": {"add": ["SYS_ADMIN"]}},
                            "resources": {
                                "requests": {"cpu": "100m", "memory": "128Mi"},
                                "limits": {"cpu": "200m", "memory": "512Mi"},
                            },
                            "volumeMounts": mounts,
                        }
                    ],
                    "volumes": volumes,
                },
            },
        },
    }


def prometheus_relabelings() -> list[dict[str, Any]]:
    """Pod metadata -> the contract's labels, in Prometheus ``relabel_configs`` spelling."""
    return [
        {"source_labels": [f"__meta_kubernetes_pod_label_{LABEL_POOL.replace('-', '_')}"], "target_label": PROM_POOL},
        {
            "source_labels": [f"__meta_kubernetes_pod_label_{LABEL_CLUSTER.replace('-', '_')}"],
            "target_label": PROM_CLUSTER,
        },
        {"source_labels": ["__meta_kubernetes_pod_node_name"], "target_label": PROM_NODE},
    ]


def amp_scrape_configuration(cluster: ResolvedCluster) -> str:
    """The Amazon Managed Service for Prometheus collector's scrape configuration (YAML; JSON is YAML)."""
    keep = {
        "source_labels": ["__meta_kubernetes_pod_label_app_kubernetes_io_name"],
        "regex": DCGM_APP,
        "action": "keep",
    }
    port = {"source_labels": ["__meta_kubernetes_pod_container_port_name"], "regex": "metrics", "action": "keep"}
    config = {
        "global": {"scrape_interval": SCRAPE_INTERVAL},
        "scrape_configs": [
            {
                "job_name": DCGM_APP,
                "kubernetes_sd_configs": [{"role": "pod", "namespaces": {"names": [MONITORING_NAMESPACE]}}],
                "relabel_configs": [keep, port, *prometheus_relabelings()],
            }
        ],
    }
    return json.dumps(config, indent=2, sort_keys=True)


def scrape_objects(cluster: ResolvedCluster) -> list[Item]:
    """What tells the cloud's managed Prometheus to scrape the exporters, with the contract's labels."""
    selector = {"matchLabels": {"app.kubernetes.io/name": DCGM_APP}}
    if cluster.cloud == "gcp":
        # https://cloud.google.com/stackdriver/docs/managed-prometheus/setup-managed#gmp-pod-monitoring
        pm = {
            "apiVersion": "monitoring.googleapis.com/v1",
            "kind": "PodMonitoring",
            "metadata": _meta(DCGM_APP, MONITORING_NAMESPACE),
            "spec": {
                "selector": selector,
                "endpoints": [{"port": "metrics", "interval": SCRAPE_INTERVAL}],
                "targetLabels": {
                    "metadata": ["pod", "container", PROM_NODE],
                    "fromPod": [{"from": LABEL_POOL, "to": PROM_POOL}, {"from": LABEL_CLUSTER, "to": PROM_CLUSTER}],
                },
            },
        }
        return [ObjectItem("podmonitoring-dcgm", "gpuMonitoring", pm)]
    if cluster.cloud == "azure":
        # https://learn.microsoft.com/azure/azure-monitor/containers/prometheus-metrics-scrape-crd
        relabel = [
            {"sourceLabels": r["source_labels"], "targetLabel": r["target_label"]} for r in prometheus_relabelings()
        ]
        pm = {
            "apiVersion": "azmonitoring.coreos.com/v1",
            "kind": "PodMonitor",
            "metadata": _meta(DCGM_APP, MONITORING_NAMESPACE),
            "spec": {
                "selector": selector,
                "podMetricsEndpoints": [{"port": "metrics", "interval": SCRAPE_INTERVAL, "relabelings": relabel}],
            },
        }
        return [ObjectItem("podmonitor-dcgm", "gpuMonitoring", pm)]
    role = {
        "apiVersion": "rbac.authorization.k8s.io/v1",
        "kind": "ClusterRole",
        "metadata": _meta("aps-collector-role"),
        "rules": [
            {
                "apiGroups": [""],
                "resources": ["nodes", "nodes/proxy", "nodes/metrics", "services", "endpoints", "pods", "configmaps"],
                "verbs": ["describe", "get", "list", "watch"],
            },
            {"nonResourceURLs": ["/metrics"], "verbs": ["get"]},
        ],
    }
    binding = {
        "apiVersion": "rbac.authorization.k8s.io/v1",
        "kind": "ClusterRoleBinding",
        "metadata": _meta("aps-collector-user-role-binding"),
        "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": "aps-collector-role"},
        "subjects": [{"apiGroup": "rbac.authorization.k8s.io", "kind": "User", "name": AMP_COLLECTOR_USER}],
    }
    return [
        ObjectItem("clusterrole-amp", "gpuMonitoring", role),
        ObjectItem("clusterrolebinding-amp", "gpuMonitoring", binding),
    ]


def monitoring(cluster: ResolvedCluster, pools: Sequence[str]) -> list[Item]:
    namespace = {"apiVersion": "v1", "kind": "Namespace", "metadata": _meta(MONITORING_NAMESPACE)}
    items: list[Item] = [ObjectItem("namespace-monitoring", "gpuMonitoring", namespace)]
    for t in _targets(cluster, pools):
        items.append(ObjectItem(f"dcgm-{t.name}", "gpuMonitoring", dcgm_exporter(cluster, t)))
    return items + scrape_objects(cluster)


# ----- everything -------------------------------------------------------------------------------


def workload_objects(cluster: ResolvedCluster) -> dict[str, list[str]]:
    """What goes into each workload namespace: ``{"queues": [pool, ...], "claims": [storage, ...]}``
    (empty lists left out; an empty dict when nothing does)."""
    plan = addon_plan(cluster)
    out = {
        "queues": list(plan["kueue"].serves) if plan["kueue"].on else [],
        "claims": [
            s.name
            for s in cluster.storage
            if (s.spec.kind == "lustre" and plan["lustreCsi"].on) or (s.spec.kind == "nfs" and plan["nfsCsi"].on)
        ],
    }
    return {k: v for k, v in out.items() if v}


def render(cluster: ResolvedCluster, refs: Refs | None = None) -> list[Item]:
    """Every item of every add-on that is on, in install order."""
    refs = refs or Refs()
    plan = addon_plan(cluster)
    items: list[Item] = []
    d = plan["gpuOperator"]
    if d.on:
        items.append(gpu_operator(cluster, d.serves))
    d = plan["nvidiaDevicePlugin"]
    if d.on:
        items.append(nvidia_device_plugin(cluster, d.serves))
    d = plan["neuronDevicePlugin"]
    if d.on:
        items.append(neuron_device_plugin(cluster, d.serves))
    d = plan["efaDevicePlugin"]
    if d.on:
        items.append(efa_device_plugin(cluster, d.serves))
    d = plan["networkOperator"]
    if d.on:
        items += network_operator(cluster, d.serves)
    d = plan["gpuDirect"]
    if d.on:
        items += gpu_direct(cluster, d.serves)
    if workload_objects(cluster):
        items += namespace_objects(cluster)
    for name, kind in (("lustreCsi", "lustre"), ("nfsCsi", "nfs")):
        if plan[name].on:
            items += csi_driver(cluster, name) + volumes(cluster, kind, name, refs)
    if plan["kueue"].on:
        items += kueue(cluster)
    if plan["jobset"].on:
        items.append(jobset(cluster))
    d = plan["gpuMonitoring"]
    if d.on:
        items += monitoring(cluster, d.serves)
    return items
