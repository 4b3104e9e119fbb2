"""``EksCluster``: an AWS cluster of the fleet spec, on EKS.

It creates (or attaches to ``kubernetes.existingCluster``) the EKS cluster, then one
``GpuNodeGroup`` per GPU/Trainium/Inferentia pool and one ``Storage`` per storage item.
A created cluster also gets its ``Network`` (VPC, subnets, NAT, node security group),
IAM roles with only the managed policies they need, an OIDC provider for IAM roles for
service accounts, the vpc-cni add-on on its own IRSA role, and a small system node group.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import pulumi
import pulumi_aws as aws

from components.aws import facts, translate
from components.aws.images import latest_ami_release
from components.aws.network import Network, node_security_group
from components.aws.nodegroup import GpuNodeGroup
from components.aws.storage import Storage
from components.spec.resolved import ResolvedCluster


@dataclass
class _ClusterBase:
    """What the node groups and storage need from a created or an attached cluster."""

    cluster_name: pulumi.Input[str]
    endpoint: pulumi.Output[str]
    kubeconfig: pulumi.Output[str]
    oidc_issuer: pulumi.Output[str | None]
    oidc_provider_arn: pulumi.Output[str] | None
    vpc_id: pulumi.Input[str | None]
    zones: list[str]
    zone_subnet_id: pulumi.Input[str]
    subnet_ids: pulumi.Input[Sequence[pulumi.Input[str]]]
    mount_subnet_ids: Sequence[pulumi.Input[str]]
    node_security_group_id: pulumi.Output[str]
    security_group_ids: list[Any]
    node_role_arn: pulumi.Output[str]
    node_dependencies: list[pulumi.Resource] = field(default_factory=list)
    kubernetes_version: pulumi.Input[str] | None = None
    # The control plane's version: node AMIs are the latest recommended release for it.
    ami_version: pulumi.Input[str] | None = None


class EksCluster(pulumi.ComponentResource):
    """An EKS cluster with accelerator node groups and storage.

    Args:
        name: logical name; children ``f"{name}-<role>"`` (``-network``, ``-eks``,
            ``-cluster-role``, ``-node-role``, ``-oidc``, ``-vpc-cni``, ``-system``,
            ``-<pool>``, ``-<storage>``).
        cluster: the resolved cluster.
        opts: resource options; the provider (account, default tags) flows to every child,
            and every regional resource gets ``region=cluster.spec.region``.

    Outputs (``exports``): clusterName, endpoint, kubeconfig (secret), oidcIssuer, oidcProviderArn,
    vpcId, zones, zoneSubnetId, nodeSecurityGroupId, nodeRoleArn, pools, storage.
    """

    exports: Mapping[str, Any]

    def __init__(self, name: str, cluster: ResolvedCluster, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("aiinfra:aws:Cluster", name, None, opts)
        self._name = name
        self._cluster = cluster
        spec = cluster.spec
        if spec.kubernetes.existing_cluster is not None:
            base = self._attach(spec.kubernetes.existing_cluster)
        else:
            base = self._create()

        pool_exports: dict[str, Any] = {}
        for pool in cluster.pools:
            single = translate.pool_single_zone(pool)
            group = GpuNodeGroup(
                f"{name}-{pool.name}",
                cluster,
                pool,
                cluster_name=base.cluster_name,
                node_role_arn=base.node_role_arn,
                subnet_ids=[base.zone_subnet_id] if single else base.subnet_ids,
                security_group_ids=base.security_group_ids,
                kubernetes_version=base.kubernetes_version,
                ami_version=base.ami_version,
                opts=pulumi.ResourceOptions(parent=self, depends_on=base.node_dependencies),
            )
            pool_exports[pool.name] = group.exports

        storage_exports: dict[str, Any] = {}
        for item in cluster.storage:
            store = Storage(
                f"{name}-{item.name}",
                cluster,
                item,
                zone_subnet_id=base.zone_subnet_id,
                mount_subnet_ids=base.mount_subnet_ids,
                zone=base.zones[0],
                security_group_ids=[base.node_security_group_id],
                opts=pulumi.ResourceOptions(parent=self),
            )
            storage_exports[item.name] = store.exports

        self.exports = {
            "cloud": "aws",
            "region": spec.region,
            "clusterName": base.cluster_name,
            "endpoint": base.endpoint,
            "kubeconfig": base.kubeconfig,
            "oidcIssuer": base.oidc_issuer,
            "oidcProviderArn": base.oidc_provider_arn,
            "vpcId": base.vpc_id,
            "zones": base.zones,
            "zoneSubnetId": base.zone_subnet_id,
            "nodeSecurityGroupId": base.node_security_group_id,
            "nodeRoleArn": base.node_role_arn,
            "pools": pool_exports,
            "storage": storage_exports,
        }
        self.register_outputs(dict(self.exports))

    # --- a new cluster ---------------------------------------------------------------------

    def _create(self) -> _ClusterBase:
        name, cluster = self._name, self._cluster
        region = cluster.spec.region
        child = pulumi.ResourceOptions(parent=self)

        network = Network(f"{name}-network", cluster, opts=child)
        cluster_role, cluster_attachments = self._role("cluster", "eks", facts.CLUSTER_POLICIES)
        node_role, node_attachments = self._role("node", "ec2", facts.NODE_POLICIES)

        key_arn, key_grants = self._secrets_key(cluster_role)
        # The log group first, with its retention: EKS would otherwise create it, keeping logs forever.
        log_group = aws.cloudwatch.LogGroup(
            f"{name}-control-plane-logs", **translate.cluster_log_group_args(cluster), opts=child
        )
        eks = aws.eks.Cluster(
            f"{name}-eks",
            **translate.cluster_args(cluster, cluster_role.arn, network.private_subnet_ids, key_arn),
            opts=pulumi.ResourceOptions(parent=self, depends_on=[*cluster_attachments, *key_grants, log_group]),
        )
        issuer = eks.identities.apply(_issuer)
        oidc = aws.iam.OpenIdConnectProvider(
            f"{name}-oidc",
            url=issuer,
            client_id_lists=["sts.amazonaws.com"],
            tags=translate.tags(cluster),
            opts=child,
        )
        cni_role = aws.iam.Role(
            f"{name}-vpc-cni-role",
            name_prefix=translate.name_prefix(cluster.name, "vpc-cni", limit=translate.IAM_ROLE_PREFIX_MAX),
            description=f"ai-infra {cluster.name}: VPC CNI (kube-system/aws-node) via IRSA",
            assume_role_policy=pulumi.Output.all(oidc.arn, issuer).apply(
                lambda a: translate.irsa_trust_policy(a[0], a[1] or "", facts.CNI_NAMESPACE, facts.CNI_SERVICE_ACCOUNT)
            ),
            tags=translate.tags(cluster),
            opts=child,
        )
        cni_attachment = aws.iam.RolePolicyAttachment(
            f"{name}-vpc-cni-role-{facts.CNI_POLICY}",
            role=cni_role.name,
            policy_arn=translate.managed_policy_arn(region, facts.CNI_POLICY),
            opts=child,
        )
        cni = aws.eks.Addon(
            f"{name}-vpc-cni",
            cluster_name=eks.name,
            addon_name="vpc-cni",
            service_account_role_arn=cni_role.arn,
            configuration_values=translate.cni_addon_configuration(),
            resolve_conflicts_on_create="OVERWRITE",
            resolve_conflicts_on_update="PRESERVE",
            tags=translate.tags(cluster),
            region=region,
            opts=pulumi.ResourceOptions(parent=self, depends_on=[cni_attachment]),
        )

        # Workloads get AWS credentials from IRSA (the OIDC provider above) or EKS Pod Identity:
        # nodes allow IMDS one hop only, so pods cannot borrow the node role.
        pod_identity = aws.eks.Addon(
            f"{name}-pod-identity",
            cluster_name=eks.name,
            addon_name=facts.POD_IDENTITY_ADDON,
            resolve_conflicts_on_create="OVERWRITE",
            resolve_conflicts_on_update="PRESERVE",
            tags=translate.tags(cluster),
            region=region,
            opts=child,
        )
        security_group_ids = [network.node_security_group_id, eks.vpc_config.cluster_security_group_id]
        node_dependencies: list[pulumi.Resource] = [cni, pod_identity, *node_attachments]
        system_lt = aws.ec2.LaunchTemplate(
            f"{name}-system-lt",
            **translate.system_launch_template_args(cluster, security_group_ids),
            opts=child,
        )
        aws.eks.NodeGroup(
            f"{name}-system",
            **translate.system_node_group_args(
                cluster,
                cluster_name=eks.name,
                node_role_arn=node_role.arn,
                subnet_ids=network.private_subnet_ids,
                launch_template_id=system_lt.id,
                launch_template_version=system_lt.latest_version.apply(str),
                kubernetes_version=eks.version,
                release_version=latest_ami_release(facts.SYSTEM_AMI_TYPE, eks.version, region, self),
            ),
            opts=pulumi.ResourceOptions(parent=self, depends_on=node_dependencies),
        )
        return _ClusterBase(
            cluster_name=eks.name,
            endpoint=eks.endpoint,
            kubeconfig=pulumi.Output.secret(
                pulumi.Output.all(eks.name, eks.endpoint, eks.certificate_authority).apply(
                    lambda a: translate.kubeconfig(a[0], a[1] or "", _ca_data(a[2]), region)
                )
            ),
            oidc_issuer=issuer,
            oidc_provider_arn=oidc.arn,
            vpc_id=network.vpc_id,
            zones=network.zones,
            zone_subnet_id=network.zone_subnet_id,
            subnet_ids=network.private_subnet_ids,
            mount_subnet_ids=network.private_subnet_ids,
            node_security_group_id=network.node_security_group_id,
            security_group_ids=security_group_ids,
            node_role_arn=node_role.arn,
            node_dependencies=node_dependencies,
            kubernetes_version=eks.version,
            ami_version=eks.version,
        )

    # --- an existing cluster ---------------------------------------------------------------

    def _attach(self, existing: str) -> _ClusterBase:
        """Node groups and storage on a cluster made elsewhere: read its VPC config, create a
        node role (with the CNI policy: its add-ons are not ours) and the node security group
        in its VPC. Single-zone pools and file systems use the cluster subnet in ``zone``."""
        name, cluster = self._name, self._cluster
        region = cluster.spec.region
        eks = aws.eks.Cluster.get(f"{name}-existing", existing, region=region, opts=pulumi.ResourceOptions(parent=self))
        vpc_id = eks.vpc_config.apply(lambda v: v.vpc_id if v else None)
        subnet_ids = eks.vpc_config.apply(lambda v: sorted(v.subnet_ids or []) if v else [])
        cluster_sg = eks.vpc_config.apply(lambda v: v.cluster_security_group_id if v else None)
        zones = translate.choose_zones(region, cluster.spec.zone)
        zone_subnets = aws.ec2.get_subnets_output(
            filters=subnet_ids.apply(
                lambda ids: [
                    aws.ec2.GetSubnetsFilterArgs(name="subnet-id", values=ids),
                    aws.ec2.GetSubnetsFilterArgs(name="availability-zone", values=[zones[0]]),
                ]
            ),
            region=region,
            opts=pulumi.InvokeOutputOptions(parent=self),
        )
        zone_subnet_id = zone_subnets.ids.apply(lambda ids: sorted(ids)[0] if ids else None)
        sg = node_security_group(name, cluster, vpc_id, self)
        node_role, node_attachments = self._role("node", "ec2", (*facts.NODE_POLICIES, facts.CNI_POLICY))
        return _ClusterBase(
            cluster_name=existing,
            endpoint=eks.endpoint,
            kubeconfig=pulumi.Output.secret(
                pulumi.Output.all(eks.endpoint, eks.certificate_authority).apply(
                    lambda a: translate.kubeconfig(existing, a[0] or "", _ca_data(a[1]), region)
                )
            ),
            oidc_issuer=eks.identities.apply(_issuer),
            oidc_provider_arn=None,
            vpc_id=vpc_id,
            zones=zones,
            zone_subnet_id=zone_subnet_id,
            subnet_ids=subnet_ids,
            mount_subnet_ids=[zone_subnet_id],
            node_security_group_id=sg.id,
            security_group_ids=[sg.id, cluster_sg],
            node_role_arn=node_role.arn,
            node_dependencies=list(node_attachments),
            kubernetes_version=None,
            ami_version=eks.version,
        )

    def _secrets_key(self, cluster_role: aws.iam.Role) -> tuple[pulumi.Input[str], list[pulumi.Resource]]:
        """The KMS key for Kubernetes secrets (``encryption.kmsKey``, or one made here) and the
        cluster role's permission to use it (what terraform-aws-eks also grants)."""
        name, cluster = self._name, self._cluster
        key_arn: pulumi.Input[str]
        if cluster.spec.encryption.kms_key:
            key_arn = cluster.spec.encryption.kms_key
        else:
            key = aws.kms.Key(
                f"{name}-secrets-key",
                **translate.secrets_key_args(cluster),
                opts=pulumi.ResourceOptions(parent=self),
            )
            key_arn = key.arn
        grant = aws.iam.RolePolicy(
            f"{name}-cluster-role-secrets-key",
            role=cluster_role.name,
            policy=pulumi.Output.from_input(key_arn).apply(translate.secrets_key_policy),
            opts=pulumi.ResourceOptions(parent=self),
        )
        return key_arn, [grant]

    def _role(
        self, role_name: str, service: str, policies: Sequence[str]
    ) -> tuple[aws.iam.Role, list[aws.iam.RolePolicyAttachment]]:
        """An IAM role ``f"{name}-{role_name}-role"`` assumed by ``service``, with managed policies."""
        cluster = self._cluster
        name = f"{self._name}-{role_name}-role"
        role = aws.iam.Role(
            name,
            name_prefix=translate.name_prefix(cluster.name, role_name, limit=translate.IAM_ROLE_PREFIX_MAX),
            description=f"ai-infra {cluster.name}: {service}.amazonaws.com",
            assume_role_policy=translate.assume_role_policy(service, cluster.spec.region),
            tags=translate.tags(cluster),
            opts=pulumi.ResourceOptions(parent=self),
        )
        attachments = [
            aws.iam.RolePolicyAttachment(
                f"{name}-{policy}",
                role=role.name,
                policy_arn=translate.managed_policy_arn(cluster.spec.region, policy),
                opts=pulumi.ResourceOptions(parent=self),
            )
            for policy in policies
        ]
        return role, attachments


def _issuer(identities: Any) -> str | None:
    """The OIDC issuer URL from ``aws.eks.Cluster.identities`` (None before creation)."""
    try:
        return str(identities[0].oidcs[0].issuer)
    except (TypeError, IndexError, AttributeError):
        return None


def _ca_data(authority: Any) -> str:
    try:
        return str(authority.data or "")
    except AttributeError:
        return ""
