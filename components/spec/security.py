"""The cluster's security settings: who reaches the API endpoint, which key, how long audit logs live.

``endpoint_access`` turns ``clusters[].access`` and the fleet's environment into what every
cloud builds (private endpoint, or public with authorised CIDRs); ``check_security`` is the
semantic check of ``access`` and ``encryption`` that ``components.spec.semantic`` runs for
each cluster. Per-cloud key formats come from the catalog (``clouds.yaml`` ``names.kmsKey``,
``names.keyVault``), features a cloud lacks from its ``unsupported`` table.
"""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass

from components.catalog.model import CloudInfo
from components.spec.errors import SpecIssue, join_path
from components.spec.model import Cluster

#: Environments whose clusters get no public API endpoint unless authorised CIDRs are given.
PRIVATE_BY_DEFAULT = frozenset({"prod"})


@dataclass(frozen=True)
class EndpointAccess:
    """The API endpoint a cluster gets: private, or public (limited to ``authorized_cidrs`` when any)."""

    private: bool
    authorized_cidrs: tuple[str, ...] = ()
    # A private endpoint that the deployer reaches from outside the cluster's network
    # (``access.deployFrom: internet``): GKE adds its IAM-authorised DNS endpoint; on EKS and AKS
    # ``validate`` warns when add-ons go in through it.
    reached_from_outside: bool = False

    @property
    def open_to_internet(self) -> bool:
        """A public endpoint that any address may reach."""
        return not self.private and not self.authorized_cidrs


def endpoint_access(cluster: Cluster, environment: str) -> EndpointAccess:
    """The endpoint of ``cluster`` in ``environment``.

    ``access.endpoint`` wins when set. Otherwise prod is private unless ``authorizedCidrs``
    names networks (then public, limited to them); dev and staging are public, limited to
    ``authorizedCidrs`` when given. ``access.deployFrom`` says whether a private endpoint must
    be reached from outside the cluster's network.
    """
    access = cluster.access
    cidrs = tuple(access.authorized_cidrs)
    outside = access.deploy_from != "network"
    if access.endpoint is not None:
        private = access.endpoint == "private"
        return EndpointAccess(
            private=private, authorized_cidrs=() if private else cidrs, reached_from_outside=private and outside
        )
    if environment in PRIVATE_BY_DEFAULT and not cidrs:
        return EndpointAccess(private=True, reached_from_outside=outside)
    return EndpointAccess(private=False, authorized_cidrs=cidrs)


def check_security(cluster: Cluster, info: CloudInfo, environment: str) -> list[SpecIssue]:
    """Problems with ``access`` and ``encryption`` of one cluster, each at its spec path."""
    issues: list[SpecIssue] = []
    issues += _check_access(cluster, environment)
    issues += _check_encryption(cluster, info)
    for st in cluster.storage:
        if st.lustre_port is not None and (cluster.cloud != "gcp" or st.kind != "lustre"):
            issues.append(
                SpecIssue(
                    join_path(st.path, "lustrePort"),
                    "lustrePort applies to Google Cloud Managed Lustre (kind: lustre on a gcp cluster) only",
                    "remove lustrePort",
                )
            )
    return issues


def _check_access(cluster: Cluster, environment: str) -> list[SpecIssue]:
    issues: list[SpecIssue] = []
    path = join_path(cluster.path, "access")
    access = cluster.access
    if access.endpoint == "private" and access.authorized_cidrs:
        issues.append(
            SpecIssue(
                join_path(path, "authorizedCidrs"),
                "authorizedCidrs limit who reaches a public endpoint, but endpoint is private",
                "remove authorizedCidrs, or set endpoint: public",
            )
        )
    for i, cidr in enumerate(access.authorized_cidrs):
        where = join_path(path, "authorizedCidrs", i)
        try:
            net = ipaddress.ip_network(cidr, strict=True)
        except ValueError as exc:
            issues.append(SpecIssue(where, f"'{cidr}' is not a network CIDR: {exc}", "e.g. 203.0.113.0/24"))
            continue
        if net.version != 4:
            issues.append(SpecIssue(where, f"{net} is IPv6; the API endpoints take IPv4 CIDRs", "e.g. 203.0.113.0/24"))
        elif net.prefixlen == 0:
            issues.append(
                SpecIssue(
                    where,
                    f"{net} is every address: the endpoint would be open to the internet",
                    "list the networks that run kubectl and CI (e.g. 203.0.113.0/24), or remove authorizedCidrs"
                    + (" and keep the prod endpoint private" if environment in PRIVATE_BY_DEFAULT else ""),
                    severity="error" if environment in PRIVATE_BY_DEFAULT else "warning",
                )
            )
    if cluster.kubernetes.existing_cluster is not None and (access.endpoint is not None or access.authorized_cidrs):
        issues.append(
            SpecIssue(
                path,
                "access applies to clusters ai-infra creates; an existingCluster keeps its own endpoint settings",
                "remove access, or change the endpoint of the existing cluster where it is managed",
                severity="warning",
            )
        )
    return issues


def _check_encryption(cluster: Cluster, info: CloudInfo) -> list[SpecIssue]:
    issues: list[SpecIssue] = []
    path = join_path(cluster.path, "encryption")
    enc = cluster.encryption
    if enc.at_host and "encryption.atHost" in info.unsupported:
        issues.append(SpecIssue(join_path(path, "atHost"), info.unsupported["encryption.atHost"]))
    if enc.key_vault is not None and "encryption.keyVault" in info.unsupported:
        issues.append(SpecIssue(join_path(path, "keyVault"), info.unsupported["encryption.keyVault"]))
    for field, value in (("kmsKey", enc.kms_key), ("keyVault", enc.key_vault)):
        rule = info.names.get(field)
        if value is None or rule is None:
            continue
        if len(value) > rule.max_length or not re.fullmatch(rule.pattern, value):
            issues.append(SpecIssue(join_path(path, field), f"'{value}' is not {rule.rule.split(':')[0]}", rule.rule))
    if cluster.cloud == "azure" and (enc.kms_key is None) != (enc.key_vault is None):
        missing = "keyVault" if enc.key_vault is None else "kmsKey"
        issues.append(
            SpecIssue(
                join_path(path, missing),
                "on Azure a customer-managed key needs both kmsKey (the key ID) and keyVault (its vault's resource ID)",
                f"add {missing}",
            )
        )
    return issues
