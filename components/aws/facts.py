"""AWS/EKS facts the AWS components rely on, as tables with their sources.

Per-instance-type facts (GPUs, EFA interfaces, instance store, AMI type) live in the catalog
(``components/catalog/data/aws.yaml``); what is here is EKS- and EC2-wide: IAM managed
policies, taints per accelerator kind, EBS volume limits, the system pool defaults and
the network layout. Nothing here imports the provider SDK.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType

#: Managed policies of the EKS cluster role.
#: https://docs.aws.amazon.com/eks/latest/userguide/cluster-iam-role.html
CLUSTER_POLICIES: tuple[str, ...] = ("AmazonEKSClusterPolicy",)

#: Managed policies of the node role, and nothing more: join the cluster and pull images
#: from ECR (pull-only).
#: https://docs.aws.amazon.com/eks/latest/userguide/create-node-role.html
NODE_POLICIES: tuple[str, ...] = (
    "AmazonEKSWorkerNodePolicy",
    "AmazonEC2ContainerRegistryPullOnly",
)

#: The VPC CNI's policy. On clusters ai-infra creates it goes on an IRSA role of the vpc-cni
#: add-on (service account kube-system/aws-node), as AWS recommends, not on the node role;
#: on an existing cluster, whose add-ons ai-infra does not manage, it goes on the node role.
#: https://docs.aws.amazon.com/eks/latest/userguide/cni-iam-role.html
CNI_POLICY = "AmazonEKS_CNI_Policy"
CNI_NAMESPACE = "kube-system"
CNI_SERVICE_ACCOUNT = "aws-node"

#: Root volume of system nodes (GiB).
SYSTEM_DISK_GIB = 100

#: Kubernetes taint key per accelerator kind (catalog ``accelerators.yaml`` ``kind``). The NVIDIA
#: and Neuron device plugins advertise these resources, and their DaemonSets tolerate them.
#: https://docs.aws.amazon.com/eks/latest/userguide/ml-eks-optimized-ami.html
TAINT_KEYS: Mapping[str, str] = MappingProxyType(
    {
        "gpu": "nvidia.com/gpu",
        "neuron": "aws.amazon.com/neuron",
    }
)

#: The system pool: a small CPU node group for add-ons (CoreDNS, device plugins, operators).
SYSTEM_INSTANCE_TYPE = "m6i.xlarge"
SYSTEM_AMI_TYPE = "AL2023_x86_64_STANDARD"

#: Root volume device name of the EKS-optimized AL2023 AMIs.
ROOT_DEVICE = "/dev/xvda"

#: Control plane log types sent to CloudWatch.
#: https://docs.aws.amazon.com/eks/latest/userguide/control-plane-logs.html
CLUSTER_LOG_TYPES: tuple[str, ...] = ("api", "audit", "authenticator")

#: IMDSv2 only, hop limit 1: a pod (one network hop further than the node) cannot reach IMDS
#: and so cannot take the node role's credentials; workloads use IRSA or EKS Pod Identity,
#: and host-network add-ons (VPC CNI, Pod Identity agent) still reach IMDS.
#: https://docs.aws.amazon.com/eks/latest/best-practices/identity-and-access-management.html#_restrict_access_to_the_instance_profile_assigned_to_the_worker_node
IMDS_HOP_LIMIT = 1

#: Add-ons of clusters ai-infra creates, beside vpc-cni: the EKS Pod Identity agent, so
#: workloads get AWS credentials per service account without reaching the node's IMDS.
#: https://docs.aws.amazon.com/eks/latest/userguide/pod-identities.html
POD_IDENTITY_ADDON = "eks-pod-identity-agent"

#: VPC CNI configuration: enforce Kubernetes NetworkPolicy with the CNI's network policy agent.
#: https://docs.aws.amazon.com/eks/latest/userguide/cni-network-policy.html
CNI_CONFIGURATION = {"enableNetworkPolicy": "true"}

#: What the cluster role may do with the secrets key (envelope encryption of Kubernetes secrets).
#: https://docs.aws.amazon.com/eks/latest/userguide/enable-kms.html
SECRETS_KEY_ACTIONS: tuple[str, ...] = ("kms:Encrypt", "kms:Decrypt", "kms:ListGrants", "kms:DescribeKey")
#: Days a deleted secrets key stays recoverable (the KMS maximum).
KEY_DELETION_WINDOW_DAYS = 30

#: SSM path segment of the EKS-optimized AMI per managed node group AMI type: the node groups'
#: release version is read from /aws/service/eks/optimized-ami/<k8s>/<path>/recommended/release_version
#: at every `pulumi up`, so nodes move to the latest recommended AMI (one node at a time).
#: https://docs.aws.amazon.com/eks/latest/userguide/retrieve-ami-id.html
AMI_SSM_PATHS: Mapping[str, str] = MappingProxyType(
    {
        "AL2023_x86_64_STANDARD": "amazon-linux-2023/x86_64/standard",
        "AL2023_x86_64_NVIDIA": "amazon-linux-2023/x86_64/nvidia",
        "AL2023_x86_64_NEURON": "amazon-linux-2023/x86_64/neuron",
        "AL2_x86_64_GPU": "amazon-linux-2-gpu",
    }
)

#: Availability zones a new VPC spreads over (EKS needs subnets in at least two).
VPC_ZONES = 3

#: Zone letters per region where they are not simply a, b, c. The VPC layout is computed at
#: program time (no invoke: previews stay deterministic and offline), so zones come from here;
#: the spec's ``zone`` always comes first. Letters map to different physical zones in each
#: account, but the names exist in every account, except where noted.
#: https://docs.aws.amazon.com/global-infrastructure/latest/regions/aws-availability-zones.html
ZONE_LETTERS: Mapping[str, str] = MappingProxyType(
    {
        "us-east-1": "abcdf",  # us-east-1e is constrained (few current instance types)
        "us-west-1": "ac",  # two zones; some older accounts see b and c: set zone
        "ap-northeast-1": "acd",  # no ap-northeast-1b for new accounts
        "ap-northeast-2": "abcd",
        "ca-central-1": "abd",
        "sa-east-1": "abc",
    }
)
DEFAULT_ZONE_LETTERS = "abc"

#: FSx for Lustre file system version and compression for new PERSISTENT_2 file systems.
#: https://docs.aws.amazon.com/fsx/latest/LustreGuide/using-fsx-lustre.html
LUSTRE_VERSION = "2.15"
LUSTRE_DEPLOYMENT = "PERSISTENT_2"


@dataclass(frozen=True)
class EbsLimits:
    """Provisioning limits of one EBS volume type."""

    volume_type: str
    min_iops: int
    max_iops: int
    max_iops_per_gib: int
    # gp3 only: throughput is provisioned separately (MiB/s); io2 derives it from IOPS.
    min_throughput: int | None = None
    max_throughput: int | None = None
    max_throughput_per_iops: float | None = None


#: https://docs.aws.amazon.com/ebs/latest/userguide/general-purpose.html#gp3-ebs-volume-type
#: (limits raised in 2025: 80,000 IOPS, 2,000 MiB/s, 64 TiB; the catalog's storage.yaml agrees)
#: https://docs.aws.amazon.com/ebs/latest/userguide/provisioned-iops.html#io2-block-express
GP3 = EbsLimits(
    volume_type="gp3",
    min_iops=3000,
    max_iops=80000,
    max_iops_per_gib=500,
    min_throughput=125,
    max_throughput=2000,
    max_throughput_per_iops=0.25,
)
IO2 = EbsLimits(volume_type="io2", min_iops=100, max_iops=256000, max_iops_per_gib=1000)

#: Block volumes asking for more IOPS than this are io2 (Block Express: sub-millisecond
#: latency, 99.999% durability), gp3 up to it. 16,000 was gp3's ceiling before 2025 and is
#: kept as the line between general-purpose and provisioned-IOPS volumes; gp3 itself could
#: now go to 80,000 for less money, so raise this to ``GP3.max_iops`` to prefer cost.
IO2_ABOVE_IOPS = 16000
