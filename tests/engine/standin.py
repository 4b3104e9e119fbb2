"""Stand-in provider plugins for the engine tier: ``pulumi-resource-<pkg>`` without a cloud.

Test doubles, not providers. The real ``pulumi`` engine loads them from PATH in place of the
gcp, aws, azure-native and kubernetes plugins (one implementation, parametrized by package
name; the list is :data:`tests.support.sdk_inputs.PACKAGES`: a package added there gets one):

- **Check** validates the inputs against the provider SDK's own input types (``<Resource>Args``
  and the nested ``...Args`` classes), as the provider's schema would: an undeclared property
  or a value of the wrong kind fails with its property path (``nodeConfig.guestAccelerators``).
  Kubernetes custom resources are checked against their vendored CRD schemas.
- **Construct** (provider-side components such as ``kubernetes:yaml/v2:ConfigGroup``)
  registers the component alone.
- **Create** returns a deterministic ID (logical name + a hash of the URN) and outputs that
  echo the inputs plus the computed outputs our program reads (self links, ARNs, endpoints,
  CA data, OIDC issuers, mount points, a kubeconfig from the AKS credentials invoke, ...).
  In a preview the computed outputs are unknown, as a real provider leaves them.
- **Diff** compares the new inputs with the old state; a change to an input that the plan's
  own replacement table (:data:`components.plan.replacements.RESOURCE_REPLACE_KEYS`) says
  forces a new resource is a replace, anything else an update.
- **Invoke** answers every data source the program calls (:data:`INVOKES`); any other is a
  failure naming the token, so a new data source cannot slip through unanswered.
- **Update** and **Delete** do nothing but log.

Every call is appended as one JSON line to ``$AIINFRA_STANDIN_LOG`` when it is set, so a test
can assert, for example, that ``Delete`` was never called for protected storage.

What they do not check: anything the cloud decides (quota, capacity, permissions, API
enablement, regional availability, valid combinations of values, name uniqueness), provider
defaults and normalisation, ForceNew properties beyond the plan's table, and the real
outputs' values. They prove what the engine does with our program, not what a cloud does.

Run as a plugin: ``python -m tests.engine.standin serve gcp ENGINE_ADDRESS``; write the
``pulumi-resource-<pkg>`` executables into DIR: ``python -m tests.engine.standin install DIR``.
"""

from __future__ import annotations

import base64
import hashlib
import importlib
import importlib.metadata
import json
import os
import sys
import time
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from tests.support.crds import crd_errors
from tests.support.sdk_inputs import PACKAGES, _module_path, args_class, sdk_input_failures


def _share_google_rpc_status() -> None:
    """Let ``pulumi.provider`` use googleapis' ``google.rpc.Status`` module.

    pulumi's generated ``pulumi/runtime/proto/status_pb2.py`` and googleapis-common-protos'
    ``google/rpc/status_pb2.py`` (installed with the GCP client libraries) both register the
    message ``google.rpc.Status`` under different file names, so whichever is imported second
    fails with "duplicate symbol 'google.rpc.Status'" (a pytest worker that ran the GCP preflight
    tests first). The two messages are the same (code, message, details); one module serves both.
    """
    try:
        from google.rpc import status_pb2
    except ImportError:
        return
    sys.modules.setdefault("pulumi.runtime.proto.status_pb2", status_pb2)


_share_google_rpc_status()

from pulumi.provider.experimental.property_value import Computed, PropertyValue, ResourceReference  # noqa: E402
from pulumi.provider.experimental.provider import (  # noqa: E402
    CheckFailure,
    CheckRequest,
    CheckResponse,
    ConfigureRequest,
    ConfigureResponse,
    ConstructRequest,
    ConstructResponse,
    CreateRequest,
    CreateResponse,
    DeleteRequest,
    DiffRequest,
    DiffResponse,
    InvokeRequest,
    InvokeResponse,
    Provider,
    ReadRequest,
    ReadResponse,
    UpdateRequest,
    UpdateResponse,
)

REPO = Path(__file__).resolve().parents[2]
LOG_ENV = "AIINFRA_STANDIN_LOG"
ACCOUNT = "123456789012"
SUBSCRIPTION = "00000000-0000-0000-0000-000000000000"
# A syntactically valid PEM body for CA fields (base64 of a fixed string, not a real cert).
FAKE_CA = base64.b64encode(b"-----BEGIN CERTIFICATE-----\nstand-in\n-----END CERTIFICATE-----\n").decode()

Plain = Any
_UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9"  # pulumi.runtime.rpc.UNKNOWN


# --- PropertyValue <-> plain values -------------------------------------------------------


def to_plain(value: PropertyValue | Mapping[str, PropertyValue]) -> Plain:
    """PropertyValues as plain JSON-like values; unknowns as ``"<unknown>"`` (never validated)."""
    if isinstance(value, Mapping):
        return {k: to_plain(v) for k, v in value.items()}
    inner = value.value
    if isinstance(inner, Computed):
        return "<unknown>"
    if isinstance(inner, ResourceReference):
        return f"<resource {inner.urn}>"
    if isinstance(inner, Mapping):
        return {k: to_plain(v) for k, v in inner.items()}
    if isinstance(inner, list | tuple):
        return [to_plain(v) for v in inner]
    if inner == _UNKNOWN:  # nested unknowns arrive as the wire's sentinel string
        return "<unknown>"
    return inner


def from_plain(value: Plain) -> PropertyValue:
    """A plain value (dicts, lists, scalars) as a PropertyValue."""
    if isinstance(value, PropertyValue):
        return value
    if isinstance(value, Mapping):
        return PropertyValue({k: from_plain(v) for k, v in value.items()})
    if isinstance(value, list | tuple):
        return PropertyValue([from_plain(v) for v in value])
    if isinstance(value, int) and not isinstance(value, bool):
        return PropertyValue(float(value))
    return PropertyValue(value)


def unknown() -> PropertyValue:
    """An unknown value as the wire carries it (the SDK's PropertyValue cannot marshal Computed)."""
    from pulumi.runtime import rpc

    return PropertyValue(rpc.UNKNOWN)


def wire(value: PropertyValue) -> PropertyValue:
    """``value`` with every Computed replaced by the wire's unknown sentinel (secrets kept)."""
    inner = value.value
    if isinstance(inner, Computed):
        out = unknown()
    elif isinstance(inner, Mapping):
        out = PropertyValue({k: wire(v) for k, v in inner.items()})
    elif isinstance(inner, list | tuple):
        out = PropertyValue([wire(v) for v in inner])
    else:
        return value
    return out.with_secret(value.is_secret).with_dependencies(value.dependencies)


def _digest(text: str, n: int = 8) -> str:
    return hashlib.sha256(text.encode()).hexdigest()[:n]


def resource_type(urn: str) -> str:
    """The resource's own type token: the last ``$`` segment of the URN's type part."""
    return urn.rsplit("::", 2)[-2].rsplit("$", 1)[-1]


def _urn_parts(urn: str) -> tuple[str, str, str]:
    """``urn:pulumi:STACK::PROJECT::TYPE$...::NAME`` -> (stack, project, name)."""
    head, _, name = urn.rpartition("::")
    parts = head.split("::")
    return parts[0].split(":")[-1], parts[1], name


# --- call log ----------------------------------------------------------------------------


def log_call(package: str, method: str, **fields: Any) -> None:
    """Append one call to ``$AIINFRA_STANDIN_LOG`` (one JSON object a line); no-op when unset."""
    path = os.environ.get(LOG_ENV)
    if not path:
        return
    record = {"package": package, "method": method, "time": time.time(), **fields}
    with open(path, "a", encoding="utf-8") as fh:
        fh.write(json.dumps(record, sort_keys=True, default=str) + "\n")


def read_log(path: str | Path) -> list[dict[str, Any]]:
    """Every call a stand-in logged to ``path``, in order."""
    p = Path(path)
    if not p.exists():
        return []
    return [json.loads(line) for line in p.read_text(encoding="utf-8").splitlines() if line.strip()]


# --- computed outputs ---------------------------------------------------------------------


def output_names(type_token: str) -> set[str]:
    """The output property names (wire names) the SDK's resource class declares."""
    pkg, middle, cls_name = type_token.split(":")
    path = _module_path(pkg, middle) if pkg in PACKAGES else None
    if path is None:  # a Kubernetes custom resource: no SDK class, no computed outputs
        return set()
    module = importlib.import_module(path)
    cls = getattr(module, cls_name, None)
    names: set[str] = set()
    for klass in getattr(cls, "__mro__", ()):
        for attr in vars(klass).values():
            if isinstance(attr, property) and hasattr(attr.fget, "_pulumi_name"):
                names.add(attr.fget._pulumi_name)  # type: ignore[union-attr]
    return names


class Ctx:
    """What a computed output may depend on: the resource, its inputs, the provider config."""

    def __init__(self, package: str, type_token: str, urn: str, inputs: Mapping[str, Plain], config: Mapping[str, str]):
        self.package = package
        self.type = type_token
        self.urn = urn
        self.stack, self.project, self.logical = _urn_parts(urn)
        self.inputs = inputs
        self.config = config
        self.name = str(inputs.get("name") or self.logical)

    def cfg(self, key: str, default: str) -> str:
        return str(
            self.config.get(f"{self.package}:config:{key}") or self.config.get(f"{self.package}:{key}") or default
        )

    @property
    def gcp_project(self) -> str:
        return str(self.inputs.get("project") or self.cfg("project", "stand-in-project"))

    @property
    def region(self) -> str:
        default = {"gcp": "us-central1", "aws": "us-east-1"}.get(self.package, "eastus")
        return str(self.inputs.get("region") or self.inputs.get("location") or self.cfg("region", default))


def _arn(c: Ctx) -> str:
    service = c.type.split(":")[1].split("/")[0]
    kind = c.type.split(":")[2][0].lower() + c.type.split(":")[2][1:]
    region = "" if service == "iam" else c.region
    return f"arn:aws:{service}:{region}:{ACCOUNT}:{kind}/{c.name}"


def _self_link(c: Ctx) -> str:
    collection = c.type.split(":")[2][0].lower() + c.type.split(":")[2][1:] + "s"
    where = f"regions/{c.inputs['region']}" if c.inputs.get("region") else "global"
    return f"https://www.googleapis.com/compute/v1/projects/{c.gcp_project}/{where}/{collection}/{c.name}"


def _ip(c: Ctx) -> str:
    h = int(_digest(c.urn, 4), 16)
    return f"10.{(h >> 8) % 250}.{h % 250}.{2 + h % 200}"


def _azure_id(c: Ctx) -> str:
    rg = c.inputs.get("resourceGroupName", c.name)
    provider = c.type.split(":")[1]
    return f"/subscriptions/{SUBSCRIPTION}/resourceGroups/{rg}/providers/Microsoft.{provider}/{c.logical}/{c.name}"


# Outputs any resource gets when its SDK class declares them and the inputs do not set them.
GENERIC_OUTPUTS: dict[str, Callable[[Ctx], Plain]] = {
    "name": lambda c: c.name,
    "arn": _arn,
    "selfLink": _self_link,
    "selfLinkWithId": _self_link,
    "ipAddress": _ip,
    "endpoint": lambda c: f"https://{_ip(c)}" if c.package != "gcp" else _ip(c),
    "principalId": lambda c: f"{_digest('principal' + c.urn, 8)}-0000-0000-0000-{_digest(c.urn, 12)}",
    "clientId": lambda c: f"{_digest('client' + c.urn, 8)}-0000-0000-0000-{_digest(c.urn, 12)}",
    "tenantId": lambda c: SUBSCRIPTION,
    "dnsName": lambda c: f"{c.name}.fsx.{c.region}.amazonaws.com",
    "mountName": lambda c: _digest(c.urn, 8),
    "mountPoint": lambda c: f"{_ip(c)}@tcp:/{c.inputs.get('filesystem', 'lfs')}",
    "instanceId": lambda c: c.inputs.get("instanceId", c.name),
    "keyUri": lambda c: f"https://{c.inputs.get('vaultName', 'vault')}.vault.azure.net/keys/{c.name}",
    "keyUriWithVersion": lambda c: (
        f"https://{c.inputs.get('vaultName', 'vault')}.vault.azure.net/keys/{c.name}/{_digest(c.urn, 32)}"
    ),
    "latestVersion": lambda c: 1,
    "defaultVersion": lambda c: 1,
    "email": lambda c: f"{c.inputs.get('accountId', c.name)}@{c.gcp_project}.iam.gserviceaccount.com",
    "azureApiVersion": lambda c: "stand-in",
}

# Outputs of particular resource types that are objects the program reads into.
TYPE_OUTPUTS: dict[str, Callable[[Ctx], dict[str, Plain]]] = {
    "gcp:container/cluster:Cluster": lambda c: {
        "masterAuth": {"clusterCaCertificate": FAKE_CA, "clientCertificateConfig": {"issueClientCertificate": False}},
    },
    "gcp:filestore/instance:Instance": lambda c: {
        "networks": [
            {**n, "ipAddresses": [_ip(c)]} for n in (c.inputs.get("networks") or [{}]) if isinstance(n, Mapping)
        ],
    },
    "aws:eks/cluster:Cluster": lambda c: {
        "certificateAuthority": {"data": FAKE_CA},
        "identities": [
            {"oidcs": [{"issuer": f"https://oidc.eks.{c.region}.amazonaws.com/id/{_digest(c.urn, 32).upper()}"}]}
        ],
    },
    "azure-native:storagecache:AmlFilesystem": lambda c: {
        "clientInfo": {
            "mgsAddress": _ip(c),
            "mountCommand": f"sudo mount -t lustre -o noatime,flock {_ip(c)}@tcp:/lustrefs /lustre",
            "lustreVersion": "2.15",
            "containerStorageInterface": {
                "persistentVolume": "",
                "persistentVolumeClaim": "",
                "storageClass": "",
            },
        },
    },
    "azure-native:containerservice:ManagedCluster": lambda c: {
        "oidcIssuerProfile": {
            **(c.inputs.get("oidcIssuerProfile") or {}),
            "issuerUrl": f"https://{c.region}.oic.prod-aks.azure.com/{SUBSCRIPTION}/{_digest(c.urn, 16)}/",
        },
        "fqdn": f"{c.name}-{_digest(c.urn, 8)}.hcp.{c.region}.azmk8s.io",
        # AKS takes identity.userAssignedIdentities as a list of IDs and returns a map keyed by ID.
        "identity": _aks_identity(c.inputs.get("identity")),
    },
}


def _aks_identity(identity: Plain) -> Plain:
    if isinstance(identity, Mapping) and isinstance(identity.get("userAssignedIdentities"), list):
        return {**identity, "userAssignedIdentities": {str(i): {} for i in identity["userAssignedIdentities"]}}
    return identity


def computed_outputs(c: Ctx) -> dict[str, Plain]:
    """The outputs a real provider computes that the inputs do not echo."""
    declared = output_names(c.type)
    out: dict[str, Plain] = {}
    for key, make in GENERIC_OUTPUTS.items():
        if key in declared and key not in c.inputs:
            out[key] = make(c)
    typed = TYPE_OUTPUTS.get(c.type)
    if typed is not None:
        out.update({k: v for k, v in typed(c).items() if v is not None})
    return out


# --- invokes ------------------------------------------------------------------------------


def _kubeconfig(server: str, name: str) -> str:
    return json.dumps(
        {
            "apiVersion": "v1",
            "kind": "Config",
            "clusters": [{"name": name, "cluster": {"server": server, "certificate-authority-data": FAKE_CA}}],
            "contexts": [{"name": name, "context": {"cluster": name, "user": name}}],
            "current-context": name,
            "users": [{"name": name, "user": {"token": "stand-in-token"}}],
        }
    )


def _gke_cluster(args: Mapping[str, Plain], config: Mapping[str, str]) -> dict[str, Plain]:
    name = str(args.get("name", "cluster"))
    return {
        "name": name,
        "location": args.get("location"),
        "project": args.get("project") or config.get("gcp:config:project") or "stand-in-project",
        "endpoint": "10.0.0.2",
        "masterAuths": [{"clusterCaCertificate": FAKE_CA, "clientCertificate": "", "clientKey": ""}],
        "id": f"projects/stand-in/locations/{args.get('location')}/clusters/{name}",
    }


def _eks_cluster(args: Mapping[str, Plain], config: Mapping[str, str]) -> dict[str, Plain]:
    name = str(args.get("name"))
    region = args.get("region") or config.get("aws:config:region", "us-east-1")
    return {
        "name": name,
        "id": name,
        "arn": f"arn:aws:eks:{region}:{ACCOUNT}:cluster/{name}",
        "endpoint": f"https://{_digest(name, 32).upper()}.gr7.{region}.eks.amazonaws.com",
        "certificateAuthorities": [{"data": FAKE_CA}],
        "vpcConfig": {
            "clusterSecurityGroupId": f"sg-{_digest(name, 17)}",
            "controlPlaneEgressMode": "",
            "endpointPrivateAccess": True,
            "endpointPublicAccess": False,
            "publicAccessCidrs": [],
            "securityGroupIds": [],
            "subnetIds": [f"subnet-{_digest(name + str(i), 17)}" for i in range(2)],
            "vpcId": f"vpc-{_digest(name, 17)}",
        },
    }


INVOKES: dict[str, Callable[[Mapping[str, Plain], Mapping[str, str]], dict[str, Plain]]] = {
    "gcp:organizations/getClientConfig:getClientConfig": lambda a, cfg: {
        "project": cfg.get("gcp:config:project", "stand-in-project"),
        "region": cfg.get("gcp:config:region", "us-central1"),
        "zone": cfg.get("gcp:config:zone", ""),
        "accessToken": "stand-in-token",
        "id": "stand-in",
    },
    "gcp:container/getCluster:getCluster": _gke_cluster,
    "gcp:organizations/getProject:getProject": lambda a, cfg: {
        "projectId": a.get("projectId") or cfg.get("gcp:config:project", "stand-in-project"),
        "name": a.get("projectId") or cfg.get("gcp:config:project", "stand-in-project"),
        "number": str(int(_digest(str(a.get("projectId")), 10), 16) % 10**12),
        "id": f"projects/{a.get('projectId')}",
    },
    # The EKS-optimized AMI's release version, from its public SSM parameter.
    "aws:ssm/getParameter:getParameter": lambda a, cfg: {
        "name": a.get("name"),
        "id": a.get("name"),
        "type": "String",
        "value": "1.35.0-20261120",
        "insecureValue": "1.35.0-20261120",
        "version": 1,
        "arn": f"arn:aws:ssm:{a.get('region') or 'us-east-1'}::parameter{a.get('name')}",
        "withDecryption": True,
    },
    "aws:eks/getCluster:getCluster": _eks_cluster,
    "aws:ec2/getSubnets:getSubnets": lambda a, cfg: {
        "ids": [f"subnet-{_digest(json.dumps(a, sort_keys=True) + str(i), 17)}" for i in range(2)],
        "id": cfg.get("aws:config:region", "us-east-1"),
        "filters": a.get("filters"),
    },
    "azure-native:authorization:getClientConfig": lambda a, cfg: {
        "clientId": "11111111-1111-1111-1111-111111111111",
        "objectId": "22222222-2222-2222-2222-222222222222",
        "subscriptionId": cfg.get("azure-native:config:subscriptionId", SUBSCRIPTION),
        "tenantId": "33333333-3333-3333-3333-333333333333",
    },
    "azure-native:containerservice:listManagedClusterUserCredentials": lambda a, cfg: {
        "kubeconfigs": [
            {
                "name": "clusterUser",
                "value": base64.b64encode(
                    _kubeconfig(
                        f"https://{a.get('resourceName')}.hcp.azmk8s.io:443", str(a.get("resourceName"))
                    ).encode()
                ).decode(),
            }
        ]
    },
}


# --- the provider -------------------------------------------------------------------------


def _custom_resource_failures(plain: Mapping[str, Plain]) -> list[tuple[str, str]]:
    """A Kubernetes custom resource against its vendored CRD schema (tests/support/crds.py).

    Skipped while any value is unknown (a preview): the schema cannot judge a placeholder.
    """
    if "<unknown>" in json.dumps(plain):
        return []
    return [("", message) for message in crd_errors(dict(plain))]


def _replace_keys(type_token: str) -> tuple[str, ...]:
    from components.plan.replacements import RESOURCE_REPLACE_KEYS

    return tuple(RESOURCE_REPLACE_KEYS.get(type_token, ()))


def _at(value: Plain, dotted: str) -> Plain:
    for part in dotted.split("."):
        if not isinstance(value, Mapping):
            return None
        value = value.get(part)
    return value


class StandInProvider(Provider):
    """One stand-in plugin for ``package`` (``gcp``, ``aws``, ``azure-native``, ...)."""

    def __init__(self, package: str) -> None:
        if package not in PACKAGES:
            raise SystemExit(f"no stand-in for package {package!r}: known {sorted(PACKAGES)}")
        self.package = package
        self.config: dict[str, str] = {}

    async def configure(self, request: ConfigureRequest) -> ConfigureResponse:
        self.config = dict(request.variables)
        for key, value in to_plain(request.args or {}).items():
            if isinstance(value, str):
                self.config.setdefault(f"{self.package}:config:{key}", value)
        log_call(self.package, "Configure", variables=sorted(self.config))
        return ConfigureResponse(accept_secrets=True, supports_preview=True, accept_outputs=True, accept_resources=True)

    async def check(self, request: CheckRequest) -> CheckResponse:
        plain = to_plain(request.new_inputs)
        log_call(self.package, "Check", urn=request.urn, type=resource_type(request.urn), name=request.name)
        kind = resource_type(request.urn)
        try:
            failures = sdk_input_failures(kind, plain)
            group = kind.split(":")[1].split("/")[0]
            if self.package == "kubernetes" and "." in group and args_class(kind) is None:
                failures += _custom_resource_failures(plain)
        except (AssertionError, ImportError, AttributeError) as err:
            failures = [("", f"the {self.package} provider has no resource type {resource_type(request.urn)}: {err}")]
        return CheckResponse(
            inputs={k: wire(v) for k, v in request.new_inputs.items()},
            failures=[CheckFailure(path, reason) for path, reason in failures],
        )

    async def construct(self, request: ConstructRequest) -> ConstructResponse:
        """A provider-side component (``kubernetes:yaml/v2:ConfigGroup``): the component alone.

        The real provider parses the manifests and registers each object as a child; the
        stand-in registers none, so the engine sees what the offline plan sees.
        """
        import pulumi

        log_call(self.package, "Construct", type=request.resource_type, name=request.name)
        component = pulumi.ComponentResource(request.resource_type, request.name, None, request.options)
        component.register_outputs({"resources": []})
        urn = await component.urn.future()
        return ConstructResponse(urn=str(urn), state={"resources": PropertyValue([])}, state_dependencies={})

    async def diff(self, request: DiffRequest) -> DiffResponse:
        news = to_plain(request.new_inputs)
        olds = to_plain(request.old_state)
        c = Ctx(self.package, resource_type(request.urn), request.urn, news, self.config)
        computed = set(computed_outputs(c)) | {"id", "urn"}
        keys = (set(news) | set(olds)) - computed - set(request.ignore_changes)
        changed = sorted(k for k in keys if news.get(k) != olds.get(k))
        replaces = sorted(
            {
                path.split(".")[0]
                for path in _replace_keys(resource_type(request.urn))
                if _at(news, path) != _at(olds, path)
            }
            & set(changed)
        )
        log_call(
            self.package,
            "Diff",
            urn=request.urn,
            type=resource_type(request.urn),
            changed=changed,
            replaces=replaces,
            olds={k: olds.get(k) for k in changed},
            news={k: news.get(k) for k in changed},
        )
        return DiffResponse(changes=bool(changed), replaces=replaces, diffs=changed)

    async def create(self, request: CreateRequest) -> CreateResponse:
        plain = to_plain(request.properties)
        c = Ctx(self.package, resource_type(request.urn), request.urn, plain, self.config)
        resource_id = _azure_id(c) if self.package == "azure-native" else f"{c.name}-{_digest(request.urn)}"
        log_call(
            self.package,
            "Create",
            urn=request.urn,
            type=resource_type(request.urn),
            name=request.name,
            id=resource_id,
            preview=request.preview,
        )
        props = {k: wire(v) for k, v in request.properties.items()}
        for key, value in computed_outputs(c).items():
            props[key] = unknown() if request.preview else from_plain(value)
        return CreateResponse(resource_id="" if request.preview else resource_id, properties=props)

    async def read(self, request: ReadRequest) -> ReadResponse:
        log_call(self.package, "Read", urn=request.urn, id=request.resource_id)
        return ReadResponse(resource_id=request.resource_id, properties=request.properties, inputs=request.inputs)

    async def update(self, request: UpdateRequest) -> UpdateResponse:
        log_call(
            self.package,
            "Update",
            urn=request.urn,
            type=resource_type(request.urn),
            id=request.resource_id,
            preview=request.preview,
        )
        plain = to_plain(request.news)
        c = Ctx(self.package, resource_type(request.urn), request.urn, plain, self.config)
        props = {k: wire(v) for k, v in request.news.items()}
        for key in computed_outputs(c):
            props[key] = wire(request.olds.get(key, unknown()))
        return UpdateResponse(properties=props)

    async def delete(self, request: DeleteRequest) -> None:
        log_call(self.package, "Delete", urn=request.urn, type=resource_type(request.urn), id=request.resource_id)

    async def invoke(self, request: InvokeRequest) -> InvokeResponse:
        args = to_plain(request.args)
        answer = INVOKES.get(request.tok)
        log_call(self.package, "Invoke", token=request.tok, answered=answer is not None)
        if answer is None:
            return InvokeResponse(
                failures=[
                    CheckFailure(
                        "",
                        f"the stand-in {self.package} provider has no answer for {request.tok}; "
                        f"add one to INVOKES in {__name__}",
                    )
                ]
            )
        return InvokeResponse(return_value={k: from_plain(v) for k, v in answer(args, self.config).items()})


def plugin_version(package: str) -> str:
    """The installed SDK's version: the engine records it in state like the real plugin's."""
    dist = PACKAGES[package].replace("_", "-")
    try:
        return importlib.metadata.version(dist)
    except importlib.metadata.PackageNotFoundError:
        return "0.0.0"


def install(directory: Path, python: str = sys.executable) -> list[Path]:
    """Write a ``pulumi-resource-<pkg>`` executable for every package into ``directory``."""
    directory.mkdir(parents=True, exist_ok=True)
    written = []
    for package in PACKAGES:
        exe = directory / f"pulumi-resource-{package}"
        exe.write_text(
            "#!/bin/sh\n"
            f"# ai-infra stand-in for the {package} provider (tests/engine/standin.py): a test double.\n"
            f'PYTHONPATH="{REPO}${{PYTHONPATH:+:$PYTHONPATH}}" '
            f'exec "{python}" -m tests.engine.standin serve {package} "$@"\n',
            encoding="utf-8",
        )
        exe.chmod(0o755)
        written.append(exe)
    return written


def main(argv: list[str]) -> int:
    if len(argv) >= 2 and argv[0] == "install":
        for path in install(Path(argv[1])):
            print(path)
        return 0
    if len(argv) >= 2 and argv[0] == "serve":
        from pulumi.provider.experimental.server import main as serve

        package = argv[1]
        # The SDK's server parses sys.argv itself (ENGINE_ADDRESS [--logtostderr ...]).
        sys.argv = [f"pulumi-resource-{package}", *argv[2:]]
        serve(argv[2:], plugin_version(package), StandInProvider(package))
        return 0
    print("usage: python -m tests.engine.standin install DIR | serve PACKAGE ENGINE_ADDRESS", file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
