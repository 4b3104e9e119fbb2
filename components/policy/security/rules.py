"""Security rules over raw provider resources of GCP, Azure and AWS.

Each policy is one function ``(resources, ctx) -> [Finding]`` over the whole stack (some
rules join resources: a GKE node pool to its cluster, an IAM attachment to its role). Where a
provider keeps a setting is a table per resource type, not scattered branches. Values unknown
at preview are never guessed into a violation.

Environments: the policy config's ``environment`` wins, then the stack tag
``aiinfra-environment``, then the fleet spec in the stack config. A resource's own
``aiinfra-environment`` label is read only when none of those says anything (so a label can
never lift what the stack is), and a resource with nothing at all counts as ``prod``, the
strictest.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from components.catalog import get_catalog
from components.policy.normalize.common import basename, looks_like_accelerator
from components.policy.normalize.views import RawResource
from components.policy.rules import Finding
from components.policy.values import UNKNOWN, as_list, clip, flag, get, num, quote, tag_map, text

ENVIRONMENTS = ("dev", "staging", "prod")
ENV_LABEL = "aiinfra-environment"
STRICTEST = "prod"
OPEN_CIDRS = frozenset({"0.0.0.0/0", "::/0", "*", "Internet", "any"})


# ----- policy specs --------------------------------------------------------------------------
@dataclass(frozen=True)
class SecurityPolicy:
    """One policy: name, description, default level, and its config schema properties."""

    name: str
    description: str
    level: str  # mandatory | advisory
    properties: Mapping[str, Any] = field(default_factory=dict)


_ENVS = {
    "type": "array",
    "items": {"enum": list(ENVIRONMENTS)},
}
_ENVIRONMENT = {
    "enum": list(ENVIRONMENTS),
    "description": "The stack's environment; overrides the stack tag and the fleet spec. Resource labels never "
    "lift it.",
}

POLICIES: tuple[SecurityPolicy, ...] = (
    SecurityPolicy(
        "private-api-endpoint",
        "Kubernetes API endpoints (GKE, AKS, EKS) are private, or public only to listed networks, in the "
        "environments listed.",
        "mandatory",
        {
            "environment": _ENVIRONMENT,
            "environments": {**_ENVS, "default": ["prod"], "description": "Environments where this applies."},
        },
    ),
    SecurityPolicy(
        "gpu-node-public-ip",
        "Accelerator nodes (GPU/TPU/Neuron) have no public IP addresses.",
        "mandatory",
        {
            "environment": _ENVIRONMENT,
            "environments": {**_ENVS, "default": list(ENVIRONMENTS), "description": "Environments where this applies."},
        },
    ),
    SecurityPolicy(
        "imds-v2-hop-limit",
        "EC2 instances and launch templates require IMDSv2 with a hop limit pods cannot cross.",
        "mandatory",
        {
            "environment": _ENVIRONMENT,
            "environments": {**_ENVS, "default": list(ENVIRONMENTS), "description": "Environments where this applies."},
            "maxHopLimit": {
                "type": "integer",
                "minimum": 1,
                "maximum": 64,
                "default": 1,
                "description": "Highest IMDS hop limit allowed (1: containers cannot reach the node's credentials).",
            },
        },
    ),
    SecurityPolicy(
        "unencrypted-storage",
        "Volumes, file systems and Kubernetes secrets are encrypted at rest (with customer-managed keys or "
        "encryption at host where configured).",
        "mandatory",
        {
            "environment": _ENVIRONMENT,
            "environments": {**_ENVS, "default": list(ENVIRONMENTS), "description": "Environments where this applies."},
            "requireCustomerManagedKeys": {
                "type": "boolean",
                "default": False,
                "description": "Also require a customer-managed key on disks, file systems and Kubernetes secrets.",
            },
            "requireEncryptionAtHost": {
                "type": "boolean",
                "default": False,
                "description": "Also require encryption at host on AKS node pools.",
            },
        },
    ),
    SecurityPolicy(
        "node-identity",
        "Nodes run as least-privilege identities: no default compute service account, no owner/editor/"
        "contributor-wide or administrator grants to node and workload identities.",
        "mandatory",
        {
            "environment": _ENVIRONMENT,
            "environments": {**_ENVS, "default": list(ENVIRONMENTS), "description": "Environments where this applies."},
        },
    ),
)
BY_NAME: Mapping[str, SecurityPolicy] = {p.name: p for p in POLICIES}


@dataclass(frozen=True)
class Context:
    """One policy's config plus what the stack says about its environment."""

    policy: SecurityPolicy
    config: Mapping[str, Any] = field(default_factory=dict)
    stack_tags: Mapping[str, str] = field(default_factory=dict)
    fleet_environment: str | None = None

    def value(self, key: str) -> Any:
        if self.config.get(key) is not None:
            return self.config[key]
        return (self.policy.properties.get(key) or {}).get("default")

    def stack_environment(self) -> str | None:
        for env in (self.config.get("environment"), self.stack_tags.get(ENV_LABEL), self.fleet_environment):
            if env in ENVIRONMENTS:
                return str(env)
        return None

    def environment(self, r: RawResource) -> str:
        """The stack's environment; a resource's own label only when the stack says nothing."""
        env = self.stack_environment()
        if env is not None:
            return env
        own = labels(r).get(ENV_LABEL)
        return own if own in ENVIRONMENTS else STRICTEST

    def applies(self, r: RawResource) -> bool:
        envs = self.value("environments")
        return not isinstance(envs, list) or self.environment(r) in envs


def labels(r: RawResource) -> dict[str, str]:
    """The resource's labels / tags, wherever its provider keeps them."""
    out: dict[str, str] = {}
    for path in ("tags", "labels", "resourceLabels", "nodeConfig.resourceLabels", "nodeConfig.labels"):
        for k, v in tag_map(get(r.props, path)).items():
            out.setdefault(k, v)
    return out


def _finding(r: RawResource, what: str, fix: str) -> Finding:
    return Finding(r.urn, f"{_kind(r)} {quote(r.name)} {what}; {fix}")


def _kind(r: RawResource) -> str:
    return KINDS.get(r.type, r.type.rsplit(":", 1)[-1])


KINDS: Mapping[str, str] = {
    "gcp:container/cluster:Cluster": "GKE cluster",
    "gcp:container/nodePool:NodePool": "GKE node pool",
    "gcp:compute/instance:Instance": "GCE instance",
    "gcp:compute/instanceTemplate:InstanceTemplate": "GCE instance template",
    "gcp:compute/disk:Disk": "GCE disk",
    "gcp:tpu/v2Vm:V2Vm": "TPU VM",
    "gcp:tpu/v2QueuedResource:V2QueuedResource": "TPU queued resource",
    "gcp:filestore/instance:Instance": "Filestore instance",
    "gcp:lustre/instance:Instance": "Managed Lustre instance",
    "gcp:projects/iAMMember:IAMMember": "project IAM grant",
    "gcp:projects/iAMBinding:IAMBinding": "project IAM binding",
    "azure-native:containerservice:ManagedCluster": "AKS cluster",
    "azure-native:containerservice:AgentPool": "AKS agent pool",
    "azure:containerservice/kubernetesCluster:KubernetesCluster": "AKS cluster",
    "azure-native:compute:Disk": "managed disk",
    "azure-native:storagecache:AmlFilesystem": "Azure Managed Lustre",
    "azure-native:storage:StorageAccount": "storage account",
    "azure-native:authorization:RoleAssignment": "role assignment",
    "aws:eks/cluster:Cluster": "EKS cluster",
    "aws:eks/nodeGroup:NodeGroup": "EKS node group",
    "aws:ec2/launchTemplate:LaunchTemplate": "launch template",
    "aws:ec2/instance:Instance": "EC2 instance",
    "aws:ebs/volume:Volume": "EBS volume",
    "aws:efs/fileSystem:FileSystem": "EFS file system",
    "aws:fsx/lustreFileSystem:LustreFileSystem": "FSx for Lustre",
    "aws:iam/rolePolicyAttachment:RolePolicyAttachment": "IAM policy attachment",
    "aws:iam/rolePolicy:RolePolicy": "IAM inline policy",
}


def _of(resources: Iterable[RawResource], *types: str) -> list[RawResource]:
    return [r for r in resources if r.type in types]


# ----- accelerators --------------------------------------------------------------------------
def is_accelerator(cloud: str, machine: Any, guest: Any = None) -> bool:
    """True when the machine type (or GCP guest accelerators) carries GPUs, TPUs or Neuron chips."""
    if isinstance(as_list(guest), list) and as_list(guest):
        return True
    mt = text(machine)
    if not isinstance(mt, str) or not mt:
        return False
    mt = basename(mt)
    cat = get_catalog()
    if cat.offer_by_machine_type(cloud, mt) is not None:
        offer = cat.offer_by_machine_type(cloud, mt)
        return offer is not None and (offer.bundled or bool(as_list(guest)))
    if cloud == "gcp" and cat.tpu_by_machine_type(mt) is not None:
        return True
    return looks_like_accelerator(cloud, mt)


# ----- private-api-endpoint --------------------------------------------------------------------
def _cidrs_open(cidrs: Any) -> bool | None:
    """None: no list; True: the list lets everyone in; False: a real allow-list."""
    items = as_list(cidrs)
    if items is UNKNOWN:
        return False  # unknown at preview: not guessed into a violation
    values = [text(c) if not isinstance(c, Mapping) else text(c.get("cidrBlock")) for c in items]
    values = [v for v in values if isinstance(v, str)]
    if not values:
        return None
    return any(v in OPEN_CIDRS for v in values)


def _endpoint_gke(r: RawResource) -> str | None:
    private = flag(get(r.props, "privateClusterConfig.enablePrivateEndpoint"))
    if private is True or private is UNKNOWN:
        return None
    allow = _cidrs_open(get(r.props, "masterAuthorizedNetworksConfig.cidrBlocks"))
    if allow is False:
        return None
    if allow:
        return "has a public endpoint whose authorized networks include 0.0.0.0/0"
    return "has a public endpoint open to any address"


def _endpoint_aks(r: RawResource) -> str | None:
    if r.type.startswith("azure:"):
        private = flag(get(r.props, "privateClusterEnabled"))
        ranges = get(r.props, "apiServerAccessProfile.authorizedIpRanges")
    else:
        private = flag(get(r.props, "apiServerAccessProfile.enablePrivateCluster"))
        ranges = get(r.props, "apiServerAccessProfile.authorizedIPRanges")
        if text(get(r.props, "publicNetworkAccess")) == "Disabled":
            return None
    if private is True or private is UNKNOWN:
        return None
    allow = _cidrs_open(ranges)
    if allow is False:
        return None
    if allow:
        return "has a public API server whose authorized IP ranges include 0.0.0.0/0"
    return "has a public API server open to any address"


def _endpoint_eks(r: RawResource) -> str | None:
    public = flag(get(r.props, "vpcConfig.endpointPublicAccess"))
    if public is False or public is UNKNOWN:
        return None
    # EKS makes the endpoint public when endpointPublicAccess is not set.
    allow = _cidrs_open(get(r.props, "vpcConfig.publicAccessCidrs"))
    if allow is False:
        return None
    return "has a public endpoint open to any address (publicAccessCidrs " + (
        "includes 0.0.0.0/0)" if allow else "not set)"
    )


ENDPOINTS: Mapping[str, tuple[Callable[[RawResource], str | None], str]] = {
    "gcp:container/cluster:Cluster": (
        _endpoint_gke,
        "set privateClusterConfig.enablePrivateEndpoint, or list your networks in masterAuthorizedNetworksConfig "
        "(ai-infra: clusters[].access)",
    ),
    "azure-native:containerservice:ManagedCluster": (
        _endpoint_aks,
        "set apiServerAccessProfile.enablePrivateCluster, or list your networks in authorizedIPRanges "
        "(ai-infra: clusters[].access)",
    ),
    "azure:containerservice/kubernetesCluster:KubernetesCluster": (
        _endpoint_aks,
        "set privateClusterEnabled, or list your networks in apiServerAccessProfile.authorizedIpRanges",
    ),
    "aws:eks/cluster:Cluster": (
        _endpoint_eks,
        "set vpcConfig.endpointPublicAccess false, or list your networks in vpcConfig.publicAccessCidrs "
        "(ai-infra: clusters[].access)",
    ),
}


def private_api_endpoint(resources: Sequence[RawResource], ctx: Context) -> list[Finding]:
    out = []
    for r in _of(resources, *ENDPOINTS):
        if not ctx.applies(r):
            continue
        check, fix = ENDPOINTS[r.type]
        what = check(r)
        if what:
            out.append(_finding(r, f"{what} in {ctx.environment(r)}", fix))
    return out


# ----- gpu-node-public-ip ------------------------------------------------------------------------
def _depends_on(r: RawResource, prop: str, other: RawResource) -> bool:
    """``r.<prop>`` refers to ``other``: a property dependency, or the same name/id value."""
    if other.urn in r.property_dependencies.get(prop, ()):
        return True
    value = text(get(r.props, prop))
    if not isinstance(value, str):
        return False
    names = {other.name, f"{other.name}-id", text(get(other.props, "name")), text(get(other.props, "id"))}
    return value in names or basename(value) in names


def _gke_public_nodes(pool: RawResource, resources: Sequence[RawResource]) -> str | None:
    own = flag(get(pool.props, "networkConfig.enablePrivateNodes"))
    if own is True or own is UNKNOWN:
        return None
    if own is False:
        return "gives its accelerator nodes public IPs (networkConfig.enablePrivateNodes: false)"
    for cluster in _of(resources, "gcp:container/cluster:Cluster"):
        if _depends_on(pool, "cluster", cluster):
            private = flag(get(cluster.props, "privateClusterConfig.enablePrivateNodes"))
            if private is True or private is UNKNOWN:
                return None
            return f"runs accelerator nodes with public IPs (cluster {quote(cluster.name)} has no private nodes)"
    return None  # an existing cluster: its node settings are not in this stack


def _public_ip_gpu(r: RawResource, resources: Sequence[RawResource]) -> str | None:
    p = r.props
    t = r.type
    if t == "gcp:container/nodePool:NodePool":
        mt = get(p, "nodeConfig.machineType")
        if is_accelerator("gcp", mt, get(p, "nodeConfig.guestAccelerators")):
            return _gke_public_nodes(r, resources)
        return None
    if t in ("gcp:compute/instance:Instance", "gcp:compute/instanceTemplate:InstanceTemplate"):
        if not is_accelerator("gcp", get(p, "machineType"), get(p, "guestAccelerators")):
            return None
        for nic in as_list(get(p, "networkInterfaces")) or []:
            configs = as_list(get(nic, "accessConfigs"))
            if isinstance(configs, list) and configs:
                return "gives an accelerator machine a public IP (networkInterfaces[].accessConfigs)"
        return None
    if t == "gcp:tpu/v2Vm:V2Vm":
        nets = [get(p, "networkConfig")] + (as_list(get(p, "networkConfigs")) or [])
        if any(flag(get(n, "enableExternalIps")) is True for n in nets if n):
            return "gives its TPU hosts public IPs (networkConfig.enableExternalIps: true)"
        return None
    if t == "gcp:tpu/v2QueuedResource:V2QueuedResource":
        for spec in as_list(get(p, "tpu.nodeSpecs")) or []:
            if flag(get(spec, "node.networkConfig.enableExternalIps")) is True:
                return "gives its TPU hosts public IPs (node.networkConfig.enableExternalIps: true)"
        return None
    if t == "azure-native:containerservice:AgentPool":
        if is_accelerator("azure", get(p, "vmSize")) and flag(get(p, "enableNodePublicIP")) is True:
            return "gives accelerator nodes public IPs (enableNodePublicIP: true)"
        return None
    if t == "azure-native:containerservice:ManagedCluster":
        for prof in as_list(get(p, "agentPoolProfiles")) or []:
            if is_accelerator("azure", get(prof, "vmSize")) and flag(get(prof, "enableNodePublicIP")) is True:
                return f"gives accelerator pool {quote(text(get(prof, 'name')))} public IPs (enableNodePublicIP: true)"
        return None
    if t == "aws:ec2/instance:Instance":
        if is_accelerator("aws", get(p, "instanceType")) and flag(get(p, "associatePublicIpAddress")) is True:
            return "gives an accelerator instance a public IP (associatePublicIpAddress: true)"
        return None
    if t == "aws:ec2/launchTemplate:LaunchTemplate":
        nics = as_list(get(p, "networkInterfaces")) or []
        if not any(flag(get(n, "associatePublicIpAddress")) is True for n in nics):
            return None
        if is_accelerator("aws", get(p, "instanceType")) or any(
            is_accelerator("aws", t_)
            for ng in _groups_using(r, resources)
            for t_ in as_list(get(ng.props, "instanceTypes")) or []
        ):
            return "gives accelerator instances public IPs (networkInterfaces[].associatePublicIpAddress: true)"
        return None
    return None


PUBLIC_IP_TYPES = (
    "gcp:container/nodePool:NodePool",
    "gcp:compute/instance:Instance",
    "gcp:compute/instanceTemplate:InstanceTemplate",
    "gcp:tpu/v2Vm:V2Vm",
    "gcp:tpu/v2QueuedResource:V2QueuedResource",
    "azure-native:containerservice:AgentPool",
    "azure-native:containerservice:ManagedCluster",
    "aws:ec2/instance:Instance",
    "aws:ec2/launchTemplate:LaunchTemplate",
)


def gpu_node_public_ip(resources: Sequence[RawResource], ctx: Context) -> list[Finding]:
    out = []
    for r in _of(resources, *PUBLIC_IP_TYPES):
        if not ctx.applies(r):
            continue
        what = _public_ip_gpu(r, resources)
        if what:
            out.append(_finding(r, what, "keep accelerator nodes on private addresses behind NAT"))
    return out


# ----- imds-v2-hop-limit -------------------------------------------------------------------------
def _groups_using(lt: RawResource, resources: Sequence[RawResource]) -> list[RawResource]:
    """EKS node groups whose launchTemplate is ``lt`` (by dependency, id or name)."""
    groups = []
    for ng in _of(resources, "aws:eks/nodeGroup:NodeGroup"):
        deps = ng.property_dependencies.get("launchTemplate", ())
        ref_id, ref_name = text(get(ng.props, "launchTemplate.id")), text(get(ng.props, "launchTemplate.name"))
        if (
            lt.urn in deps
            or ref_id in (f"{lt.name}-id", text(get(lt.props, "id")))
            or (isinstance(ref_name, str) and ref_name in (lt.name, text(get(lt.props, "name"))))
        ):
            groups.append(ng)
    return groups


def _imds(options: Any, max_hops: int) -> str | None:
    if options is UNKNOWN:
        return None
    if not isinstance(options, Mapping) or not options:
        return "sets no metadataOptions, so IMDSv1 and the AMI's hop limit apply"
    endpoint = text(options.get("httpEndpoint"))
    if endpoint == "disabled":
        return None
    tokens = text(options.get("httpTokens"))
    if tokens is not UNKNOWN and tokens != "required":
        return f"allows IMDSv1 (metadataOptions.httpTokens: {clip(tokens) if tokens else 'not set'})"
    hops = num(options.get("httpPutResponseHopLimit"))
    if hops is UNKNOWN:
        return None
    if hops is None:
        return "leaves the IMDS hop limit to the AMI (2 on EKS AMIs: pods can reach the node role)"
    if hops > max_hops:
        return f"lets IMDS answer {int(hops)} hops away (containers can take the node role's credentials)"
    return None


def imds_v2_hop_limit(resources: Sequence[RawResource], ctx: Context) -> list[Finding]:
    max_hops = int(ctx.value("maxHopLimit") or 1)
    fix = (
        f"set metadataOptions httpTokens: required and httpPutResponseHopLimit: {max_hops}, and give workloads "
        "IRSA or EKS Pod Identity"
    )
    out = []
    for r in _of(resources, "aws:ec2/launchTemplate:LaunchTemplate", "aws:ec2/instance:Instance"):
        if ctx.applies(r):
            what = _imds(get(r.props, "metadataOptions"), max_hops)
            if what:
                out.append(_finding(r, what, fix))
    for ng in _of(resources, "aws:eks/nodeGroup:NodeGroup"):
        if ctx.applies(ng) and get(ng.props, "launchTemplate") is None:
            out.append(
                _finding(
                    ng,
                    "has no launch template, so EKS's default one applies (IMDS hop limit 2: pods can reach the "
                    "node role)",
                    "give it a launch template with " + fix.removeprefix("set "),
                )
            )
    return out


# ----- unencrypted-storage -----------------------------------------------------------------------
def _true(value: Any) -> bool:
    return flag(value) is True


def _unknown(value: Any) -> bool:
    return value is UNKNOWN


@dataclass(frozen=True)
class EncryptionCheck:
    """Where a resource type says it is encrypted, and where its customer-managed key goes."""

    unencrypted: Callable[[Mapping[str, Any]], str | None] | None = None  # always checked
    cmk: Callable[[Mapping[str, Any]], bool] | None = None  # True: a customer key is set
    cmk_field: str = ""
    at_host: bool = False  # AKS pools: encryption at host when required


def _ebs_volume(p: Mapping[str, Any]) -> str | None:
    e = get(p, "encrypted")
    return None if _true(e) or _unknown(e) else "is not encrypted (encrypted: true not set)"


def _efs(p: Mapping[str, Any]) -> str | None:
    e = get(p, "encrypted")
    return None if _true(e) or _unknown(e) else "is not encrypted at rest (encrypted: true not set)"


def _lt_volumes(p: Mapping[str, Any]) -> str | None:
    for bdm in as_list(get(p, "blockDeviceMappings")) or []:
        ebs = get(bdm, "ebs")
        if isinstance(ebs, Mapping) and not get(ebs, "snapshotId"):
            e = get(ebs, "encrypted")
            if not (_true(e) or _unknown(e)):
                return f"launches unencrypted EBS volumes ({clip(text(get(bdm, 'deviceName')) or 'a device')})"
    return None


def _instance_volumes(p: Mapping[str, Any]) -> str | None:
    root = get(p, "rootBlockDevice")
    if isinstance(root, Mapping) and not (_true(get(root, "encrypted")) or _unknown(get(root, "encrypted"))):
        return "has an unencrypted root volume"
    for dev in as_list(get(p, "ebsBlockDevices")) or []:
        if not (_true(get(dev, "encrypted")) or _unknown(get(dev, "encrypted"))):
            return "has an unencrypted EBS volume"
    return None


def _has(path: str) -> Callable[[Mapping[str, Any]], bool]:
    return lambda p: get(p, path) is not None


def _lt_cmk(p: Mapping[str, Any]) -> bool:
    bdms = [get(b, "ebs") for b in as_list(get(p, "blockDeviceMappings")) or []]
    return all(get(e, "kmsKeyId") is not None for e in bdms if isinstance(e, Mapping)) and bool(bdms)


ENCRYPTION: Mapping[str, EncryptionCheck] = {
    "aws:ebs/volume:Volume": EncryptionCheck(_ebs_volume, _has("kmsKeyId"), "kmsKeyId"),
    "aws:efs/fileSystem:FileSystem": EncryptionCheck(_efs, _has("kmsKeyId"), "kmsKeyId"),
    "aws:ec2/launchTemplate:LaunchTemplate": EncryptionCheck(
        _lt_volumes, _lt_cmk, "blockDeviceMappings[].ebs.kmsKeyId"
    ),
    "aws:ec2/instance:Instance": EncryptionCheck(_instance_volumes),
    # FSx for Lustre always encrypts at rest; only the key is a choice.
    "aws:fsx/lustreFileSystem:LustreFileSystem": EncryptionCheck(None, _has("kmsKeyId"), "kmsKeyId"),
    "aws:eks/cluster:Cluster": EncryptionCheck(None, _has("encryptionConfig.provider.keyArn"), "encryptionConfig"),
    "gcp:container/cluster:Cluster": EncryptionCheck(
        None, lambda p: text(get(p, "databaseEncryption.state")) == "ENCRYPTED", "databaseEncryption"
    ),
    "gcp:container/nodePool:NodePool": EncryptionCheck(
        None, _has("nodeConfig.bootDiskKmsKey"), "nodeConfig.bootDiskKmsKey"
    ),
    "gcp:compute/disk:Disk": EncryptionCheck(
        None, _has("diskEncryptionKey.kmsKeySelfLink"), "diskEncryptionKey.kmsKeySelfLink"
    ),
    "gcp:filestore/instance:Instance": EncryptionCheck(None, _has("kmsKeyName"), "kmsKeyName"),
    "gcp:lustre/instance:Instance": EncryptionCheck(None, _has("kmsKey"), "kmsKey"),
    "azure-native:containerservice:ManagedCluster": EncryptionCheck(
        None, lambda p: _true(get(p, "securityProfile.azureKeyVaultKms.enabled")), "securityProfile.azureKeyVaultKms"
    ),
    "azure-native:containerservice:AgentPool": EncryptionCheck(at_host=True),
    "azure-native:compute:Disk": EncryptionCheck(
        None, _has("encryption.diskEncryptionSetId"), "encryption.diskEncryptionSetId"
    ),
    "azure-native:storagecache:AmlFilesystem": EncryptionCheck(
        None, _has("encryptionSettings.keyEncryptionKey"), "encryptionSettings.keyEncryptionKey"
    ),
    # Azure Storage always encrypts at rest (Azure Files shares, SMB and NFS); only the key is a choice.
    "azure-native:storage:StorageAccount": EncryptionCheck(
        None, lambda p: text(get(p, "encryption.keySource")) == "Microsoft.Keyvault", "encryption.keySource"
    ),
}


def unencrypted_storage(resources: Sequence[RawResource], ctx: Context) -> list[Finding]:
    need_cmk = bool(ctx.value("requireCustomerManagedKeys"))
    need_host = bool(ctx.value("requireEncryptionAtHost"))
    out = []
    for r in _of(resources, *ENCRYPTION):
        if not ctx.applies(r):
            continue
        check = ENCRYPTION[r.type]
        what = check.unencrypted(r.props) if check.unencrypted else None
        if what:
            out.append(_finding(r, what, "encrypt it at rest (ai-infra encrypts every volume it creates)"))
        elif need_cmk and check.cmk is not None and not check.cmk(r.props):
            out.append(
                _finding(
                    r,
                    f"is encrypted with the provider's key, not a customer-managed key ({check.cmk_field} not set)",
                    "set a customer-managed key (ai-infra: clusters[].encryption.kmsKey), or turn "
                    "requireCustomerManagedKeys off",
                )
            )
        if need_host and check.at_host and not _true(get(r.props, "enableEncryptionAtHost")):
            out.append(
                _finding(
                    r,
                    "does not encrypt its OS and temporary disks at the host (enableEncryptionAtHost not set)",
                    "set enableEncryptionAtHost (ai-infra: clusters[].encryption.atHost)",
                )
            )
    return out


# ----- node-identity -----------------------------------------------------------------------------
_DEFAULT_GCE_SA = re.compile(r"^(default|\d+-compute@developer\.gserviceaccount\.com)$")
BROAD_GCP_ROLES = frozenset({"roles/owner", "roles/editor"})
# Owner, Contributor, User Access Administrator, Role Based Access Control Administrator.
BROAD_AZURE_ROLES = frozenset(
    {
        "8e3af657-a8ff-443c-a75c-2fe8c4bcb635",
        "b24988ac-6180-42a0-ab88-20f7382dd24c",
        "18d7d88d-d35e-4fb5-a5c3-7773c20a72d9",
        "f58310d9-a9f6-439a-9e8d-f62e7b41a168",
    }
)
BROAD_AWS_POLICIES = frozenset(
    {"AdministratorAccess", "PowerUserAccess", "IAMFullAccess", "AmazonEC2FullAccess", "AmazonS3FullAccess"}
)
_AZURE_WIDE_SCOPE = re.compile(r"^/subscriptions/[^/]+(/resourceGroups/[^/]+)?/?$", re.IGNORECASE)


def _gce_sa(email: Any) -> str | None:
    """Why a node service account is too broad, or None."""
    if email is UNKNOWN:
        return None
    if email is None:
        return "runs as the Compute Engine default service account (Editor on the project by default)"
    if isinstance(email, str) and _DEFAULT_GCE_SA.match(email):
        return f"runs as the Compute Engine default service account ({clip(email)})"
    return None


def _ec2_roles(resources: Sequence[RawResource]) -> list[RawResource]:
    return [
        r
        for r in _of(resources, "aws:iam/role:Role")
        if "ec2.amazonaws.com" in str(get(r.props, "assumeRolePolicy") or "")
    ]


def _policy_grants_everything(doc: Any) -> bool:
    if isinstance(doc, str):
        try:
            doc = json.loads(doc)
        except ValueError:
            return False
    statements = get(doc, "Statement") if isinstance(doc, Mapping) else None
    if isinstance(statements, Mapping):
        statements = [statements]
    for st in statements or []:
        if not isinstance(st, Mapping) or st.get("Effect") != "Allow":
            continue
        actions = st.get("Action")
        actions = [actions] if isinstance(actions, str) else actions or []
        if "*" in actions and st.get("Resource") in ("*", ["*"]):
            return True
    return False


def node_identity(resources: Sequence[RawResource], ctx: Context) -> list[Finding]:
    out: list[Finding] = []
    fix_gcp = "give the nodes a dedicated least-privilege service account (ai-infra creates <cluster>-nodes)"
    for r in _of(resources, "gcp:container/nodePool:NodePool", "gcp:container/cluster:Cluster"):
        if not ctx.applies(r):
            continue
        if r.type.endswith(":Cluster") and (
            _true(get(r.props, "removeDefaultNodePool")) or get(r.props, "enableAutopilot")
        ):
            continue
        why = _gce_sa(get(r.props, "nodeConfig.serviceAccount"))
        if why:
            out.append(_finding(r, why, fix_gcp))
    for r in _of(resources, "gcp:compute/instance:Instance", "gcp:compute/instanceTemplate:InstanceTemplate"):
        sa = get(r.props, "serviceAccount")
        if ctx.applies(r) and isinstance(sa, Mapping):
            why = _gce_sa(get(sa, "email"))
            if why:
                out.append(_finding(r, why, fix_gcp))
    for r in _of(resources, "gcp:tpu/v2Vm:V2Vm"):
        if ctx.applies(r):
            why = _gce_sa(get(r.props, "serviceAccount.email"))
            if why:
                out.append(_finding(r, why, fix_gcp + "; set serviceAccount.email"))
    for r in _of(resources, "gcp:tpu/v2QueuedResource:V2QueuedResource"):
        if ctx.applies(r):
            out.append(
                _finding(
                    r,
                    "runs its TPU VMs as the Compute Engine default service account (a queued resource's nodes "
                    "cannot name another in pulumi-gcp)",
                    "use TPU VMs (gcp.tpu.V2Vm with serviceAccount) or GKE TPU node pools (ai-infra: "
                    "tpuSlices[].mode: vm or gke), or strip the default account's roles",
                )
            )
    for r in _of(resources, "gcp:projects/iAMMember:IAMMember", "gcp:projects/iAMBinding:IAMBinding"):
        role = text(get(r.props, "role"))
        members = [get(r.props, "member")] + (as_list(get(r.props, "members")) or [])
        sas = [m for m in members if isinstance(m, str) and m.startswith("serviceAccount:")]
        if ctx.applies(r) and role in BROAD_GCP_ROLES and sas:
            out.append(
                _finding(r, f"grants {role} on the project to {clip(sas[0].removeprefix('serviceAccount:'))}", fix_gcp)
            )
    for r in _of(resources, "azure-native:authorization:RoleAssignment"):
        role = text(get(r.props, "roleDefinitionId"))
        scope = text(get(r.props, "scope"))
        if not (ctx.applies(r) and isinstance(role, str) and isinstance(scope, str)):
            continue
        if text(get(r.props, "principalType")) not in (None, "ServicePrincipal"):
            continue  # users and groups are people, not node or workload identities
        if role.rsplit("/", 1)[-1].lower() in BROAD_AZURE_ROLES and _AZURE_WIDE_SCOPE.match(scope):
            where = "resource group" if "/resourceGroups/" in scope else "subscription"
            out.append(
                _finding(
                    r,
                    f"gives a managed identity an owner/contributor-level role on a whole {where} ({clip(scope)})",
                    "scope the grant to the one resource it needs (e.g. the capacity reservation group)",
                )
            )
    ec2_roles = _ec2_roles(resources)
    for r in _of(resources, "aws:iam/rolePolicyAttachment:RolePolicyAttachment", "aws:iam/rolePolicy:RolePolicy"):
        if not ctx.applies(r):
            continue
        node_role = next((role for role in ec2_roles if _depends_on(r, "role", role)), None)
        if node_role is None:
            continue
        if r.type.endswith(":RolePolicyAttachment"):
            arn = text(get(r.props, "policyArn"))
            if isinstance(arn, str) and arn.rsplit("/", 1)[-1] in BROAD_AWS_POLICIES:
                out.append(
                    _finding(
                        r,
                        f"attaches {arn.rsplit('/', 1)[-1]} to the EC2 node role {quote(node_role.name)}",
                        "keep node roles to the EKS worker policy and ECR pull; give workloads IRSA or Pod Identity",
                    )
                )
        elif _policy_grants_everything(get(r.props, "policy")):
            out.append(
                _finding(
                    r,
                    f"allows every action on every resource to the EC2 node role {quote(node_role.name)}",
                    "grant the node role only what nodes need; give workloads IRSA or Pod Identity",
                )
            )
    return out


RULES: Mapping[str, Callable[[Sequence[RawResource], Context], list[Finding]]] = {
    "private-api-endpoint": private_api_endpoint,
    "gpu-node-public-ip": gpu_node_public_ip,
    "imds-v2-hop-limit": imds_v2_hop_limit,
    "unencrypted-storage": unencrypted_storage,
    "node-identity": node_identity,
}


def evaluate(
    resources: Sequence[RawResource],
    config: Mapping[str, Mapping[str, Any]] | None = None,
    stack_tags: Mapping[str, str] | None = None,
    fleet_environment: str | None = None,
) -> dict[str, list[Finding]]:
    """Every rule over ``resources`` (config per policy name): policy name -> findings."""
    out = {}
    for policy in POLICIES:
        ctx = Context(policy, dict((config or {}).get(policy.name) or {}), dict(stack_tags or {}), fleet_environment)
        out[policy.name] = RULES[policy.name](resources, ctx)
    return out
