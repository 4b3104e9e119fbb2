"""The components of the ai-infra Pulumi package: ``Fleet`` and one cluster component per cloud.

These are what TypeScript, Go, .NET, Java and Pulumi YAML programs get from ``pulumi package
add`` (``provider/PulumiPlugin.yaml`` hosts them). Their inputs are the fleet spec itself,
typed (``components.package.args``, generated from the JSON Schema), and each one runs the
same checks as ``aiinfra validate`` (schema, then catalog semantics) before it creates
anything, so a bad spec fails with the spec path of every problem
(``clusters[0].gpuPools[0].maxNodes``) instead of deep inside a cloud API.

They build through the same code as the Python program (``components.fleet.build_clusters``
and each cloud's ``build_cluster``), so a spec registers the same child resources, with the
same types and names, whichever language declared it.

Why not the GPU pool, TPU slice, fabric network or storage alone: each needs a cluster's
network, identity and fabric layout worked out together (GPUDirect NICs per pool, the RDMA
VPC's subnets, EFA security groups, the storage's private-services peering), which is what
the cluster component does; to add pools or storage to a cluster you already run, give a
cluster component ``kubernetes.existingCluster``.

No ``from __future__ import annotations``: the package schema is inferred from these
annotations at run time and needs them as live types.
"""

import inspect
from collections.abc import Mapping
from enum import Enum
from types import MappingProxyType
from typing import Any

import pulumi

from components.clouds import FleetBuildError
from components.fleet import FLEET_TYPE, BuiltCluster, build_cluster, build_clusters
from components.package.args import AwsClusterArgs, AzureClusterArgs, FleetArgs, GcpClusterArgs
from components.spec import SpecIssue, check_document
from components.spec.errors import join_path
from components.spec.resolved import ResolvedFleet
from components.terminal import counted

PACKAGE = "aiinfra"


class SpecInputError(pulumi.InputPropertiesError):
    """The component's inputs are not a valid spec; one entry per problem, by input path."""


def _plain(value: Any, path: str, problems: list[SpecIssue]) -> Any:
    """The inputs as a plain spec document: enum members become their values, 1.0 becomes 1.

    The spec decides which resources exist, so every field must be known when the program
    runs: an output of another resource is reported (Pulumi cannot preview a fleet whose
    shape is not known yet).
    """
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, float) and value.is_integer():
        # Numbers cross the wire as floats, and the SDK's input mapping hands integer fields on
        # as floats (1.0); the spec has no fractional numbers, so they become ints again.
        return int(value)
    if isinstance(value, Mapping):
        return {k: _plain(v, join_path(path, k) if path else k, problems) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v, f"{path}[{i}]", problems) for i, v in enumerate(value)]
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    problems.append(
        SpecIssue(
            path,
            "must be a plain value known when the program runs, not an output of another resource",
            "the spec decides which resources exist, so Pulumi needs it before any resource is created",
        )
    )
    return None


def _reason(issue: SpecIssue) -> str:
    return f"{issue.message} ({issue.hint})" if issue.hint else issue.message


def _raise(component: str, name: str, issues: list[SpecIssue], strip: str = "") -> None:
    """Raise every error as one InputPropertiesError, paths relative to the component's inputs."""
    errors = [i for i in issues if i.severity == "error"]
    details: list[pulumi.InputPropertyErrorDetails] = []
    for issue in errors:
        path = issue.path.removeprefix(strip).lstrip(".") if strip else issue.path
        details.append({"property_path": path, "reason": _reason(issue)})
    # The engine prints each property error under the message; the message only counts them.
    raise SpecInputError(
        f"{component} '{name}': {counted(len(details), 'problem')} in its inputs (the fleet spec)", details
    )


def check_spec(component: str, name: str, doc: Any, strip: str = "") -> ResolvedFleet:
    """Schema and semantic checks of a spec document; warnings go to the engine's log."""
    fleet, issues = check_document(doc, f"{component} {name}")
    if fleet is None or any(i.severity == "error" for i in issues):
        _raise(component, name, issues, strip)
    assert fleet is not None
    for issue in issues:
        pulumi.log.warn(f"{component} '{name}': {issue.path.removeprefix(strip).lstrip('.')}: {_reason(issue)}")
    return fleet


def spec_document(component: str, name: str, args: Mapping[str, Any]) -> Any:
    """The component's args as a spec document, or an InputPropertiesError for unknown values."""
    problems: list[SpecIssue] = []
    doc = _plain(args, "", problems)
    if problems:
        _raise(component, name, problems)
    return doc


class Fleet(pulumi.ComponentResource):
    """A whole ai-infra fleet: every cluster of a fleet spec (v1), on GCP, Azure and AWS.

    The inputs are the fleet spec (the `aiinfra:fleet` object of a stack config), typed. The spec
    is checked as `aiinfra validate` checks it before anything is created. Each cluster is a child
    named `<name>-<cluster name>` (`aiinfra:gcp:Cluster`, `aiinfra:azure:Cluster`,
    `aiinfra:aws:Cluster`) with its add-ons beside it (`<name>-<cluster name>-addons`), exactly as
    the Python program builds it. The providers of the `gcp`,
    `azure-native` and `aws` packages flow to the clusters through the `providers` resource option.
    """

    cluster_names: pulumi.Output[dict[str, str]]
    """Cloud cluster name (GKE, AKS, EKS) of each cluster, by the cluster's spec name."""

    kubeconfigs: pulumi.Output[dict[str, str]]
    """Kubeconfig of each cluster, by the cluster's spec name (secret)."""

    clusters: pulumi.Output[dict[str, Any]]
    """Everything each cluster exports (endpoint, pools, networks, storage mounts, ...), by the
    cluster's spec name: the Python program's stack outputs."""

    accelerators_at_max: pulumi.Output[int]
    """Accelerators (GPUs, TPU chips, Neuron chips) in the fleet when every pool is at maxNodes."""

    def __init__(self, name: str, args: FleetArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__(FLEET_TYPE, name, None, opts)
        doc = spec_document("Fleet", name, args)
        fleet = check_spec("Fleet", name, doc)
        try:
            built = build_clusters(self, name, fleet)
        except FleetBuildError as err:
            _raise("Fleet", name, [SpecIssue(err.path, err.message)])
            raise  # unreachable: _raise always raises
        self.cluster_names = _by_cluster(built, "clusterName")
        self.kubeconfigs = pulumi.Output.secret(_by_cluster(built, "kubeconfig"))
        self.clusters = pulumi.Output.from_input({n: c.exports for n, c in built.items()})
        self.accelerators_at_max = pulumi.Output.from_input(_accelerators(fleet))
        self.register_outputs(
            {
                "clusterNames": self.cluster_names,
                "kubeconfigs": self.kubeconfigs,
                "clusters": self.clusters,
                "acceleratorsAtMax": self.accelerators_at_max,
            }
        )


def _by_cluster(built: Mapping[str, BuiltCluster], key: str) -> pulumi.Output[dict[str, str]]:
    values: dict[str, Any] = {n: c.cluster.exports.get(key) for n, c in built.items()}
    return pulumi.Output.from_input(values)


def _accelerators(fleet: ResolvedFleet) -> int:
    return sum(p.accelerators_at_max for c in fleet.clusters for p in c.pools) + sum(
        s.chips_total for c in fleet.clusters for s in c.slices
    )


class _CloudCluster(pulumi.ComponentResource):
    """One ``clusters[]`` item on the cloud of the subclass; the subclass declares its outputs.

    (Each subclass declares its own output annotations with docstrings: the schema inference
    reads an output's description from the source of the component class itself.)
    """

    _cloud = ""
    #: Output attribute -> the key of the cloud cluster's exports it comes from.
    _outputs: Mapping[str, str] = {}
    _secret_outputs = frozenset({"kubeconfig"})

    def _build(self, name: str, args: Mapping[str, Any], opts: pulumi.ResourceOptions | None) -> None:
        component = type(self).__name__
        super().__init__(f"{PACKAGE}:index:{component}", name, None, opts)
        doc = spec_document(component, name, args)
        cluster_doc = {k: v for k, v in doc.items() if k != "environment"}
        fleet_doc: dict[str, Any] = {"clusters": [{**cluster_doc, "cloud": self._cloud}]}
        if "environment" in doc:
            fleet_doc["environment"] = doc["environment"]
        fleet = check_spec(component, name, fleet_doc, strip="clusters[0]")
        try:
            built = build_cluster(self, name, fleet.clusters[0])
        except FleetBuildError as err:
            _raise(component, name, [SpecIssue(err.path, err.message)], strip="clusters[0]")
            raise  # unreachable: _raise always raises
        outputs: dict[str, Any] = {}
        for attr, key in self._outputs.items():
            value = pulumi.Output.from_input(built.cluster.exports.get(key))
            outputs[key] = pulumi.Output.secret(value) if attr in self._secret_outputs else value
            setattr(self, attr, outputs[key])
        outputs["exports"] = pulumi.Output.from_input(built.exports)
        outputs["acceleratorsAtMax"] = pulumi.Output.from_input(_accelerators(fleet))
        self.exports = outputs["exports"]
        self.accelerators_at_max = outputs["acceleratorsAtMax"]
        self.register_outputs(outputs)


class GcpCluster(_CloudCluster):
    """A GKE cluster with GPU node pools, TPU slices, GPUDirect fabric VPCs and storage (Managed
    Lustre, Filestore, Hyperdisk), from one `clusters[]` item of the fleet spec.

    Creates a private GKE Standard cluster (or, with `kubernetes.existingCluster`, adds the pools,
    slices and storage to that cluster) as the child `aiinfra:gcp:Cluster` named like this
    component, whose resources are named `<name>-<role>`, and its
    add-ons (`<name>-addons`). Pass a `gcp` provider in `providers` to
    deploy into another project.
    """

    _cloud = "gcp"
    _outputs = MappingProxyType(
        {
            "cluster_name": "clusterName",
            "endpoint": "endpoint",
            "kubeconfig": "kubeconfig",
            "location": "location",
            "node_service_account": "nodeServiceAccount",
        }
    )

    cluster_name: pulumi.Output[str]
    """The GKE cluster's name (created, or the existing one the pools were added to)."""

    endpoint: pulumi.Output[str]
    """The GKE control plane's endpoint."""

    kubeconfig: pulumi.Output[str]
    """Kubeconfig of the cluster, authenticating with gke-gcloud-auth-plugin (secret)."""

    location: pulumi.Output[str]
    """The cluster's location (region)."""

    node_service_account: pulumi.Output[str]
    """Email of the nodes' least-privilege service account."""

    accelerators_at_max: pulumi.Output[int]
    """GPUs and TPU chips in the cluster when every pool is at maxNodes."""

    exports: pulumi.Output[dict[str, Any]]
    """Everything the cluster exports (pools, TPU slices, networks, storage mounts, fabric
    manifests): the Python program's stack output for the cluster."""

    def __init__(self, name: str, args: GcpClusterArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        self._build(name, args, opts)


class AzureCluster(_CloudCluster):
    """An AKS cluster with GPU agent pools, InfiniBand placement and storage (Azure Managed Lustre,
    Azure Files NFS, Premium SSD v2), from one `clusters[]` item of the fleet spec.

    Creates an AKS cluster in its own VNet (or, with `kubernetes.existingCluster`, adds the pools and
    storage to that cluster) as the child `aiinfra:azure:Cluster` named like this component, whose
    resources are named `<name>-<role>`, and its add-ons (`<name>-addons`). Pass an `azure-native`
    provider in `providers` to deploy into another subscription.
    """

    _cloud = "azure"
    _outputs = MappingProxyType(
        {
            "cluster_name": "clusterName",
            "cluster_id": "clusterId",
            "kubeconfig": "kubeconfig",
            "resource_group_name": "resourceGroupName",
        }
    )

    cluster_name: pulumi.Output[str]
    """The AKS cluster's name (created, or the existing one the pools were added to)."""

    cluster_id: pulumi.Output[str]
    """The AKS cluster's resource ID."""

    kubeconfig: pulumi.Output[str]
    """Kubeconfig of the cluster (user credentials; secret)."""

    resource_group_name: pulumi.Output[str]
    """The resource group holding the cluster's network, placement groups and storage."""

    accelerators_at_max: pulumi.Output[int]
    """GPUs in the cluster when every pool is at maxNodes."""

    exports: pulumi.Output[dict[str, Any]]
    """Everything the cluster exports (GPU pools, storage, VNet, InfiniBand notes, next steps): the
    Python program's stack output for the cluster."""

    def __init__(self, name: str, args: AzureClusterArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        self._build(name, args, opts)


class AwsCluster(_CloudCluster):
    """An EKS cluster with GPU/Neuron node groups, EFA networking and storage (FSx for Lustre, EFS,
    EBS), from one `clusters[]` item of the fleet spec.

    Creates an EKS cluster in its own VPC (or, with `kubernetes.existingCluster`, adds the node
    groups and storage to that cluster) as the child `aiinfra:aws:Cluster` named like this
    component, whose resources are named `<name>-<role>`, and its
    add-ons (`<name>-addons`). Pass an `aws` provider in `providers` to
    deploy into another account or region.
    """

    _cloud = "aws"
    _outputs = MappingProxyType(
        {
            "cluster_name": "clusterName",
            "endpoint": "endpoint",
            "kubeconfig": "kubeconfig",
            "vpc_id": "vpcId",
            "node_role_arn": "nodeRoleArn",
            "oidc_provider_arn": "oidcProviderArn",
        }
    )

    cluster_name: pulumi.Output[str]
    """The EKS cluster's name (created, or the existing one the node groups were added to)."""

    endpoint: pulumi.Output[str]
    """The EKS control plane's endpoint."""

    kubeconfig: pulumi.Output[str]
    """Kubeconfig of the cluster, authenticating with `aws eks get-token` (secret)."""

    vpc_id: pulumi.Output[str]
    """The cluster's VPC."""

    node_role_arn: pulumi.Output[str]
    """IAM role of the GPU nodes."""

    oidc_provider_arn: pulumi.Output[str]
    """The cluster's IAM OIDC provider, for IRSA roles of your workloads."""

    accelerators_at_max: pulumi.Output[int]
    """GPUs and Neuron chips in the cluster when every node group is at maxNodes."""

    exports: pulumi.Output[dict[str, Any]]
    """Everything the cluster exports (node groups, storage, subnets, security groups): the Python
    program's stack output for the cluster."""

    def __init__(self, name: str, args: AwsClusterArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        self._build(name, args, opts)


#: What the package hosts, in schema order.
COMPONENTS: list[type[pulumi.ComponentResource]] = [Fleet, GcpCluster, AzureCluster, AwsCluster]

# The schema inference takes a component's description from its docstring as written; dedent it
# so the continuation lines do not read as a Markdown code block in the generated SDK docs.
for _component in COMPONENTS:
    _component.__doc__ = inspect.cleandoc(_component.__doc__ or "")
