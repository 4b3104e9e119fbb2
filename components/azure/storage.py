"""``AzureStorage``: one storage item of the spec on Azure.

- ``lustre``: Azure Managed Lustre (``storagecache.AmlFilesystem``) in its own subnet.
- ``nfs``: a premium FileStorage account and an NFS 4.1 file share, reachable from the node
  subnet only.
- ``block``: a Premium SSD v2 managed disk.

Data-bearing resources are protected (``protect=True``) unless the spec says
``protect: false``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pulumi
import pulumi_azure_native.compute as compute
import pulumi_azure_native.storage as storage_sdk
import pulumi_azure_native.storagecache as storagecache

from components.azure import translate as tr
from components.spec.resolved import ResolvedCluster, ResolvedStorage


class AzureStorage(pulumi.ComponentResource):
    """A Lustre file system, NFS share or block volume.

    Args:
        name: logical name; children ``{name}-amlfs`` / ``{name}-account`` + ``{name}-share`` /
            ``{name}-disk``.
        cluster: the resolved cluster (region, zone, tags).
        storage: the resolved storage item (kind, capacity, tier).
        resource_group_name: resource group for the storage.
        lustre_subnet_id: the file system's subnet (lustre only).
        nfs_subnet_ids: subnets allowed to reach the NFS account (nfs only). Default: none.
        account_salt: mixed into the storage account name hash (project/stack).
        disk_encryption_set_id: the cluster's disk encryption set (block, with a customer key).
        storage_identity_id: the identity the file system reads the customer key as (lustre and
            nfs, with a key).
        opts: resource options.

    Outputs:
        kind, id (the data-bearing resource's ID), and per kind: ``mgsAddress``/``mountCommand``
        (lustre), ``accountName``/``shareName``/``nfsPath`` (nfs), ``diskId`` (block).
    """

    def __init__(
        self,
        name: str,
        cluster: ResolvedCluster,
        storage: ResolvedStorage,
        resource_group_name: pulumi.Input[str],
        lustre_subnet_id: pulumi.Input[str] | None = None,
        nfs_subnet_ids: Sequence[pulumi.Input[str]] = (),
        account_salt: str = "",
        disk_encryption_set_id: pulumi.Input[str] | None = None,
        storage_identity_id: pulumi.Input[str] | None = None,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        super().__init__("aiinfra:azure:Storage", name, None, opts)
        data = pulumi.ResourceOptions(parent=self, protect=storage.spec.protect)
        rg = resource_group_name
        kind = storage.spec.kind
        self.outputs: dict[str, Any] = {"kind": kind, "service": storage.offer.service}
        if kind == "lustre":
            if lustre_subnet_id is None:
                raise tr.TranslateError(storage.spec.path, "a Lustre file system needs its subnet")
            fs = storagecache.AmlFilesystem(
                f"{name}-amlfs",
                **tr.aml_filesystem_args(cluster, storage, rg, lustre_subnet_id, storage_identity_id),
                opts=data,
            )
            mgs = fs.client_info.apply(lambda ci: ci.mgs_address if ci else None)
            self.outputs.update(
                id=fs.id,
                sku=storage.tier.sku,
                capacityTiB=storage.spec.capacity_gib // 1024,
                mgsAddress=mgs,
                mountCommand=fs.client_info.apply(lambda ci: ci.mount_command if ci else None),
            )
            self.resource: pulumi.CustomResource = fs
        elif kind == "nfs":
            account_name = tr.storage_account_name(cluster, storage, account_salt)
            account = storage_sdk.StorageAccount(
                f"{name}-account",
                **tr.nfs_account_args(cluster, storage, rg, account_name, list(nfs_subnet_ids), storage_identity_id),
                opts=data,
            )
            share = storage_sdk.FileShare(f"{name}-share", **tr.nfs_share_args(storage, rg, account.name), opts=data)
            self.outputs.update(
                id=share.id,
                accountName=account.name,
                shareName=storage.name,
                nfsPath=pulumi.Output.concat(account.name, ".file.core.windows.net:/", account.name, "/", storage.name),
            )
            self.resource = share
        elif kind == "block":
            disk = compute.Disk(f"{name}-disk", **tr.disk_args(cluster, storage, rg, disk_encryption_set_id), opts=data)
            self.outputs.update(id=disk.id, diskId=disk.id, sizeGiB=storage.spec.capacity_gib)
            self.resource = disk
        else:  # the schema enum makes this unreachable
            raise tr.TranslateError(f"{storage.spec.path}.kind", f"unknown storage kind {kind!r}")
        self.register_outputs(self.outputs)
