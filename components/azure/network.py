"""``AzureNetwork``: the cluster VNet, its node and Lustre subnets, and the NAT gateway.

Nodes get no public IPs; all egress leaves through one NAT gateway (Standard SKU, static
public IP, zonal when the cluster has a zone) associated with every subnet, and the subnets
turn off Azure's default outbound access. Each Azure Managed Lustre file system gets its own
subnet in the same VNet as the nodes.
"""

from __future__ import annotations

from collections.abc import Mapping

import pulumi
import pulumi_azure_native.network as network

from components.azure import translate as tr
from components.spec.resolved import ResolvedCluster


class AzureNetwork(pulumi.ComponentResource):
    """VNet + node subnet + Lustre subnets + NAT gateway for one cluster.

    Args:
        name: logical name; children are ``{name}-vnet``, ``{name}-nodes``, ``{name}-nat`` ...
        cluster: the resolved cluster (``network.cidr``, ``zone``, storage).
        layout: the address plan (``translate.network_layout``).
        resource_group_name: resource group of the network.
        node_service_endpoints: service endpoints on the node subnet (``Microsoft.Storage``
            when NFS shares are restricted to it). Default: none.
        opts: resource options; the provider flows to the children.

    Outputs:
        vnet_id, vnet_name, node_subnet_id, lustre_subnet_ids (by storage name), nat_gateway_id,
        egress_ip.
    """

    def __init__(
        self,
        name: str,
        cluster: ResolvedCluster,
        layout: tr.NetworkLayout,
        resource_group_name: pulumi.Input[str],
        node_service_endpoints: tuple[str, ...] = (),
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        super().__init__("aiinfra:azure:Network", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        rg = resource_group_name

        self.vnet = network.VirtualNetwork(f"{name}-vnet", **tr.vnet_args(cluster, layout, rg), opts=child)
        self.egress_ip = network.PublicIPAddress(f"{name}-nat-ip", **tr.public_ip_args(cluster, rg), opts=child)
        self.nat = network.NatGateway(f"{name}-nat", **tr.nat_gateway_args(cluster, rg, self.egress_ip.id), opts=child)

        # Subnets of one VNet are created one after another: concurrent subnet PUTs on the same
        # VNet fail with AnotherOperationInProgress.
        self.node_subnet = network.Subnet(
            f"{name}-nodes",
            **tr.subnet_args("nodes", layout.node_subnet, rg, self.vnet.name, self.nat.id, node_service_endpoints),
            opts=child,
        )
        previous: pulumi.Resource = self.node_subnet
        self.lustre_subnets: dict[str, network.Subnet] = {}
        for storage_name, cidr in layout.lustre_subnets.items():
            sub = network.Subnet(
                f"{name}-lustre-{storage_name}",
                **tr.subnet_args(f"lustre-{storage_name}", cidr, rg, self.vnet.name, self.nat.id),
                opts=pulumi.ResourceOptions(parent=self, depends_on=[previous]),
            )
            self.lustre_subnets[storage_name] = sub
            previous = sub

        self.vnet_id: pulumi.Output[str] = self.vnet.id
        self.vnet_name: pulumi.Output[str] = self.vnet.name
        self.node_subnet_id: pulumi.Output[str] = self.node_subnet.id
        self.lustre_subnet_ids: Mapping[str, pulumi.Output[str]] = {k: s.id for k, s in self.lustre_subnets.items()}
        self.register_outputs(
            {
                "vnetId": self.vnet_id,
                "vnetName": self.vnet_name,
                "nodeSubnetId": self.node_subnet_id,
                "lustreSubnetIds": dict(self.lustre_subnet_ids),
                "natGatewayId": self.nat.id,
                "egressIp": self.egress_ip.ip_address,
            }
        )
