"""``ClusterNetwork``: the primary VPC (nodes, pods, services, Cloud NAT) and the accelerator fabric VPCs.

The layout comes from ``translate.network_plan`` (fabric needs from ``fabrics.yaml``):

- GPUDirect-TCPX (A3 High) / TCPXO (A3 Mega): one VPC + subnet per GPU NIC (4 or 8), MTU 8244,
  and a firewall rule allowing all traffic between the fabric subnets;
- GPUDirect-RDMA (A3 Ultra, A4): an extra gVNIC VPC, and one RDMA VPC created with the
  ``<zone>-vpc-roce`` network profile holding 8 subnets (one per CX-7 NIC).

When the cluster already exists (``kubernetes.existingCluster``) the primary VPC is the
existing cluster's and is read, never changed; fabric VPCs are still created.
"""

from __future__ import annotations

from typing import Any

import pulumi
import pulumi_gcp as gcp

from components.gcp import translate as t
from components.spec.resolved import ResolvedCluster


class ClusterNetwork(pulumi.ComponentResource):
    """Networks for one GKE cluster.

    Args:
        name: logical name; children are ``f"{name}-<role>"``.
        cluster: the resolved cluster.
        plan: ``translate.network_plan(cluster)``.
        project: the project (for the RDMA network profile URL).
        existing: when set, (network, subnetwork) of an existing cluster: no primary VPC is created.
        opts: resource options (the provider flows to children through the parent).

    Outputs:
        network / subnetwork: primary VPC and subnet self-links.
        fabric_networks: network role -> self-link; fabric_subnets: subnet role -> self-link.
    """

    def __init__(
        self,
        name: str,
        cluster: ResolvedCluster,
        plan: t.NetworkPlan,
        project: Any,
        existing: tuple[Any, Any] | None = None,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        super().__init__("aiinfra:gcp:Network", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        self.nat: gcp.compute.RouterNat | None = None
        # Set by the cluster once it has created the nodes' service account and secrets key.
        self.node_service_account: Any = None
        self.secrets_key: Any = None
        self.psa_connection: gcp.servicenetworking.Connection | None = None
        self.psa_range: gcp.compute.GlobalAddress | None = None

        if existing is None:
            vpc = gcp.compute.Network(f"{name}-vpc", **t.primary_network_args(cluster), opts=child)
            self.network: pulumi.Output[Any] = vpc.self_link
            self.network_id: pulumi.Output[Any] = vpc.id
            self.network_name: pulumi.Output[Any] = vpc.name
            refs = t.Refs(project=project, network=vpc.self_link, network_id=vpc.id)
            subnet = gcp.compute.Subnetwork(f"{name}-nodes", **t.primary_subnet_args(cluster, plan, refs), opts=child)
            self.subnetwork: pulumi.Output[Any] = subnet.self_link
            self.subnetwork_id: pulumi.Output[Any] = subnet.id
            router = gcp.compute.Router(f"{name}-router", **t.router_args(cluster, refs), opts=child)
            self.nat = gcp.compute.RouterNat(f"{name}-nat", **t.nat_args(cluster, router.name), opts=child)
            gcp.compute.Firewall(f"{name}-internal", **t.primary_firewall_args(cluster, plan, refs), opts=child)
            if plan.psa_cidr is not None:
                self.psa_range = gcp.compute.GlobalAddress(
                    f"{name}-psa", **t.psa_range_args(cluster, plan, refs), opts=child
                )
                self.psa_connection = gcp.servicenetworking.Connection(
                    f"{name}-psa-peering", **t.psa_connection_args(refs, self.psa_range.name), opts=child
                )
                if any(s.spec.kind == "lustre" for s in cluster.storage):
                    gcp.compute.Firewall(f"{name}-lustre", **t.lustre_firewall_args(cluster, plan, refs), opts=child)
        else:
            network, subnetwork = existing
            self.network = pulumi.Output.from_input(network)
            self.network_id = self.network
            self.network_name = self.network.apply(lambda n: n.rsplit("/", 1)[-1] if n else n)
            self.subnetwork = pulumi.Output.from_input(subnetwork)
            self.subnetwork_id = self.subnetwork

        # Self-links for the stack outputs; names for node pools (additional_node_network_configs
        # takes the names of the VPC and subnet, per its SDK docstring).
        self.fabric_networks: dict[str, pulumi.Output[Any]] = {}
        self.fabric_subnets: dict[str, pulumi.Output[Any]] = {}
        self.fabric_network_names: dict[str, pulumi.Output[Any]] = {}
        self.fabric_subnet_names: dict[str, pulumi.Output[Any]] = {}
        for net in plan.fabric:
            vpc_f = gcp.compute.Network(
                f"{name}-{net.role}", **t.fabric_network_args(cluster, net, project), opts=child
            )
            self.fabric_networks[net.role] = vpc_f.self_link
            self.fabric_network_names[net.role] = vpc_f.name
            for sub in net.subnets:
                subnet_f = gcp.compute.Subnetwork(
                    f"{name}-{sub.role}-sub", **t.fabric_subnet_args(cluster, sub, vpc_f.self_link), opts=child
                )
                self.fabric_subnets[sub.role] = subnet_f.self_link
                self.fabric_subnet_names[sub.role] = subnet_f.name
            if net.internal_firewall:
                gcp.compute.Firewall(
                    f"{name}-{net.role}-internal",
                    **t.fabric_firewall_args(cluster, net, plan, vpc_f.self_link),
                    opts=child,
                )

        self.register_outputs(
            {
                "network": self.network,
                "subnetwork": self.subnetwork,
                "fabricNetworks": self.fabric_networks,
                "fabricSubnets": self.fabric_subnets,
            }
        )

    def refs(self, project: Any, cluster: Any = None, location: Any = None) -> t.Refs:
        """The references translate functions need, with this network's self-links."""
        return t.Refs(
            project=project,
            network=self.network,
            network_id=self.network_id,
            network_name=self.network_name,
            subnetwork=self.subnetwork,
            subnetwork_id=self.subnetwork_id,
            node_service_account=self.node_service_account,
            secrets_key=self.secrets_key,
            cluster=cluster,
            location=location,
            fabric=dict(self.fabric_network_names),
            fabric_subnets=dict(self.fabric_subnet_names),
        )
