"""``Network``: the cluster VPC, its subnets and NAT, and the node security group.

Private subnets in up to three zones (the spec's zone first: it holds the fabric pools and
the Lustre file system), public subnets with NAT gateways for egress, an S3 gateway
endpoint (dataset reads from S3 bypass NAT), and one security
group that allows all traffic to and from itself, as EFA requires
(https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/efa-start.html#efa-start-security).
Nodes, FSx for Lustre and EFS mount targets all carry that group, so they reach each
other on every port (LNet 988/1018-1023, NFS 2049, EFA) without per-service rules.
"""

from __future__ import annotations

from typing import Any

import pulumi
import pulumi_aws as aws

from components.aws import translate
from components.spec.resolved import ResolvedCluster


class Network(pulumi.ComponentResource):
    """VPC, subnets, NAT and the node security group of one AWS cluster.

    Args:
        name: logical name; children are ``f"{name}-<role>"``.
        cluster: the resolved cluster (network.cidr, region, zone, environment, labels).
        opts: resource options (the parent and provider flow to the children).

    Outputs:
        vpc_id, private_subnet_ids (zone order), zone_subnet_id (the private subnet in the
        spec's zone: fabric pools and Lustre), node_security_group_id, zones.
    """

    def __init__(self, name: str, cluster: ResolvedCluster, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("aiinfra:aws:Network", name, None, opts)
        spec = cluster.spec
        region = spec.region
        child = pulumi.ResourceOptions(parent=self)
        self.zones = translate.choose_zones(region, spec.zone)
        layout = translate.subnet_layout(spec.network.cidr, self.zones)

        vpc = aws.ec2.Vpc(
            f"{name}-vpc",
            cidr_block=spec.network.cidr,
            enable_dns_hostnames=True,
            enable_dns_support=True,
            tags=translate.tags(cluster, Name=f"{cluster.name}-vpc"),
            region=region,
            opts=child,
        )
        igw = aws.ec2.InternetGateway(
            f"{name}-igw", vpc_id=vpc.id, tags=translate.tags(cluster), region=region, opts=child
        )
        subnets: dict[str, aws.ec2.Subnet] = {}
        for plan in layout:
            subnets[plan.key] = aws.ec2.Subnet(
                f"{name}-{plan.key}",
                vpc_id=vpc.id,
                cidr_block=plan.cidr,
                availability_zone=plan.zone,
                map_public_ip_on_launch=False,
                tags=translate.tags(cluster, Name=f"{cluster.name}-{plan.key}", **translate.subnet_tags(plan.role)),
                region=region,
                opts=child,
            )

        public_rt = aws.ec2.RouteTable(
            f"{name}-public-rt",
            vpc_id=vpc.id,
            routes=[{"cidr_block": "0.0.0.0/0", "gateway_id": igw.id}],
            tags=translate.tags(cluster, Name=f"{cluster.name}-public"),
            region=region,
            opts=child,
        )
        nats: dict[str, aws.ec2.NatGateway] = {}
        for zone in self.zones:
            aws.ec2.RouteTableAssociation(
                f"{name}-public-{zone}-rta",
                route_table_id=public_rt.id,
                subnet_id=subnets[f"public-{zone}"].id,
                region=region,
                opts=child,
            )
        for zone in translate.nat_gateway_zones(cluster.environment, self.zones):
            eip = aws.ec2.Eip(
                f"{name}-nat-{zone}-eip", domain="vpc", tags=translate.tags(cluster), region=region, opts=child
            )
            nats[zone] = aws.ec2.NatGateway(
                f"{name}-nat-{zone}",
                allocation_id=eip.id,
                subnet_id=subnets[f"public-{zone}"].id,
                connectivity_type="public",
                tags=translate.tags(cluster, Name=f"{cluster.name}-nat-{zone}"),
                region=region,
                opts=pulumi.ResourceOptions(parent=self, depends_on=[igw]),
            )
        private_rts: list[aws.ec2.RouteTable] = []
        for zone in self.zones:
            nat = nats.get(zone) or next(iter(nats.values()))
            rt = aws.ec2.RouteTable(
                f"{name}-private-{zone}-rt",
                vpc_id=vpc.id,
                routes=[{"cidr_block": "0.0.0.0/0", "nat_gateway_id": nat.id}],
                tags=translate.tags(cluster, Name=f"{cluster.name}-private-{zone}"),
                region=region,
                opts=child,
            )
            aws.ec2.RouteTableAssociation(
                f"{name}-private-{zone}-rta",
                route_table_id=rt.id,
                subnet_id=subnets[f"private-{zone}"].id,
                region=region,
                opts=child,
            )
            private_rts.append(rt)
        aws.ec2.VpcEndpoint(
            f"{name}-s3",
            vpc_id=vpc.id,
            service_name=translate.s3_gateway_service(region),
            vpc_endpoint_type="Gateway",
            route_table_ids=[rt.id for rt in private_rts],
            tags=translate.tags(cluster, Name=f"{cluster.name}-s3"),
            region=region,
            opts=child,
        )

        sg = node_security_group(name, cluster, vpc.id, self)

        self.vpc_id: pulumi.Output[str] = vpc.id
        self.private_subnet_ids: list[pulumi.Output[str]] = [subnets[f"private-{z}"].id for z in self.zones]
        self.zone_subnet_id: pulumi.Output[str] = subnets[f"private-{self.zones[0]}"].id
        self.node_security_group_id: pulumi.Output[str] = sg.id
        self.register_outputs(
            {
                "vpc_id": self.vpc_id,
                "private_subnet_ids": self.private_subnet_ids,
                "zone_subnet_id": self.zone_subnet_id,
                "node_security_group_id": self.node_security_group_id,
                "zones": self.zones,
            }
        )


def node_security_group(
    name: str, cluster: ResolvedCluster, vpc_id: Any, parent: pulumi.Resource
) -> aws.ec2.SecurityGroup:
    """A security group allowing all traffic to and from itself, and all egress.

    EFA needs inbound and outbound "all traffic" rules whose source/destination is the group
    itself; the rules are separate resources (``aws.vpc.SecurityGroup*Rule``), as the
    provider recommends over inline rules.
    """
    region = cluster.spec.region
    child = pulumi.ResourceOptions(parent=parent)
    sg = aws.ec2.SecurityGroup(
        f"{name}-node-sg",
        vpc_id=vpc_id,
        description=f"ai-infra {cluster.name}: nodes, EFA and file systems (all traffic within the group)",
        tags=translate.tags(cluster, Name=f"{cluster.name}-nodes"),
        region=region,
        opts=child,
    )
    aws.vpc.SecurityGroupIngressRule(
        f"{name}-node-sg-self-in",
        security_group_id=sg.id,
        referenced_security_group_id=sg.id,
        ip_protocol="-1",
        description="all traffic from the group itself (EFA, Lustre, NFS, pod to pod)",
        tags=translate.tags(cluster),
        region=region,
        opts=child,
    )
    aws.vpc.SecurityGroupEgressRule(
        f"{name}-node-sg-self-out",
        security_group_id=sg.id,
        referenced_security_group_id=sg.id,
        ip_protocol="-1",
        description="all traffic to the group itself (EFA needs an explicit self egress rule)",
        tags=translate.tags(cluster),
        region=region,
        opts=child,
    )
    aws.vpc.SecurityGroupEgressRule(
        f"{name}-node-sg-all-out",
        security_group_id=sg.id,
        cidr_ipv4="0.0.0.0/0",
        ip_protocol="-1",
        description="egress to anywhere (image pulls, AWS APIs) through NAT",
        tags=translate.tags(cluster),
        region=region,
        opts=child,
    )
    return sg
