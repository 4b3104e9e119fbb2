"""``Storage``: Managed Lustre (``lustre``), Filestore (``nfs``) or a Hyperdisk Balanced volume (``block``).

Data-bearing: protected by default (``protect=True``), so ``pulumi destroy`` and replacements
stop until the spec says ``protect: false``. Lustre and Filestore wait for the private services
access peering of the cluster's VPC.
"""

from __future__ import annotations

from typing import Any

import pulumi
import pulumi_gcp as gcp

from components.gcp import translate as t
from components.spec.resolved import ResolvedCluster, ResolvedStorage


def _nfs_mount(networks: Any, share: str) -> str | None:
    """``<ip>:/<share>`` from a Filestore instance's ``networks`` output (None until known)."""
    first = networks[0] if networks else None
    # A plain engine value has camelCase keys; the SDK's typed output has a property getter
    # (key access on it logs a warning on every plan).
    ips = first.get("ipAddresses") if type(first) is dict else getattr(first, "ip_addresses", None)
    return f"{ips[0]}:/{share}" if ips else None


class Storage(pulumi.ComponentResource):
    """One storage item of a GCP cluster.

    Args:
        name: logical name; the child is ``f"{name}-lustre"``, ``f"{name}-filestore"`` or ``f"{name}-disk"``.
        cluster: the resolved cluster; storage: the resolved storage item (service, tier).
        refs: the network (id, name) the service attaches to.
        depends_on: resources to wait for (the private services access peering).

    Outputs:
        resource_name: the service's instance / disk name; mount: how clients reach it.
    """

    def __init__(
        self,
        name: str,
        cluster: ResolvedCluster,
        storage: ResolvedStorage,
        refs: t.Refs,
        depends_on: list[pulumi.Resource] | None = None,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        super().__init__("aiinfra:gcp:Storage", name, None, opts)
        child = pulumi.ResourceOptions(parent=self, protect=storage.spec.protect, depends_on=depends_on or [])
        kind = storage.spec.kind
        self.mount: pulumi.Output[Any]
        if kind == "lustre":
            # gke_support_enabled (the legacy port) cannot change without replacing the file
            # system: it is fixed at creation, whatever kubernetes.version says later.
            lustre = gcp.lustre.Instance(
                f"{name}-lustre",
                **t.lustre_args(cluster, storage, refs),
                opts=pulumi.ResourceOptions.merge(child, pulumi.ResourceOptions(ignore_changes=["gkeSupportEnabled"])),
            )
            self.resource_name: pulumi.Output[Any] = lustre.instance_id
            self.mount = lustre.mount_point
        elif kind == "nfs":
            share = t.filestore_share_name(storage.name)
            fs = gcp.filestore.Instance(f"{name}-filestore", **t.filestore_args(cluster, storage, refs), opts=child)
            self.resource_name = fs.name
            self.mount = fs.networks.apply(lambda nets: _nfs_mount(nets, share))
        else:
            disk = gcp.compute.Disk(f"{name}-disk", **t.disk_args(cluster, storage), opts=child)
            self.resource_name = disk.name
            self.mount = disk.id
        self.register_outputs({"resourceName": self.resource_name, "mount": self.mount})
