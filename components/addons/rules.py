"""Checks of ``clusters[].addons`` that need the catalog, run by ``aiinfra validate``.

An add-on ``enabled`` where it cannot run (the EFA device plugin on GKE) or where the cloud
already runs it (the NVIDIA device plugin on GKE) is an error; one that would duplicate
another (device plugin beside the GPU Operator) is an error; one ``enabled`` with nothing to
serve, or ``disabled`` while pools need it, is a warning naming what goes without.
"""

from __future__ import annotations

from components.addons.plan import addon_plan, available
from components.spec.errors import SpecIssue, join_path
from components.spec.resolved import ResolvedCluster

# What a pool loses when its add-on is disabled (for the warning's message).
_WITHOUT = {
    "nvidiaDevicePlugin": "its nodes advertise no nvidia.com/gpu, so no pod can request a GPU",
    "gpuOperator": "its nodes get no NVIDIA driver or device plugin",
    "neuronDevicePlugin": "its nodes advertise no aws.amazon.com/neuron",
    "efaDevicePlugin": "pods cannot request vpc.amazonaws.com/efa, so NCCL falls back to TCP",
    "networkOperator": "pods cannot use InfiniBand (no MOFED driver, no rdma/shared_ib)",
    "gpuDirect": "pods cannot attach the GPU NICs and NCCL has no GPUDirect plugin",
    "lustreCsi": "no pod can mount it by name",
    "nfsCsi": "no pod can mount it by name",
    "kueue": "jobs are not queued against the pool's approved size",
    "jobset": "`aiinfra smoke-test` and multi-node JobSets cannot run",
    "gpuMonitoring": "no GPU utilisation reaches managed Prometheus (aiinfra rightsize has no data)",
}


def check_cluster(cluster: ResolvedCluster) -> list[SpecIssue]:
    """Problems with a resolved cluster's add-on switches."""
    issues: list[SpecIssue] = []
    plan = addon_plan(cluster)
    for name, d in plan.items():
        path = join_path(cluster.spec.path, "addons", name)
        addon = d.addon
        if d.mode == "enabled" and not available(cluster.cloud, addon):
            clouds = ", ".join(sorted(set(addon.clouds) | set(addon.managed)))
            issues.append(
                SpecIssue(path, f"{addon.title} does not run on {cluster.cloud} (it is for {clouds})", f"remove {name}")
            )
            continue
        if d.mode == "enabled" and cluster.cloud in addon.managed and cluster.cloud not in addon.clouds:
            if not d.serves:
                issues.append(
                    SpecIssue(path, f"{addon.managed[cluster.cloud]}; there is nothing to enable", f"remove {name}")
                )
            continue
        if d.mode == "enabled" and not d.serves:
            issues.append(
                SpecIssue(
                    path,
                    f"{addon.title} is enabled but nothing on cluster '{cluster.name}' needs it",
                    f"use {name}: auto to install it only when a pool or storage item needs it",
                    severity="warning",
                )
            )
        if d.mode == "disabled" and d.serves and available(cluster.cloud, addon) and cluster.cloud in addon.clouds:
            issues.append(
                SpecIssue(
                    path,
                    f"{addon.title} is disabled but {', '.join(d.serves)} need it: {_WITHOUT[name]}",
                    f"use {name}: auto, or install it yourself",
                    severity="warning",
                )
            )
    if plan["nvidiaDevicePlugin"].on and plan["gpuOperator"].on:
        issues.append(
            SpecIssue(
                join_path(cluster.spec.path, "addons", "nvidiaDevicePlugin"),
                "the NVIDIA device plugin and the GPU Operator (which runs its own device plugin) would both "
                "advertise nvidia.com/gpu on the same nodes",
                "use nvidiaDevicePlugin: auto (the GPU Operator's plugin serves every NVIDIA pool) "
                "or disable gpuOperator",
            )
        )
    return issues
