"""Pure translation of a resolved AWS cluster into pulumi-aws (v7) arguments.

No Pulumi resources are created here and the provider SDK is not imported: every function
takes spec/catalog values and returns plain values or dicts keyed by the SDK's Python
argument names (``launch_template_args(...)`` -> ``aws.ec2.LaunchTemplate(**args)``). Values
only known at deploy time (subnet, security group, placement group IDs) are passed in by the
components, so the same functions serve golden files and the real program.

Sources for every rule are cited where it is applied; AWS-wide constants are in
``components.aws.facts``, per-instance-type facts in ``components/catalog/data/aws.yaml``.
"""

from __future__ import annotations

import base64
import ipaddress
import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from importlib import resources
from typing import Any

from components.aws import facts
from components.catalog import get_catalog
from components.catalog.model import Offer
from components.spec.resolved import LABEL_POOL, LABEL_STORAGE, ResolvedCluster, ResolvedPool, ResolvedStorage
from components.spec.security import endpoint_access

#: Boundary of the user-data MIME document (fixed, so the launch template does not change
#: from one run to the next).
MIME_BOUNDARY = "==AIINFRA-BOUNDARY=="

#: An EC2 capacity reservation ID, or the ARN of a capacity reservation resource group.
RESERVATION_ID = re.compile(r"^cr-[0-9a-f]{8}([0-9a-f]{9})?$")
RESERVATION_GROUP_ARN = re.compile(r"^arn:aws[a-z-]*:resource-groups:[a-z0-9-]+:[0-9]{12}:group/.+$")

ArgDict = dict[str, Any]


# --- account-wide naming ------------------------------------------------------------------


def partition(region: str) -> str:
    """The ARN partition of a region (aws, aws-cn, aws-us-gov)."""
    if region.startswith("cn-"):
        return "aws-cn"
    if region.startswith("us-gov-"):
        return "aws-us-gov"
    return "aws"


def managed_policy_arn(region: str, policy: str) -> str:
    """The ARN of an AWS managed IAM policy in the region's partition."""
    return f"arn:{partition(region)}:iam::aws:policy/{policy}"


def service_principal(service: str, region: str) -> str:
    """``ec2.amazonaws.com`` (``ec2.amazonaws.com.cn`` in China)."""
    return f"{service}.amazonaws.com" + (".cn" if partition(region) == "aws-cn" else "")


def assume_role_policy(service: str, region: str) -> str:
    """Trust policy letting an AWS service assume a role (JSON)."""
    return json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Effect": "Allow",
                    "Principal": {"Service": service_principal(service, region)},
                    "Action": "sts:AssumeRole",
                }
            ],
        },
        sort_keys=True,
    )


def irsa_trust_policy(oidc_provider_arn: str, issuer_url: str, namespace: str, service_account: str) -> str:
    """Trust policy for IAM roles for service accounts (IRSA), pinned to one service account.

    https://docs.aws.amazon.com/eks/latest/userguide/associate-service-account-role.html
    """
    host = issuer_url.removeprefix("https://")
    return json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Effect": "Allow",
                    "Principal": {"Federated": oidc_provider_arn},
                    "Action": "sts:AssumeRoleWithWebIdentity",
                    "Condition": {
                        "StringEquals": {
                            f"{host}:aud": "sts.amazonaws.com",
                            f"{host}:sub": f"system:serviceaccount:{namespace}:{service_account}",
                        }
                    },
                }
            ],
        },
        sort_keys=True,
    )


#: Longest ``name_prefix`` AWS accepts where the provider appends its 26-character unique
#: suffix: IAM roles (64 - 26 = 38) and EKS node groups (63 - 26 = 37). Pulumi's own
#: autonaming (logical name + 8 characters) would fail at deploy for long cluster/pool names.
IAM_ROLE_PREFIX_MAX = 38
NODE_GROUP_PREFIX_MAX = 37


def name_prefix(*parts: str, limit: int) -> str:
    """``"<parts>-"`` cut to ``limit`` characters, always ending with a hyphen."""
    text = "-".join(parts)
    if len(text) + 1 > limit:
        text = text[: limit - 1].rstrip("-_")
    return text + "-"


def tags(cluster: ResolvedCluster, **extra: str) -> dict[str, str]:
    """AWS tags for a resource of ``cluster``: its resolved labels plus ``extra``."""
    return {**cluster.labels, **extra}


# --- network layout -----------------------------------------------------------------------


def choose_zones(region: str, zone: str | None, count: int = facts.VPC_ZONES) -> list[str]:
    """The availability zones the VPC spans: the spec's zone first, then the region's others.

    From ``facts.ZONE_LETTERS`` (default a, b, c), so the layout is known at preview time.
    """
    letters = facts.ZONE_LETTERS.get(region, facts.DEFAULT_ZONE_LETTERS)
    names = [f"{region}{letter}" for letter in letters]
    if zone is not None:
        names = [zone] + [z for z in names if z != zone]
    return names[:count]


@dataclass(frozen=True)
class SubnetPlan:
    """One subnet of the cluster VPC."""

    role: str  # private | public
    zone: str
    cidr: str

    @property
    def key(self) -> str:
        return f"{self.role}-{self.zone}"


def subnet_layout(cidr: str, zones: Sequence[str]) -> list[SubnetPlan]:
    """Private subnets (nodes, pods, file systems) and small public ones (NAT, load balancers).

    The VPC CIDR is cut in quarters: one quarter per zone for private subnets (VPC CNI gives
    every pod a VPC address, so these are large), and the last quarter split into sixteenths
    for the public subnets. For a /16: private /18 (16,379 usable addresses) and public /22.
    """
    if not 1 <= len(zones) <= 3:
        raise ValueError(f"between 1 and 3 zones are supported, got {len(zones)}")
    net = ipaddress.IPv4Network(cidr, strict=True)
    quarters = list(net.subnets(prefixlen_diff=2))
    public = list(quarters[3].subnets(prefixlen_diff=4))
    plans = [SubnetPlan("private", z, str(quarters[i])) for i, z in enumerate(zones)]
    plans += [SubnetPlan("public", z, str(public[i])) for i, z in enumerate(zones)]
    return plans


def subnet_tags(role: str) -> dict[str, str]:
    """Tags the AWS Load Balancer Controller uses to find subnets.

    https://docs.aws.amazon.com/eks/latest/userguide/network-load-balancing.html
    """
    return {"kubernetes.io/role/internal-elb": "1"} if role == "private" else {"kubernetes.io/role/elb": "1"}


def s3_gateway_service(region: str) -> str:
    """The S3 gateway endpoint service: dataset reads from S3 skip the NAT gateways (free
    endpoint, no NAT data-processing charge per GB).
    https://docs.aws.amazon.com/vpc/latest/privatelink/vpc-endpoints-s3.html
    """
    return f"com.amazonaws.{region}.s3"


def nat_gateway_zones(environment: str, zones: Sequence[str]) -> list[str]:
    """One NAT gateway per zone in prod (a zone outage keeps egress), one otherwise (cost)."""
    return list(zones) if environment == "prod" else list(zones[:1])


# --- pools ----------------------------------------------------------------------------------


def accelerator_kind(offer: Offer) -> str:
    """``gpu`` or ``neuron`` (from the catalog's accelerator row)."""
    return get_catalog().accelerators[offer.accelerator].kind


def efa_network_interfaces(offer: Offer) -> list[ArgDict]:
    """The launch template network interfaces for an EFA pool, one per network card.

    The first interface (network card 0, device index 0) is ``efa`` (EFA with ENA: it
    carries the node's IP traffic); each further card gets an ``efa-only`` interface at
    device index 1, as pulumi-eks ``getEfaNetworkInterfaces`` does. ``efaInterfaces`` in the
    catalog is EC2's ``EfaInfo.MaximumEfaInterfaces`` (p5 32, p5en 16, p6-b200 8, p4d 4,
    trn1 8): one interface per network card.
    https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/efa-acc-inst-types.html
    """
    count = offer.fabric.efa_interfaces
    if count < 1:
        raise ValueError(f"{offer.machine_type} has no EFA interfaces in the catalog")
    return [
        {
            "network_card_index": card,
            "device_index": 0 if card == 0 else 1,
            "interface_type": "efa" if card == 0 else "efa-only",
            "delete_on_termination": "true",
        }
        for card in range(count)
    ]


def node_taints(offer: Offer) -> list[ArgDict]:
    """The accelerator taint: only pods that tolerate it (and ask for the device) land here."""
    key = facts.TAINT_KEYS[accelerator_kind(offer)]
    return [{"key": key, "value": "true", "effect": "NO_SCHEDULE"}]


def driver_from_ami(pool: ResolvedPool) -> bool:
    """True when the pool's AMI brings the NVIDIA driver and container toolkit (the EKS
    accelerated AMI of an NVIDIA pool; ``gpuDriver: none`` picks the standard AMI instead)."""
    accel = get_catalog().accelerators[pool.offer.accelerator]
    return accel.vendor == "nvidia" and accel.kind == "gpu" and pool.spec.gpu_driver != "none"


def node_labels(cluster: ResolvedCluster, pool: ResolvedPool) -> dict[str, str]:
    """Kubernetes labels of a pool's nodes: the pool's own labels plus the aiinfra ones.

    Pools whose AMI brings the NVIDIA driver also carry the GPU Operator's opt-out label, so
    an operator in the cluster (ours serves ``gpuDriver: none`` pools) leaves their driver and
    container runtime alone.
    """
    skip = get_catalog().addons.addons["gpuOperator"].skip_node_labels if driver_from_ami(pool) else {}
    labels = {
        **skip,
        **pool.spec.labels,
        LABEL_POOL: pool.name,
        "aiinfra-accelerator": pool.offer.accelerator,
    }
    if pool.fabric is not None:
        labels["aiinfra-fabric"] = pool.fabric.kind
    return labels


def ami_type(pool: ResolvedPool) -> str:
    """The EKS AMI type: the catalog's accelerated AMI, or the standard one with gpuDriver: none.

    https://docs.aws.amazon.com/eks/latest/APIReference/API_Nodegroup.html#AmazonEKS-Type-Nodegroup-amiType
    """
    if pool.spec.gpu_driver == "none" and accelerator_kind(pool.offer) == "gpu":
        return "AL2023_x86_64_STANDARD"
    if pool.offer.ami_type is None:
        raise ValueError(f"{pool.offer.machine_type} has no amiType in the catalog")
    return pool.offer.ami_type


@dataclass(frozen=True)
class CapacityPlan:
    """How a pool buys its instances."""

    capacity_type: str  # ON_DEMAND | SPOT | CAPACITY_BLOCK (EKS node group)
    reservation_target: ArgDict | None  # launch template capacity_reservation_specification
    market_type: str | None  # launch template instance_market_options.market_type
    instance_type_in_template: bool  # Capacity Blocks: the instance type goes in the template


def capacity_plan(pool: ResolvedPool) -> CapacityPlan:
    """On-demand, spot, a capacity reservation (ODCR) or a Capacity Block for ML.

    Capacity Blocks with managed node groups need a custom launch template with market type
    ``capacity-block``, the block's reservation ID and the instance type, and the node group's
    capacity type ``CAPACITY_BLOCK``.
    https://docs.aws.amazon.com/eks/latest/userguide/capacity-blocks-mng.html
    https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/capacity-reservations-launch.html
    """
    spec = pool.spec
    if spec.capacity == "spot":
        return CapacityPlan("SPOT", None, None, False)
    if spec.capacity != "reserved" or spec.reservation is None:
        return CapacityPlan("ON_DEMAND", None, None, False)
    key = (
        "capacity_reservation_resource_group_arn" if spec.reservation.startswith("arn:") else "capacity_reservation_id"
    )
    target = {"capacity_reservation_target": {key: spec.reservation}}
    if spec.reservation_kind == "capacity-block":
        return CapacityPlan("CAPACITY_BLOCK", target, "capacity-block", True)
    return CapacityPlan("ON_DEMAND", target, None, False)


def scaling_config(pool: ResolvedPool) -> ArgDict:
    """Min/max from the spec; desired starts at min (the cluster autoscaler owns it after)."""
    return {
        "min_size": pool.spec.min_nodes,
        "max_size": pool.spec.max_nodes,
        "desired_size": pool.spec.min_nodes,
    }


def raid0_script() -> str:
    """The shipped RAID0 script (``components/aws/scripts/raid0.sh``)."""
    return resources.files("components.aws").joinpath("scripts", "raid0.sh").read_text("utf-8")


def user_data_mime(parts: Sequence[tuple[str, str]]) -> str:
    """A MIME multipart document; EKS merges it with its own nodeadm NodeConfig part.

    https://docs.aws.amazon.com/eks/latest/userguide/launch-templates.html#launch-template-user-data
    """
    lines = [
        "MIME-Version: 1.0",
        f'Content-Type: multipart/mixed; boundary="{MIME_BOUNDARY}"',
        "",
    ]
    for content_type, body in parts:
        lines += [f"--{MIME_BOUNDARY}", f'Content-Type: {content_type}; charset="us-ascii"', "", body.rstrip("\n"), ""]
    lines.append(f"--{MIME_BOUNDARY}--")
    return "\n".join(lines) + "\n"


def user_data(pool: ResolvedPool) -> str | None:
    """Base64 launch template user data for the pool (None when it needs none)."""
    parts: list[tuple[str, str]] = []
    if pool.spec.local_ssd == "raid0":
        parts.append(("text/x-shellscript", raid0_script()))
    if not parts:
        return None
    return base64.b64encode(user_data_mime(parts).encode("utf-8")).decode("ascii")


def metadata_options() -> ArgDict:
    """IMDSv2 only, hop limit 1: pods cannot reach the node role (``facts.IMDS_HOP_LIMIT``)."""
    return {
        "http_endpoint": "enabled",
        "http_tokens": "required",
        "http_put_response_hop_limit": facts.IMDS_HOP_LIMIT,
    }


def root_volume(disk_size_gib: int, kms_key: str | None = None) -> list[ArgDict]:
    """Encrypted gp3 root volume (the launch template's EBS fields are strings in the SDK),
    with the spec's customer-managed key when there is one (else the account's EBS key)."""
    ebs: ArgDict = {
        "volume_size": disk_size_gib,
        "volume_type": "gp3",
        "encrypted": "true",
        "delete_on_termination": "true",
    }
    if kms_key:
        ebs["kms_key_id"] = kms_key
    return [{"device_name": facts.ROOT_DEVICE, "ebs": ebs}]


def ami_release_parameter(ami: str, kubernetes_version: str) -> str:
    """The SSM parameter holding the latest recommended release version of an EKS AMI type."""
    return f"/aws/service/eks/optimized-ami/{kubernetes_version}/{facts.AMI_SSM_PATHS[ami]}/recommended/release_version"


def tag_specifications(resource_tags: Mapping[str, str]) -> list[ArgDict]:
    """Propagate tags to the instances, their volumes and network interfaces."""
    return [
        {"resource_type": kind, "tags": dict(resource_tags)} for kind in ("instance", "volume", "network-interface")
    ]


def launch_template_args(
    cluster: ResolvedCluster,
    pool: ResolvedPool,
    security_group_ids: Sequence[Any],
    placement_group: Any | None,
) -> ArgDict:
    """Arguments of the pool's launch template (``aws.ec2.LaunchTemplate``).

    ``security_group_ids`` go on every EFA interface (a launch template with network
    interfaces cannot also set ``vpc_security_group_ids``), or on the template otherwise.
    """
    pool_tags = tags(cluster, **{LABEL_POOL: pool.name})
    args: ArgDict = {
        "description": f"ai-infra {cluster.name}/{pool.name}: {pool.offer.machine_type}",
        "update_default_version": True,
        "metadata_options": metadata_options(),
        "block_device_mappings": root_volume(pool.spec.disk_size_gib, cluster.spec.encryption.kms_key),
        "tag_specifications": tag_specifications(pool_tags),
        "tags": pool_tags,
        "region": cluster.spec.region,
    }
    if pool.fabric is not None and pool.fabric.kind == "efa":
        args["network_interfaces"] = [
            {**nic, "security_groups": list(security_group_ids)} for nic in efa_network_interfaces(pool.offer)
        ]
    else:
        args["vpc_security_group_ids"] = list(security_group_ids)
    if placement_group is not None:
        args["placement"] = {"group_name": placement_group}
    plan = capacity_plan(pool)
    if plan.reservation_target is not None:
        args["capacity_reservation_specification"] = plan.reservation_target
    if plan.market_type is not None:
        args["instance_market_options"] = {"market_type": plan.market_type}
    if plan.instance_type_in_template:
        args["instance_type"] = pool.offer.machine_type
    data = user_data(pool)
    if data is not None:
        args["user_data"] = data
    return args


def node_group_args(
    cluster: ResolvedCluster,
    pool: ResolvedPool,
    cluster_name: Any,
    node_role_arn: Any,
    subnet_ids: Any,
    launch_template_id: Any,
    launch_template_version: Any,
    kubernetes_version: Any | None = None,
    release_version: Any | None = None,
) -> ArgDict:
    """Arguments of the pool's EKS managed node group (``aws.eks.NodeGroup``).

    ``kubernetes_version`` (the cluster's, on clusters ai-infra creates) makes a change of
    ``kubernetes.version`` roll the node groups after the control plane.
    """
    plan = capacity_plan(pool)
    args: ArgDict = {
        "node_group_name_prefix": name_prefix(cluster.name, pool.name, limit=NODE_GROUP_PREFIX_MAX),
        "cluster_name": cluster_name,
        "node_role_arn": node_role_arn,
        "subnet_ids": subnet_ids,
        "ami_type": ami_type(pool),
        "capacity_type": plan.capacity_type,
        "scaling_config": scaling_config(pool),
        "launch_template": {"id": launch_template_id, "version": launch_template_version},
        "labels": node_labels(cluster, pool),
        "taints": node_taints(pool.offer),
        # One node at a time: GPU nodes are few and expensive, and a fabric pool's jobs
        # span all of them.
        "update_config": {"max_unavailable": 1},
        "tags": tags(cluster, **{LABEL_POOL: pool.name}),
        "region": cluster.spec.region,
    }
    if not plan.instance_type_in_template:
        args["instance_types"] = [pool.offer.machine_type]
    if kubernetes_version is not None:
        args["version"] = kubernetes_version
    if release_version is not None:
        args["release_version"] = release_version
    return args


def pool_single_zone(pool: ResolvedPool) -> bool:
    """True when the pool lives in the cluster's zone only: a fabric, compact placement or a
    reservation (capacity reservations and Capacity Blocks are zonal)."""
    return pool.fabric is not None or pool.compact or pool.spec.capacity == "reserved"


def system_node_group_scaling(nodes: int) -> ArgDict:
    """The system pool keeps ``nodes`` nodes and may double for add-on surges."""
    return {"min_size": nodes, "max_size": max(nodes * 2, 1), "desired_size": nodes}


# --- storage --------------------------------------------------------------------------------


def lustre_args(
    cluster: ResolvedCluster, storage: ResolvedStorage, subnet_id: Any, security_group_ids: Sequence[Any]
) -> ArgDict:
    """FSx for Lustre PERSISTENT_2 in the cluster's zone (``aws.fsx.LustreFileSystem``).

    Throughput per TiB from the resolved tier (125/250/500/1000); capacity was checked
    against the catalog's increments (1200 GiB, then multiples of 2400 GiB).
    https://docs.aws.amazon.com/fsx/latest/LustreGuide/using-fsx-lustre.html
    """
    return {
        "deployment_type": facts.LUSTRE_DEPLOYMENT,
        "storage_type": "SSD",
        "storage_capacity": storage.spec.capacity_gib,
        "per_unit_storage_throughput": storage.throughput_mbps_per_tib,
        "file_system_type_version": facts.LUSTRE_VERSION,
        "data_compression_type": "LZ4",
        # A single subnet ID (a string, not a list, in pulumi-aws v7: one subnet per file system).
        "subnet_ids": subnet_id,
        "security_group_ids": list(security_group_ids),
        "tags": tags(cluster, Name=storage.name, **{LABEL_STORAGE: storage.name}),
        "region": cluster.spec.region,
        **_kms(cluster),
    }


def _kms(cluster: ResolvedCluster) -> ArgDict:
    """``kms_key_id`` of the spec's customer-managed key (else the service's AWS-managed key)."""
    key = cluster.spec.encryption.kms_key
    return {"kms_key_id": key} if key else {}


def efs_args(cluster: ResolvedCluster, storage: ResolvedStorage) -> ArgDict:
    """EFS (elastic throughput, encrypted) for ``nfs`` (``aws.efs.FileSystem``)."""
    return {
        "encrypted": True,
        "performance_mode": "generalPurpose",
        "throughput_mode": "elastic",
        "tags": tags(cluster, Name=storage.name, **{LABEL_STORAGE: storage.name}),
        "region": cluster.spec.region,
        **_kms(cluster),
    }


def ebs_volume_type(iops: int | None) -> facts.EbsLimits:
    """gp3 up to ``facts.IO2_ABOVE_IOPS`` (16,000), io2 above."""
    return facts.IO2 if iops is not None and iops > facts.IO2_ABOVE_IOPS else facts.GP3


def ebs_args(cluster: ResolvedCluster, storage: ResolvedStorage, zone: str) -> ArgDict:
    """An encrypted gp3/io2 volume in ``zone`` (``aws.ebs.Volume``)."""
    limits = ebs_volume_type(storage.spec.iops)
    args: ArgDict = {
        "availability_zone": zone,
        "size": storage.spec.capacity_gib,
        "type": limits.volume_type,
        "encrypted": True,
        "tags": tags(cluster, Name=storage.name, **{LABEL_STORAGE: storage.name}),
        "region": cluster.spec.region,
        **_kms(cluster),
    }
    if storage.spec.iops is not None:  # always set for io2 (it is chosen by iops)
        args["iops"] = storage.spec.iops
    if storage.spec.throughput_mbps is not None and limits.volume_type == "gp3":
        args["throughput"] = storage.spec.throughput_mbps
    return args


# --- cluster ---------------------------------------------------------------------------------


def cluster_args(
    cluster: ResolvedCluster, role_arn: Any, subnet_ids: Sequence[Any], secrets_key_arn: Any = None
) -> ArgDict:
    """Arguments of the EKS cluster (``aws.eks.Cluster``).

    Access entries only (``API``: no aws-auth ConfigMap), the creator as admin, the endpoint
    ``clusters[].access`` asks for (prod: private only unless authorizedCidrs), Kubernetes
    secrets envelope-encrypted with ``secrets_key_arn``, control-plane audit logs. The name
    is fixed (the spec's cluster name) so the audit log group can exist, with its retention,
    before the cluster first writes to it.
    https://docs.aws.amazon.com/eks/latest/userguide/grant-k8s-access.html
    https://docs.aws.amazon.com/eks/latest/userguide/cluster-endpoint.html
    """
    access = endpoint_access(cluster.spec, cluster.environment)
    vpc_config: ArgDict = {
        "subnet_ids": list(subnet_ids),
        "endpoint_private_access": True,
        "endpoint_public_access": not access.private,
    }
    if access.authorized_cidrs:
        vpc_config["public_access_cidrs"] = list(access.authorized_cidrs)
    args: ArgDict = {
        "name": cluster.spec.name,
        "role_arn": role_arn,
        "vpc_config": vpc_config,
        "access_config": {
            "authentication_mode": "API",
            "bootstrap_cluster_creator_admin_permissions": True,
        },
        "enabled_cluster_log_types": list(facts.CLUSTER_LOG_TYPES),
        "tags": tags(cluster),
        "region": cluster.spec.region,
    }
    if secrets_key_arn is not None:
        args["encryption_config"] = {"provider": {"key_arn": secrets_key_arn}, "resources": ["secrets"]}
    if cluster.spec.kubernetes.version is not None:
        args["version"] = cluster.spec.kubernetes.version
    return args


def cluster_log_group_args(cluster: ResolvedCluster) -> ArgDict:
    """The control plane's log group (EKS writes to ``/aws/eks/<name>/cluster``), with retention.

    Created before the cluster: otherwise EKS creates it itself, keeping logs forever.
    https://docs.aws.amazon.com/eks/latest/userguide/control-plane-logs.html
    """
    return {
        "name": f"/aws/eks/{cluster.spec.name}/cluster",
        "retention_in_days": cluster.spec.audit_logs.retention_days,
        "tags": tags(cluster),
        "region": cluster.spec.region,
    }


def secrets_key_args(cluster: ResolvedCluster) -> ArgDict:
    """A KMS key (rotated yearly) that envelope-encrypts the cluster's Kubernetes secrets."""
    return {
        "description": f"ai-infra {cluster.name}: Kubernetes secrets envelope encryption",
        "enable_key_rotation": True,
        "deletion_window_in_days": facts.KEY_DELETION_WINDOW_DAYS,
        "tags": tags(cluster),
        "region": cluster.spec.region,
    }


def secrets_key_policy(key_arn: str) -> str:
    """The cluster role's inline policy: use the secrets key, and only it."""
    return json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [{"Effect": "Allow", "Action": list(facts.SECRETS_KEY_ACTIONS), "Resource": key_arn}],
        },
        sort_keys=True,
    )


def cni_addon_configuration() -> str:
    """``configuration_values`` of the vpc-cni add-on (JSON): NetworkPolicy enforcement on."""
    return json.dumps(facts.CNI_CONFIGURATION, sort_keys=True)


def system_launch_template_args(cluster: ResolvedCluster, security_group_ids: Sequence[Any]) -> ArgDict:
    """Launch template of the system node group: IMDSv2, encrypted gp3 root, tags."""
    system_tags = tags(cluster, **{LABEL_POOL: "system"})
    return {
        "description": f"ai-infra {cluster.name}/system",
        "update_default_version": True,
        "metadata_options": metadata_options(),
        "block_device_mappings": root_volume(facts.SYSTEM_DISK_GIB, cluster.spec.encryption.kms_key),
        "vpc_security_group_ids": list(security_group_ids),
        "tag_specifications": tag_specifications(system_tags),
        "tags": system_tags,
        "region": cluster.spec.region,
    }


def system_node_group_args(
    cluster: ResolvedCluster,
    cluster_name: Any,
    node_role_arn: Any,
    subnet_ids: Any,
    launch_template_id: Any,
    launch_template_version: Any,
    kubernetes_version: Any | None = None,
    release_version: Any | None = None,
) -> ArgDict:
    """The small CPU node group for add-ons (no taint: it runs everything not accelerated)."""
    system = cluster.spec.system_pool
    args: ArgDict = {
        "node_group_name_prefix": name_prefix(cluster.name, "system", limit=NODE_GROUP_PREFIX_MAX),
        "cluster_name": cluster_name,
        "node_role_arn": node_role_arn,
        "subnet_ids": subnet_ids,
        "ami_type": facts.SYSTEM_AMI_TYPE,
        "capacity_type": "ON_DEMAND",
        "instance_types": [system.machine_type or facts.SYSTEM_INSTANCE_TYPE],
        "scaling_config": system_node_group_scaling(system.nodes),
        "launch_template": {"id": launch_template_id, "version": launch_template_version},
        "labels": {LABEL_POOL: "system"},
        "update_config": {"max_unavailable": 1},
        "tags": tags(cluster, **{LABEL_POOL: "system"}),
        "region": cluster.spec.region,
    }
    if kubernetes_version is not None:
        args["version"] = kubernetes_version
    if release_version is not None:
        args["release_version"] = release_version
    return args


def kubeconfig(cluster_name: str, endpoint: str, ca_data: str, region: str) -> str:
    """A kubeconfig that authenticates with ``aws eks get-token`` (JSON is valid YAML)."""
    user = {
        "exec": {
            "apiVersion": "client.authentication.k8s.io/v1beta1",
            "command": "aws",
            "args": ["eks", "get-token", "--cluster-name", cluster_name, "--region", region],
        }
    }
    return json.dumps(
        {
            "apiVersion": "v1",
            "kind": "Config",
            "clusters": [
                {"name": cluster_name, "cluster": {"server": endpoint, "certificate-authority-data": ca_data}}
            ],
            "contexts": [{"name": cluster_name, "context": {"cluster": cluster_name, "user": cluster_name}}],
            "current-context": cluster_name,
            "users": [{"name": cluster_name, "user": user}],
        },
        sort_keys=True,
    )
