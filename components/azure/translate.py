"""Pure translation of a resolved Azure cluster into pulumi-azure-native arguments.

No Pulumi resources are created here: every function takes resolved spec objects (and, where
a value comes from another resource, an opaque ``Ref`` such as a subnet ID output) and returns
the keyword arguments of the SDK constructor, snake_case as the Python SDK takes them. The
components in this package pass them straight through; the tests compare them with golden
files.

SDK API versions behind these arguments (pulumi-azure-native 3.x): AKS ``2025-09-01``,
Managed Lustre ``2024-03-01``, managed disks ``2024-03-02``, storage ``2024-01-01``, network
``2024-05-01``.
"""

from __future__ import annotations

import base64
import hashlib
import ipaddress
import re
import textwrap
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import yaml

from components.catalog import get_catalog
from components.naming import shorten
from components.spec.resolved import LABEL_POOL, LABEL_STORAGE, ResolvedCluster, ResolvedPool, ResolvedStorage
from components.spec.security import endpoint_access

#: Anything the SDK accepts as an input (a string, or a pulumi Output of one).
Ref = Any

SYSTEM_POOL_NAME = "system"
DEFAULT_SYSTEM_VM_SIZE = "Standard_D4s_v5"

# Kubernetes extended resource (and so the taint key) per accelerator vendor: the device
# plugin of each vendor advertises its GPUs under this name.
DEVICE_RESOURCE = {"nvidia": "nvidia.com/gpu", "amd": "amd.com/gpu"}

# Node labels ai-infra adds to its GPU pools (the pool label comes from components.spec).
LABEL_ACCELERATOR = "aiinfra-accelerator"
LABEL_FABRIC = "aiinfra-fabric"
LABEL_LOCAL_NVME = "aiinfra-local-nvme"

# Spec releaseChannel -> AKS auto-upgrade channel. "regular" keeps the spec's minor version
# and applies its patches ("patch"); rapid/stable follow AKS's own channels.
# https://learn.microsoft.com/azure/aks/auto-upgrade-cluster#cluster-auto-upgrade-channels
UPGRADE_CHANNEL = {"rapid": "rapid", "regular": "patch", "stable": "stable"}

# Built-in Azure role definition GUIDs (the same in every tenant).
# https://learn.microsoft.com/azure/role-based-access-control/built-in-roles
ROLE_NETWORK_CONTRIBUTOR = "4d97b98b-1d4f-4787-a291-c67834d212e7"
ROLE_CONTRIBUTOR = "b24988ac-6180-42a0-ab88-20f7382dd24c"
# Entra ID authorization for the Kubernetes API: the deployer becomes cluster admin (as the
# EKS cluster creator does), since local accounts are off.
ROLE_AKS_RBAC_CLUSTER_ADMIN = "b1ff04bb-8a4e-4dc4-8eb5-8693973ce19b"
# Key Vault (RBAC model): create keys / use keys for encrypt-decrypt / wrap keys for disks.
ROLE_KEY_VAULT_CRYPTO_OFFICER = "14b46e9e-c2b7-41b4-b07b-48a6ebf60603"
ROLE_KEY_VAULT_CRYPTO_USER = "12338af0-0e69-4776-bea7-57ae8d297424"
ROLE_KEY_VAULT_CRYPTO_SERVICE_ENCRYPTION_USER = "e147488a-f6f5-4113-8e2d-b22465e65bf6"

# Kubernetes API audit logs: kube-audit-admin (every write, no get/list: the category AKS
# recommends for cost), sent to a Log Analytics workspace kept auditLogs.retentionDays.
# https://learn.microsoft.com/azure/aks/monitor-aks-reference#resource-logs
AUDIT_LOG_CATEGORIES = ("kube-audit-admin",)

# Kubernetes NetworkPolicy enforcement with the overlay: Azure CNI powered by Cilium.
# https://learn.microsoft.com/azure/aks/azure-cni-powered-by-cilium
NETWORK_POLICY = "cilium"
NETWORK_DATAPLANE = "cilium"

# Minimum subnet prefix for an Azure Managed Lustre file system, by capacity (TiB upper bound
# -> prefix). The SDK's docstring asks for at least a /24 whatever the size.
# https://learn.microsoft.com/azure/azure-managed-lustre/amlfs-prerequisites#network-size-requirements
AMLFS_SUBNET_PREFIX: tuple[tuple[int, int], ...] = ((196, 24), (400, 23), (800, 22), (1600, 21))

# Overlay pod CIDRs and service CIDRs to choose from: the first that overlaps neither the
# VNet nor each other wins. AKS's own defaults come first.
# https://learn.microsoft.com/azure/aks/azure-cni-overlay
POD_CIDRS = ("10.244.0.0/16", "172.30.0.0/16", "192.168.0.0/16")
SERVICE_CIDRS = ("10.0.0.0/16", "172.29.0.0/16", "10.255.0.0/16")

# Azure Managed Lustre weekly maintenance window (30 minutes); the spec has no field for it.
AMLFS_MAINTENANCE = {"day_of_week": "Sunday", "time_of_day_utc": "02:00"}

INFINIBAND_FEATURE_COMMAND = "az feature register --namespace Microsoft.ContainerService --name {feature}"


class TranslateError(Exception):
    """A resolved spec that cannot be expressed on Azure; ``path`` is the spec path to blame."""

    def __init__(self, path: str, message: str) -> None:
        self.path = path
        self.message = message
        super().__init__(f"{path}: {message}")


# ----- names ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class AksClusterId:
    """The parts of an AKS resource ID (``kubernetes.existingCluster``)."""

    subscription: str
    resource_group: str
    name: str


_AKS_ID = re.compile(
    r"^/subscriptions/(?P<sub>[^/]+)/resourceGroups/(?P<rg>[^/]+)"
    r"/providers/Microsoft\.ContainerService/managedClusters/(?P<name>[^/]+)$",
    re.IGNORECASE,
)


def parse_aks_id(resource_id: str) -> AksClusterId | None:
    """Split an AKS managed cluster resource ID, or None if it is not one."""
    m = _AKS_ID.match(resource_id.strip())
    if m is None:
        return None
    return AksClusterId(m["sub"], m["rg"], m["name"])


_CRG_ID = re.compile(
    r"^/subscriptions/[^/]+/resourceGroups/[^/]+/providers/Microsoft\.Compute/capacityReservationGroups/[^/]+$",
    re.IGNORECASE,
)


def resource_group_scope(resource_id: str) -> str | None:
    """``/subscriptions/<s>/resourceGroups/<rg>`` of an ARM resource ID, or None."""
    m = re.match(r"^(/subscriptions/[^/]+/resourceGroups/[^/]+)(/|$)", resource_id.strip(), re.IGNORECASE)
    return m.group(1) if m else None


def is_capacity_reservation_group_id(value: str) -> bool:
    """True for a capacity reservation group resource ID (what AKS takes for reserved pools)."""
    return _CRG_ID.match(value.strip()) is not None


def resource_group_name(cluster: ResolvedCluster) -> str:
    """The resource group the cluster's resources go into (created unless the spec names one)."""
    k8s = cluster.spec.kubernetes
    if k8s.resource_group:
        return k8s.resource_group
    if k8s.existing_cluster:
        parsed = parse_aks_id(k8s.existing_cluster)
        if parsed is not None:
            return parsed.resource_group
    return f"aiinfra-{cluster.environment}-{cluster.name}"


def creates_resource_group(cluster: ResolvedCluster) -> bool:
    k8s = cluster.spec.kubernetes
    return not k8s.resource_group and not k8s.existing_cluster


def storage_account_name(cluster: ResolvedCluster, storage: ResolvedStorage, salt: str) -> str:
    """A storage account name: 3-24 lowercase alphanumerics, unique across Azure.

    The readable part is the cluster and storage names; a hash of ``salt`` (project/stack),
    the cluster, region and storage name keeps two stacks with the same names apart.
    """
    digest = hashlib.sha256(f"{salt}/{cluster.name}/{cluster.spec.region}/{storage.name}".encode()).hexdigest()
    readable = re.sub(r"[^a-z0-9]", "", f"{cluster.name}{storage.name}".lower())[:14]
    return f"{readable}{digest[: 24 - len(readable)]}"


def physical_name(*parts: str, max_length: int = 80) -> str:
    """``"-".join(parts)``, shortened with a hash suffix when it exceeds ``max_length``.

    Most Azure resource names (AMLFS, disks, proximity placement groups, network resources)
    allow 80 characters; cluster and storage names of the spec allow 63 each.
    """
    return shorten("-".join(parts), max_length)


def dns_prefix(cluster: ResolvedCluster) -> str:
    """AKS DNS prefix: 1-54 letters, digits and hyphens, starting and ending alphanumeric."""
    return re.sub(r"[^a-zA-Z0-9-]", "-", cluster.name)[:54].strip("-") or "aks"


def tags(cluster: ResolvedCluster, **extra: str) -> dict[str, str]:
    """Tags for every taggable resource of the cluster (fleet + cluster labels, ai-infra keys)."""
    return {**dict(cluster.labels), **extra}


# ----- network -------------------------------------------------------------------------------


@dataclass(frozen=True)
class NetworkLayout:
    """How the cluster CIDR is split: node subnet, one subnet per Lustre file system, and the
    overlay pod and service ranges (outside the VNet)."""

    vnet_cidr: str
    node_subnet: str
    lustre_subnets: Mapping[str, str]
    pod_cidr: str
    service_cidr: str
    dns_service_ip: str


def amlfs_subnet_prefix(capacity_gib: int) -> int:
    """The prefix length of the subnet an AMLFS of this size needs (at least /24)."""
    tib = capacity_gib / 1024
    for upper_tib, prefix in AMLFS_SUBNET_PREFIX:
        if tib <= upper_tib:
            return prefix
    return AMLFS_SUBNET_PREFIX[-1][1]


def _first_free(candidates: Sequence[str], taken: Sequence[ipaddress.IPv4Network]) -> ipaddress.IPv4Network:
    for c in candidates:
        net = ipaddress.IPv4Network(c)
        if not any(net.overlaps(t) for t in taken):
            return net
    raise ValueError(f"every candidate range {', '.join(candidates)} overlaps {', '.join(map(str, taken))}")


def network_layout(cluster: ResolvedCluster) -> NetworkLayout:
    """Split ``network.cidr``: the first half for nodes, Lustre subnets placed in the second.

    With Azure CNI overlay only nodes take VNet addresses (pods get overlay IPs), so half the
    VNet is plenty for nodes; Managed Lustre needs its own subnet (at least a /24, larger for
    big file systems) that nodes reach inside the same VNet. A Lustre subnet is a function of
    its own storage entry alone (``lustre_subnet``), so reordering ``storage`` or adding an entry
    never moves the subnet of a file system in use.
    """
    path = f"{cluster.spec.path}.network.cidr"
    vnet = ipaddress.IPv4Network(cluster.spec.network.cidr)
    node, rest = list(vnet.subnets(prefixlen_diff=1))
    lustre: dict[str, str] = {}
    wanted = [st for st in cluster.storage if st.spec.kind == "lustre"]
    need = sum(2 ** (32 - amlfs_subnet_prefix(st.spec.capacity_gib)) for st in wanted if not st.spec.subnet_cidr)
    if need > rest.num_addresses:
        raise TranslateError(
            path,
            f"{vnet} has no room for {len(wanted)} Lustre subnets ({need:,} addresses) after the node subnet {node}",
        )
    placed: list[tuple[ipaddress.IPv4Network, str, str]] = []
    for st in sorted(wanted, key=lambda s: s.name):  # by name: the error names the same entry in any order
        sub = lustre_subnet(st, vnet, node, rest)
        for other, other_name, _ in placed:
            if sub.overlaps(other):
                raise TranslateError(
                    f"{st.spec.path}.name",
                    f"Lustre '{st.name}' would get subnet {sub}, which overlaps {other} of Lustre '{other_name}' "
                    "(each subnet is placed by its storage name); rename one of them, or give one subnetCidr",
                )
        placed.append((sub, st.name, st.spec.path))
        lustre[st.name] = str(sub)
    lustre = {st.name: lustre[st.name] for st in wanted}  # in spec order, for readers
    pod = _first_free(POD_CIDRS, [vnet])
    svc = _first_free(SERVICE_CIDRS, [vnet, pod])
    return NetworkLayout(
        vnet_cidr=str(vnet),
        node_subnet=str(node),
        lustre_subnets=lustre,
        pod_cidr=str(pod),
        service_cidr=str(svc),
        dns_service_ip=str(svc.network_address + 10),
    )


def lustre_subnet(
    st: ResolvedStorage, vnet: ipaddress.IPv4Network, node: ipaddress.IPv4Network, rest: ipaddress.IPv4Network
) -> ipaddress.IPv4Network:
    """The subnet of one Managed Lustre file system: its ``subnetCidr``, or the slot of the size
    its capacity needs (``amlfs_subnet_prefix``) that a hash of its name picks in ``rest``."""
    pinned = st.spec.subnet_cidr
    prefix = amlfs_subnet_prefix(st.spec.capacity_gib)
    where = f"{st.spec.path}.subnetCidr"
    if pinned:
        try:
            sub = ipaddress.IPv4Network(pinned)
        except ValueError as err:
            raise TranslateError(where, f"'{pinned}' is not a network address ({err})") from None
        if not sub.subnet_of(vnet) or sub.overlaps(node):
            raise TranslateError(where, f"{sub} must lie in {rest}: inside {vnet}, outside the node subnet {node}")
        if sub.prefixlen > prefix:
            raise TranslateError(where, f"{sub} is too small: {st.spec.capacity_gib:,} GiB of Lustre needs a /{prefix}")
        return sub
    if prefix < rest.prefixlen:
        raise TranslateError(
            f"{st.spec.path}.capacityGiB",
            f"a /{prefix} Lustre subnet does not fit in {rest}, the half of the VNet left after the node subnet "
            f"{node}; use a larger network.cidr",
        )
    slots = list(rest.subnets(new_prefix=prefix))
    digest = int(hashlib.sha256(st.name.encode()).hexdigest(), 16)
    return slots[digest % len(slots)]


def vnet_args(cluster: ResolvedCluster, layout: NetworkLayout, rg: Ref) -> dict[str, Any]:
    # Subnets are separate resources; since network API 2023-09-01 a VNet PUT without
    # `subnets` leaves them alone.
    return {
        "virtual_network_name": physical_name(cluster.name, "vnet"),
        "resource_group_name": rg,
        "location": cluster.spec.region,
        "address_space": {"address_prefixes": [layout.vnet_cidr]},
        "tags": tags(cluster),
    }


def public_ip_args(cluster: ResolvedCluster, rg: Ref) -> dict[str, Any]:
    args: dict[str, Any] = {
        "public_ip_address_name": physical_name(cluster.name, "nat-ip"),
        "resource_group_name": rg,
        "location": cluster.spec.region,
        "sku": {"name": "Standard", "tier": "Regional"},
        "public_ip_allocation_method": "Static",
        "public_ip_address_version": "IPv4",
        "tags": tags(cluster),
    }
    if cluster.spec.zone:
        args["zones"] = [cluster.spec.zone]
    return args


def nat_gateway_args(cluster: ResolvedCluster, rg: Ref, public_ip_id: Ref) -> dict[str, Any]:
    args: dict[str, Any] = {
        "nat_gateway_name": physical_name(cluster.name, "nat"),
        "resource_group_name": rg,
        "location": cluster.spec.region,
        "sku": {"name": "Standard"},
        "idle_timeout_in_minutes": 4,
        "public_ip_addresses": [{"id": public_ip_id}],
        "tags": tags(cluster),
    }
    if cluster.spec.zone:
        args["zones"] = [cluster.spec.zone]
    return args


def subnet_args(
    name: str,
    cidr: str,
    rg: Ref,
    vnet_name: Ref,
    nat_gateway_id: Ref,
    service_endpoints: Sequence[str] = (),
) -> dict[str, Any]:
    """A subnet with no default outbound access: egress goes through the NAT gateway only."""
    args: dict[str, Any] = {
        "subnet_name": name,
        "resource_group_name": rg,
        "virtual_network_name": vnet_name,
        "address_prefix": cidr,
        "default_outbound_access": False,
        "nat_gateway": {"id": nat_gateway_id},
    }
    if service_endpoints:
        args["service_endpoints"] = [{"service": s} for s in service_endpoints]
    return args


def role_definition_id(scope_id: str | None, role_guid: str) -> str:
    """A built-in role's definition ID in the subscription of ``scope_id`` (an ARM ID)."""
    m = re.match(r"^/subscriptions/([^/]+)", scope_id or "")
    prefix = f"/subscriptions/{m.group(1)}" if m else ""
    return f"{prefix}/providers/Microsoft.Authorization/roleDefinitions/{role_guid}"


# ----- cluster -------------------------------------------------------------------------------


def system_pool_profile(cluster: ResolvedCluster, subnet_id: Ref | None) -> dict[str, Any]:
    """The small System-mode pool AKS needs at creation (add-ons, CoreDNS, operators)."""
    sp = cluster.spec.system_pool
    profile: dict[str, Any] = {
        "name": SYSTEM_POOL_NAME,
        "mode": "System",
        "type": "VirtualMachineScaleSets",
        "vm_size": sp.machine_type or DEFAULT_SYSTEM_VM_SIZE,
        "count": sp.nodes,
        "os_type": "Linux",
        "os_sku": "Ubuntu",
        "enable_node_public_ip": False,
        "enable_auto_scaling": False,
        "node_labels": {LABEL_POOL: SYSTEM_POOL_NAME},
        "upgrade_settings": {"max_surge": "33%"},
        "tags": tags(cluster, **{LABEL_POOL: SYSTEM_POOL_NAME}),
    }
    if cluster.spec.kubernetes.version:
        profile["orchestrator_version"] = cluster.spec.kubernetes.version
    if cluster.spec.zone:
        profile["availability_zones"] = [cluster.spec.zone]
    if subnet_id is not None:
        profile["vnet_subnet_id"] = subnet_id
    launch = trusted_launch(None, sp.machine_type)
    if launch is not None:
        profile["security_profile"] = launch
    if cluster.spec.encryption.at_host:
        profile["enable_encryption_at_host"] = True
    return profile


def managed_cluster_args(
    cluster: ResolvedCluster,
    layout: NetworkLayout,
    rg: Ref,
    identity_id: Ref,
    node_subnet_id: Ref,
    secrets_key: SecretsKey | None = None,
    disk_encryption_set_id: Ref | None = None,
) -> dict[str, Any]:
    """ManagedCluster: user-assigned identity, OIDC + workload identity, Entra ID with Azure
    RBAC and no local accounts, Azure CNI overlay with Cilium network policy, the API endpoint
    ``clusters[].access`` asks for, KMS encryption of secrets with ``secrets_key``, egress
    through the user-assigned NAT gateway, and the system pool."""
    k8s = cluster.spec.kubernetes
    args: dict[str, Any] = {
        "resource_name_": cluster.name,
        "resource_group_name": rg,
        "location": cluster.spec.region,
        "dns_prefix": dns_prefix(cluster),
        "node_resource_group": shorten(f"{resource_group_name(cluster)}-nodes", 80),
        "identity": {"type": "UserAssigned", "user_assigned_identities": [identity_id]},
        "oidc_issuer_profile": {"enabled": True},
        "security_profile": security_profile(secrets_key),
        "enable_rbac": True,
        # No static admin kubeconfig: every API call is an Entra ID identity that Azure RBAC
        # authorizes. https://learn.microsoft.com/azure/aks/manage-local-accounts-managed-azure-ad
        "disable_local_accounts": True,
        "aad_profile": {"managed": True, "enable_azure_rbac": True},
        "network_profile": {
            "network_plugin": "azure",
            "network_plugin_mode": "overlay",
            "network_policy": NETWORK_POLICY,
            "network_dataplane": NETWORK_DATAPLANE,
            "load_balancer_sku": "standard",
            "outbound_type": "userAssignedNATGateway",
            "pod_cidr": layout.pod_cidr,
            "service_cidr": layout.service_cidr,
            "dns_service_ip": layout.dns_service_ip,
        },
        "agent_pool_profiles": [system_pool_profile(cluster, node_subnet_id)],
        "auto_upgrade_profile": {
            "upgrade_channel": UPGRADE_CHANNEL[k8s.release_channel],
            "node_os_upgrade_channel": "NodeImage",
        },
        # The Standard tier carries the API server SLA; dev clusters use the free tier.
        "sku": {"name": "Base", "tier": "Free" if cluster.environment == "dev" else "Standard"},
        "tags": tags(cluster),
    }
    if k8s.version:
        args["kubernetes_version"] = k8s.version
    access = api_server_access(cluster)
    if access is not None:
        args["api_server_access_profile"] = access
    if disk_encryption_set_id is not None:
        args["disk_encryption_set_id"] = disk_encryption_set_id
    if _addon_plan(cluster)["gpuMonitoring"].on:
        # Azure Monitor managed Prometheus (the ama-metrics add-on) scrapes the GPU exporters;
        # the workspace and data collection rule come with the cluster's add-ons.
        # https://learn.microsoft.com/azure/azure-monitor/containers/kubernetes-monitoring-enable
        args["azure_monitor_profile"] = {"metrics": {"enabled": True}}
    return args


@dataclass(frozen=True)
class SecretsKey:
    """The Key Vault key that encrypts Kubernetes secrets (AKS KMS): versioned key ID and vault ID."""

    key_id: Ref
    vault_id: Ref


def security_profile(secrets_key: SecretsKey | None) -> dict[str, Any]:
    """Workload identity, and KMS etcd encryption of secrets with the cluster's key.

    The vault is reached over its public endpoint (RBAC-authorized, no anonymous access); a
    private vault needs the API server VNet integration, which ai-infra does not set up.
    https://learn.microsoft.com/azure/aks/use-kms-etcd-encryption
    """
    profile: dict[str, Any] = {"workload_identity": {"enabled": True}}
    if secrets_key is not None:
        profile["azure_key_vault_kms"] = {
            "enabled": True,
            "key_id": secrets_key.key_id,
            "key_vault_network_access": "Public",
        }
    return profile


def api_server_access(cluster: ResolvedCluster) -> dict[str, Any] | None:
    """A private API server, or a public one limited to ``authorizedCidrs`` (None: open).

    https://learn.microsoft.com/azure/aks/private-clusters
    https://learn.microsoft.com/azure/aks/api-server-authorized-ip-ranges
    """
    access = endpoint_access(cluster.spec, cluster.environment)
    if access.private:
        return {"enable_private_cluster": True}
    if access.authorized_cidrs:
        return {"authorized_ip_ranges": list(access.authorized_cidrs)}
    return None


def key_vault_name(cluster: ResolvedCluster, salt: str) -> str:
    """A Key Vault name: 3-24 letters, digits and hyphens, unique across Azure (hash of salt)."""
    digest = hashlib.sha256(f"{salt}/{cluster.name}/{cluster.spec.region}/kv".encode()).hexdigest()
    readable = re.sub(r"[^a-z0-9]", "", cluster.name.lower())[:10] or "aks"
    return f"{readable}-kv-{digest[: 24 - len(readable) - 4]}"


def key_vault_args(cluster: ResolvedCluster, rg: Ref, name: str, tenant_id: Ref) -> dict[str, Any]:
    """A Key Vault for the cluster's secrets key: RBAC authorization, soft delete, and purge
    protection in prod (a purged key would make every secret unreadable; outside prod the name
    must be reusable soon after `pulumi destroy`)."""
    properties: dict[str, Any] = {
        "tenant_id": tenant_id,
        "sku": {"family": "A", "name": "standard"},
        "enable_rbac_authorization": True,
        "enable_soft_delete": True,
        "soft_delete_retention_in_days": 90,
        "public_network_access": "Enabled",
    }
    if cluster.environment == "prod":
        properties["enable_purge_protection"] = True
    return {
        "vault_name": name,
        "resource_group_name": rg,
        "location": cluster.spec.region,
        "properties": properties,
        "tags": tags(cluster),
    }


def secrets_key_args(cluster: ResolvedCluster, rg: Ref, vault_name: Ref) -> dict[str, Any]:
    """An RSA 2048 key for AKS KMS (the key type AKS KMS takes)."""
    return {
        "key_name": physical_name(cluster.name, "secrets", max_length=127),
        "vault_name": vault_name,
        "resource_group_name": rg,
        "properties": {"kty": "RSA", "key_size": 2048, "key_ops": ["encrypt", "decrypt", "wrapKey", "unwrapKey"]},
        "tags": tags(cluster),
    }


def log_workspace_args(cluster: ResolvedCluster, rg: Ref) -> dict[str, Any]:
    """The Log Analytics workspace that keeps the cluster's audit logs ``auditLogs.retentionDays``."""
    return {
        "workspace_name": physical_name(cluster.name, "logs", max_length=63),
        "resource_group_name": rg,
        "location": cluster.spec.region,
        "sku": {"name": "PerGB2018"},
        "retention_in_days": cluster.spec.audit_logs.retention_days,
        "tags": tags(cluster),
    }


def audit_diagnostics_args(cluster: ResolvedCluster, cluster_id: Ref, workspace_id: Ref) -> dict[str, Any]:
    """Diagnostic setting: the API server's audit log categories into the workspace."""
    return {
        "name": physical_name(cluster.name, "audit"),
        "resource_uri": cluster_id,
        "workspace_id": workspace_id,
        "log_analytics_destination_type": "Dedicated",
        "logs": [{"category": c, "enabled": True} for c in AUDIT_LOG_CATEGORIES],
    }


def disk_encryption_set_args(cluster: ResolvedCluster, rg: Ref) -> dict[str, Any]:
    """A disk encryption set over the spec's key: node OS disks and block volumes use it."""
    enc = cluster.spec.encryption
    return {
        "disk_encryption_set_name": physical_name(cluster.name, "des"),
        "resource_group_name": rg,
        "location": cluster.spec.region,
        "identity": {"type": "SystemAssigned"},
        "encryption_type": "EncryptionAtRestWithCustomerKey",
        "active_key": {"key_url": enc.kms_key, "source_vault": {"id": enc.key_vault}},
        "rotation_to_latest_key_version_enabled": False,
        "tags": tags(cluster),
    }


def trusted_launch(pool: ResolvedPool | None, system_vm_size: str | None = None) -> dict[str, Any] | None:
    """Trusted Launch (vTPM, secure boot) where the VM size supports it (catalog ``trustedLaunch``).

    Secure boot only where no unsigned driver must load: AKS's own GPU driver install and the
    GPU/Network Operators' drivers are not signed for it, so GPU pools get vTPM only.
    https://learn.microsoft.com/azure/aks/use-trusted-launch
    """
    if pool is None:
        if (system_vm_size or DEFAULT_SYSTEM_VM_SIZE) != DEFAULT_SYSTEM_VM_SIZE:
            return None  # a size the catalog does not describe: leave it to AKS
        return {"enable_vtpm": True, "enable_secure_boot": True}
    if not pool.offer.trusted_launch:
        return None
    return {"enable_vtpm": True, "enable_secure_boot": False}


# ----- GPU pools -----------------------------------------------------------------------------


def device_resource(pool: ResolvedPool) -> str:
    """The Kubernetes extended resource of the pool's accelerators (``nvidia.com/gpu``)."""
    vendor = get_catalog().accelerators[pool.offer.accelerator].vendor
    return DEVICE_RESOURCE.get(vendor, f"{vendor}.com/gpu")


def gpu_driver(pool: ResolvedPool) -> str:
    """``Install`` (AKS installs the NVIDIA driver) or ``None`` (skip the driver install).

    Skipped when the spec says ``gpuDriver: none``, for InfiniBand pools (the NVIDIA Network
    Operator and GPU Operator install MOFED and a driver with GPUDirect RDMA support), and for
    non-NVIDIA accelerators, whose driver AKS does not install (AMD GPU Operator).
    https://learn.microsoft.com/azure/aks/gpu-cluster#skip-gpu-driver-installation
    """
    vendor = get_catalog().accelerators[pool.offer.accelerator].vendor
    if pool.spec.gpu_driver == "none" or pool.fabric is not None or vendor != "nvidia":
        return "None"
    return "Install"


def node_labels(pool: ResolvedPool) -> dict[str, str]:
    """Kubernetes labels of a pool's nodes: the aiinfra ones, then the pool's own ``labels``.

    Pools where AKS installs the NVIDIA driver (and its container toolkit) also carry the GPU
    Operator's opt-out label, so an operator in the cluster (ours serves the pools whose driver
    install is skipped) leaves them to the standalone device plugin.
    """
    skip = get_catalog().addons.addons["gpuOperator"].skip_node_labels if gpu_driver(pool) == "Install" else {}
    labels = {
        **skip,
        LABEL_POOL: pool.name,
        LABEL_ACCELERATOR: pool.offer.accelerator,
    }
    if pool.fabric is not None:
        labels[LABEL_FABRIC] = pool.fabric.kind
    if pool.spec.local_ssd == "raid0":
        labels[LABEL_LOCAL_NVME] = "raid0"
    return {**labels, **dict(pool.spec.labels)}


def agent_pool_args(
    cluster: ResolvedCluster,
    pool: ResolvedPool,
    rg: Ref,
    cluster_name: Ref,
    subnet_id: Ref | None,
    ppg_id: Ref | None,
) -> dict[str, Any]:
    """An AKS user agent pool (one VM scale set) for a GPU pool."""
    spec = pool.spec
    args: dict[str, Any] = {
        "agent_pool_name": spec.name,
        "resource_group_name": rg,
        "resource_name_": cluster_name,
        "mode": "User",
        "type": "VirtualMachineScaleSets",
        "vm_size": pool.offer.machine_type,
        "os_type": "Linux",
        # Ubuntu: the Azure Managed Lustre CSI driver and the NVIDIA Network Operator's MOFED
        # containers support Ubuntu node images.
        "os_sku": "Ubuntu",
        "os_disk_size_gb": spec.disk_size_gib,
        "enable_node_public_ip": False,
        "enable_auto_scaling": True,
        "min_count": spec.min_nodes,
        "max_count": spec.max_nodes,
        "count": spec.min_nodes,
        "gpu_profile": {"driver": gpu_driver(pool)},
        "node_taints": [f"{device_resource(pool)}=present:NoSchedule"],
        "node_labels": node_labels(pool),
        "tags": tags(cluster, **{LABEL_POOL: spec.name}),
    }
    if cluster.spec.kubernetes.version and not cluster.spec.kubernetes.existing_cluster:
        args["orchestrator_version"] = cluster.spec.kubernetes.version
    if cluster.spec.zone:
        args["availability_zones"] = [cluster.spec.zone]
    if subnet_id is not None:
        args["vnet_subnet_id"] = subnet_id
    if ppg_id is not None:
        args["proximity_placement_group_id"] = ppg_id
    if spec.capacity != "spot":
        # GPU capacity is scarce: replace nodes in place rather than surge extra ones. Spot
        # pools keep AKS's own upgrade behaviour (their nodes can be evicted at any time).
        args["upgrade_settings"] = {"max_surge": "0", "max_unavailable": "1"}
    if spec.capacity == "spot":
        args.update(
            scale_set_priority="Spot",
            scale_set_eviction_policy="Delete",
            spot_max_price=-1,  # pay up to the on-demand price; evicted only for capacity
        )
    elif spec.capacity == "reserved":
        args["capacity_reservation_group_id"] = spec.reservation
    launch = trusted_launch(pool)
    if launch is not None:
        args["security_profile"] = launch
    if cluster.spec.encryption.at_host:
        args["enable_encryption_at_host"] = True
    if spec.local_ssd == "raid0":
        # An ephemeral OS disk would take one NVMe disk of the size for itself; a managed OS
        # disk leaves all of them to the RAID0 scratch volume.
        # https://learn.microsoft.com/azure/aks/best-practices-storage-nvme
        args["os_disk_type"] = "Managed"
    return args


def ppg_args(cluster: ResolvedCluster, pool: ResolvedPool, rg: Ref) -> dict[str, Any]:
    """A proximity placement group for a compact (fabric) pool, pinned to the pool's size."""
    args: dict[str, Any] = {
        "proximity_placement_group_name": physical_name(cluster.name, pool.name, "ppg"),
        "resource_group_name": rg,
        "location": cluster.spec.region,
        "proximity_placement_group_type": "Standard",
        "intent": {"vm_sizes": [pool.offer.machine_type]},
        "tags": tags(cluster, **{LABEL_POOL: pool.name}),
    }
    if cluster.spec.zone:
        args["zones"] = [cluster.spec.zone]
    return args


# ----- storage -------------------------------------------------------------------------------


def aml_filesystem_args(
    cluster: ResolvedCluster, storage: ResolvedStorage, rg: Ref, subnet_id: Ref, identity_id: Ref | None = None
) -> dict[str, Any]:
    """Azure Managed Lustre: SKU from the throughput tier, capacity in whole TiB, one zone, and
    the spec's customer-managed key (read as ``identity_id``) when there is one."""
    if storage.tier.sku is None:
        raise TranslateError(f"{storage.spec.path}.throughputMBpsPerTiB", "the catalog has no AMLFS SKU for this tier")
    if cluster.spec.zone is None:
        raise TranslateError(f"{cluster.spec.path}.zone", "Azure Managed Lustre is zonal: set zone")
    args: dict[str, Any] = {
        "aml_filesystem_name": physical_name(cluster.name, storage.name),
        "resource_group_name": rg,
        "location": cluster.spec.region,
        "sku": {"name": storage.tier.sku},
        "storage_capacity_ti_b": storage.spec.capacity_gib / 1024,
        "zones": [cluster.spec.zone],
        "filesystem_subnet": subnet_id,
        "maintenance_window": dict(AMLFS_MAINTENANCE),
        "tags": tags(cluster, **{LABEL_STORAGE: storage.name}),
    }
    enc = cluster.spec.encryption
    if enc.kms_key and identity_id is not None:
        # The file system reads the key as this user-assigned identity.
        # https://learn.microsoft.com/azure/azure-managed-lustre/customer-managed-encryption-keys
        args["identity"] = {"type": "UserAssigned", "user_assigned_identities": [identity_id]}
        args["encryption_settings"] = {
            "key_encryption_key": {"key_url": enc.kms_key, "source_vault": {"id": enc.key_vault}}
        }
    return args


def key_vault_key(key_id: str) -> dict[str, str]:
    """``https://<vault>.vault.azure.net/keys/<name>/<version>`` (the spec's ``kmsKey``, checked
    by ``validate``) -> a storage account's ``key_vault_properties``: the vault URI, key name and
    version, as storage accounts take a key."""
    vault, _, rest = key_id.partition("/keys/")
    name, _, version = rest.partition("/")
    return {"key_vault_uri": vault, "key_name": name, "key_version": version}


def nfs_account_args(
    cluster: ResolvedCluster,
    storage: ResolvedStorage,
    rg: Ref,
    account_name: str,
    subnet_ids: Sequence[Ref],
    identity_id: Ref | None = None,
) -> dict[str, Any]:
    """A premium FileStorage account for NFS shares, reachable only from the node subnet, and
    the spec's customer-managed key (read as ``identity_id``) when there is one.

    NFS Azure file shares need "secure transfer required" off (NFS 4.1 has no TLS in the
    protocol); access is restricted by the VNet rule instead.
    https://learn.microsoft.com/azure/storage/files/files-nfs-protocol#security-and-networking
    """
    args: dict[str, Any] = {
        "account_name": account_name,
        "resource_group_name": rg,
        "location": cluster.spec.region,
        "kind": "FileStorage",
        "sku": {"name": "Premium_LRS"},
        "enable_https_traffic_only": False,
        "allow_blob_public_access": False,
        "minimum_tls_version": "TLS1_2",
        "network_rule_set": {
            "default_action": "Deny",
            "bypass": "AzureServices",
            "virtual_network_rules": [{"virtual_network_resource_id": s, "action": "Allow"} for s in subnet_ids],
        },
        "tags": tags(cluster, **{LABEL_STORAGE: storage.name}),
    }
    enc = cluster.spec.encryption
    if enc.kms_key and identity_id is not None:
        # Storage service encryption with the Key Vault key, read as this user-assigned
        # identity (the account has no identity of its own before it exists). NFS shares are
        # encrypted at rest like SMB ones; the file service's key type must be Account.
        # https://learn.microsoft.com/azure/storage/common/customer-managed-keys-configure-new-account
        args["identity"] = {"type": "UserAssigned", "user_assigned_identities": [identity_id]}
        args["encryption"] = {
            "key_source": "Microsoft.Keyvault",
            "key_vault_properties": key_vault_key(enc.kms_key),
            "encryption_identity": {"encryption_user_assigned_identity": identity_id},
            "services": {"file": {"enabled": True, "key_type": "Account"}},
        }
    return args


def nfs_share_args(storage: ResolvedStorage, rg: Ref, account_name: Ref) -> dict[str, Any]:
    return {
        "share_name": storage.name,
        "account_name": account_name,
        "resource_group_name": rg,
        "enabled_protocols": "NFS",
        "root_squash": "NoRootSquash",
        "share_quota": storage.spec.capacity_gib,
    }


def disk_args(
    cluster: ResolvedCluster, storage: ResolvedStorage, rg: Ref, disk_encryption_set_id: Ref | None = None
) -> dict[str, Any]:
    """A Premium SSD v2 managed disk (zonal), with provisioned IOPS/throughput when given, and
    the spec's customer-managed key (through the cluster's disk encryption set) when there is one."""
    args: dict[str, Any] = {
        "disk_name": physical_name(cluster.name, storage.name),
        "resource_group_name": rg,
        "location": cluster.spec.region,
        "sku": {"name": "PremiumV2_LRS"},
        "disk_size_gb": storage.spec.capacity_gib,
        "creation_data": {"create_option": "Empty"},
        "tags": tags(cluster, **{LABEL_STORAGE: storage.name}),
    }
    if cluster.spec.zone:
        args["zones"] = [cluster.spec.zone]
    if disk_encryption_set_id is not None:
        args["encryption"] = {
            "disk_encryption_set_id": disk_encryption_set_id,
            "type": "EncryptionAtRestWithCustomerKey",
        }
    if storage.spec.iops is not None:
        args["disk_iops_read_write"] = storage.spec.iops
    if storage.spec.throughput_mbps is not None:
        args["disk_m_bps_read_write"] = storage.spec.throughput_mbps
    return args


# ----- outputs -------------------------------------------------------------------------------


def decode_kubeconfig(result: Any) -> str:
    """The first kubeconfig of a listManagedClusterUserCredentials result, as text."""
    configs = getattr(result, "kubeconfigs", None) or []
    if not configs:
        return ""
    value = getattr(configs[0], "value", None) or ""
    try:
        return base64.b64decode(value).decode("utf-8")
    except (ValueError, UnicodeDecodeError):
        return str(value)


# The AKS-managed Entra ID server application: the audience of every token kubectl presents to
# an AKS cluster with Entra ID integration (the same in every tenant).
# https://azure.github.io/kubelogin/concepts/aks.html
AKS_ENTRA_SERVER_ID = "6dae42f8-4368-4678-94ff-3960e28e3630"


def entra_kubeconfig(text: str) -> str:
    """The cluster-user kubeconfig with every user authenticating through ``kubelogin`` and the
    Azure CLI's login, so nothing asks for a device code.

    With local accounts disabled the kubeconfig AKS returns signs in interactively; what
    ``kubelogin convert-kubeconfig -l azurecli`` writes instead works wherever ``az login``
    (or ``azure/login`` with OIDC in CI) has run: kubectl, and the add-ons' Kubernetes provider.
    """
    if not text.strip():
        return text
    doc = yaml.safe_load(text)
    if not isinstance(doc, dict):
        return text
    for user in doc.get("users") or []:
        if isinstance(user, dict):
            user["user"] = {
                "exec": {
                    "apiVersion": "client.authentication.k8s.io/v1beta1",
                    "command": "kubelogin",
                    "args": ["get-token", "--login", "azurecli", "--server-id", AKS_ENTRA_SERVER_ID],
                    "interactiveMode": "Never",
                    "installHint": "install kubelogin (az aks install-cli) and sign in with az login",
                }
            }
    return str(yaml.safe_dump(doc, sort_keys=False))


@dataclass(frozen=True)
class FabricNotes:
    """What a cluster with InfiniBand pools needs outside Pulumi (outputs and docs)."""

    pools: tuple[str, ...]
    feature: str | None
    operator: str | None
    steps: tuple[str, ...] = field(default=())

    def as_output(self) -> dict[str, Any]:
        return {
            "pools": list(self.pools),
            "aksFeature": self.feature,
            "registerFeature": INFINIBAND_FEATURE_COMMAND.format(feature=self.feature) if self.feature else None,
            "operator": self.operator,
            "nextSteps": list(self.steps),
        }


def _addon_plan(cluster: ResolvedCluster) -> Any:
    from components.addons.plan import addon_plan  # a floor above; imported here to keep validate light

    return addon_plan(cluster)


def _yourself(addon: str) -> str:
    """The tail of a step ai-infra's add-on would have done, had it not been switched off."""
    return f" (clusters[].addons.{addon} is disabled; with auto, ai-infra installs it)"


def fabric_notes(cluster: ResolvedCluster) -> FabricNotes | None:
    """What InfiniBand pools need outside Pulumi: the subscription feature, always; the NVIDIA
    Network Operator and GPU Operator only where their add-ons are switched off."""
    pools = [p for p in cluster.pools if p.fabric is not None]
    if not pools:
        return None
    fabric = pools[0].fabric
    assert fabric is not None
    plan = _addon_plan(cluster)
    steps = []
    if fabric.aks_feature:
        steps.append(
            f"before `pulumi up`: {INFINIBAND_FEATURE_COMMAND.format(feature=fabric.aks_feature)}, wait until "
            "Registered, then `az provider register --namespace Microsoft.ContainerService`"
        )
    if fabric.operator and not plan["networkOperator"].on:
        steps.append(
            f"install the {fabric.operator} (MOFED driver, RDMA shared device plugin) on the InfiniBand pools: "
            "https://azure.github.io/aks-rdma-infiniband/" + _yourself("networkOperator")
        )
    if not plan["gpuOperator"].on:
        steps.append(
            "install the NVIDIA GPU Operator with GPUDirect RDMA on the InfiniBand pools (AKS skips their driver)"
            + _yourself("gpuOperator")
        )
    return FabricNotes(
        pools=tuple(p.name for p in pools), feature=fabric.aks_feature, operator=fabric.operator, steps=tuple(steps)
    )


def next_steps(cluster: ResolvedCluster) -> list[str]:
    """What the user still does by hand for this cluster (outputs and docs): cloud-side steps
    Pulumi cannot take, and what a switched-off add-on (``clusters[].addons``) would have done."""
    steps: list[str] = []
    notes = fabric_notes(cluster)
    if notes:
        steps.extend(notes.steps)
    plan = _addon_plan(cluster)
    accels = get_catalog().accelerators
    vendors = {accels[p.offer.accelerator].vendor for p in cluster.pools}
    if any(gpu_driver(p) == "Install" for p in cluster.pools) and not plan["nvidiaDevicePlugin"].on:
        # AKS installs the driver but not the device plugin that advertises nvidia.com/gpu.
        # https://learn.microsoft.com/azure/aks/gpu-cluster#install-the-nvidia-device-plugin
        steps.append(
            "install the NVIDIA device plugin DaemonSet (tolerating nvidia.com/gpu) on pools where AKS installs the "
            "driver, so nodes advertise nvidia.com/gpu" + _yourself("nvidiaDevicePlugin")
        )
    if (
        any(
            p.spec.gpu_driver == "none" and p.fabric is None and accels[p.offer.accelerator].vendor == "nvidia"
            for p in cluster.pools
        )
        and not plan["gpuOperator"].on
    ):
        steps.append(
            "install the NVIDIA GPU Operator for pools created with gpuDriver: none" + _yourself("gpuOperator")
        )
    if "amd" in vendors:
        # No add-on for AMD GPUs: AKS installs no AMD driver and ai-infra does not ship its operator.
        steps.append("install the AMD GPU Operator (driver and amd.com/gpu device plugin) for AMD pools")
    if any(p.spec.local_ssd == "raid0" for p in cluster.pools):
        steps.append(
            "apply the localNvmeRaid0Manifest output (kubectl apply -f -) to assemble each node's NVMe disks "
            "into /mnt/nvme, or use Azure Container Storage's local NVMe storage pool"
        )
    kinds = {s.spec.kind for s in cluster.storage}
    if "lustre" in kinds and not plan["lustreCsi"].on:
        steps.append(
            "install the Azure Managed Lustre CSI driver (https://github.com/kubernetes-sigs/azurelustre-csi-driver) "
            "and create a static PersistentVolume from the lustre output's mgsAddress" + _yourself("lustreCsi")
        )
    if "nfs" in kinds and not plan["nfsCsi"].on:
        steps.append(
            "mount NFS shares with the Azure Files CSI driver (protocol: nfs) or a static NFS volume"
            + _yourself("nfsCsi")
        )
    if "block" in kinds:
        steps.append("attach block volumes as static Azure Disk CSI PersistentVolumes (diskURI = the disk's id)")
    if any(p.spec.capacity == "reserved" for p in cluster.pools):
        steps.append(
            "reserved pools: the cluster identity gets Contributor on each capacity reservation group (that group "
            "only, not its resource group); the role can take minutes to propagate, so a first pool creation may "
            "need a retry "
            "(https://learn.microsoft.com/azure/aks/use-capacity-reservation-groups)"
            if not cluster.spec.kubernetes.existing_cluster
            else "reserved pools: grant the existing cluster's user-assigned identity Contributor on each capacity "
            "reservation group (https://learn.microsoft.com/azure/aks/use-capacity-reservation-groups)"
        )
    if cluster.spec.kubernetes.existing_cluster and (kinds & {"lustre", "nfs"}):
        steps.append(
            "peer the storage VNet (storageVnetId output) with the existing cluster's VNet, and allow the cluster's "
            "node subnet on the NFS storage accounts"
        )
    return steps


RAID0_MOUNT = "/mnt/nvme"


def raid0_manifest(cluster: ResolvedCluster) -> str:
    """A DaemonSet that stripes the NVMe disks of raid0 pools into one ext4 volume at /mnt/nvme.

    AKS does not assemble a node's NVMe disks itself; this privileged DaemonSet runs on nodes
    labelled ``aiinfra-local-nvme=raid0`` (and tolerates the GPU taints), builds /dev/md0 from
    every ``Microsoft NVMe Direct Disk`` once per boot and mounts it on the host.
    """
    script = textwrap.dedent(
        f"""\
        set -eu
        if mountpoint -q /host{RAID0_MOUNT}; then echo "{RAID0_MOUNT} already mounted"; exec sleep infinity; fi
        apt-get update -qq && apt-get install -y -qq mdadm nvme-cli >/dev/null
        disks=$(nvme list | awk '/Microsoft NVMe Direct Disk/ {{print $1}}')
        [ -n "$disks" ] || {{ echo "no NVMe direct disks"; exec sleep infinity; }}
        n=$(echo "$disks" | wc -w)
        if [ -e /dev/md0 ]; then
          dev=/dev/md0
        else
          if [ "$n" -gt 1 ]; then
            mdadm --create /dev/md0 --level=0 --raid-devices="$n" $disks --run --force
            dev=/dev/md0
          else
            dev=$disks
          fi
          mkfs.ext4 -F -q "$dev"
        fi
        mkdir -p /host{RAID0_MOUNT}
        nsenter --mount=/proc/1/ns/mnt -- mount "$dev" {RAID0_MOUNT}
        exec sleep infinity
        """
    )
    tolerations = sorted({device_resource(p) for p in cluster.pools if p.spec.local_ssd == "raid0"})
    tol_yaml = "".join(f"        - {{key: {t}, operator: Exists, effect: NoSchedule}}\n" for t in tolerations)
    script_yaml = textwrap.indent(script, " " * 14)
    return (
        "apiVersion: apps/v1\n"
        "kind: DaemonSet\n"
        "metadata: {name: aiinfra-nvme-raid0, namespace: kube-system}\n"
        "spec:\n"
        "  selector: {matchLabels: {app: aiinfra-nvme-raid0}}\n"
        "  template:\n"
        "    metadata: {labels: {app: aiinfra-nvme-raid0}}\n"
        "    spec:\n"
        f"      nodeSelector: {{{LABEL_LOCAL_NVME}: raid0}}\n"
        "      hostPID: true\n"
        "      tolerations:\n"
        f"{tol_yaml}"
        "        - {key: kubernetes.azure.com/scalesetpriority, operator: Exists, effect: NoSchedule}\n"
        "      containers:\n"
        "        - name: raid0\n"
        "          image: ubuntu:22.04\n"
        "          securityContext: {privileged: true}\n"
        "          volumeMounts: [{name: host, mountPath: /host, mountPropagation: Bidirectional}]\n"
        "          command: [/bin/bash, -c]\n"
        "          args:\n"
        "            - |\n"
        f"{script_yaml}"
        "      volumes: [{name: host, hostPath: {path: /}}]\n"
    )
