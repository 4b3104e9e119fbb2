"""The catalog against the clouds' own published tables, written out here with their sources.

TPU slice layouts, storage sizes per tier, accelerator memory, and the GPU machine shapes of
GCP and Azure (AWS shapes are checked against moto's EC2 data in test_aws_crosscheck.py).

Every expected figure in this file was copied from the cloud's documentation (or, for AWS
accelerator memory, from the DescribeInstanceTypes data that ships with moto), never derived
from the catalog: an edit to ``components/catalog/data/*.yaml`` that moves a figure away from
the documented one fails here, whatever else it keeps consistent. When a cloud changes a
table, change it here and in the catalog together, and update the as-of date below.

Tables read 2026-12-01.
"""

from __future__ import annotations

import math
from typing import Any

import pytest

from components.catalog import get_catalog
from components.catalog import tpu as tpu_math
from components.catalog.model import StorageTier
from tests.support.ec2_types import instance_types

CAT = get_catalog()

# ----- TPU slices -------------------------------------------------------------------------------
#
# Topology -> (chips, VMs = GKE nodes, GKE machine type, TPU API accelerator type).
# v5e / v6e list a second 2x4 layout (two ct*-4t VMs, GKE only); a slice that fits one host
# is built as one VM, so 2x4 is the single-host 8-chip machine.
# https://cloud.google.com/tpu/docs/v6e#configurations
# https://cloud.google.com/tpu/docs/v5e#configurations
# https://cloud.google.com/kubernetes-engine/docs/concepts/plan-tpus (v4 and v5p: ct4p/ct5p
#   hightpu-4t, 4 chips per VM; TPU API types count TensorCores, 2 per chip)
TPU_DOCS: dict[str, dict[str, tuple[int, int, str, str]]] = {
    "v6e": {
        "1x1": (1, 1, "ct6e-standard-1t", "v6e-1"),
        "2x2": (4, 1, "ct6e-standard-4t", "v6e-4"),
        "2x4": (8, 1, "ct6e-standard-8t", "v6e-8"),
        "4x4": (16, 4, "ct6e-standard-4t", "v6e-16"),
        "4x8": (32, 8, "ct6e-standard-4t", "v6e-32"),
        "8x8": (64, 16, "ct6e-standard-4t", "v6e-64"),
        "8x16": (128, 32, "ct6e-standard-4t", "v6e-128"),
        "16x16": (256, 64, "ct6e-standard-4t", "v6e-256"),
    },
    "v5e": {
        "1x1": (1, 1, "ct5lp-hightpu-1t", "v5litepod-1"),
        "2x2": (4, 1, "ct5lp-hightpu-4t", "v5litepod-4"),
        "2x4": (8, 1, "ct5lp-hightpu-8t", "v5litepod-8"),
        "4x4": (16, 4, "ct5lp-hightpu-4t", "v5litepod-16"),
        "4x8": (32, 8, "ct5lp-hightpu-4t", "v5litepod-32"),
        "8x8": (64, 16, "ct5lp-hightpu-4t", "v5litepod-64"),
        "8x16": (128, 32, "ct5lp-hightpu-4t", "v5litepod-128"),
        "16x16": (256, 64, "ct5lp-hightpu-4t", "v5litepod-256"),
    },
    "v5p": {
        "2x2x1": (4, 1, "ct5p-hightpu-4t", "v5p-8"),
        "2x2x2": (8, 2, "ct5p-hightpu-4t", "v5p-16"),
        "2x2x4": (16, 4, "ct5p-hightpu-4t", "v5p-32"),
        "2x4x4": (32, 8, "ct5p-hightpu-4t", "v5p-64"),
        "4x4x4": (64, 16, "ct5p-hightpu-4t", "v5p-128"),
        "4x4x8": (128, 32, "ct5p-hightpu-4t", "v5p-256"),
        "8x8x8": (512, 128, "ct5p-hightpu-4t", "v5p-1024"),
        "16x16x16": (4096, 1024, "ct5p-hightpu-4t", "v5p-8192"),
        # The pod has 8,960 chips, but "the largest job that can be scheduled is a 96 cube
        # (6144 chip) job": 16x16x24 is the largest v5p slice (https://cloud.google.com/tpu/docs/v5p).
        "16x16x24": (6144, 1536, "ct5p-hightpu-4t", "v5p-12288"),
    },
    "v4": {
        "2x2x1": (4, 1, "ct4p-hightpu-4t", "v4-8"),
        "2x2x2": (8, 2, "ct4p-hightpu-4t", "v4-16"),
        "2x2x4": (16, 4, "ct4p-hightpu-4t", "v4-32"),
        "2x4x4": (32, 8, "ct4p-hightpu-4t", "v4-64"),
        "4x4x4": (64, 16, "ct4p-hightpu-4t", "v4-128"),
        "4x4x8": (128, 32, "ct4p-hightpu-4t", "v4-256"),
        "16x16x16": (4096, 1024, "ct4p-hightpu-4t", "v4-8192"),  # the largest v4 slice
    },
}

# Chips per VM of each GKE TPU machine type (the "-<N>t" suffix, per the pages above).
TPU_MACHINE_CHIPS = {
    "ct6e-standard-1t": 1,
    "ct6e-standard-4t": 4,
    "ct6e-standard-8t": 8,
    "ct5lp-hightpu-1t": 1,
    "ct5lp-hightpu-4t": 4,
    "ct5lp-hightpu-8t": 8,
    "ct5p-hightpu-4t": 4,
    "ct4p-hightpu-4t": 4,
}

# Shapes the docs do not offer: wrong dimensions, off the cube rule, past the pod size.
TPU_NOT_DOCUMENTED = {
    "v6e": ["1x2", "4x2", "2x2x1", "16x32"],
    "v5e": ["1x2", "2x8", "32x16"],
    "v5p": ["2x2", "2x2x3", "4x4x6", "8x4x4", "16x20x28", "16x16x28"],
    "v4": ["2x2", "1x2x2", "4x4x6", "16x16x20"],
}


@pytest.mark.parametrize(
    ("version", "topology"), [(v, t) for v, rows in TPU_DOCS.items() for t in rows], ids=lambda x: str(x)
)
def test_tpu_topology_matches_the_documented_layout(version: str, topology: str) -> None:
    chips, vms, machine, accelerator_type = TPU_DOCS[version][topology]
    shape = tpu_math.shape(CAT.tpus[version], topology)
    assert (shape.chips, shape.nodes, shape.machine_type, shape.vm_accelerator_type) == (
        chips,
        vms,
        machine,
        accelerator_type,
    )
    assert shape.chips_per_vm == TPU_MACHINE_CHIPS[machine]
    assert shape.multi_host == (vms > 1)


@pytest.mark.parametrize("version", sorted(TPU_DOCS))
def test_tpu_listed_topologies_are_the_documented_ones(version: str) -> None:
    tpu = CAT.tpus[version]
    if tpu.dims == 2:  # 2-D versions: exactly the documented shapes, nothing more
        assert set(tpu.listed_topologies) == set(TPU_DOCS[version])
    else:  # 3-D: the listed small shapes are documented; larger ones follow the cube rule
        assert set(tpu.listed_topologies) <= set(TPU_DOCS[version])
    assert {m: TPU_MACHINE_CHIPS[m] for m in tpu.gke_machine_types} == dict(tpu.gke_machine_types)


@pytest.mark.parametrize(
    ("version", "topology"), [(v, t) for v, ts in TPU_NOT_DOCUMENTED.items() for t in ts], ids=lambda x: str(x)
)
def test_undocumented_tpu_topology_is_rejected(version: str, topology: str) -> None:
    assert tpu_math.topology_error(CAT.tpus[version], topology) is not None


# ----- storage sizes ----------------------------------------------------------------------------
#
# (cloud, kind, tier MB/s per TiB or None) -> documented [(min, step, max) GiB ranges the
# catalog models] and the single extra sizes the service also takes.

GCP_LUSTRE = "https://cloud.google.com/managed-lustre/docs/performance-tiers"
AZURE_LUSTRE = (
    "https://learn.microsoft.com/azure/azure-managed-lustre/create-file-system-portal#throughput-configurations"
)
FSX = "https://docs.aws.amazon.com/fsx/latest/APIReference/API_CreateFileSystem.html (StorageCapacity)"
TIB = 1024

STORAGE_DOCS: dict[tuple[str, str, int | None], tuple[list[tuple[int, int, int]], list[int], str]] = {
    # Google Cloud Managed Lustre: min / step up to the step threshold. Above the threshold
    # the step grows 8x (1000: 72,000 GiB up to 10,008,000; 500: 144,000 up to 20,016,000;
    # 250: 288,000 up to 40,032,000), sizes the catalog does not model yet, so its maximum
    # is the threshold; 125 has a single step up to 12,240,000 GiB.
    ("gcp", "lustre", 1000): ([(9_000, 9_000, 1_530_000)], [], GCP_LUSTRE),
    ("gcp", "lustre", 500): ([(18_000, 18_000, 3_060_000)], [], GCP_LUSTRE),
    ("gcp", "lustre", 250): ([(36_000, 36_000, 6_120_000)], [], GCP_LUSTRE),
    ("gcp", "lustre", 125): ([(72_000, 72_000, 12_240_000)], [], GCP_LUSTRE),
    # Azure Managed Lustre "Throughput configurations" (TiB): 40: 48-768 by 48; 125: 16-128
    # by 16; 250: 8-128 by 8; 500: 4-128 by 4.
    ("azure", "lustre", 40): ([(48 * TIB, 48 * TIB, 768 * TIB)], [], AZURE_LUSTRE),
    ("azure", "lustre", 125): ([(16 * TIB, 16 * TIB, 128 * TIB)], [], AZURE_LUSTRE),
    ("azure", "lustre", 250): ([(8 * TIB, 8 * TIB, 128 * TIB)], [], AZURE_LUSTRE),
    ("azure", "lustre", 500): ([(4 * TIB, 4 * TIB, 128 * TIB)], [], AZURE_LUSTRE),
    # FSx for Lustre PERSISTENT_2 SSD: "1200 GiB, 2400 GiB, and increments of 2400 GiB" at
    # every throughput tier. The API documents no per-file-system maximum; 2,361,600 GiB
    # (984 x 2400) is this project's own ceiling, pinned here so it only moves on purpose.
    ("aws", "lustre", 125): ([(2_400, 2_400, 2_361_600)], [1_200], FSX),
    ("aws", "lustre", 250): ([(2_400, 2_400, 2_361_600)], [1_200], FSX),
    ("aws", "lustre", 500): ([(2_400, 2_400, 2_361_600)], [1_200], FSX),
    ("aws", "lustre", 1000): ([(2_400, 2_400, 2_361_600)], [1_200], FSX),
    # Filestore zonal: 1-9.75 TiB in 256 GiB units, 10-100 TiB in 2.5 TiB units.
    ("gcp", "nfs", None): (
        [(1 * TIB, 256, 9_984), (10 * TIB, 2_560, 100 * TIB)],
        [],
        "https://cloud.google.com/filestore/docs/service-tiers-zonal",
    ),
    # Hyperdisk Balanced: 4 GiB to 64 TiB.
    ("gcp", "block", None): ([(4, 1, 64 * TIB)], [], "https://cloud.google.com/compute/docs/disks/hyperdisks"),
    # Azure Files premium (provisioned v1) NFS shares: 100 GiB to 100 TiB.
    ("azure", "nfs", None): (
        [(100, 1, 100 * TIB)],
        [],
        "https://learn.microsoft.com/azure/storage/files/understanding-billing#provisioned-v1-model",
    ),
    # Premium SSD v2: 1 GiB to 64 TiB in 1 GiB increments.
    ("azure", "block", None): (
        [(1, 1, 64 * TIB)],
        [],
        "https://learn.microsoft.com/azure/virtual-machines/disks-types#premium-ssd-v2",
    ),
    # EFS is elastic: nothing is provisioned (the spec's capacity only prices it); the 8 PiB
    # cap is this project's own ceiling, pinned here so it only moves on purpose.
    ("aws", "nfs", None): ([(1, 1, 8 * 1024 * TIB)], [], "https://docs.aws.amazon.com/efs/latest/ug/limits.html"),
    # EBS gp3 (2025 limits) and io2 Block Express: up to 64 TiB.
    ("aws", "block", None): (
        [(1, 1, 64 * TIB)],
        [],
        "https://docs.aws.amazon.com/ebs/latest/userguide/general-purpose.html",
    ),
}


def _tier(cloud: str, kind: str, throughput: int | None) -> StorageTier:
    offer = CAT.storage_offer(cloud, kind)
    assert offer is not None, f"no {kind} storage on {cloud}"
    tier = offer.tiers.get(throughput) if throughput is not None else offer.base
    assert tier is not None, f"{cloud} {kind} has no {throughput} MB/s/TiB tier"
    return tier


def test_every_storage_tier_has_a_documented_row() -> None:
    catalog_tiers = {
        (o.cloud, o.kind, t) for o in CAT.storage.values() for t in (sorted(o.tiers) if o.tiers else [None])
    }
    assert catalog_tiers == set(STORAGE_DOCS)


@pytest.mark.parametrize("key", sorted(STORAGE_DOCS, key=str), ids=lambda k: "-".join(map(str, k)))
def test_storage_tier_min_step_max_match_the_docs(key: tuple[str, str, int | None]) -> None:
    ranges, also, source = STORAGE_DOCS[key]
    tier = _tier(*key)
    modelled = [(r.min_gib, r.step_gib, r.max_gib) for r in tier.ranges]
    assert modelled == ranges, f"{key} against {source}"
    assert list(tier.also_gib) == also, f"{key} against {source}"


@pytest.mark.parametrize("key", sorted(STORAGE_DOCS, key=str), ids=lambda k: "-".join(map(str, k)))
def test_storage_tier_accepts_exactly_the_documented_sizes(key: tuple[str, str, int | None]) -> None:
    ranges, also, _ = STORAGE_DOCS[key]
    tier = _tier(*key)
    for size in also:
        assert tier.accepts(size)
    for low, step, high in ranges:
        assert tier.accepts(low) and tier.accepts(high) and tier.accepts(low + step)
        assert not tier.accepts(high + step) or any(r[0] <= high + step <= r[2] for r in ranges)
        if step > 1:  # between two steps
            assert not tier.accepts(low + step // 2)
    below = min([*also, *(r[0] for r in ranges)]) - 1
    if below > 0:
        assert not tier.accepts(below)


# ----- accelerator memory -----------------------------------------------------------------------
#
# AWS reports GPU and Neuron device memory in MiB. Vendors quote their figure in one of two
# units, and the catalog's memoryGB is that quoted figure, so each accelerator states which:
#   GiB  - the quoted figure is binary: memoryGB * 1024 == MiB (H100 80 GB = 81,920 MiB)
#   GB   - the quoted figure is decimal: floor(memoryGB * 10^9 / 2^20) == MiB (L4 24 GB = 22,888 MiB)
#   GiB^ - the quoted figure is the usable binary size rounded up: B200's 180 GB is the
#          183,359 MiB (179.06 GiB) AWS and nvidia-smi report after reserved memory.
MEMORY_UNIT = {
    "H100-80GB": "GiB",
    "H200": "GiB",
    "B200": "GiB^",
    "A100-40GB": "GiB",
    "A100-80GB": "GiB",
    "L40S": "GB",
    "L4": "GB",
    "A10G": "GB",
    "T4": "GiB",
    "Trainium": "GiB",
    "Inferentia2": "GiB",
}

# Accelerators moto cannot vouch for, each against its vendor's or cloud's page.
#   Trainium2: moto's data says 524,288 MiB (512 GiB) per device, not the 96 GiB per chip
#   AWS documents (1.5 TiB for the 16 chips of trn2.48xlarge), so the page decides.
DOCUMENTED_MEMORY_GB = {
    "Trainium2": (96, "https://aws.amazon.com/ec2/instance-types/trn2/"),
    "H100-NVL": (94, "https://learn.microsoft.com/azure/virtual-machines/sizes/gpu-accelerated/ncadsh100v5-series"),
    "MI300X": (192, "https://learn.microsoft.com/azure/virtual-machines/sizes/gpu-accelerated/ndmi300xv5-series"),
    "A10": (24, "https://learn.microsoft.com/azure/virtual-machines/sizes/gpu-accelerated/nvadsa10v5-series"),
    "TPU-v4": (32, "https://cloud.google.com/tpu/docs/v4"),
    "TPU-v5e": (16, "https://cloud.google.com/tpu/docs/v5e"),
    "TPU-v5p": (95, "https://cloud.google.com/tpu/docs/v5p"),
    "TPU-v6e": (32, "https://cloud.google.com/tpu/docs/v6e"),
}


def _device_mib(machine_type: str) -> int:
    info = instance_types()[machine_type]
    devices = (info.get("GpuInfo") or {}).get("Gpus") or (info.get("NeuronInfo") or {}).get("NeuronDevices")
    assert devices, f"{machine_type}: no GPUs or Neuron devices in moto's data"
    (mib,) = {d["MemoryInfo"]["SizeInMiB"] for d in devices}
    return int(mib)


def _binary_gb(mib: int, unit: str) -> float:
    """The quoted figure for a binary unit: exact GiB, or usable GiB rounded up (GiB^)."""
    return mib / 1024 if unit == "GiB" else math.ceil(mib / 1024)


def test_every_accelerator_memory_is_checked_somewhere() -> None:
    assert set(MEMORY_UNIT) | set(DOCUMENTED_MEMORY_GB) == set(CAT.accelerators)
    assert not set(MEMORY_UNIT) & set(DOCUMENTED_MEMORY_GB)


MOTO_OFFERS = [o for o in CAT.offers_for("aws") if o.accelerator not in DOCUMENTED_MEMORY_GB]


def test_only_trainium2_is_exempt_from_the_moto_check() -> None:
    exempt = {o.accelerator for o in CAT.offers_for("aws")} - {o.accelerator for o in MOTO_OFFERS}
    assert exempt == {"Trainium2"}


@pytest.mark.parametrize("offer", MOTO_OFFERS, ids=lambda o: o.machine_type)
def test_accelerator_memory_matches_moto_exactly(offer: Any) -> None:
    accelerator = CAT.accelerators[offer.accelerator]
    mib = _device_mib(offer.machine_type)
    unit = MEMORY_UNIT[accelerator.name]
    if unit == "GB":  # the decimal figure, in whole MiB as AWS rounds it down
        assert mib == int(accelerator.memory_gb * 10**9 // 2**20), (offer.machine_type, mib, accelerator.memory_gb)
    else:
        assert accelerator.memory_gb == _binary_gb(mib, unit), (offer.machine_type, mib, accelerator.memory_gb)


@pytest.mark.parametrize("name", sorted(DOCUMENTED_MEMORY_GB))
def test_accelerator_memory_matches_its_documented_figure(name: str) -> None:
    expected, source = DOCUMENTED_MEMORY_GB[name]
    assert CAT.accelerators[name].memory_gb == expected, source


# ----- GPU machine shapes (GCP and Azure; AWS rows are checked against moto) ----------------
#
# Machine type -> (accelerators, vCPU, host memory GiB, local NVMe disks x GiB or None,
# GPU NICs needing their own VPCs (GCP) / InfiniBand links x Gb/s (Azure), or 0 for none).
GCP_A3 = "https://cloud.google.com/compute/docs/accelerator-optimized-machines"
GCP_GPUS = "https://cloud.google.com/compute/docs/gpus"
GCP_SHAPES: dict[str, tuple[int, int, int, tuple[int, int] | None, int, str]] = {
    "a3-highgpu-8g": (8, 208, 1872, (16, 375), 4, GCP_A3),  # GPUDirect-TCPX: 4 GPU NICs
    "a3-highgpu-4g": (4, 104, 936, (8, 375), 0, GCP_A3),
    "a3-highgpu-2g": (2, 52, 468, (4, 375), 0, GCP_A3),
    "a3-highgpu-1g": (1, 26, 234, (2, 375), 0, GCP_A3),
    "a3-megagpu-8g": (8, 208, 1872, (16, 375), 8, GCP_A3),  # GPUDirect-TCPXO: 8 GPU NICs
    "a3-ultragpu-8g": (8, 224, 2952, (32, 375), 8, GCP_A3),  # 8 CX-7 NICs on the RDMA VPC
    "a4-highgpu-8g": (8, 224, 3968, (32, 375), 8, GCP_A3),
    "a2-highgpu-1g": (1, 12, 85, None, 0, GCP_A3),
    "a2-highgpu-2g": (2, 24, 170, None, 0, GCP_A3),
    "a2-highgpu-4g": (4, 48, 340, None, 0, GCP_A3),
    "a2-highgpu-8g": (8, 96, 680, None, 0, GCP_A3),
    "a2-megagpu-16g": (16, 96, 1360, None, 0, GCP_A3),
    "a2-ultragpu-1g": (1, 12, 170, (1, 375), 0, GCP_A3),
    "a2-ultragpu-2g": (2, 24, 340, (2, 375), 0, GCP_A3),
    "a2-ultragpu-4g": (4, 48, 680, (4, 375), 0, GCP_A3),
    "a2-ultragpu-8g": (8, 96, 1360, (8, 375), 0, GCP_A3),
    "g2-standard-12": (1, 12, 48, None, 0, GCP_A3),
    "g2-standard-24": (2, 24, 96, None, 0, GCP_A3),
    "g2-standard-48": (4, 48, 192, None, 0, GCP_A3),
    "g2-standard-96": (8, 96, 384, None, 0, GCP_A3),
    "n1-standard-8": (1, 8, 30, None, 0, GCP_GPUS),  # N1 + attached T4s
    "n1-standard-16": (2, 16, 60, None, 0, GCP_GPUS),
    "n1-standard-32": (4, 32, 120, None, 0, GCP_GPUS),
}

AZ = "https://learn.microsoft.com/azure/virtual-machines/sizes/gpu-accelerated/"
AZ_NVME = "https://learn.microsoft.com/azure/aks/best-practices-storage-nvme"
AZURE_SHAPES: dict[str, tuple[int, int, int, tuple[int, int] | None, int, str]] = {
    "Standard_ND96isr_H100_v5": (8, 96, 1900, (8, 3576), 400, AZ + "ndh100v5-series"),  # 8 x 400 Gb/s NDR
    "Standard_ND96isr_H200_v5": (8, 96, 1850, (8, 3576), 400, AZ + "nd-h200-v5-series"),
    "Standard_ND96isr_MI300X_v5": (8, 96, 1850, (1, 1000), 400, AZ + "ndmi300xv5-series"),
    "Standard_ND96asr_v4": (8, 96, 900, (1, 6000), 200, AZ + "nda100v4-series"),  # 8 x 200 Gb/s HDR
    "Standard_ND96amsr_A100_v4": (8, 96, 1900, (1, 6400), 200, AZ + "ndma100v4-series"),
    "Standard_NC40ads_H100_v5": (1, 40, 320, (1, 3576), 0, AZ + "ncadsh100v5-series"),
    "Standard_NC80adis_H100_v5": (2, 80, 640, (2, 3576), 0, AZ + "ncadsh100v5-series"),
    "Standard_NC24ads_A100_v4": (1, 24, 220, (1, 894), 0, AZ_NVME),
    "Standard_NC48ads_A100_v4": (2, 48, 440, (2, 894), 0, AZ_NVME),
    "Standard_NC96ads_A100_v4": (4, 96, 880, (4, 894), 0, AZ_NVME),
    "Standard_NV36ads_A10_v5": (1, 36, 440, None, 0, AZ + "nvadsa10v5-series"),
    "Standard_NV72ads_A10_v5": (2, 72, 880, None, 0, AZ + "nvadsa10v5-series"),
    "Standard_NC4as_T4_v3": (1, 4, 28, None, 0, AZ + "ncast4v3-series"),
    "Standard_NC8as_T4_v3": (1, 8, 56, None, 0, AZ + "ncast4v3-series"),
    "Standard_NC64as_T4_v3": (4, 64, 440, None, 0, AZ + "ncast4v3-series"),
}


def _fabric_figure(o: Any) -> int:
    """GCP: GPU NICs with their own VPCs; Azure: InfiniBand link speed when it has 8 links."""
    if o.cloud == "gcp":
        return int(o.fabric.gpu_nics)
    return int(o.fabric.link_gbps) if o.fabric.kind == "infiniband" and o.fabric.links == 8 else 0


@pytest.mark.parametrize("cloud", ["gcp", "azure"])
def test_every_gpu_machine_has_a_documented_shape(cloud: str) -> None:
    table = GCP_SHAPES if cloud == "gcp" else AZURE_SHAPES
    assert {o.machine_type for o in CAT.offers_for(cloud)} == set(table)


@pytest.mark.parametrize("offer", [*CAT.offers_for("gcp"), *CAT.offers_for("azure")], ids=lambda o: o.machine_type)
def test_gpu_machine_shape_matches_the_docs(offer: Any) -> None:
    gpus, vcpu, memory, nvme, fabric, source = (GCP_SHAPES | AZURE_SHAPES)[offer.machine_type]
    local = (offer.local_nvme.count, offer.local_nvme.size_gib) if offer.local_nvme else None
    got = (offer.accelerators_per_node, offer.vcpu, offer.memory_gib, local, _fabric_figure(offer))
    assert got == (gpus, vcpu, memory, nvme, fabric), source
