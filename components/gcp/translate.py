"""Pure translation of a resolved GCP cluster into pulumi-gcp resource arguments.

Nothing here creates a Pulumi resource: each function returns the keyword arguments of one
``pulumi_gcp`` resource (snake_case, exactly as the SDK constructor takes them), so the domain
logic is unit-testable with plain asserts and golden files. References to resources that only
exist at deploy time (network self-links, the cluster id) come in through ``Refs`` and are
passed through untouched: the components pass ``pulumi.Output`` values, tests pass strings.

Facts come from the catalog (``components/catalog/data``): machine types, guest accelerator
types, local NVMe counts, boot disk types, fabric needs (``fabrics.yaml``) and TPU shapes.
The few GKE constants below carry the link they rely on.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from components.catalog.model import FabricKind
from components.naming import shorten
from components.spec.resolved import (
    LABEL_POOL,
    LABEL_STORAGE,
    ResolvedCluster,
    ResolvedPool,
    ResolvedSlice,
    ResolvedStorage,
)
from components.spec.security import endpoint_access
from components.spec.versions import gke_version_floor

# Default machine type of the system pool (schema description of systemPool.machineType).
DEFAULT_SYSTEM_MACHINE = "e2-standard-4"
SYSTEM_POOL_NAME = "system"
SYSTEM_DISK_GIB = 100
# Boot disk when the catalog offer names none (bootDiskType): pd-balanced is GKE's default.
DEFAULT_BOOT_DISK = "pd-balanced"
# The primary VPC: the largest MTU GCP allows; Managed Lustre recommends 8896 for ~10% more
# throughput (https://cloud.google.com/managed-lustre/docs/vpc).
PRIMARY_MTU = 8896
# Fabric VPC subnets come from a /16 that must not overlap the primary range: each VM NIC
# must sit in a non-overlapping subnet. The first candidate free of the cluster CIDR wins.
FABRIC_BASES = ("192.168.0.0/16", "172.16.0.0/16", "10.255.0.0/16", "10.254.0.0/16")
FABRIC_SUBNET_PREFIX = 22  # 1,020 nodes per fabric subnet (one IP per node and NIC)
# Fixed subnet slots so adding a pool of another fabric kind never renumbers existing subnets.
GPU_SLOT, GVNIC_SLOT, RDMA_SLOT = 0, 8, 16
# Private services access range for Managed Lustre and Filestore (VPC peering), /20 as in
# https://cloud.google.com/managed-lustre/docs/vpc . Chosen here (not left to GCP) so the
# Lustre firewall rule's source range is known at preview; the first candidate free of the
# cluster CIDR and the fabric range wins.
PSA_PREFIX = 20
PSA_CANDIDATES = ("172.31.240.0/20", "10.253.240.0/20", "192.168.240.0/20")
# Pods per node on accelerator pools: training/inference nodes run a few pods, and GKE gives
# each node a pod range of twice the maximum rounded up to a power of two (110 -> /24,
# 32 -> /26), so 32 lets the same pods range hold four times the accelerator nodes.
# https://cloud.google.com/kubernetes-engine/docs/how-to/flexible-pod-cidr
ACCELERATOR_MAX_PODS = 32
DEFAULT_MAX_PODS = 110
# Zones a regional pool without node_locations spreads over (GKE's default for a region).
REGION_DEFAULT_ZONES = 3
# The taint GPU nodes carry so only pods that tolerate it land there.
GPU_TAINT = {"key": "nvidia.com/gpu", "value": "present", "effect": "NO_SCHEDULE"}
RESERVATION_KEY = "compute.googleapis.com/reservation-name"
# Nodes run as a dedicated least-privilege service account, not the Compute Engine default
# one (GKE hardening guide; the roles are those of roles/container.defaultNodeServiceAccount
# plus pulling images from Artifact Registry).
# https://cloud.google.com/kubernetes-engine/docs/how-to/hardening-your-cluster#use_least_privilege_sa
NODE_SA_ROLES = (
    "roles/container.defaultNodeServiceAccount",
    "roles/artifactregistry.reader",
)
# guest_accelerators[].gpu_driver_installation_config.gpu_driver_version (SDK docstring).
DRIVER_VERSION = {"default": "DEFAULT", "latest": "LATEST", "none": "INSTALLATION_DISABLED"}
RELEASE_CHANNEL = {"rapid": "RAPID", "regular": "REGULAR", "stable": "STABLE"}
OAUTH_SCOPES = ["https://www.googleapis.com/auth/cloud-platform"]
# Managed Lustre ports: 988, or 6988 on nodes older than GKE 1.33.2 (legacy port, instance
# flag gke_support_enabled). LustreCsiDriverConfig.enable_legacy_lustre_port docs.
LUSTRE_PORT, LUSTRE_LEGACY_PORT = 988, 6988
LUSTRE_LEGACY_BELOW = (1, 33)
# Application-layer encryption of Kubernetes secrets: a Cloud KMS key in the cluster's region,
# rotated every 90 days, that the GKE service agent may use.
# https://cloud.google.com/kubernetes-engine/docs/how-to/encrypting-secrets
SECRETS_KEY_ROTATION = "7776000s"  # 90 days
KMS_ENCRYPTER_ROLE = "roles/cloudkms.cryptoKeyEncrypterDecrypter"
GKE_SERVICE_AGENT = "service-{number}@container-engine-robot.iam.gserviceaccount.com"
# Kubernetes audit logs are Cloud Audit Logs of resource type k8s_cluster; a sink routes the
# cluster's entries into a log bucket that keeps them auditLogs.retentionDays.
# https://cloud.google.com/kubernetes-engine/docs/how-to/audit-logging
AUDIT_LOG_FILTER = (
    'logName:"cloudaudit.googleapis.com" AND resource.type="k8s_cluster" '
    'AND resource.labels.cluster_name="{cluster}" AND resource.labels.location="{location}"'
)
# GPU metrics (DCGM) through Managed Service for Prometheus need GKE-managed drivers and
# GKE 1.30+: https://cloud.google.com/kubernetes-engine/docs/how-to/dcgm-metrics
DCGM_SINCE = (1, 30)


@dataclass(frozen=True)
class AddressPlan:
    """Primary subnet (nodes) and its secondary ranges (pods, services), carved from the spec CIDR."""

    nodes: str
    pods: str
    services: str


def address_plan(cidr: str) -> AddressPlan:
    """Split the cluster CIDR: pods get the upper half, nodes the first quarter, services a /+4 after it.

    For 10.20.0.0/16: nodes 10.20.0.0/18 (16k nodes), services 10.20.64.0/20, pods
    10.20.128.0/17 (GKE gives each node a /24 at 110 pods per node: 128 nodes; raise the
    CIDR for more).
    """
    net = ipaddress.ip_network(cidr, strict=True)
    if not isinstance(net, ipaddress.IPv4Network):
        raise ValueError(f"{cidr} is not an IPv4 network")
    if net.prefixlen > 24:
        raise ValueError(f"{cidr} is too small to split into nodes, pods and services")
    halves = list(net.subnets(prefixlen_diff=1))
    quarters = list(halves[0].subnets(prefixlen_diff=1))
    services = next(quarters[1].subnets(new_prefix=min(net.prefixlen + 4, 28)))
    return AddressPlan(nodes=str(quarters[0]), pods=str(halves[1]), services=str(services))


@dataclass(frozen=True)
class FabricSubnet:
    role: str
    cidr: str


@dataclass(frozen=True)
class FabricNetwork:
    """One extra VPC for the accelerator fabric (a GPU NIC VPC, an extra gVNIC VPC, or the RDMA VPC)."""

    role: str  # gpu-0..gpu-7 | gvnic-1 | rdma
    purpose: str  # gpu | gvnic | rdma
    mtu: int | None
    network_profile: str | None  # RDMA: "<zone>-vpc-roce"
    subnets: tuple[FabricSubnet, ...]
    internal_firewall: bool


@dataclass(frozen=True)
class NetworkPlan:
    """The cluster's networks: primary addressing, fabric VPCs, and which NICs each pool gets."""

    address: AddressPlan
    fabric_base: str | None
    fabric: tuple[FabricNetwork, ...]
    # pool name -> ((network role, subnet role), ...) in NIC order
    pool_interfaces: Mapping[str, tuple[tuple[str, str], ...]] = field(default_factory=dict)
    # The private services access range (Lustre / Filestore), None when no storage needs it.
    psa_cidr: str | None = None

    def network(self, role: str) -> FabricNetwork:
        return next(n for n in self.fabric if n.role == role)


def fabric_base(cidr: str) -> str:
    """The first candidate /16 for fabric subnets that does not overlap the primary CIDR."""
    return _free_range(FABRIC_BASES, [cidr])


def _slot(base: str, slot: int) -> str:
    net = ipaddress.ip_network(base)
    subnets = net.subnets(new_prefix=FABRIC_SUBNET_PREFIX)
    for i, sub in enumerate(subnets):
        if i == slot:
            return str(sub)
    raise ValueError(f"slot {slot} is outside {base}")


def _fabric_roles(pool: ResolvedPool, fab: FabricKind) -> list[tuple[str, str, int, str]]:
    """(network role, subnet role, slot, purpose) for each fabric NIC the pool needs, in NIC order."""
    nics: list[tuple[str, str, int, str]] = []
    if fab.gpu_networks:
        for i in range(pool.offer.fabric.gpu_nics):
            nics.append((f"gpu-{i}", f"gpu-{i}", GPU_SLOT + i, "gpu"))
    if fab.rdma_network:
        # The primary VPC is the first gVNIC network; the others get a VPC of their own.
        for j in range(1, fab.gvnic_networks):
            nics.append((f"gvnic-{j}", f"gvnic-{j}", GVNIC_SLOT + j - 1, "gvnic"))
        for k in range(fab.rdma_subnets):
            nics.append(("rdma", f"rdma-{k}", RDMA_SLOT + k, "rdma"))
    return nics


def network_plan(cluster: ResolvedCluster) -> NetworkPlan:
    """Plan the primary subnet and every fabric VPC the cluster's pools need (from fabrics.yaml)."""
    spec = cluster.spec
    address = address_plan(spec.network.cidr)
    base: str | None = None
    networks: dict[str, dict[str, Any]] = {}
    interfaces: dict[str, tuple[tuple[str, str], ...]] = {}
    for pool in cluster.pools:
        fab = pool.fabric
        if fab is None:
            continue
        base = base or fabric_base(spec.network.cidr)
        nics = _fabric_roles(pool, fab)
        for net_role, sub_role, slot, purpose in nics:
            entry = networks.setdefault(
                net_role,
                {
                    "purpose": purpose,
                    "mtu": fab.mtu,
                    "profile": (
                        fab.network_profile.format(zone=spec.zone)
                        if purpose == "rdma" and fab.network_profile
                        else None
                    ),
                    "subnets": {},
                },
            )
            entry["subnets"][sub_role] = _slot(base, slot)
        interfaces[pool.name] = tuple((n, s) for n, s, _, _ in nics)
    order = {"gpu": 0, "gvnic": 1, "rdma": 2}
    fabric = tuple(
        FabricNetwork(
            role=role,
            purpose=e["purpose"],
            mtu=e["mtu"],
            network_profile=e["profile"],
            subnets=tuple(FabricSubnet(r, c) for r, c in sorted(e["subnets"].items(), key=lambda x: _natural(x[0]))),
            # GPU NIC and gVNIC VPCs need a rule for NCCL traffic between nodes; RoCE VPCs
            # carry RDMA only and take no firewall rules.
            internal_firewall=e["purpose"] != "rdma",
        )
        for role, e in sorted(networks.items(), key=lambda x: (order[x[1]["purpose"]], _natural(x[0])))
    )
    psa = any(s.spec.kind in ("lustre", "nfs") for s in cluster.storage)
    return NetworkPlan(
        address=address,
        fabric_base=base,
        fabric=fabric,
        pool_interfaces=interfaces,
        psa_cidr=_free_range(PSA_CANDIDATES, [spec.network.cidr, base]) if psa else None,
    )


def _free_range(candidates: tuple[str, ...], taken: list[str | None]) -> str:
    used = [ipaddress.ip_network(c, strict=False) for c in taken if c]
    for cand in candidates:
        net = ipaddress.ip_network(cand)
        if not any(net.overlaps(u) for u in used):
            return cand
    raise ValueError(f"none of {', '.join(candidates)} is free of {', '.join(map(str, used))}")


def pod_range_per_node(max_pods: int) -> int:
    """Pod addresses GKE reserves per node: twice ``max_pods``, rounded up to a power of two."""
    size = 1
    while size < 2 * max_pods:
        size *= 2
    return size


@dataclass(frozen=True)
class AddressDemand:
    """Addresses the cluster needs at max scale, against what the plan offers."""

    nodes: int
    pod_addresses: int
    pod_range: int
    node_range: int
    fabric_nodes: int  # nodes that take one address in every fabric subnet
    fabric_subnet: int
    system_nodes: int = 0
    gpu_nodes: int = 0
    tpu_nodes: int = 0

    def nodes_text(self) -> str:
        """``12 nodes at max scale (3 system + 8 GPU + 1 TPU)``."""
        parts = [
            f"{n} {what}"
            for n, what in ((self.system_nodes, "system"), (self.gpu_nodes, "GPU"), (self.tpu_nodes, "TPU"))
            if n
        ]
        return f"{self.nodes} nodes at max scale ({' + '.join(parts)})" if parts else f"{self.nodes} nodes at max scale"


def cidr_that_fits(cidr: str, need: AddressDemand) -> str | None:
    """The same network, widened until its pods half and nodes quarter hold ``need`` (None: none does)."""
    primary = ipaddress.ip_network(cidr, strict=False)
    for prefix in range(primary.prefixlen - 1, 7, -1):
        wider = ipaddress.ip_network(f"{primary.network_address}/{prefix}", strict=False)
        size = wider.num_addresses
        if size // 2 >= need.pod_addresses and size // 4 - 4 >= need.nodes:
            return str(wider)
    return None


def address_demand(cluster: ResolvedCluster, plan: NetworkPlan) -> AddressDemand:
    """Nodes and pod addresses at max scale (every pool at maxNodes, every GKE slice built)."""
    zones = 1 if cluster.spec.zone else REGION_DEFAULT_ZONES
    system = cluster.spec.system_pool.nodes * zones
    gpu = sum(p.spec.max_nodes for p in cluster.pools)
    tpu = sum(s.shape.nodes * s.spec.count for s in cluster.slices if s.spec.mode == "gke")
    pods = system * pod_range_per_node(DEFAULT_MAX_PODS) + (gpu + tpu) * pod_range_per_node(ACCELERATOR_MAX_PODS)
    return AddressDemand(
        system_nodes=system,
        gpu_nodes=gpu,
        tpu_nodes=tpu,
        nodes=system + gpu + tpu,
        pod_addresses=pods,
        pod_range=ipaddress.ip_network(plan.address.pods).num_addresses,
        # GCP keeps 4 addresses of every subnet.
        node_range=ipaddress.ip_network(plan.address.nodes).num_addresses - 4,
        fabric_nodes=sum(p.spec.max_nodes for p in cluster.pools if p.fabric is not None),
        fabric_subnet=2 ** (32 - FABRIC_SUBNET_PREFIX) - 4,
    )


def _natural(name: str) -> tuple[str, int]:
    m = re.fullmatch(r"(.*?)-?(\d+)", name)
    return (m.group(1), int(m.group(2))) if m else (name, -1)


# ----- names -------------------------------------------------------------------------------


def physical_name(cluster: ResolvedCluster, role: str, limit: int = 63) -> str:
    """``<cluster>-<role>``, the cloud-side name of a cluster-scoped resource (at most ``limit``
    chars; a longer one ends in a hash of the whole, so two long names never become one)."""
    return shorten(f"{cluster.name}-{role}", limit)


def slice_pool_names(sl: ResolvedSlice) -> list[str]:
    """Node pool (or TPU VM) names of a slice: the slice name, or ``<name>-<i>`` for multislice."""
    if sl.spec.count == 1:
        return [sl.name]
    return [f"{sl.name}-{i}" for i in range(sl.spec.count)]


# ----- references to deploy-time values ------------------------------------------------------


@dataclass(frozen=True)
class Refs:
    """Deploy-time values the translated arguments refer to (Outputs in components, strings in tests)."""

    project: Any = None
    network: Any = None  # primary VPC self-link
    network_id: Any = None  # projects/<p>/global/networks/<name> (Managed Lustre wants this form)
    network_name: Any = None
    subnetwork: Any = None  # primary subnet self-link
    subnetwork_id: Any = None  # projects/<p>/regions/<r>/subnetworks/<name> (TPU VMs, as in the SDK examples)
    cluster: Any = None  # cluster name or id the node pools attach to
    location: Any = None  # the cluster's location (region for clusters ai-infra creates)
    node_service_account: Any = None  # email of the nodes' service account
    secrets_key: Any = None  # Cloud KMS key that encrypts Kubernetes secrets (created or encryption.kmsKey)
    fabric: Mapping[str, Any] = field(default_factory=dict)  # network role -> VPC name
    fabric_subnets: Mapping[str, Any] = field(default_factory=dict)  # subnet role -> subnet name


# ----- network ---------------------------------------------------------------------------------


def primary_network_args(cluster: ResolvedCluster) -> dict[str, Any]:
    return {
        "name": physical_name(cluster, "net"),
        "auto_create_subnetworks": False,
        "routing_mode": "REGIONAL",
        "mtu": PRIMARY_MTU,
        "description": f"ai-infra cluster {cluster.name}: nodes, pods and services",
    }


def primary_subnet_args(cluster: ResolvedCluster, plan: NetworkPlan, refs: Refs) -> dict[str, Any]:
    return {
        "name": physical_name(cluster, "nodes"),
        "network": refs.network,
        "region": cluster.spec.region,
        "ip_cidr_range": plan.address.nodes,
        "private_ip_google_access": True,
        "secondary_ip_ranges": [
            {"range_name": "pods", "ip_cidr_range": plan.address.pods},
            {"range_name": "services", "ip_cidr_range": plan.address.services},
        ],
    }


def router_args(cluster: ResolvedCluster, refs: Refs) -> dict[str, Any]:
    return {"name": physical_name(cluster, "router"), "network": refs.network, "region": cluster.spec.region}


def nat_args(cluster: ResolvedCluster, router: Any) -> dict[str, Any]:
    """Cloud NAT: private nodes reach registries and the internet for every subnet range."""
    return {
        "name": physical_name(cluster, "nat"),
        "router": router,
        "region": cluster.spec.region,
        "nat_ip_allocate_option": "AUTO_ONLY",
        "source_subnetwork_ip_ranges_to_nat": "ALL_SUBNETWORKS_ALL_IP_RANGES",
        "log_config": {"enable": True, "filter": "ERRORS_ONLY"},
    }


def primary_firewall_args(cluster: ResolvedCluster, plan: NetworkPlan, refs: Refs) -> dict[str, Any]:
    """Node, pod and service ranges talk to each other freely (GKE's own rules cover the control plane)."""
    return {
        "name": physical_name(cluster, "internal"),
        "network": refs.network,
        "direction": "INGRESS",
        "source_ranges": [plan.address.nodes, plan.address.pods, plan.address.services],
        "allows": [{"protocol": "tcp"}, {"protocol": "udp"}, {"protocol": "icmp"}],
    }


def fabric_network_args(cluster: ResolvedCluster, net: FabricNetwork, project: Any) -> dict[str, Any]:
    args: dict[str, Any] = {
        "name": physical_name(cluster, net.role),
        "auto_create_subnetworks": False,
        "routing_mode": "REGIONAL",
        "description": f"ai-infra cluster {cluster.name}: {net.purpose} fabric network {net.role}",
    }
    if net.mtu is not None:
        args["mtu"] = net.mtu
    if net.network_profile is not None:
        # The SDK takes a full or partial URL of the profile (NetworkArgs.network_profile docstring).
        args["network_profile"] = _profile_url(project, net.network_profile)
    return args


def _profile_url(project: Any, profile: str) -> Any:
    if isinstance(project, str) or project is None:
        return f"projects/{project or '<project>'}/global/networkProfiles/{profile}"
    return project.apply(lambda p: f"projects/{p}/global/networkProfiles/{profile}")


def fabric_subnet_args(cluster: ResolvedCluster, sub: FabricSubnet, network: Any) -> dict[str, Any]:
    return {
        "name": physical_name(cluster, f"{sub.role}-sub"),
        "network": network,
        "region": cluster.spec.region,
        "ip_cidr_range": sub.cidr,
    }


def fabric_firewall_args(
    cluster: ResolvedCluster, net: FabricNetwork, plan: NetworkPlan, network: Any
) -> dict[str, Any]:
    """All TCP/UDP/ICMP between the fabric subnets (NCCL over GPUDirect-TCPX/TCPXO, gVNIC)."""
    return {
        "name": physical_name(cluster, f"{net.role}-internal"),
        "network": network,
        "direction": "INGRESS",
        "source_ranges": [plan.fabric_base],
        "allows": [
            {"protocol": "tcp", "ports": ["0-65535"]},
            {"protocol": "udp", "ports": ["0-65535"]},
            {"protocol": "icmp"},
        ],
    }


def psa_range_args(cluster: ResolvedCluster, plan: NetworkPlan, refs: Refs) -> dict[str, Any]:
    """The peering range Managed Lustre and Filestore take their addresses from."""
    assert plan.psa_cidr is not None
    address, prefix = plan.psa_cidr.split("/")
    return {
        "name": physical_name(cluster, "psa"),
        # The network's id (projects/<p>/global/networks/<n>), as in the SDK's example.
        "network": refs.network_id,
        "purpose": "VPC_PEERING",
        "address_type": "INTERNAL",
        "address": address,
        "prefix_length": int(prefix),
        "labels": dict(cluster.labels),
        "description": f"ai-infra cluster {cluster.name}: private services access (Lustre, Filestore)",
    }


def psa_connection_args(refs: Refs, psa_range_name: Any) -> dict[str, Any]:
    return {
        "network": refs.network_id,
        "service": "servicenetworking.googleapis.com",
        "reserved_peering_ranges": [psa_range_name],
    }


def lustre_legacy(cluster: ResolvedCluster) -> bool:
    """True when Lustre clients use the legacy port 6988 (``gke_support_enabled`` instances).

    The storage items' ``lustrePort`` decides when given: it is fixed for the life of the
    file system, so a later ``kubernetes.version`` bump cannot flip the port and replace a
    protected file system. Without it, nodes older than GKE 1.33 (which reach Lustre only on
    6988) get the legacy port; validate asks to write the choice down.
    """
    ports = {st.spec.lustre_port for st in cluster.storage if st.spec.kind == "lustre" and st.spec.lustre_port}
    if ports:
        return LUSTRE_LEGACY_PORT in ports
    version = cluster.spec.kubernetes.version
    if version is None:
        return False
    major, minor = (int(x) for x in version.split(".")[:2])
    return (major, minor) < LUSTRE_LEGACY_BELOW


def lustre_firewall_args(cluster: ResolvedCluster, plan: NetworkPlan, refs: Refs) -> dict[str, Any]:
    port = LUSTRE_LEGACY_PORT if lustre_legacy(cluster) else LUSTRE_PORT
    return {
        "name": physical_name(cluster, "lustre"),
        "network": refs.network,
        "direction": "INGRESS",
        "source_ranges": [plan.psa_cidr],
        "allows": [{"protocol": "tcp", "ports": [str(port)]}],
        "description": "Managed Lustre servers to clients",
    }


# ----- cluster ---------------------------------------------------------------------------------


def cluster_args(cluster: ResolvedCluster, refs: Refs) -> dict[str, Any]:
    """A regional GKE Standard cluster with private nodes, Dataplane V2 and multi-networking.

    Multi-networking is always on: turning it on later replaces the cluster, and GPUDirect
    pools need it. With a zone, every node lives there (``node_locations``); the control plane
    stays regional.
    """
    spec = cluster.spec
    access = endpoint_access(spec, cluster.environment)
    kinds = {s.spec.kind for s in cluster.storage}
    addons: dict[str, Any] = {
        "gce_persistent_disk_csi_driver_config": {"enabled": True},
        "gcs_fuse_csi_driver_config": {"enabled": True},
        "gcp_filestore_csi_driver_config": {"enabled": "nfs" in kinds},
    }
    if "lustre" in kinds:
        lustre: dict[str, Any] = {"enabled": True}
        if lustre_legacy(cluster):
            lustre["enable_legacy_lustre_port"] = True
        addons["lustre_csi_driver_config"] = lustre
    args: dict[str, Any] = {
        "name": spec.name,
        "location": spec.region,
        "network": refs.network,
        "subnetwork": refs.subnetwork,
        "remove_default_node_pool": True,
        "initial_node_count": 1,
        "networking_mode": "VPC_NATIVE",
        "ip_allocation_policy": {"cluster_secondary_range_name": "pods", "services_secondary_range_name": "services"},
        "private_cluster_config": {"enable_private_nodes": True, "enable_private_endpoint": access.private},
        # Shielded GKE nodes: verifiable node identity, so a compromised node cannot pose as
        # another when it joins (on by default since 1.18; stated so the pack sees it).
        "enable_shielded_nodes": True,
        "datapath_provider": "ADVANCED_DATAPATH",
        "enable_multi_networking": True,
        "workload_identity_config": {"workload_pool": _workload_pool(refs.project)},
        "release_channel": {"channel": RELEASE_CHANNEL[spec.kubernetes.release_channel]},
        "addons_config": addons,
        "resource_labels": dict(cluster.labels),
        # Production clusters refuse `pulumi destroy` until this is turned off on purpose.
        "deletion_protection": cluster.environment == "prod",
    }
    if spec.zone:
        args["node_locations"] = [spec.zone]
    if spec.kubernetes.version:
        # a floor: the minor asked for, or an accelerator family's minimum patch in it
        args["min_master_version"] = gke_version_floor(cluster)
    authorized = master_authorized_networks(cluster)
    if authorized is not None:
        args["master_authorized_networks_config"] = authorized
    if access.reached_from_outside:
        args["control_plane_endpoints_config"] = dns_endpoint_config()
    if refs.secrets_key is not None:
        args["database_encryption"] = {"state": "ENCRYPTED", "key_name": refs.secrets_key}
    from components.addons.plan import addon_plan  # a floor above; imported here to keep validate light

    if addon_plan(cluster)["gpuMonitoring"].on:
        # ai-infra's own DCGM exporter per pool (labelled by pool for rightsizing) is scraped by
        # Managed Service for Prometheus; GKE's managed DCGM would be a second DCGM per node.
        args["monitoring_config"] = {
            "enable_components": ["SYSTEM_COMPONENTS"],
            "managed_prometheus": {"enabled": True},
        }
    elif dcgm_metrics(cluster):
        args["monitoring_config"] = {
            "enable_components": ["SYSTEM_COMPONENTS", "DCGM"],
            "managed_prometheus": {"enabled": True},
        }
    return args


def dcgm_metrics(cluster: ResolvedCluster) -> bool:
    """GPU utilisation, memory and NVLink metrics (DCGM) when every GPU pool has GKE-managed drivers."""
    if not cluster.pools or any(p.spec.gpu_driver == "none" for p in cluster.pools):
        return False
    version = cluster.spec.kubernetes.version
    return version is None or tuple(int(x) for x in version.split(".")[:2]) >= DCGM_SINCE


def _workload_pool(project: Any) -> Any:
    if isinstance(project, str) or project is None:
        return f"{project or '<project>'}.svc.id.goog"
    return project.apply(lambda p: f"{p}.svc.id.goog")


def master_authorized_networks(cluster: ResolvedCluster) -> dict[str, Any] | None:
    """Who reaches the control plane: the cluster network (private endpoint) or ``authorizedCidrs``.

    None leaves a public endpoint open to any address (dev/staging without authorizedCidrs).
    Google Cloud's own public IPs are not let in either way.
    https://cloud.google.com/kubernetes-engine/docs/how-to/authorized-networks
    """
    access = endpoint_access(cluster.spec, cluster.environment)
    if access.private:
        blocks = [{"cidr_block": cluster.spec.network.cidr, "display_name": "cluster network"}]
    elif access.authorized_cidrs:
        blocks = [{"cidr_block": c, "display_name": f"authorized-{i}"} for i, c in enumerate(access.authorized_cidrs)]
    else:
        return None
    return {"cidr_blocks": blocks, "gcp_public_cidrs_access_enabled": False}


def dns_endpoint_config() -> dict[str, Any]:
    """The control plane's DNS-based endpoint, open to callers outside the VPC (private clusters).

    The IP endpoint stays private; the DNS name (``gke-<id>.<region>.gke.goog``) reaches the API
    server through Google's front end, which admits only Google identities holding
    ``container.clusters.connect`` on the cluster (IAM), then Kubernetes RBAC applies. So
    ``pulumi up`` of the add-ons and ``kubectl`` from CI outside the VPC work without a bastion
    or authorised networks. Kubernetes service-account tokens and client certificates stay off
    this endpoint (``enable_k8s_tokens_via_dns`` / ``enable_k8s_certs_via_dns`` unset: false).
    https://cloud.google.com/kubernetes-engine/docs/concepts/network-isolation
    """
    return {"dns_endpoint_config": {"allow_external_traffic": True}}


def secrets_key_ring_args(cluster: ResolvedCluster, project: Any) -> dict[str, Any]:
    """The key ring of the secrets key, in the cluster's region (a GKE requirement).

    No name: Pulumi adds a random suffix, because key rings can never be deleted and a
    fixed name could not be created again after ``pulumi destroy``.
    """
    return {"location": cluster.spec.region, "project": project}


def secrets_key_args(cluster: ResolvedCluster, key_ring: Any) -> dict[str, Any]:
    return {
        "name": physical_name(cluster, "secrets"),
        "key_ring": key_ring,
        "purpose": "ENCRYPT_DECRYPT",
        "rotation_period": SECRETS_KEY_ROTATION,
        "labels": dict(cluster.labels),
    }


def gke_service_agent_member(project_number: Any) -> Any:
    """``serviceAccount:service-<number>@container-engine-robot...``, the GKE service agent."""
    if isinstance(project_number, str) or project_number is None:
        return f"serviceAccount:{GKE_SERVICE_AGENT.format(number=project_number or '<project-number>')}"
    return project_number.apply(lambda n: f"serviceAccount:{GKE_SERVICE_AGENT.format(number=n or '<project-number>')}")


def secrets_key_grant_args(key_id: Any, project_number: Any) -> dict[str, Any]:
    """Let the GKE service agent encrypt and decrypt with the secrets key (and nothing else)."""
    return {"crypto_key_id": key_id, "role": KMS_ENCRYPTER_ROLE, "member": gke_service_agent_member(project_number)}


def audit_bucket_id(cluster: ResolvedCluster) -> str:
    """The log bucket id: letters, digits, hyphens and underscores, at most 100 characters."""
    return physical_name(cluster, "k8s-audit", limit=100)


def audit_bucket_args(cluster: ResolvedCluster, project: Any) -> dict[str, Any]:
    """A global log bucket that keeps the cluster's audit logs ``auditLogs.retentionDays``."""
    return {
        "project": project,
        "location": "global",
        "bucket_id": audit_bucket_id(cluster),
        "retention_days": cluster.spec.audit_logs.retention_days,
        "description": f"ai-infra cluster {cluster.name}: Kubernetes audit logs",
    }


def audit_sink_args(cluster: ResolvedCluster, project: Any) -> dict[str, Any]:
    """Route the cluster's Kubernetes audit log entries into its audit bucket."""
    bucket = f"locations/global/buckets/{audit_bucket_id(cluster)}"
    destination: Any
    if isinstance(project, str) or project is None:
        destination = f"logging.googleapis.com/projects/{project or '<project>'}/{bucket}"
    else:
        destination = project.apply(lambda p: f"logging.googleapis.com/projects/{p}/{bucket}")
    return {
        "name": physical_name(cluster, "k8s-audit", limit=100),
        "project": project,
        "destination": destination,
        "filter": AUDIT_LOG_FILTER.format(cluster=cluster.spec.name, location=cluster.spec.region),
        "unique_writer_identity": True,
        "description": f"ai-infra cluster {cluster.name}: Kubernetes audit logs to their bucket",
    }


def secure_boot(pool: ResolvedPool | None) -> bool:
    """Secure boot on the node, unless the pool installs its own GPU driver (``gpuDriver: none``).

    GKE's GPU drivers are signed for COS; a driver the NVIDIA GPU Operator builds on the node
    is not, and secure boot would refuse to load it.
    https://cloud.google.com/kubernetes-engine/docs/how-to/shielded-gke-nodes#secure_boot
    """
    return pool is None or pool.spec.gpu_driver != "none"


def node_service_account_args(cluster: ResolvedCluster) -> dict[str, Any]:
    """The nodes' service account: ``<cluster>-nodes`` (account ids are 6-30 characters)."""
    return {
        # at most 24 + len("-nodes") = 30; a name over 24 keeps a hash of itself (not just its start)
        "account_id": f"{shorten(cluster.name, 24)}-nodes",
        "display_name": f"ai-infra {cluster.name} GKE nodes",
        "description": "Least-privilege identity of the GKE nodes (logging, monitoring, image pulls)",
    }


def node_service_account_binding_args(project: Any, role: str, email: Any) -> dict[str, Any]:
    member: Any
    if isinstance(email, str) or email is None:
        member = f"serviceAccount:{email}"
    else:
        member = email.apply(lambda e: f"serviceAccount:{e}")
    return {"project": project, "role": role, "member": member}


def _common_node_config(
    cluster: ResolvedCluster,
    pool_name: str,
    extra_labels: Mapping[str, str],
    refs: Refs,
    gvnic: bool = True,
    secure: bool = True,
) -> dict[str, Any]:
    config: dict[str, Any] = {
        "labels": {**extra_labels, LABEL_POOL: pool_name},
        "resource_labels": {**cluster.labels, LABEL_POOL: pool_name},
        "oauth_scopes": list(OAUTH_SCOPES),
        # Workload Identity on the nodes: pods get their own identities, not the node's.
        "workload_metadata_config": {"mode": "GKE_METADATA"},
        "shielded_instance_config": {"enable_secure_boot": secure, "enable_integrity_monitoring": True},
    }
    if refs.node_service_account is not None:
        config["service_account"] = refs.node_service_account
    if cluster.spec.encryption.kms_key:
        config["boot_disk_kms_key"] = cluster.spec.encryption.kms_key
    if gvnic:
        # gVNIC (COS only): needed by GPUDirect and multi-networking, faster everywhere.
        config["gvnic"] = {"enabled": True}
        config["image_type"] = "COS_CONTAINERD"
    return config


def _location_args(cluster: ResolvedCluster, refs: Refs) -> dict[str, Any]:
    args: dict[str, Any] = {"cluster": refs.cluster, "location": refs.location}
    if cluster.spec.zone:
        args["node_locations"] = [cluster.spec.zone]
    return args


def system_pool_args(cluster: ResolvedCluster, refs: Refs) -> dict[str, Any]:
    """The small CPU pool for add-ons; without a zone ``systemPool.nodes`` is per zone of the region."""
    sp = cluster.spec.system_pool
    node_config = _common_node_config(cluster, SYSTEM_POOL_NAME, {}, refs)
    node_config.update(
        {
            "machine_type": sp.machine_type or DEFAULT_SYSTEM_MACHINE,
            "disk_size_gb": SYSTEM_DISK_GIB,
            "disk_type": DEFAULT_BOOT_DISK,
        }
    )
    return {
        "name": SYSTEM_POOL_NAME,
        **_location_args(cluster, refs),
        "node_count": sp.nodes,
        "management": {"auto_repair": True, "auto_upgrade": True},
        "node_config": node_config,
    }


def _capacity(capacity: str, reservation: str | None) -> dict[str, Any]:
    if capacity == "spot":
        return {"spot": True}
    if capacity == "reserved" and reservation:
        return {
            "reservation_affinity": {
                "consume_reservation_type": "SPECIFIC_RESERVATION",
                "key": RESERVATION_KEY,
                "values": [reservation],
            }
        }
    return {}


def gpu_pool_args(cluster: ResolvedCluster, pool: ResolvedPool, plan: NetworkPlan, refs: Refs) -> dict[str, Any]:
    """A GKE GPU node pool: catalog machine and accelerators, driver, capacity, placement, NVMe, fabric NICs."""
    spec, offer = pool.spec, pool.offer
    node_config = _common_node_config(cluster, pool.name, spec.labels, refs, secure=secure_boot(pool))
    node_config.update(
        {
            "machine_type": offer.machine_type,
            "guest_accelerators": [
                {
                    "type": offer.accelerator_type,
                    "count": offer.accelerators_per_node,
                    "gpu_driver_installation_config": {"gpu_driver_version": DRIVER_VERSION[spec.gpu_driver]},
                }
            ],
            "disk_size_gb": spec.disk_size_gib,
            "disk_type": offer.boot_disk_type or DEFAULT_BOOT_DISK,
            "taints": [dict(GPU_TAINT)],
            **_capacity(spec.capacity, spec.reservation),
        }
    )
    if spec.local_ssd == "raid0" and offer.local_nvme is not None:
        # GKE assembles the local NVMe SSDs into one RAID0 array behind emptyDir / ephemeral storage.
        node_config["ephemeral_storage_local_ssd_config"] = {"local_ssd_count": offer.local_nvme.count}
    args: dict[str, Any] = {
        "name": pool.name,
        **_location_args(cluster, refs),
        "initial_node_count": spec.min_nodes,
        "autoscaling": _autoscaling(cluster, spec.min_nodes, spec.max_nodes),
        "max_pods_per_node": ACCELERATOR_MAX_PODS,
        "management": {"auto_repair": True, "auto_upgrade": True},
        # GPUs are scarce: upgrade one node at a time instead of surging extra GPU nodes.
        "upgrade_settings": {"strategy": "SURGE", "max_surge": 0, "max_unavailable": 1},
        "node_config": node_config,
    }
    if pool.compact:
        args["placement_policy"] = {"type": "COMPACT"}
    nics = plan.pool_interfaces.get(pool.name, ())
    if nics:
        args["network_config"] = {
            "additional_node_network_configs": [
                {
                    "network": refs.fabric.get(net, f"<network:{net}>"),
                    "subnetwork": refs.fabric_subnets.get(sub, f"<subnet:{sub}>"),
                }
                for net, sub in nics
            ]
        }
    return args


def _autoscaling(cluster: ResolvedCluster, min_nodes: int, max_nodes: int) -> dict[str, Any]:
    if cluster.spec.zone:
        return {"min_node_count": min_nodes, "max_node_count": max_nodes}
    # Regional pool over several zones: the spec's bounds are totals, not per zone.
    return {"total_min_node_count": min_nodes, "total_max_node_count": max_nodes, "location_policy": "ANY"}


def tpu_pool_args(cluster: ResolvedCluster, sl: ResolvedSlice, index: int, refs: Refs) -> dict[str, Any]:
    """One GKE TPU slice node pool: machine type for the version, node count = chips / chips per VM.

    Multi-host slices are atomic: a COMPACT placement policy with ``tpu_topology`` in one zone.
    """
    spec, shape = sl.spec, sl.shape
    name = slice_pool_names(sl)[index]
    labels = {"aiinfra-tpu-slice": sl.name}
    if spec.count > 1:
        labels["aiinfra-slice-index"] = str(index)
    # TPU nodes keep GKE's own image and NIC defaults for TPU machine types.
    node_config = _common_node_config(cluster, sl.name, labels, refs, gvnic=False)
    node_config.update({"machine_type": shape.machine_type, **_capacity(spec.capacity, spec.reservation)})
    args: dict[str, Any] = {
        "name": name,
        **_location_args(cluster, refs),
        "node_count": shape.nodes,
        "max_pods_per_node": ACCELERATOR_MAX_PODS,
        "management": {"auto_repair": True, "auto_upgrade": True},
        "node_config": node_config,
    }
    if shape.multi_host:
        args["placement_policy"] = {"type": "COMPACT", "tpu_topology": spec.topology}
    return args


def tpu_vm_args(cluster: ResolvedCluster, sl: ResolvedSlice, index: int, refs: Refs) -> dict[str, Any]:
    """A Cloud TPU VM slice (``gcp.tpu.V2Vm``) on the cluster's subnet, without external IPs."""
    spec, version = sl.spec, sl.version
    scheduling: dict[str, Any] = {}
    if spec.capacity == "spot":
        scheduling = {"spot": True}
    elif spec.capacity == "reserved":
        scheduling = {"reserved": True}
    args: dict[str, Any] = {
        "name": physical_name(cluster, slice_pool_names(sl)[index]),
        "zone": cluster.spec.zone,
        "runtime_version": spec.runtime_version or version.vm_default_runtime,
        "accelerator_config": {"type": version.vm_config_type, "topology": spec.topology},
        "network_config": {"network": refs.network_id, "subnetwork": refs.subnetwork_id, "enable_external_ips": False},
        "labels": {**cluster.labels, LABEL_POOL: sl.name},
        "description": f"ai-infra TPU {version.version} slice {sl.name} ({spec.topology})",
        "shielded_instance_config": {"enable_secure_boot": True},
    }
    if refs.node_service_account is not None:
        # The nodes' least-privilege account, not the Compute Engine default one (which has
        # Editor on the project); IAM roles decide what it may do, so the scope is broad.
        args["service_account"] = {"email": refs.node_service_account, "scopes": list(OAUTH_SCOPES)}
    if scheduling:
        args["scheduling_config"] = scheduling
    return args


def tpu_queued_args(cluster: ResolvedCluster, sl: ResolvedSlice, refs: Refs) -> dict[str, Any]:
    """A TPU queued resource: one node spec per slice, so a multislice is granted all at once."""
    spec, version = sl.spec, sl.version
    parent: Any
    if isinstance(refs.project, str) or refs.project is None:
        parent = f"projects/{refs.project or '<project>'}/locations/{cluster.spec.zone}"
    else:
        zone = cluster.spec.zone
        parent = refs.project.apply(lambda p: f"projects/{p}/locations/{zone}")
    return {
        "name": physical_name(cluster, sl.name),
        "zone": cluster.spec.zone,
        "tpu": {
            "node_specs": [
                {
                    "parent": parent,
                    "node_id": physical_name(cluster, node),
                    "node": {
                        "runtime_version": spec.runtime_version or version.vm_default_runtime,
                        "accelerator_type": sl.shape.vm_accelerator_type,
                        "network_config": {
                            "network": refs.network_id,
                            "subnetwork": refs.subnetwork_id,
                            "enable_external_ips": False,
                        },
                        "description": f"ai-infra TPU {version.version} slice {node} ({spec.topology})",
                    },
                }
                for node in slice_pool_names(sl)
            ]
        },
    }


# ----- storage ---------------------------------------------------------------------------------


def lustre_filesystem_name(name: str) -> str:
    """The Lustre fsname: at most 8 letters and digits (Managed Lustre ``filesystem`` rule)."""
    return re.sub(r"[^a-zA-Z0-9]", "", name)[:8]


def lustre_args(cluster: ResolvedCluster, st: ResolvedStorage, refs: Refs) -> dict[str, Any]:
    args: dict[str, Any] = {
        "instance_id": st.name,
        "location": cluster.spec.zone,
        "filesystem": lustre_filesystem_name(st.name),
        # The SDK takes both as strings (InstanceArgs docstring).
        "capacity_gib": str(st.spec.capacity_gib),
        "per_unit_storage_throughput": str(st.throughput_mbps_per_tib),
        "network": refs.network_id,
        "labels": {**cluster.labels, LABEL_STORAGE: st.name},
        "description": f"ai-infra cluster {cluster.name}: {st.name}",
    }
    if lustre_legacy(cluster):
        args["gke_support_enabled"] = True
    if cluster.spec.encryption.kms_key:
        args["kms_key"] = cluster.spec.encryption.kms_key
    return args


def filestore_share_name(name: str) -> str:
    """A Filestore file share name: letters, digits and underscores, at most 16, starting with a letter."""
    return re.sub(r"[^a-zA-Z0-9]", "_", name)[:16]


def filestore_args(cluster: ResolvedCluster, st: ResolvedStorage, refs: Refs) -> dict[str, Any]:
    """Filestore: ZONAL in the cluster's zone, or REGIONAL when the cluster has no zone."""
    zone = cluster.spec.zone
    return {
        "name": st.name,
        "location": zone or cluster.spec.region,
        "tier": "ZONAL" if zone else "REGIONAL",
        "file_shares": {"name": filestore_share_name(st.name), "capacity_gb": st.spec.capacity_gib},
        "networks": [{"network": refs.network_name, "modes": ["MODE_IPV4"], "connect_mode": "PRIVATE_SERVICE_ACCESS"}],
        "labels": {**cluster.labels, LABEL_STORAGE: st.name},
        "description": f"ai-infra cluster {cluster.name}: {st.name}",
        **({"kms_key_name": cluster.spec.encryption.kms_key} if cluster.spec.encryption.kms_key else {}),
    }


def disk_args(cluster: ResolvedCluster, st: ResolvedStorage) -> dict[str, Any]:
    """A Hyperdisk Balanced volume in the cluster's zone (bind it with a PersistentVolume)."""
    args: dict[str, Any] = {
        "name": physical_name(cluster, st.name),
        "type": "hyperdisk-balanced",
        "zone": cluster.spec.zone,
        "size": st.spec.capacity_gib,
        "labels": {**cluster.labels, LABEL_STORAGE: st.name},
        "description": f"ai-infra cluster {cluster.name}: {st.name}",
    }
    if cluster.spec.encryption.kms_key:
        args["disk_encryption_key"] = {"kms_key_self_link": cluster.spec.encryption.kms_key}
    if st.spec.iops is not None:
        args["provisioned_iops"] = st.spec.iops
    if st.spec.throughput_mbps is not None:
        args["provisioned_throughput"] = st.spec.throughput_mbps
    return args


# ----- Kubernetes objects for pod multi-networking ------------------------------------------------


def k8s_network_name(net: FabricNetwork, sub: FabricSubnet) -> str:
    """The Kubernetes ``Network`` name workloads reference in ``networking.gke.io/interfaces``.

    GKE's GPUDirect guides and NCCL plugin samples use fixed names: ``vpc1..vpc8`` for the
    TCPX/TCPXO GPU NICs, ``gvnic-1`` and ``rdma-0..7`` for A3 Ultra / A4.
    """
    if net.purpose == "gpu":
        return f"vpc{int(sub.role.rsplit('-', 1)[1]) + 1}"
    return sub.role


def fabric_manifests(cluster: ResolvedCluster, plan: NetworkPlan) -> list[dict[str, Any]]:
    """GKENetworkParamSet + Network objects that let pods use the fabric NICs (apply with kubectl).

    GPUDirect-TCPX/TCPXO pods attach to each GPU VPC as a ``Device`` network; A3 Ultra/A4 pods
    to each RDMA subnet as an ``RDMA`` network and to extra gVNIC VPCs as ``Device`` networks.
    https://cloud.google.com/kubernetes-engine/docs/how-to/gpu-bandwidth-gpudirect-tcpx
    """
    docs: list[dict[str, Any]] = []
    for net in plan.fabric:
        for sub in net.subnets:
            obj = k8s_network_name(net, sub)
            params: dict[str, Any] = {
                "vpc": physical_name(cluster, net.role),
                "vpcSubnet": physical_name(cluster, f"{sub.role}-sub"),
                "deviceMode": "RDMA" if net.purpose == "rdma" else "NetDevice",
            }
            docs.append(
                {
                    "apiVersion": "networking.gke.io/v1",
                    "kind": "GKENetworkParamSet",
                    "metadata": {"name": obj},
                    "spec": params,
                }
            )
            docs.append(
                {
                    "apiVersion": "networking.gke.io/v1",
                    "kind": "Network",
                    "metadata": {"name": obj},
                    "spec": {
                        "type": "Device",
                        "parametersRef": {"group": "networking.gke.io", "kind": "GKENetworkParamSet", "name": obj},
                    },
                }
            )
    return docs


def kubeconfig(
    cluster_name: str, endpoint: str | None, ca_certificate: str | None, dns_endpoint: str | None = None
) -> str | None:
    """A kubeconfig for the cluster that authenticates with ``gke-gcloud-auth-plugin``.

    It holds no credentials (the plugin asks gcloud for a token), so it can be a plain stack
    output for ``kubectl`` or a ``pulumi_kubernetes`` provider. With ``dns_endpoint`` (private
    clusters) it points at the DNS-based endpoint, whose certificate a public authority issues,
    so no cluster CA is written (as ``gcloud container clusters get-credentials --dns-endpoint``).
    None until the endpoint is known.
    https://cloud.google.com/kubernetes-engine/docs/how-to/cluster-access-for-kubectl
    """
    if dns_endpoint:
        server = [f"    server: https://{dns_endpoint}"]
    elif endpoint and ca_certificate:
        server = [f"    server: https://{endpoint}", f"    certificate-authority-data: {ca_certificate}"]
    else:
        return None
    context = f"gke_{cluster_name}"
    return "\n".join(
        [
            "apiVersion: v1",
            "kind: Config",
            "clusters:",
            f"- name: {context}",
            "  cluster:",
            *server,
            "contexts:",
            f"- name: {context}",
            "  context:",
            f"    cluster: {context}",
            f"    user: {context}",
            f"current-context: {context}",
            "users:",
            f"- name: {context}",
            "  user:",
            "    exec:",
            "      apiVersion: client.authentication.k8s.io/v1beta1",
            "      command: gke-gcloud-auth-plugin",
            "      installHint: Install gke-gcloud-auth-plugin (gcloud components install gke-gcloud-auth-plugin)",
            "      provideClusterInfo: true",
            "",
        ]
    )
