"""Typed args of the ai-infra component package, generated from ``components/spec/fleet.schema.json``.

Do not edit: regenerate with ``python -m components.package.codegen > components/package/args.py``.
``pulumi.provider.experimental`` infers the package schema (types, descriptions) from these
annotations and docstrings; keys are the spec's own camelCase keys. No ``from __future__ import
annotations`` here: the schema inference reads the annotations as live types.
"""

from enum import IntEnum, StrEnum
from typing import NotRequired, TypedDict


class FleetEnvironment(StrEnum):
    """Deployment environment; policies choose their thresholds by it and every resource is labelled with it."""

    Dev = "dev"
    Staging = "staging"
    Prod = "prod"


class BudgetSpec(TypedDict):
    """Self-declared ceilings, checked by the policy pack and shown in the plan."""

    maxHourlyUsd: NotRequired[int]
    """Ceiling on the fleet's on-demand cost per hour at max scale, in whole US dollars. No default: no ceiling."""

    maxAccelerators: NotRequired[int]
    """Ceiling on accelerators (GPUs, TPU chips, Neuron chips) at max scale. No default: no ceiling."""


class ClusterCloud(StrEnum):
    """Cloud that hosts the cluster."""

    Gcp = "gcp"
    Azure = "azure"
    Aws = "aws"


class KubernetesReleaseChannel(StrEnum):
    """GKE release channel / AKS upgrade channel / EKS support policy (stable = extended support)."""

    Rapid = "rapid"
    Regular = "regular"
    Stable = "stable"


class KubernetesSpec(TypedDict):
    """Create a cluster at `version`, or attach pools to `existingCluster`."""

    version: NotRequired[str]
    """Kubernetes minor version ("1.35"). Default: the cloud's default for the release channel. Checked against the catalog's version table (components/catalog/data/kubernetes.yaml): a version past support is an error, one within 60 days of an end (or in paid extended support) a warning."""

    existingCluster: NotRequired[str]
    """Name (GKE, EKS) or resource ID (AKS) of a cluster to attach node pools to instead of creating one. No default."""

    releaseChannel: NotRequired[KubernetesReleaseChannel]
    """GKE release channel / AKS upgrade channel / EKS support policy (stable = extended support). Default: `regular`."""

    resourceGroup: NotRequired[str]
    """Azure only: an existing resource group to use. Default: one is created for the cluster."""


class NetworkFabric(StrEnum):
    """auto: the accelerator's native fabric (GPUDirect, InfiniBand, EFA) for every pool that can hold more than one node; none: no fabric; rdma: require the fabric on every pool (an error where the accelerator has none)."""

    Auto = "auto"
    ValueNone = "none"
    Rdma = "rdma"


class NetworkSpec(TypedDict):
    """The cluster network and its accelerator fabric."""

    cidr: NotRequired[str]
    """Primary CIDR of the cluster network (VPC / VNet). Default: `10.0.0.0/16`."""

    fabric: NotRequired[NetworkFabric]
    """auto: the accelerator's native fabric (GPUDirect, InfiniBand, EFA) for every pool that can hold more than one node; none: no fabric; rdma: require the fabric on every pool (an error where the accelerator has none). Default: `auto`."""


class SystemPoolSpec(TypedDict):
    """The small CPU node pool for cluster add-ons."""

    machineType: NotRequired[str]
    """Machine type / VM size / instance type. Default: e2-standard-4 (GCP), Standard_D4s_v5 (Azure), m6i.large (AWS)."""

    nodes: NotRequired[int]
    """Node count of the system pool. Default: `2`."""


class AccessEndpoint(StrEnum):
    """private: the API endpoint has no public address (reach it from the cluster network, a peered network, VPN or bastion; on GKE also through its IAM-authorised DNS endpoint, see deployFrom); public: a public endpoint, reachable only from authorizedCidrs when they are given. Default: private in prod unless authorizedCidrs is set (then public, limited to them); public in dev and staging."""

    Private = "private"
    Public = "public"


class AccessDeployFrom(StrEnum):
    """Where `pulumi up` runs, which installs the add-ons through the API endpoint. internet: outside the cluster's network (a hosted CI runner, a laptop); a private GKE cluster then gets a DNS-based endpoint that admits only Google identities with container.clusters.connect, and validate warns about a private EKS or AKS endpoint. network: inside it (a self-hosted runner in the VPC/VNet, a peered network, a VPN); the private endpoint is reached by its private address and GKE gets no DNS endpoint."""

    Internet = "internet"
    Network = "network"


class AccessSpec(TypedDict):
    """Who can reach the Kubernetes API endpoint (clusters ai-infra creates). Secure by default: a prod cluster gets no public endpoint unless authorizedCidrs names the networks that may reach it."""

    endpoint: NotRequired[AccessEndpoint]
    """private: the API endpoint has no public address (reach it from the cluster network, a peered network, VPN or bastion; on GKE also through its IAM-authorised DNS endpoint, see deployFrom); public: a public endpoint, reachable only from authorizedCidrs when they are given. Default: private in prod unless authorizedCidrs is set (then public, limited to them); public in dev and staging."""

    deployFrom: NotRequired[AccessDeployFrom]
    """Where `pulumi up` runs, which installs the add-ons through the API endpoint. internet: outside the cluster's network (a hosted CI runner, a laptop); a private GKE cluster then gets a DNS-based endpoint that admits only Google identities with container.clusters.connect, and validate warns about a private EKS or AKS endpoint. network: inside it (a self-hosted runner in the VPC/VNet, a peered network, a VPN); the private endpoint is reached by its private address and GKE gets no DNS endpoint. Default: `internet`."""

    authorizedCidrs: NotRequired[list[str]]
    """Public networks (CIDRs) allowed to reach a public API endpoint (GKE master authorized networks, AKS authorized IP ranges, EKS public access CIDRs). At most 40 (the EKS limit). Default: none (a public endpoint then accepts any address; not allowed in prod)."""


class EncryptionSpec(TypedDict):
    """Encryption of Kubernetes secrets, node disks and storage. Kubernetes secrets are always envelope-encrypted with a key: kmsKey, or one ai-infra creates for the cluster."""

    kmsKey: NotRequired[str]
    """Customer-managed key for Kubernetes secrets, node boot disks, block volumes and file systems: a Cloud KMS key (projects/<p>/locations/<l>/keyRings/<r>/cryptoKeys/<k>), an AWS KMS key ARN, or an Azure Key Vault key ID (https://<vault>.vault.azure.net/keys/<name>/<version>). Default: none; ai-infra creates a key for the cluster's secrets, and disks and file systems use the provider's keys."""

    keyVault: NotRequired[str]
    """Azure only: resource ID of the Key Vault holding kmsKey (/subscriptions/<s>/resourceGroups/<rg>/providers/Microsoft.KeyVault/vaults/<name>). Required with kmsKey on Azure. No default."""

    atHost: NotRequired[bool]
    """Azure only: encryption at host on every node pool (OS and temporary disks and caches encrypted on the VM host). Needs the subscription feature Microsoft.Compute/EncryptionAtHost and a VM size that supports it. Default: `false`."""


class AuditLogsRetentionDays(IntEnum):
    """Days the audit logs are kept (values every cloud accepts)."""

    Value30 = 30
    Value60 = 60
    Value90 = 90
    Value120 = 120
    Value150 = 150
    Value180 = 180
    Value365 = 365
    Value400 = 400
    Value545 = 545


class AuditLogsSpec(TypedDict):
    """Kubernetes API audit logs (GKE: Cloud Audit Logs routed to a log bucket; AKS: kube-audit-admin diagnostics to a Log Analytics workspace; EKS: the control plane's audit log group)."""

    retentionDays: NotRequired[AuditLogsRetentionDays]
    """Days the audit logs are kept (values every cloud accepts). Default: `365`."""


class Capacity(StrEnum):
    """on-demand: list price; spot: preemptible/evictable capacity at a discount; reserved: consume a reservation named by `reservation`."""

    OnDemand = "on-demand"
    Spot = "spot"
    Reserved = "reserved"


class GpuPoolReservationKind(StrEnum):
    """AWS only: capacity-block when `reservation` is an EC2 Capacity Block for ML."""

    Reservation = "reservation"
    CapacityBlock = "capacity-block"


class GpuPoolLocalSsd(StrEnum):
    """raid0: assemble the node's local NVMe into one RAID0 scratch volume."""

    ValueNone = "none"
    Raid0 = "raid0"


class GpuPoolPlacement(StrEnum):
    """auto: compact placement (GCP compact policy, AWS cluster placement group, Azure proximity placement group) where the fabric needs it; compact: always; none: never (for AWS Capacity Blocks, where a forced placement group can fail)."""

    Auto = "auto"
    Compact = "compact"
    ValueNone = "none"


class GpuPoolGpuDriver(StrEnum):
    """GPU driver installed by the platform: the default or latest version, or none (you install it, e.g. with the NVIDIA GPU Operator). Changing it replaces the pool."""

    Default = "default"
    Latest = "latest"
    ValueNone = "none"


class GpuPoolSpec(TypedDict):
    """An accelerator node pool (GPUs, Trainium, Inferentia) that autoscales between minNodes and maxNodes."""

    name: str
    """Pool name, unique in the cluster (with TPU slice names)."""

    accelerator: str
    """Catalog accelerator name, the same on every cloud (H100-80GB, L4, Trainium...). `aiinfra catalog` lists them."""

    acceleratorsPerNode: NotRequired[int]
    """Accelerators per node. Default: the largest node the cloud offers for the accelerator."""

    machineType: NotRequired[str]
    """Pick one of several catalog offers with the same accelerators per node (a3-megagpu-8g instead of a3-highgpu-8g). Default: the catalog's default offer."""

    minNodes: NotRequired[int]
    """Autoscaler minimum; 0 lets the pool scale to zero. Default: `0`."""

    maxNodes: NotRequired[int]
    """Autoscaler maximum. Default: `1`."""

    capacity: NotRequired[Capacity]
    """on-demand: list price; spot: preemptible/evictable capacity at a discount; reserved: consume a reservation named by `reservation`. Default: `on-demand`."""

    reservation: NotRequired[str]
    """Reservation to consume, with capacity: reserved (GCP reservation name, Azure capacity reservation group ID, AWS capacity reservation ID). No default."""

    reservationKind: NotRequired[GpuPoolReservationKind]
    """AWS only: capacity-block when `reservation` is an EC2 Capacity Block for ML. Default: `reservation`."""

    localSsd: NotRequired[GpuPoolLocalSsd]
    """raid0: assemble the node's local NVMe into one RAID0 scratch volume. Default: `none`."""

    placement: NotRequired[GpuPoolPlacement]
    """auto: compact placement (GCP compact policy, AWS cluster placement group, Azure proximity placement group) where the fabric needs it; compact: always; none: never (for AWS Capacity Blocks, where a forced placement group can fail). Default: `auto`."""

    gpuDriver: NotRequired[GpuPoolGpuDriver]
    """GPU driver installed by the platform: the default or latest version, or none (you install it, e.g. with the NVIDIA GPU Operator). Changing it replaces the pool. Default: `default`."""

    diskSizeGiB: NotRequired[int]
    """Boot disk size of each node. Default: `200`."""

    labels: NotRequired[dict[str, str]]
    """Extra Kubernetes node labels for this pool. Default: `{}`."""


class TpuSliceMode(StrEnum):
    """gke: GKE TPU node pools; vm: TPU VMs (google_tpu_v2_vm); queued: TPU queued resources."""

    Gke = "gke"
    Vm = "vm"
    Queued = "queued"


class TpuSliceSpec(TypedDict):
    """A Cloud TPU slice (GCP only), or `count` identical slices for multislice."""

    name: str
    """Slice name, unique in the cluster (with GPU pool names)."""

    version: str
    """TPU version: v4, v5e, v5p or v6e, or a catalog alias of it (trillium is v6e, v5litepod is v5e)."""

    topology: str
    """Chip topology: AxB for v5e/v6e, AxBxC for v4/v5p."""

    count: NotRequired[int]
    """Number of identical slices (multislice). Default: `1`."""

    capacity: NotRequired[Capacity]
    """on-demand: list price; spot: preemptible/evictable capacity at a discount; reserved: consume a reservation named by `reservation`. Default: `on-demand`."""

    reservation: NotRequired[str]
    """Reservation to consume, with capacity: reserved. No default."""

    mode: NotRequired[TpuSliceMode]
    """gke: GKE TPU node pools; vm: TPU VMs (google_tpu_v2_vm); queued: TPU queued resources. Default: `gke`."""

    runtimeVersion: NotRequired[str]
    """TPU VM runtime (software) version, for mode vm/queued. Default: the catalog's base runtime for the version."""


class StorageKind(StrEnum):
    """lustre: managed parallel file system; nfs: managed NFS share; block: a block volume."""

    Lustre = "lustre"
    Nfs = "nfs"
    Block = "block"


class StorageLustrePort(IntEnum):
    """GCP Managed Lustre only: the port clients reach the file system on. 6988 is the legacy port GKE nodes before 1.33.2 need (the instance is created with gke_support_enabled and the Lustre CSI driver uses the legacy port); 988 is the standard port. Fixed when the file system is created: changing it replaces the file system. Default: 6988 when kubernetes.version is below 1.33, else 988; write it down so a later version bump keeps it."""

    Value988 = 988
    Value6988 = 6988


class StorageSpec(TypedDict):
    """A shared file system (lustre, nfs) or a block volume."""

    name: str
    """Storage name, unique in the cluster."""

    kind: StorageKind
    """lustre: managed parallel file system; nfs: managed NFS share; block: a block volume."""

    capacityGiB: int
    """Provisioned capacity in GiB; each service's sizes are checked against the catalog."""

    throughputMBpsPerTiB: NotRequired[int]
    """Lustre only: throughput tier in MB/s per TiB. Default: the service's default tier (250)."""

    iops: NotRequired[int]
    """Block only: provisioned IOPS. Default: the service's baseline."""

    throughputMBps: NotRequired[int]
    """Block only: provisioned throughput in MB/s. Default: the service's baseline."""

    lustrePort: NotRequired[StorageLustrePort]
    """GCP Managed Lustre only: the port clients reach the file system on. 6988 is the legacy port GKE nodes before 1.33.2 need (the instance is created with gke_support_enabled and the Lustre CSI driver uses the legacy port); 988 is the standard port. Fixed when the file system is created: changing it replaces the file system. Default: 6988 when kubernetes.version is below 1.33, else 988; write it down so a later version bump keeps it."""

    protect: NotRequired[bool]
    """Protect the data-bearing resource from replacement or deletion (Pulumi protect). Set false only for scratch data you can lose. Default: `true`."""

    subnetCidr: NotRequired[str]
    """Azure Managed Lustre only: the file system's own subnet, inside network.cidr and outside its first half (the nodes'). Default: a subnet of the size the capacity needs, placed in the second half by a hash of the storage name, so adding or reordering storage entries never moves it. Set it to keep the subnet of a file system created before (the first Lustre subnet was the start of the second half) or to resolve two names that hash to overlapping subnets."""


class AddonMode(StrEnum):
    """auto: installed when the cluster needs it; enabled: always (an error where it cannot run; a device plugin or operator whose pods run only on the pools it serves installs nothing until a pool needs it); disabled: never."""

    Auto = "auto"
    Enabled = "enabled"
    Disabled = "disabled"


class AddonsSpec(TypedDict):
    """Add-ons by name, each auto | enabled | disabled, and the namespaces your jobs run in. Versions are pinned in the catalog (components/catalog/data/addons.yaml)."""

    nvidiaDevicePlugin: NotRequired[AddonMode]
    """NVIDIA device plugin (AWS, Azure): advertises nvidia.com/gpu on pools whose driver the cloud installs (EKS accelerated AMIs, AKS driver install). auto: on for such pools (their nodes carry the GPU Operator's opt-out label, so the two never share a node). GKE manages its own. Default: `auto`."""

    gpuOperator: NotRequired[AddonMode]
    """NVIDIA GPU Operator (AWS, Azure): driver, container toolkit and device plugin for NVIDIA pools whose driver install is skipped (AKS InfiniBand pools, gpuDriver: none). On EKS it installs no driver (NVIDIA has no Amazon Linux driver container): install it on the nodes yourself. auto: on for such pools. Default: `auto`."""

    neuronDevicePlugin: NotRequired[AddonMode]
    """AWS Neuron device plugin (AWS): advertises aws.amazon.com/neuron on Trainium and Inferentia pools. auto: on when the cluster has such a pool. Default: `auto`."""

    efaDevicePlugin: NotRequired[AddonMode]
    """EFA device plugin (AWS): advertises vpc.amazonaws.com/efa on pools built with EFA. auto: on when a pool gets EFA. Default: `auto`."""

    networkOperator: NotRequired[AddonMode]
    """NVIDIA Network Operator with an InfiniBand NicClusterPolicy (Azure): MOFED driver and the RDMA shared device plugin (rdma/shared_ib). auto: on when a pool gets InfiniBand. Default: `auto`."""

    gpuDirect: NotRequired[AddonMode]
    """GKE GPUDirect enablement (GCP): a Network and GKENetworkParamSet per fabric VPC subnet, and the NCCL installer of the pool's fabric (TCPX for A3 High; TCPXO and the NRI device injector for A3 Mega; RDMA for A3 Ultra and A4). auto: on when a pool gets a GPUDirect fabric. Default: `auto`."""

    lustreCsi: NotRequired[AddonMode]
    """Lustre CSI driver (GKE Managed Lustre CSI, Azure Lustre CSI, FSx for Lustre CSI EKS add-on) and a PersistentVolume + PersistentVolumeClaim named after each lustre storage item in each workload namespace. auto: on when the cluster has lustre storage. Default: `auto`."""

    nfsCsi: NotRequired[AddonMode]
    """NFS CSI driver (GKE Filestore CSI, Azure Files CSI, EFS CSI EKS add-on) and a PersistentVolume + PersistentVolumeClaim named after each nfs storage item in each workload namespace. auto: on when the cluster has nfs storage. Default: `auto`."""

    kueue: NotRequired[AddonMode]
    """Kueue with a ResourceFlavor and ClusterQueue per GPU pool and TPU slice, and a LocalQueue of the same name in each workload namespace; quotas are the pool's max scale. auto: on when the cluster has an accelerator pool or slice. Default: `auto`."""

    jobset: NotRequired[AddonMode]
    """JobSet controller (multi-node jobs; aiinfra smoke-test prints a JobSet). auto: on when the cluster has an accelerator pool or slice. Default: `auto`."""

    gpuMonitoring: NotRequired[AddonMode]
    """A DCGM exporter per NVIDIA GPU pool scraped by the cloud's managed Prometheus (GKE Managed Service for Prometheus, Azure Monitor managed Prometheus, Amazon Managed Service for Prometheus); metrics carry aiinfra_cluster, aiinfra_pool and node labels. auto: on when the cluster has an NVIDIA GPU pool. Default: `auto`."""

    workloadNamespaces: NotRequired[list[str]]
    """Namespaces your jobs run in: each gets a Kueue LocalQueue per GPU pool and TPU slice and a PersistentVolumeClaim per lustre and nfs storage item, and aiinfra smoke-test --namespace picks one. ai-infra creates each one except default and kube-system (which every cluster has), and leaves a namespace in place (with your workloads) when you remove it from the list. At most 50. Default: `["default"]`."""


class ClusterSpec(TypedDict):
    """One Kubernetes cluster on one cloud and region, with its network, accelerator pools, TPU slices and storage."""

    name: str
    """Cluster name, unique in the fleet; used for the cloud cluster and as the prefix of its resources."""

    cloud: ClusterCloud
    """Cloud that hosts the cluster."""

    region: str
    """Cloud region (us-central1, eastus, us-east-1)."""

    zone: NotRequired[str]
    """Zone for single-zone fabric and compact placement: us-central1-a (GCP), 1|2|3 (Azure), us-east-1a (AWS). No default: required when a fabric or compact placement needs one."""

    labels: NotRequired[dict[str, str]]
    """Extra labels for this cluster's resources, merged over the fleet labels. Default: `{}`."""

    kubernetes: NotRequired[KubernetesSpec]
    """Create a cluster at `version`, or attach pools to `existingCluster`. Default: `{}`."""

    network: NotRequired[NetworkSpec]
    """The cluster network and its accelerator fabric. Default: `{}`."""

    systemPool: NotRequired[SystemPoolSpec]
    """The small CPU node pool for cluster add-ons. Default: `{}`."""

    access: NotRequired[AccessSpec]
    """Who can reach the Kubernetes API endpoint (clusters ai-infra creates). Secure by default: a prod cluster gets no public endpoint unless authorizedCidrs names the networks that may reach it. Default: `{}`."""

    encryption: NotRequired[EncryptionSpec]
    """Encryption of Kubernetes secrets, node disks and storage. Kubernetes secrets are always envelope-encrypted with a key: kmsKey, or one ai-infra creates for the cluster. Default: `{}`."""

    auditLogs: NotRequired[AuditLogsSpec]
    """Kubernetes API audit logs (GKE: Cloud Audit Logs routed to a log bucket; AKS: kube-audit-admin diagnostics to a Log Analytics workspace; EKS: the control plane's audit log group). Default: `{}`."""

    gpuPools: NotRequired[list[GpuPoolSpec]]
    """Accelerator node pools (GPUs, Trainium, Inferentia). Default: `[]`."""

    tpuSlices: NotRequired[list[TpuSliceSpec]]
    """Cloud TPU slices (GCP only). Default: `[]`."""

    storage: NotRequired[list[StorageSpec]]
    """Shared file systems and block volumes. Default: `[]`."""

    addons: NotRequired[AddonsSpec]
    """Kubernetes add-ons installed on the cluster after it is up (device plugins, fabric enablement, storage drivers, Kueue, GPU monitoring). Each is `auto` by default: on where the pools and storage need it. Default: `{}`."""


class FleetArgs(TypedDict):
    """The inputs of `Fleet`: a whole fleet spec (v1). A cloud-neutral description of accelerator clusters: GPU pools, TPU slices, their fabric and storage. Stored under the stack config key aiinfra:fleet or as a bare YAML file."""

    environment: NotRequired[FleetEnvironment]
    """Deployment environment; policies choose their thresholds by it and every resource is labelled with it. Default: `dev`."""

    labels: NotRequired[dict[str, str]]
    """Labels (GCP) / tags (Azure, AWS) applied to every resource that takes them. Default: `{}`."""

    budget: NotRequired[BudgetSpec]
    """Self-declared ceilings, checked by the policy pack and shown in the plan. Default: `{}`."""

    clusters: list[ClusterSpec]
    """Kubernetes clusters, each on one cloud and region."""


class GcpClusterArgs(TypedDict):
    """The inputs of `GcpCluster`: one `clusters[]` item of the fleet spec on GCP (GKE) (without `cloud`), and the fleet's `environment`."""

    environment: NotRequired[FleetEnvironment]
    """Deployment environment; policies choose their thresholds by it and every resource is labelled with it. Default: `dev`."""

    name: str
    """Cluster name, unique in the fleet; used for the cloud cluster and as the prefix of its resources."""

    region: str
    """Cloud region (us-central1, eastus, us-east-1)."""

    zone: NotRequired[str]
    """Zone for single-zone fabric and compact placement: us-central1-a (GCP), 1|2|3 (Azure), us-east-1a (AWS). No default: required when a fabric or compact placement needs one."""

    labels: NotRequired[dict[str, str]]
    """Extra labels for this cluster's resources, merged over the fleet labels. Default: `{}`."""

    kubernetes: NotRequired[KubernetesSpec]
    """Create a cluster at `version`, or attach pools to `existingCluster`. Default: `{}`."""

    network: NotRequired[NetworkSpec]
    """The cluster network and its accelerator fabric. Default: `{}`."""

    systemPool: NotRequired[SystemPoolSpec]
    """The small CPU node pool for cluster add-ons. Default: `{}`."""

    access: NotRequired[AccessSpec]
    """Who can reach the Kubernetes API endpoint (clusters ai-infra creates). Secure by default: a prod cluster gets no public endpoint unless authorizedCidrs names the networks that may reach it. Default: `{}`."""

    encryption: NotRequired[EncryptionSpec]
    """Encryption of Kubernetes secrets, node disks and storage. Kubernetes secrets are always envelope-encrypted with a key: kmsKey, or one ai-infra creates for the cluster. Default: `{}`."""

    auditLogs: NotRequired[AuditLogsSpec]
    """Kubernetes API audit logs (GKE: Cloud Audit Logs routed to a log bucket; AKS: kube-audit-admin diagnostics to a Log Analytics workspace; EKS: the control plane's audit log group). Default: `{}`."""

    gpuPools: NotRequired[list[GpuPoolSpec]]
    """Accelerator node pools (GPUs, Trainium, Inferentia). Default: `[]`."""

    tpuSlices: NotRequired[list[TpuSliceSpec]]
    """Cloud TPU slices (GCP only). Default: `[]`."""

    storage: NotRequired[list[StorageSpec]]
    """Shared file systems and block volumes. Default: `[]`."""

    addons: NotRequired[AddonsSpec]
    """Kubernetes add-ons installed on the cluster after it is up (device plugins, fabric enablement, storage drivers, Kueue, GPU monitoring). Each is `auto` by default: on where the pools and storage need it. Default: `{}`."""


class AzureClusterArgs(TypedDict):
    """The inputs of `AzureCluster`: one `clusters[]` item of the fleet spec on Azure (AKS) (without `cloud`), and the fleet's `environment`."""

    environment: NotRequired[FleetEnvironment]
    """Deployment environment; policies choose their thresholds by it and every resource is labelled with it. Default: `dev`."""

    name: str
    """Cluster name, unique in the fleet; used for the cloud cluster and as the prefix of its resources."""

    region: str
    """Cloud region (us-central1, eastus, us-east-1)."""

    zone: NotRequired[str]
    """Zone for single-zone fabric and compact placement: us-central1-a (GCP), 1|2|3 (Azure), us-east-1a (AWS). No default: required when a fabric or compact placement needs one."""

    labels: NotRequired[dict[str, str]]
    """Extra labels for this cluster's resources, merged over the fleet labels. Default: `{}`."""

    kubernetes: NotRequired[KubernetesSpec]
    """Create a cluster at `version`, or attach pools to `existingCluster`. Default: `{}`."""

    network: NotRequired[NetworkSpec]
    """The cluster network and its accelerator fabric. Default: `{}`."""

    systemPool: NotRequired[SystemPoolSpec]
    """The small CPU node pool for cluster add-ons. Default: `{}`."""

    access: NotRequired[AccessSpec]
    """Who can reach the Kubernetes API endpoint (clusters ai-infra creates). Secure by default: a prod cluster gets no public endpoint unless authorizedCidrs names the networks that may reach it. Default: `{}`."""

    encryption: NotRequired[EncryptionSpec]
    """Encryption of Kubernetes secrets, node disks and storage. Kubernetes secrets are always envelope-encrypted with a key: kmsKey, or one ai-infra creates for the cluster. Default: `{}`."""

    auditLogs: NotRequired[AuditLogsSpec]
    """Kubernetes API audit logs (GKE: Cloud Audit Logs routed to a log bucket; AKS: kube-audit-admin diagnostics to a Log Analytics workspace; EKS: the control plane's audit log group). Default: `{}`."""

    gpuPools: NotRequired[list[GpuPoolSpec]]
    """Accelerator node pools (GPUs, Trainium, Inferentia). Default: `[]`."""

    tpuSlices: NotRequired[list[TpuSliceSpec]]
    """Cloud TPU slices (GCP only). Default: `[]`."""

    storage: NotRequired[list[StorageSpec]]
    """Shared file systems and block volumes. Default: `[]`."""

    addons: NotRequired[AddonsSpec]
    """Kubernetes add-ons installed on the cluster after it is up (device plugins, fabric enablement, storage drivers, Kueue, GPU monitoring). Each is `auto` by default: on where the pools and storage need it. Default: `{}`."""


class AwsClusterArgs(TypedDict):
    """The inputs of `AwsCluster`: one `clusters[]` item of the fleet spec on AWS (EKS) (without `cloud`), and the fleet's `environment`."""

    environment: NotRequired[FleetEnvironment]
    """Deployment environment; policies choose their thresholds by it and every resource is labelled with it. Default: `dev`."""

    name: str
    """Cluster name, unique in the fleet; used for the cloud cluster and as the prefix of its resources."""

    region: str
    """Cloud region (us-central1, eastus, us-east-1)."""

    zone: NotRequired[str]
    """Zone for single-zone fabric and compact placement: us-central1-a (GCP), 1|2|3 (Azure), us-east-1a (AWS). No default: required when a fabric or compact placement needs one."""

    labels: NotRequired[dict[str, str]]
    """Extra labels for this cluster's resources, merged over the fleet labels. Default: `{}`."""

    kubernetes: NotRequired[KubernetesSpec]
    """Create a cluster at `version`, or attach pools to `existingCluster`. Default: `{}`."""

    network: NotRequired[NetworkSpec]
    """The cluster network and its accelerator fabric. Default: `{}`."""

    systemPool: NotRequired[SystemPoolSpec]
    """The small CPU node pool for cluster add-ons. Default: `{}`."""

    access: NotRequired[AccessSpec]
    """Who can reach the Kubernetes API endpoint (clusters ai-infra creates). Secure by default: a prod cluster gets no public endpoint unless authorizedCidrs names the networks that may reach it. Default: `{}`."""

    encryption: NotRequired[EncryptionSpec]
    """Encryption of Kubernetes secrets, node disks and storage. Kubernetes secrets are always envelope-encrypted with a key: kmsKey, or one ai-infra creates for the cluster. Default: `{}`."""

    auditLogs: NotRequired[AuditLogsSpec]
    """Kubernetes API audit logs (GKE: Cloud Audit Logs routed to a log bucket; AKS: kube-audit-admin diagnostics to a Log Analytics workspace; EKS: the control plane's audit log group). Default: `{}`."""

    gpuPools: NotRequired[list[GpuPoolSpec]]
    """Accelerator node pools (GPUs, Trainium, Inferentia). Default: `[]`."""

    tpuSlices: NotRequired[list[TpuSliceSpec]]
    """Cloud TPU slices (GCP only). Default: `[]`."""

    storage: NotRequired[list[StorageSpec]]
    """Shared file systems and block volumes. Default: `[]`."""

    addons: NotRequired[AddonsSpec]
    """Kubernetes add-ons installed on the cluster after it is up (device plugins, fabric enablement, storage drivers, Kueue, GPU monitoring). Each is `auto` by default: on where the pools and storage need it. Default: `{}`."""
