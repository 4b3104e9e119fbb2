"""``GkeCluster``: one ai-infra cluster on GCP, everything in it.

Creates (or attaches to) a GKE Standard cluster and, under it: the network
(``ClusterNetwork``), the system pool, a ``GpuNodePool`` per GPU pool, a ``TpuSlice`` per TPU
slice and a ``Storage`` per storage item. ``exports`` are the stack outputs.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

import pulumi
import pulumi_gcp as gcp

from components.gcp import translate as t
from components.gcp.network import ClusterNetwork
from components.gcp.pools import GpuNodePool, TpuSlice
from components.gcp.storage import Storage
from components.spec.resolved import ResolvedCluster

_CLUSTER_ID = re.compile(r"^projects/(?P<project>[^/]+)/locations/(?P<location>[^/]+)/clusters/(?P<name>[^/]+)$")


def existing_cluster_ref(ref: str, region: str) -> tuple[str, str, str | None]:
    """``(cluster, location, project)`` for ``existingCluster``: a name (regional, in the
    cluster's region) or a full id ``projects/<p>/locations/<l>/clusters/<n>``."""
    m = _CLUSTER_ID.match(ref)
    if m:
        return ref, m.group("location"), m.group("project")
    return ref, region, None


def _provider_project(opts: pulumi.ResourceOptions | None) -> Any:
    """The project of an explicit ``gcp.Provider`` passed by the caller, or None.

    The workload identity pool, the RDMA network profile URL and TPU queued resources name
    the project: with a provider for another project, that project is the right one, not
    ``gcp:project`` from the stack config.
    """
    provider = opts.provider if opts is not None else None
    if isinstance(provider, gcp.Provider):
        fallback = pulumi.Config("gcp").get("project")
        return provider.project.apply(lambda p: p or fallback)
    return None


def _dns_endpoint(config: Any) -> str | None:
    """``control_plane_endpoints_config.dns_endpoint_config.endpoint`` (None until GKE reports it)."""
    dns = getattr(config, "dns_endpoint_config", None) if config is not None else None
    return getattr(dns, "endpoint", None) if dns is not None else None


class GkeCluster(pulumi.ComponentResource):
    """A GKE cluster with accelerator pools, TPU slices, fabric networks and storage.

    Args:
        name: logical name; children are ``f"{name}-<role>"``.
        cluster: the resolved cluster (``components.spec.load_fleet``).
        project: the GCP project; default: the provider's (``gcp:project``, or asked of the
            provider through ``gcp.organizations.get_client_config``).
        opts: resource options; pass ``provider=`` to deploy into another project.

    Outputs (``exports``):
        clusterName, endpoint, dnsEndpoint (private clusters: the DNS-based endpoint the
        kubeconfig uses), kubeconfig, location, pools (pool -> node pool name), tpuSlices (slice ->
        names), networks (primary, subnetwork, fabric role -> self-link), storage (name ->
        resource name and mount), fabricManifests (GKENetworkParamSet/Network objects).
    """

    exports: Mapping[str, Any]

    def __init__(
        self,
        name: str,
        cluster: ResolvedCluster,
        project: str | None = None,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        super().__init__("aiinfra:gcp:Cluster", name, None, opts)
        spec = cluster.spec
        plan = t.network_plan(cluster)
        existing_ref = spec.kubernetes.existing_cluster
        project_out: Any = project or _provider_project(opts) or pulumi.Config("gcp").get("project")
        lookup = None
        if existing_ref is not None:
            cluster_ref, location, ref_project = existing_cluster_ref(existing_ref, spec.region)
            project_out = project_out or ref_project
            lookup = gcp.container.get_cluster_output(
                name=cluster_ref.rsplit("/", 1)[-1],
                location=location,
                project=ref_project,
                opts=pulumi.InvokeOutputOptions(parent=self),
            )
        if project_out is None:
            project_out = gcp.organizations.get_client_config_output(
                opts=pulumi.InvokeOutputOptions(parent=self)
            ).project

        network = ClusterNetwork(
            f"{name}-network",
            cluster,
            plan,
            project_out,
            existing=(lookup.network, lookup.subnetwork) if lookup is not None else None,
            opts=pulumi.ResourceOptions(parent=self),
        )
        child = pulumi.ResourceOptions(parent=self)

        # The nodes' own least-privilege identity (also for pools added to an existing cluster).
        node_sa = gcp.serviceaccount.Account(f"{name}-nodes-sa", **t.node_service_account_args(cluster), opts=child)
        grants: list[pulumi.Resource] = [
            gcp.projects.IAMMember(
                f"{name}-nodes-sa-{role.split('/')[-1].lower()}",
                **t.node_service_account_binding_args(project_out, role, node_sa.email),
                opts=child,
            )
            for role in t.NODE_SA_ROLES
        ]
        network.node_service_account = node_sa.email
        # Nodes must not boot before their identity may write logs and pull images.
        after_grants = pulumi.ResourceOptions(parent=self, depends_on=grants)

        if lookup is None:
            secrets_key, key_grants = self._secrets_key(name, cluster, project_out)
            network.secrets_key = secrets_key
            args = t.cluster_args(cluster, network.refs(project_out))
            gke = gcp.container.Cluster(
                f"{name}-gke",
                **args,
                # The GKE service agent must hold the key before the cluster encrypts with it.
                opts=pulumi.ResourceOptions(parent=self, depends_on=[network, *key_grants]),
            )
            audit_bucket = gcp.logging.ProjectBucketConfig(
                f"{name}-audit-logs", **t.audit_bucket_args(cluster, project_out), opts=child
            )
            gcp.logging.ProjectSink(
                f"{name}-audit-sink",
                **t.audit_sink_args(cluster, project_out),
                opts=pulumi.ResourceOptions(parent=self, depends_on=[audit_bucket]),
            )
            cluster_id: Any = gke.id
            cluster_name: Any = gke.name
            endpoint: Any = gke.endpoint
            ca_cert: Any = gke.master_auth.apply(lambda a: a.cluster_ca_certificate if a else None)
            # A private cluster is reached by its DNS-based endpoint (IAM-authorised) from outside the VPC.
            dns_endpoint: Any = (
                gke.control_plane_endpoints_config.apply(_dns_endpoint)
                if "control_plane_endpoints_config" in args
                else None
            )
            location_out: Any = gke.location
            refs = network.refs(project_out, cluster=cluster_id, location=location_out)
            system = gcp.container.NodePool(f"{name}-system", **t.system_pool_args(cluster, refs), opts=after_grants)
            system_name: Any = system.name
        else:
            cluster_ref, location, _ = existing_cluster_ref(existing_ref or "", spec.region)
            cluster_name = lookup.name
            endpoint = lookup.endpoint
            ca_cert = lookup.master_auths.apply(lambda a: a[0].cluster_ca_certificate if a else None)
            location_out = location
            refs = network.refs(project_out, cluster=cluster_ref, location=location)
            system_name = None
            dns_endpoint = None  # an existing cluster keeps its own endpoint settings

        pools = {
            p.name: GpuNodePool(f"{name}-{p.name}", cluster, p, plan, refs, opts=after_grants) for p in cluster.pools
        }
        slices = {s.name: TpuSlice(f"{name}-{s.name}", cluster, s, refs, opts=after_grants) for s in cluster.slices}
        waits: list[pulumi.Resource] = [r for r in (network.psa_connection,) if r is not None]
        stores = {
            s.name: Storage(f"{name}-{s.name}", cluster, s, refs, depends_on=waits, opts=child) for s in cluster.storage
        }

        self.secrets_key = network.secrets_key
        self.cluster_name = cluster_name
        self.endpoint = endpoint
        self.network = network
        self.exports = {
            "clusterName": cluster_name,
            "endpoint": endpoint,
            "dnsEndpoint": dns_endpoint,
            # A secret output like AKS's and pulumi-eks's: it holds no credential (the gke auth
            # plugin fetches one), but it names the control plane's endpoint and CA, which
            # `pulumi stack output` should not print unasked.
            "kubeconfig": pulumi.Output.secret(
                pulumi.Output.all(cluster_name, endpoint, ca_cert, dns_endpoint).apply(
                    lambda a: t.kubeconfig(str(a[0]), a[1], a[2], a[3])
                )
            ),
            "location": location_out,
            "systemPool": system_name,
            "nodeServiceAccount": node_sa.email,
            "secretsKey": network.secrets_key,
            "pools": {n: p.pool_name for n, p in pools.items()},
            "tpuSlices": {n: s.names for n, s in slices.items()},
            "networks": {
                "primary": network.network,
                "subnetwork": network.subnetwork,
                "fabric": dict(network.fabric_networks),
                "fabricSubnets": dict(network.fabric_subnets),
            },
            "storage": {n: {"name": s.resource_name, "mount": s.mount} for n, s in stores.items()},
            "fabricManifests": t.fabric_manifests(cluster, plan),
        }
        self.register_outputs(dict(self.exports))

    def _secrets_key(self, name: str, cluster: ResolvedCluster, project: Any) -> tuple[Any, list[pulumi.Resource]]:
        """The Cloud KMS key for Kubernetes secrets: ``encryption.kmsKey``, or one made here.

        A key made here lives in its own key ring in the cluster's region, rotates every 90
        days, and only the GKE service agent may use it. With ``encryption.kmsKey`` granting
        the agent is the key owner's job (docs/security.md), so nothing is created.
        """
        given = cluster.spec.encryption.kms_key
        if given:
            return given, []
        child = pulumi.ResourceOptions(parent=self)
        ring = gcp.kms.KeyRing(f"{name}-keys", **t.secrets_key_ring_args(cluster, project), opts=child)
        key = gcp.kms.CryptoKey(f"{name}-secrets-key", **t.secrets_key_args(cluster, ring.id), opts=child)
        number = gcp.organizations.get_project_output(
            project_id=project, opts=pulumi.InvokeOutputOptions(parent=self)
        ).number
        grant = gcp.kms.CryptoKeyIAMMember(
            f"{name}-secrets-key-gke", **t.secrets_key_grant_args(key.id, number), opts=child
        )
        return key.id, [grant]
