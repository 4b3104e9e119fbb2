"""``Storage``: FSx for Lustre, EFS or an EBS volume for one storage item of the spec.

Data-bearing resources (the file system, the volume) are protected unless the spec says
``protect: false``; mount targets carry no data and are not.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pulumi
import pulumi_aws as aws

from components.aws import translate
from components.clouds import FleetBuildError
from components.spec.resolved import ResolvedCluster, ResolvedStorage


class Storage(pulumi.ComponentResource):
    """One storage item: ``lustre`` -> FSx for Lustre PERSISTENT_2, ``nfs`` -> EFS (with a
    mount target per subnet), ``block`` -> an EBS gp3 (io2 above 16,000 IOPS) volume.

    Args:
        name: logical name; children ``f"{name}-fs"`` / ``f"{name}-volume"`` /
            ``f"{name}-mt-<i>"``.
        cluster: the resolved cluster (region, zone, labels).
        storage: the resolved storage item.
        zone_subnet_id: the private subnet in the cluster's zone (Lustre).
        mount_subnet_ids: subnets that get an EFS mount target (one per zone).
        zone: the zone of a block volume.
        security_group_ids: the node security group (allows all traffic within itself).
        opts: resource options.

    Outputs:
        id, kind, service, and for Lustre dns_name / mount_name, for EFS dns_name.
    """

    def __init__(
        self,
        name: str,
        cluster: ResolvedCluster,
        storage: ResolvedStorage,
        *,
        zone_subnet_id: pulumi.Input[str],
        mount_subnet_ids: Sequence[pulumi.Input[str]],
        zone: str,
        security_group_ids: Sequence[pulumi.Input[str]],
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        super().__init__("aiinfra:aws:Storage", name, None, opts)
        kind = storage.spec.kind
        data_opts = pulumi.ResourceOptions(parent=self, protect=storage.spec.protect)
        self.exports: dict[str, Any] = {"kind": kind, "service": storage.offer.service}
        if kind == "lustre":
            fs = aws.fsx.LustreFileSystem(
                f"{name}-fs",
                **translate.lustre_args(cluster, storage, zone_subnet_id, security_group_ids),
                opts=data_opts,
            )
            self.exports.update(id=fs.id, dnsName=fs.dns_name, mountName=fs.mount_name)
        elif kind == "nfs":
            efs = aws.efs.FileSystem(f"{name}-fs", **translate.efs_args(cluster, storage), opts=data_opts)
            for i, subnet_id in enumerate(mount_subnet_ids):
                aws.efs.MountTarget(
                    f"{name}-mt-{i}",
                    file_system_id=efs.id,
                    subnet_id=subnet_id,
                    security_groups=list(security_group_ids),
                    region=cluster.spec.region,
                    opts=pulumi.ResourceOptions(parent=self),
                )
            self.exports.update(id=efs.id, dnsName=efs.dns_name)
        elif kind == "block":
            vol = aws.ebs.Volume(f"{name}-volume", **translate.ebs_args(cluster, storage, zone), opts=data_opts)
            self.exports.update(id=vol.id, zone=zone)
        else:
            raise FleetBuildError(f"{storage.spec.path}.kind", f"{kind} storage is not supported on AWS")
        self.register_outputs(dict(self.exports))
