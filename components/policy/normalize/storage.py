"""Shared file systems (Managed Lustre, Filestore, Parallelstore, AMLFS, FSx) and block volumes.

A file system's read throughput: Lustre = capacity x MB/s per TiB tier; Parallelstore, Filestore
and FSx SCRATCH from ``data/policy.yaml``. Volumes carry their provisioned IOPS / MB/s.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any

from components.policy.normalize.common import CATALOG_FIX, Ctx, env_labels, inline_volume, policy_data
from components.policy.normalize.views import SharedStorage
from components.policy.values import UNKNOWN, as_list, get, num, quote, text


# ----- storage -------------------------------------------------------------------------------
def _storage(
    ctx: Ctx, kind: str, cloud: str, cap_tib: Any, per_tib: Any, labels: Any, *, floor: float = 0.0, what: str = ""
) -> None:
    r = ctx.raw
    cap = num(cap_tib)
    tier = num(per_tib)
    if cap is UNKNOWN or tier is UNKNOWN:
        ctx.note(
            f"{kind} {quote(r.name)}: {what or 'capacity or throughput tier'} unknown at preview; "
            "its throughput is not checked"
        )
        return
    if cap is None:
        return
    assert isinstance(cap, float)
    through = None
    per = tier if isinstance(tier, float) else None
    if per is not None:
        through = max(cap * per, floor)
    elif floor:
        through = floor
    ctx.view.storage.append(SharedStorage(r.urn, r.name, r.type, kind, cloud, cap, through, per, env_labels(labels)))


def _gib_to_tib(v: Any) -> Any:
    n = num(v)
    return n / 1024 if isinstance(n, float) else n


def _gcp_lustre(ctx: Ctx) -> None:
    p = ctx.raw.props
    _storage(
        ctx,
        "Managed Lustre",
        "gcp",
        _gib_to_tib(get(p, "capacityGib")),
        get(p, "perUnitStorageThroughput"),
        get(p, "labels"),
    )


def _gcp_parallelstore(ctx: Ctx) -> None:
    p = ctx.raw.props
    per = policy_data()["fileThroughput"]["parallelstorePerTiB"]
    _storage(ctx, "Parallelstore", "gcp", _gib_to_tib(get(p, "capacityGib")), per, get(p, "labels"))


def _gcp_filestore(ctx: Ctx) -> None:
    p = ctx.raw.props
    tier = text(get(p, "tier"))
    shares_raw = get(p, "fileShares")
    shares = [shares_raw] if isinstance(shares_raw, Mapping) else as_list(shares_raw)
    cap: Any = UNKNOWN if shares is UNKNOWN else None
    if isinstance(shares, list):
        total = 0.0
        for s in shares:
            c = num(get(s, "capacityGb"))
            if c is UNKNOWN:
                cap = UNKNOWN
                break
            total += c or 0.0
        else:
            cap = total / 1024
    if tier is UNKNOWN:
        cap = UNKNOWN
    bands = policy_data()["fileThroughput"]["filestore"].get(tier.upper() if isinstance(tier, str) else "", None)
    if bands is None and isinstance(tier, str):
        ctx.note(
            f"Filestore {quote(ctx.raw.name)}: tier {quote(tier)} has no throughput figure; not checked", CATALOG_FIX
        )
        return
    per: float | None = None
    floor = 0.0
    if bands and isinstance(cap, float):
        band = [b for b in bands if cap >= b["fromTiB"]][-1]
        per = float(band["perTiB"]) if "perTiB" in band else None
        floor = float(band.get("flatMBps", 0))
    _storage(ctx, "Filestore", "gcp", cap, per, get(p, "labels"), floor=floor)


def _azure_amlfs(ctx: Ctx) -> None:
    p = ctx.raw.props
    sku = text(get(p, "sku.name"))
    per: Any = None
    if sku is UNKNOWN:
        per = UNKNOWN
    elif isinstance(sku, str):
        m = re.search(r"-(\d+)$", sku)
        per = float(m.group(1)) if m else None
        if per is None:
            ctx.note(
                f"Azure Managed Lustre {quote(ctx.raw.name)}: SKU {quote(sku)} has no MB/s-per-TiB suffix; not checked",
                "use an AMLFS-Durable-Premium-<MB/s per TiB> SKU",
            )
            return
    _storage(ctx, "Azure Managed Lustre", "azure", get(p, "storageCapacityTiB"), per, get(p, "tags"))


def _aws_fsx(ctx: Ctx) -> None:
    p = ctx.raw.props
    dep = text(get(p, "deploymentType"))
    per: Any = get(p, "perUnitStorageThroughput")
    if per is None and isinstance(dep, str) and dep.upper().startswith("SCRATCH"):
        per = policy_data()["fileThroughput"]["fsxScratchPerTiB"]
    elif per is None and dep is UNKNOWN:
        per = UNKNOWN
    _storage(ctx, "FSx for Lustre", "aws", _gib_to_tib(get(p, "storageCapacity")), per, get(p, "tags"))


def _volume(ctx: Ctx, cloud: str, kind: str, iops: Any, through: Any, labels: Any) -> None:
    inline_volume(ctx, ctx.raw.name, cloud, iops, through, None, env_labels(labels), f"{kind} {quote(ctx.raw.name)}")


def _gcp_disk(ctx: Ctx) -> None:
    p = ctx.raw.props
    _volume(ctx, "gcp", "disk", get(p, "provisionedIops"), get(p, "provisionedThroughput"), get(p, "labels"))


def _azure_disk(ctx: Ctx) -> None:
    p = ctx.raw.props
    _volume(ctx, "azure", "disk", get(p, "diskIOPSReadWrite"), get(p, "diskMBpsReadWrite"), get(p, "tags"))


def _aws_volume(ctx: Ctx) -> None:
    p = ctx.raw.props
    _volume(ctx, "aws", "EBS volume", get(p, "iops"), get(p, "throughput"), get(p, "tags"))


NORMALIZERS: Mapping[str, Callable[[Ctx], None]] = {
    "gcp:lustre/instance:Instance": _gcp_lustre,
    "gcp:parallelstore/instance:Instance": _gcp_parallelstore,
    "gcp:filestore/instance:Instance": _gcp_filestore,
    "gcp:compute/disk:Disk": _gcp_disk,
    "gcp:compute/regionDisk:RegionDisk": _gcp_disk,
    "azure-native:storagecache:AmlFilesystem": _azure_amlfs,
    "azure-native:compute:Disk": _azure_disk,
    "aws:fsx/lustreFileSystem:LustreFileSystem": _aws_fsx,
    "aws:ebs/volume:Volume": _aws_volume,
}
