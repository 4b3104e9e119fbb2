"""Checks of ``clusters[].addons`` that need the catalog, run by ``aiinfra validate``.

An add-on ``enabled`` where it cannot run (the EFA device plugin on GKE) or where the cloud
already runs it (the NVIDIA device plugin on GKE) is an error; one ``enabled`` with nothing
to serve, or ``disabled`` while pools need it, is a warning naming what goes without. An
add-on that runs only on the pools it serves (a device plugin, the GPU Operator) installs
nothing without one, and the warning says so; the cluster-wide ones install anyway. (The
NVIDIA device plugin and the GPU Operator may both run: they serve disjoint pools.)
``workloadNamespaces`` may not name a namespace Kubernetes reserves (``kube-``, beyond the
built-in ones) or one an add-on runs in. An EKS or AKS cluster whose API endpoint is private
gets a warning when add-ons go in through that endpoint: ``pulumi up`` must run where it
reaches it (GKE's private clusters are reached by their IAM-authorised DNS endpoint).
"""

from __future__ import annotations

from components.addons.objects import (
    BUILTIN_NAMESPACES,
    MONITORING_NAMESPACE,
    EksAddonItem,
    render,
    workload_objects,
)
from components.addons.plan import RULES, addon_plan, available
from components.catalog import get_catalog
from components.spec.errors import SpecIssue, join_path
from components.spec.resolved import ResolvedCluster
from components.spec.security import endpoint_access

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
            rule = RULES[name]
            if rule.pool_bound:
                # Its pods run only on the pools it serves: nothing is installed (addon_plan).
                message = (
                    f"{addon.title} is enabled but no pool on cluster '{cluster.name}' needs it, so nothing is "
                    f"installed: it serves {rule.wants}"
                )
                hint = f"use {name}: auto, which installs it once such a pool exists, or add the pool it is for"
            else:
                message = (
                    f"{addon.title} is enabled but nothing on cluster '{cluster.name}' needs it; it is installed "
                    f"anyway (auto installs it for {rule.wants})"
                )
                hint = f"use {name}: auto to install it only when needed"
            issues.append(
                SpecIssue(
                    path,
                    message,
                    hint,
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
    return issues + _check_namespaces(cluster) + _check_reachable(cluster)


def _addon_namespaces(cloud: str) -> dict[str, str]:
    """Namespace -> the add-on ai-infra runs there on ``cloud`` (never a place for jobs)."""
    out = {MONITORING_NAMESPACE: "the GPU metrics exporters"}
    for addon in get_catalog().addons.addons.values():
        install = addon.install_on(cloud)
        if install is not None and install.namespace not in BUILTIN_NAMESPACES:
            out.setdefault(install.namespace, addon.title)
    return out


def _check_namespaces(cluster: ResolvedCluster) -> list[SpecIssue]:
    """``workloadNamespaces``: no namespace Kubernetes reserves or an add-on runs in; a warning
    when no add-on puts anything there."""
    issues: list[SpecIssue] = []
    spaces = cluster.spec.addons.workload_namespaces
    taken = _addon_namespaces(cluster.cloud)
    for i, ns in enumerate(spaces):
        path = join_path(cluster.spec.path, "addons", "workloadNamespaces", i)
        if ns.startswith("kube-") and ns not in BUILTIN_NAMESPACES:
            issues.append(
                SpecIssue(path, f"'{ns}': Kubernetes reserves the kube- prefix", "choose a name without kube-")
            )
        elif ns in taken:
            issues.append(
                SpecIssue(
                    path,
                    f"'{ns}' is where ai-infra runs {taken[ns]}, not a namespace for jobs",
                    "list the namespaces your teams run jobs in (default: [default])",
                )
            )
    if spaces != ("default",) and not workload_objects(cluster):
        issues.append(
            SpecIssue(
                join_path(cluster.spec.path, "addons", "workloadNamespaces"),
                "nothing goes into these namespaces: Kueue is off and there is no lustre or nfs storage "
                "with its CSI add-on on",
                "remove workloadNamespaces, or turn kueue on",
                severity="warning",
            )
        )
    return issues


# How `pulumi up` reaches a private API endpoint, per cloud (docs/security.md#private-endpoints-and-add-ons).
_PRIVATE_ROUTES = {
    "aws": ("a self-hosted runner in the cluster's VPC (or a peered VPC, Transit Gateway or VPN into it)", ""),
    "azure": (
        "a self-hosted runner in the cluster's VNet (or a peered VNet or VPN into it)",
        " (`az aks command invoke` cannot carry Pulumi's Kubernetes provider)",
    ),
}


def _check_reachable(cluster: ResolvedCluster) -> list[SpecIssue]:
    """A private EKS / AKS API endpoint that the add-ons are installed through: the deployer must
    reach it, which a CI runner outside the VPC cannot."""
    spec = cluster.spec
    if cluster.cloud not in _PRIVATE_ROUTES or spec.kubernetes.existing_cluster is not None:
        return []
    if not endpoint_access(spec, cluster.environment).reached_from_outside:
        return []
    # EKS add-ons go in through the EKS API; everything else through the cluster's API server
    through_api = sorted({item.addon for item in render(cluster) if not isinstance(item, EksAddonItem)})
    if not through_api:
        return []
    route, caveat = _PRIVATE_ROUTES[cluster.cloud]
    chosen = spec.access.endpoint == "private"
    why = "access.endpoint: private" if chosen else f"{cluster.environment} without access.authorizedCidrs"
    cidrs = (
        "set access.endpoint: public and list in access.authorizedCidrs" if chosen else "list in access.authorizedCidrs"
    )
    return [
        SpecIssue(
            join_path(spec.path, "access"),
            f"cluster '{cluster.name}' gets a private API endpoint ({why}), and addons {', '.join(through_api)} "
            "are installed through it: `pulumi up` fails where that endpoint cannot be reached, such as a "
            f"GitHub-hosted runner{caveat}",
            f"run `pulumi up` from {route} and set access.deployFrom: network; or {cidrs} the public egress "
            "CIDR of the machine that runs it "
            "(a CI runner with a static egress IP); or set those addons to disabled and install them from "
            "inside the network",
            severity="warning",
        )
    ]
