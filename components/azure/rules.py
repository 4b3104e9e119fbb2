"""Azure-specific spec checks, run by ``aiinfra validate`` after the cloud-neutral ones.

Pure functions over the resolved cluster (no provider SDK import): return a ``SpecIssue``
per problem, with the spec path and a fix. The cloud-neutral checks already cover the AKS
pool name rule (``clouds.yaml``), TPU slices on Azure, and the Managed Lustre capacity per
SKU and its zone (``storage.yaml`` tiers); these add what only AKS and Azure storage need.
"""

from __future__ import annotations

import re

from components.azure import translate as tr
from components.spec.errors import SpecIssue, article, join_path
from components.spec.resolved import ResolvedCluster

# AKS: "Allowed values must be in the range of 0 to 1000 (inclusive) for user pools"
# (AgentPool.count, API 2025-09-01).
MAX_POOL_NODES = 1000

# Premium SSD v2 performance: 3,000 IOPS and 125 MB/s free; up to 500 IOPS per GiB (80,000
# max) and 0.25 MB/s per provisioned IOPS (1,200 MB/s max; the max is in storage.yaml).
# https://learn.microsoft.com/azure/virtual-machines/disks-types#premium-ssd-v2
PV2_BASE_IOPS = 3000
PV2_BASE_MBPS = 125
PV2_IOPS_PER_GIB = 500
PV2_MBPS_PER_IOPS = 0.25

# Azure file share names: 3-63 lowercase letters, digits and single hyphens, starting and
# ending with a letter or digit.
# https://learn.microsoft.com/rest/api/storageservices/naming-and-referencing-shares--directories--files--and-metadata
_SHARE_NAME = re.compile(r"^[a-z0-9](?:[a-z0-9]|-(?!-)){1,61}[a-z0-9]$")


def check_cluster(cluster: ResolvedCluster) -> list[SpecIssue]:
    """Problems specific to Azure in a resolved cluster."""
    issues: list[SpecIssue] = []
    spec = cluster.spec
    k8s = spec.kubernetes
    p = spec.path

    if k8s.existing_cluster is not None and tr.parse_aks_id(k8s.existing_cluster) is None:
        issues.append(
            SpecIssue(
                join_path(p, "kubernetes", "existingCluster"),
                f"'{k8s.existing_cluster}' is not an AKS cluster resource ID",
                "use /subscriptions/<sub>/resourceGroups/<rg>/providers/Microsoft.ContainerService/"
                "managedClusters/<name> (az aks show --query id -o tsv)",
            )
        )
    if k8s.version and k8s.release_channel in ("rapid", "stable") and not k8s.existing_cluster:
        issues.append(
            SpecIssue(
                join_path(p, "kubernetes", "releaseChannel"),
                f"the AKS '{tr.UPGRADE_CHANNEL[k8s.release_channel]}' channel upgrades minor versions on its own, "
                f"so the pinned version {k8s.version} will drift from the cluster",
                "use releaseChannel: regular (AKS 'patch' channel) to keep the pinned minor, or remove version",
                severity="warning",
            )
        )

    for pool in spec.gpu_pools:
        pp = pool.path
        if pool.name == tr.SYSTEM_POOL_NAME and not k8s.existing_cluster:
            issues.append(
                SpecIssue(
                    join_path(pp, "name"),
                    f"'{pool.name}' is the name of the AKS system pool ai-infra creates",
                    "choose another pool name",
                )
            )
        if pool.max_nodes > MAX_POOL_NODES:
            issues.append(
                SpecIssue(
                    join_path(pp, "maxNodes"),
                    f"an AKS agent pool holds at most {MAX_POOL_NODES} nodes, got {pool.max_nodes}",
                    "split the pool in two",
                )
            )
        if (
            pool.capacity == "reserved"
            and pool.reservation
            and not tr.is_capacity_reservation_group_id(pool.reservation)
        ):
            issues.append(
                SpecIssue(
                    join_path(pp, "reservation"),
                    f"'{pool.reservation}' is not a capacity reservation group resource ID",
                    "AKS consumes capacity reservation groups: /subscriptions/<sub>/resourceGroups/<rg>/providers/"
                    "Microsoft.Compute/capacityReservationGroups/<name>",
                )
            )
        if pool.gpu_driver == "latest":
            issues.append(
                SpecIssue(
                    join_path(pp, "gpuDriver"),
                    "AKS installs the driver version its node image was tested with; it has no 'latest' option",
                    "use gpuDriver: default, or none and install the driver with the NVIDIA GPU Operator",
                    severity="warning",
                )
            )

    kinds = set()
    for st in spec.storage:
        kinds.add(st.kind)
        sp = st.path
        if st.kind == "block":
            if spec.zone is None:
                issues.append(
                    SpecIssue(
                        join_path(p, "zone"),
                        f"block volume '{st.name}' is a Premium SSD v2 disk, which attaches only to zonal nodes",
                        "set zone (e.g. 1)",
                    )
                )
            max_iops = max(PV2_BASE_IOPS, PV2_IOPS_PER_GIB * st.capacity_gib)
            if st.iops is not None and st.iops > max_iops:
                issues.append(
                    SpecIssue(
                        join_path(sp, "iops"),
                        f"{article(str(st.capacity_gib))} GiB Premium SSD v2 disk allows at most {max_iops} IOPS "
                        f"({PV2_IOPS_PER_GIB} per GiB), got {st.iops}",
                        f"raise capacityGiB to at least {-(-st.iops // PV2_IOPS_PER_GIB)} or lower iops",
                    )
                )
            iops = st.iops or PV2_BASE_IOPS
            max_mbps = max(PV2_BASE_MBPS, int(iops * PV2_MBPS_PER_IOPS))
            if st.throughput_mbps is not None and st.throughput_mbps > max_mbps:
                issues.append(
                    SpecIssue(
                        join_path(sp, "throughputMBps"),
                        f"Premium SSD v2 allows {PV2_MBPS_PER_IOPS} MB/s per provisioned IOPS: at most {max_mbps} MB/s "
                        f"with {iops} IOPS, got {st.throughput_mbps}",
                        f"raise iops to at least {int(st.throughput_mbps / PV2_MBPS_PER_IOPS)}",
                    )
                )
        if st.kind == "nfs" and not _SHARE_NAME.match(st.name):
            issues.append(
                SpecIssue(
                    join_path(sp, "name"),
                    f"'{st.name}' is not a valid Azure file share name",
                    "3-63 lowercase letters, digits and single hyphens, starting and ending with a letter or digit",
                )
            )

    if k8s.existing_cluster and kinds & {"lustre", "nfs"}:
        issues.append(
            SpecIssue(
                join_path(p, "kubernetes", "existingCluster"),
                "storage for an existing cluster is created in a new VNet (network.cidr) that you must peer with the "
                "cluster's VNet; NFS accounts admit only that VNet's subnet until you add the cluster's",
                "see docs/azure.md, 'Existing clusters'",
                severity="warning",
            )
        )

    # The address plan must fit: node subnet plus one subnet per Lustre file system.
    try:
        tr.network_layout(cluster)
    except tr.TranslateError as err:
        hint = "use a larger network.cidr (e.g. a /16)" if err.path.endswith("network.cidr") else None
        issues.append(SpecIssue(err.path, err.message, hint))
    except ValueError as err:  # an invalid CIDR is reported by the cloud-neutral checks
        if "overlaps" in str(err):
            issues.append(SpecIssue(join_path(p, "network", "cidr"), str(err), "use another network.cidr"))
    return issues
