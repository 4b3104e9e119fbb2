"""GCP-specific spec checks, run by ``aiinfra validate`` after the cloud-neutral ones.

Pure functions over the resolved cluster (no provider SDK import): return a ``SpecIssue``
per problem, with the spec path and a fix. Only what ``components.spec.semantic`` does not
already check (zones for fabric / compact placement / TPUs / Lustre, TPU topologies, spot vs
reservation, storage sizes from the catalog) lives here.
"""

from __future__ import annotations

import ipaddress
import re

from components.gcp.translate import (
    ACCELERATOR_MAX_PODS,
    DEFAULT_MAX_PODS,
    LUSTRE_LEGACY_BELOW,
    NetworkPlan,
    address_demand,
    cidr_that_fits,
    network_plan,
    pod_range_per_node,
)
from components.spec.errors import SpecIssue, join_path
from components.spec.resolved import ResolvedCluster

# GKE versions that gate what ai-infra turns on (each with the page that says so).
# Multi-networking (always on, so fabric pools can be added later without a new cluster)
# needs GKE 1.28+: https://cloud.google.com/kubernetes-engine/docs/how-to/setup-multinetwork-support-for-pods
MIN_GKE_MULTI_NETWORK = (1, 28)
# The Managed Lustre CSI driver needs GKE 1.31.5-gke.1299000+ (a 1.31 cluster gets the newest 1.31 patch):
# https://cloud.google.com/managed-lustre/docs/connect-from-kubernetes-engine-existing-instance
MIN_GKE_LUSTRE = (1, 31)
# Hyperdisk Balanced: at most 500 provisioned IOPS per GiB of capacity
# (https://cloud.google.com/compute/docs/disks/hyperdisks#hyperdisk-balanced).
HYPERDISK_BALANCED_IOPS_PER_GIB = 500
# GCE / TPU resource names: lowercase letters, digits, hyphens, at most 63 characters.
RESOURCE_NAME_MAX = 63
POOL_NAME_MAX = 40
RESERVED_POOL_NAMES = ("system",)
# GKE Standard compact placement: up to 150 nodes per placement group
# (https://cloud.google.com/kubernetes-engine/docs/how-to/compact-placement); a warning,
# because larger A3/A4 reservations bring their own placement.
COMPACT_MAX_NODES = 150
# The cloud-neutral checks want a /20 or larger cluster CIDR.
MAX_CIDR_PREFIX = 20
_EXISTING_ID = re.compile(r"^(projects/[^/]+/locations/[a-z0-9-]+/clusters/)?[a-z]([-a-z0-9]*[a-z0-9])?$")


def _version(v: str | None) -> tuple[int, int] | None:
    if v is None:
        return None
    major, minor = v.split(".")[:2]
    return int(major), int(minor)


def check_cluster(cluster: ResolvedCluster) -> list[SpecIssue]:
    """Problems specific to GCP in a resolved cluster."""
    issues: list[SpecIssue] = []
    spec = cluster.spec
    p = spec.path
    k8s_path = join_path(p, "kubernetes")
    version = _version(spec.kubernetes.version)

    if version is not None and version < MIN_GKE_MULTI_NETWORK:
        issues.append(
            SpecIssue(
                join_path(k8s_path, "version"),
                f"GKE {spec.kubernetes.version} is too old: ai-infra clusters use multi-networking "
                "and Dataplane V2, which need GKE 1.28 or later",
                "use kubernetes.version 1.28 or later",
            )
        )
    existing = spec.kubernetes.existing_cluster
    if existing is not None:
        if not _EXISTING_ID.match(existing):
            issues.append(
                SpecIssue(
                    join_path(k8s_path, "existingCluster"),
                    f"'{existing}' is neither a GKE cluster name nor a cluster id",
                    "give the name (a regional cluster in the cluster's region) or "
                    "projects/<project>/locations/<location>/clusters/<name>",
                )
            )
        if any(pool.fabric is not None for pool in cluster.pools):
            issues.append(
                SpecIssue(
                    join_path(k8s_path, "existingCluster"),
                    "fabric pools attach extra NICs through GKE multi-networking; the existing cluster must "
                    "have been created with --enable-multi-networking and Dataplane V2",
                    "check with: gcloud container clusters describe <name> --format='value(networkConfig)'",
                    severity="warning",
                )
            )
        if any(s.spec.kind in ("lustre", "nfs") for s in cluster.storage):
            issues.append(
                SpecIssue(
                    join_path(k8s_path, "existingCluster"),
                    "ai-infra does not change an existing cluster's VPC: Managed Lustre and Filestore need "
                    "private services access (and for Lustre a firewall rule for TCP 988) set up on it already",
                    "see docs/gcp.md, 'Existing clusters'",
                    severity="warning",
                )
            )

    # Network plan: fabric and private-services ranges must find room beside the cluster CIDR,
    # and the pods / nodes / fabric ranges must hold every node at max scale.
    cidr_path = join_path(p, "network", "cidr")
    try:
        primary = ipaddress.ip_network(spec.network.cidr, strict=True)
        well_formed = primary.version == 4 and primary.prefixlen <= MAX_CIDR_PREFIX
    except ValueError:
        well_formed = False
    plan: NetworkPlan | None = None
    try:
        # A malformed or too small CIDR is already reported by the cloud-neutral checks.
        plan = network_plan(cluster) if well_formed else None
    except ValueError as exc:
        issues.append(
            SpecIssue(cidr_path, str(exc), "use a cluster CIDR in 10.0.0.0/8 outside 10.253.0.0/16-10.255.0.0/16")
        )
    if plan is not None:
        need = address_demand(cluster, plan)
        wider = cidr_that_fits(spec.network.cidr, need)
        larger = f"network.cidr: {wider}" if wider else "a larger network.cidr"
        if need.pod_addresses > need.pod_range:
            acc, system = pod_range_per_node(ACCELERATOR_MAX_PODS), pod_range_per_node(DEFAULT_MAX_PODS)
            issues.append(
                SpecIssue(
                    cidr_path,
                    f"the pods range {plan.address.pods} (the upper half of {spec.network.cidr}) has "
                    f"{need.pod_range} addresses; {need.nodes_text()} need {need.pod_addresses}: GKE reserves "
                    f"a range per node, /{33 - system.bit_length()} for a system node and "
                    f"/{33 - acc.bit_length()} for an accelerator node",
                    f"use {larger}, or lower maxNodes",
                )
            )
        if need.nodes > need.node_range:
            issues.append(
                SpecIssue(
                    cidr_path,
                    f"the node subnet {plan.address.nodes} (the first quarter of {spec.network.cidr}) holds "
                    f"{need.node_range} nodes; {need.nodes_text()}",
                    f"use {larger}, or lower maxNodes",
                )
            )
        if need.fabric_nodes > need.fabric_subnet:
            issues.append(
                SpecIssue(
                    join_path(p, "gpuPools"),
                    f"fabric pools reach {need.fabric_nodes} nodes at max scale; each fabric subnet holds "
                    f"{need.fabric_subnet}",
                    "lower maxNodes of the fabric pools, or split them across clusters",
                )
            )

    for pool in cluster.pools:
        if pool.compact and pool.spec.max_nodes > COMPACT_MAX_NODES:
            issues.append(
                SpecIssue(
                    join_path(pool.spec.path, "maxNodes"),
                    f"pool '{pool.name}' uses compact placement, which GKE documents for up to "
                    f"{COMPACT_MAX_NODES} nodes; maxNodes is {pool.spec.max_nodes}",
                    "split the pool, or consume a reservation that brings its own placement (placement: none)",
                    severity="warning",
                )
            )
        if pool.name in RESERVED_POOL_NAMES:
            issues.append(
                SpecIssue(
                    join_path(pool.spec.path, "name"),
                    f"'{pool.name}' is the name of the cluster's system node pool",
                    "choose another pool name",
                )
            )

    for sl in cluster.slices:
        sp = sl.spec
        if sl.name in RESERVED_POOL_NAMES:
            issues.append(
                SpecIssue(
                    join_path(sp.path, "name"),
                    f"'{sl.name}' is the name of the cluster's system node pool",
                    "choose another slice name",
                )
            )
        if sp.count > 1 and sp.mode == "gke":
            longest = f"{sl.name}-{sp.count - 1}"
            if len(longest) > POOL_NAME_MAX:
                issues.append(
                    SpecIssue(
                        join_path(sp.path, "name"),
                        f"multislice node pools are named <name>-<index>; '{longest}' is longer than "
                        f"{POOL_NAME_MAX} characters",
                        f"shorten the slice name to at most {POOL_NAME_MAX - len(str(sp.count - 1)) - 1} characters",
                    )
                )
        if sp.mode in ("vm", "queued"):
            longest = f"{cluster.name}-{sl.name}" + (f"-{sp.count - 1}" if sp.count > 1 else "")
            if len(longest) > RESOURCE_NAME_MAX:
                issues.append(
                    SpecIssue(
                        join_path(sp.path, "name"),
                        f"TPU VMs are named <cluster>-<slice>[-<index>]; '{longest}' is longer than "
                        f"{RESOURCE_NAME_MAX} characters",
                        "shorten the slice or cluster name",
                    )
                )
        if sp.mode == "queued" and sp.capacity != "on-demand":
            issues.append(
                SpecIssue(
                    join_path(sp.path, "capacity"),
                    f"capacity: {sp.capacity} is not available for TPU queued resources in pulumi-gcp "
                    "(google_tpu_v2_queued_resource has no spot, guaranteed or reservation settings)",
                    "use capacity: on-demand with mode: queued, or mode: vm / gke for spot and reserved capacity",
                )
            )
        if sp.mode == "vm" and sp.reservation is not None:
            issues.append(
                SpecIssue(
                    join_path(sp.path, "reservation"),
                    f"TPU VMs consume any matching reservation in the zone (scheduling_config.reserved); "
                    f"reservation '{sp.reservation}' cannot be targeted by name",
                    "use mode: gke to target a reservation by name",
                    severity="warning",
                )
            )

    kinds = {s.spec.kind for s in cluster.storage}
    if "lustre" in kinds and version is not None and version < MIN_GKE_LUSTRE:
        issues.append(
            SpecIssue(
                join_path(k8s_path, "version"),
                "the Managed Lustre CSI driver needs GKE 1.31.5 or later; "
                f"kubernetes.version is {spec.kubernetes.version}",
                "use kubernetes.version 1.31 or later",
            )
        )
    for st in cluster.storage:
        sp_st = st.spec
        if sp_st.kind == "block":
            if spec.zone is None:
                issues.append(
                    SpecIssue(
                        join_path(p, "zone"),
                        f"block volume '{st.name}' is a zonal Hyperdisk: it needs the cluster's zone",
                        f"set zone (e.g. {spec.region}-a)",
                    )
                )
            disk_name = f"{cluster.name}-{st.name}"
            if len(disk_name) > RESOURCE_NAME_MAX:
                issues.append(
                    SpecIssue(
                        join_path(sp_st.path, "name"),
                        f"the disk is named <cluster>-<storage>; '{disk_name}' is longer than "
                        f"{RESOURCE_NAME_MAX} characters",
                        "shorten the storage or cluster name",
                    )
                )
            cap = sp_st.iops
            allowed = HYPERDISK_BALANCED_IOPS_PER_GIB * sp_st.capacity_gib
            if cap is not None and cap > allowed:
                issues.append(
                    SpecIssue(
                        join_path(sp_st.path, "iops"),
                        f"Hyperdisk Balanced allows at most {HYPERDISK_BALANCED_IOPS_PER_GIB} IOPS per GiB: "
                        f"{sp_st.capacity_gib} GiB allows {allowed}, got {cap}",
                        f"raise capacityGiB to at least {-(-cap // HYPERDISK_BALANCED_IOPS_PER_GIB)} or lower iops",
                    )
                )
    issues += _check_lustre_port(cluster, version)
    issues += _check_tpu_identity(cluster)
    return issues


def _check_lustre_port(cluster: ResolvedCluster, version: tuple[int, int] | None) -> list[SpecIssue]:
    """``lustrePort`` is one choice per cluster, fixed for the file system's life (docs/gcp.md)."""
    issues: list[SpecIssue] = []
    lustre = [st for st in cluster.storage if st.spec.kind == "lustre"]
    chosen: dict[int, str] = {}
    for st in lustre:
        if st.spec.lustre_port is not None:
            chosen.setdefault(st.spec.lustre_port, st.spec.path)
    if len(chosen) > 1:
        later = max(lustre, key=lambda st: st.spec.path if st.spec.lustre_port is not None else "")
        issues.append(
            SpecIssue(
                join_path(later.spec.path, "lustrePort"),
                "Lustre file systems of one cluster share the Lustre CSI driver, which uses one port: "
                f"this cluster's storage asks for {' and '.join(str(p) for p in sorted(chosen))}",
                "give every Lustre item of the cluster the same lustrePort",
            )
        )
    if lustre and not chosen and version is not None and version < LUSTRE_LEGACY_BELOW:
        issues.append(
            SpecIssue(
                join_path(lustre[0].spec.path, "lustrePort"),
                f"with kubernetes.version {cluster.spec.kubernetes.version} Lustre clients use the legacy port 6988; "
                "the port is fixed when the file system is created, so a later version bump must not change it",
                "write lustrePort: 6988 on the Lustre storage now, and keep it after upgrading",
                severity="warning",
            )
        )
    return issues


def _check_tpu_identity(cluster: ResolvedCluster) -> list[SpecIssue]:
    """Queued resources cannot name a service account in pulumi-gcp: say so where it is chosen."""
    return [
        SpecIssue(
            join_path(sl.spec.path, "mode"),
            "TPU queued resources run as the Compute Engine default service account (Editor on the project by "
            "default): pulumi-gcp's V2QueuedResource has no serviceAccount field for its nodes",
            "use mode: vm (TPU VMs run as the cluster's least-privilege node account) or mode: gke, or strip "
            "the default account's roles in the project",
            severity="warning",
        )
        for sl in cluster.slices
        if sl.spec.mode == "queued"
    ]
