"""AWS-specific spec checks, run by ``aiinfra validate`` after the cloud-neutral ones.

Pure functions over the resolved cluster (no provider SDK import): return a ``SpecIssue``
per problem, with the spec path and a fix. The cloud-neutral checks in
``components.spec.semantic`` already cover: ``network.fabric: rdma`` on a machine without
any fabric, a fabric or compact pool without ``zone``, Lustre without ``zone``, storage
sizes against the catalog. What is here needs AWS knowledge.
"""

from __future__ import annotations

from components.aws import facts
from components.aws.translate import RESERVATION_GROUP_ARN, RESERVATION_ID, accelerator_kind, ebs_volume_type
from components.spec.errors import SpecIssue, join_path
from components.spec.resolved import ResolvedCluster, ResolvedPool, ResolvedStorage


def check_cluster(cluster: ResolvedCluster) -> list[SpecIssue]:
    """Problems specific to AWS in a resolved cluster."""
    issues: list[SpecIssue] = []
    for pool in cluster.pools:
        issues.extend(_check_pool(cluster, pool))
    for item in cluster.storage:
        issues.extend(_check_storage(cluster, item))
    return issues


def _check_pool(cluster: ResolvedCluster, pool: ResolvedPool) -> list[SpecIssue]:
    issues: list[SpecIssue] = []
    spec, offer, path = pool.spec, pool.offer, pool.spec.path
    fabric_mode = cluster.spec.network.fabric
    # EFA asked for (rdma) on an instance type with a fabric entry but no EFA interface: the
    # generic check only sees "has a fabric"; EFA needs at least one EFA interface.
    if fabric_mode == "rdma" and offer.has_fabric and (offer.fabric.kind != "efa" or offer.fabric.efa_interfaces < 1):
        issues.append(
            SpecIssue(
                join_path(path, "accelerator"),
                f"network.fabric is rdma but {offer.machine_type} has no EFA interface",
                "use network.fabric: auto, or an instance type with EFA (see `aiinfra catalog --cloud aws`)",
            )
        )
    if pool.fabric is not None and pool.fabric.kind == "efa" and offer.fabric.efa_interfaces < 1:
        issues.append(
            SpecIssue(
                join_path(path, "accelerator"),
                f"{offer.machine_type} gets EFA but the catalog lists no EFA interfaces for it",
                "this is a catalog error; report it",
            )
        )
    if spec.capacity == "reserved" and spec.reservation is not None:
        ok = RESERVATION_ID.match(spec.reservation) or (
            spec.reservation_kind == "reservation" and RESERVATION_GROUP_ARN.match(spec.reservation)
        )
        if not ok:
            what = (
                "a Capacity Block's reservation ID"
                if spec.reservation_kind == "capacity-block"
                else ("a capacity reservation ID or the ARN of a capacity reservation resource group")
            )
            issues.append(
                SpecIssue(
                    join_path(path, "reservation"),
                    f"'{spec.reservation}' is not {what} on AWS",
                    "e.g. cr-0123456789abcdef0 (EC2 console > Capacity Reservations)",
                )
            )
        if cluster.spec.zone is None:
            issues.append(
                SpecIssue(
                    join_path(cluster.spec.path, "zone"),
                    f"pool '{pool.name}' consumes a capacity reservation, which lives in one availability zone",
                    "set zone to the reservation's availability zone",
                )
            )
    if spec.capacity == "reserved" and spec.reservation_kind == "capacity-block" and spec.min_nodes > 0:
        issues.append(
            SpecIssue(
                join_path(path, "minNodes"),
                "a Capacity Block node group must be able to scale to 0 (before the block starts, "
                "and for EKS upgrades, which need the desired size at 0)",
                "set minNodes: 0",
                severity="warning",
            )
        )
    if spec.gpu_driver == "latest":
        issues.append(
            SpecIssue(
                join_path(path, "gpuDriver"),
                "on EKS the driver comes with the accelerated AMI release; latest is the same as default",
                "use gpuDriver: default",
                severity="warning",
            )
        )
    if spec.gpu_driver == "none" and accelerator_kind(offer) == "gpu":
        # The standard AL2023 AMI has no NVIDIA driver, and NVIDIA publishes no Amazon Linux
        # driver container for the GPU Operator (it supports EKS on Ubuntu nodes only).
        # https://github.com/NVIDIA/gpu-operator/issues/686
        issues.append(
            SpecIssue(
                join_path(path, "gpuDriver"),
                f"pool '{pool.name}' gets the standard AL2023 AMI, which has no NVIDIA driver, and the NVIDIA GPU "
                "Operator cannot install one on Amazon Linux: its pods see no GPU until you install the driver on "
                "the nodes yourself (the GPU Operator add-on brings the container toolkit and device plugin)",
                "use gpuDriver: default (the EKS accelerated AMI brings the driver and container toolkit)",
                severity="warning",
            )
        )
    return issues


def _check_storage(cluster: ResolvedCluster, item: ResolvedStorage) -> list[SpecIssue]:
    spec, path = item.spec, item.spec.path
    issues: list[SpecIssue] = []
    if spec.kind == "nfs" and cluster.spec.kubernetes.existing_cluster is not None and cluster.spec.zone is None:
        issues.append(
            SpecIssue(
                join_path(cluster.spec.path, "zone"),
                f"EFS '{spec.name}' on an existing cluster gets its mount target in the cluster's zone",
                "set zone (mount targets for other zones can be added outside ai-infra)",
            )
        )
    if spec.kind != "block":
        return issues
    iops = spec.iops
    limits = ebs_volume_type(iops)
    if iops is not None:
        if iops < limits.min_iops:
            issues.append(
                SpecIssue(
                    join_path(path, "iops"),
                    f"{limits.volume_type} volumes start at {limits.min_iops} IOPS, got {iops}",
                    f"remove iops (gp3 includes {facts.GP3.min_iops}) or raise it",
                )
            )
        # The absolute ceiling (io2 Block Express) is the catalog's maxIops, checked by the
        # cloud-neutral storage check; here only what depends on the volume type and size.
        if iops > limits.max_iops_per_gib * spec.capacity_gib:
            need = -(-iops // limits.max_iops_per_gib)
            issues.append(
                SpecIssue(
                    join_path(path, "iops"),
                    f"{limits.volume_type} allows {limits.max_iops_per_gib} IOPS per GiB: "
                    f"{iops} IOPS needs at least {need} GiB",
                    f"set capacityGiB to {need} or more, or lower iops",
                )
            )
    if spec.throughput_mbps is not None:
        if limits.max_throughput is None:
            issues.append(
                SpecIssue(
                    join_path(path, "throughputMBps"),
                    f"{limits.volume_type} (chosen for iops above {facts.IO2_ABOVE_IOPS}) has no throughput setting: "
                    "it scales with IOPS",
                    "remove throughputMBps",
                )
            )
        else:
            assert limits.min_throughput is not None and limits.max_throughput_per_iops is not None
            if not limits.min_throughput <= spec.throughput_mbps <= limits.max_throughput:
                issues.append(
                    SpecIssue(
                        join_path(path, "throughputMBps"),
                        f"gp3 throughput is {limits.min_throughput} to {limits.max_throughput} MB/s, "
                        f"got {spec.throughput_mbps}",
                    )
                )
            effective_iops = iops if iops is not None else limits.min_iops
            if spec.throughput_mbps > effective_iops * limits.max_throughput_per_iops:
                issues.append(
                    SpecIssue(
                        join_path(path, "throughputMBps"),
                        f"gp3 allows {limits.max_throughput_per_iops} MB/s per provisioned IOPS: "
                        f"{spec.throughput_mbps} MB/s needs at least "
                        f"{int(spec.throughput_mbps / limits.max_throughput_per_iops)} IOPS",
                        "raise iops or lower throughputMBps",
                    )
                )
    return issues
