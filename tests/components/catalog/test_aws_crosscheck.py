"""Cross-check every AWS catalog row against the EC2 instance-type data that ships with moto.

moto's ``instance_types.json`` is DescribeInstanceTypes output. We compare GPU (or Neuron
device) count, vCPU, host memory, EFA interfaces and instance-store NVMe. Accelerator memory
is checked exactly, unit by unit, in ``test_documented_tables.py``.
"""

from __future__ import annotations

from typing import Any

import pytest

from components.catalog import get_catalog
from tests.support.ec2_types import instance_types

AWS_OFFERS = get_catalog().offers_for("aws")


TYPES = instance_types()


@pytest.mark.parametrize("offer", AWS_OFFERS, ids=lambda o: o.machine_type)
def test_aws_row_matches_instance_type_data(offer: Any) -> None:
    info = TYPES.get(offer.machine_type)
    assert info is not None, f"{offer.machine_type} is not an EC2 instance type in moto's data"
    assert info["VCpuInfo"]["DefaultVCpus"] == offer.vcpu
    assert info["MemoryInfo"]["SizeInMiB"] // 1024 == offer.memory_gib

    gpus = info.get("GpuInfo", {}).get("Gpus", [])
    neuron = (info.get("NeuronInfo") or {}).get("NeuronDevices", [])
    if gpus:
        assert sum(g["Count"] for g in gpus) == offer.accelerators_per_node
    else:
        assert neuron, f"{offer.machine_type} has neither GPUs nor Neuron devices"
        assert sum(d["Count"] for d in neuron) == offer.accelerators_per_node

    net = info.get("NetworkInfo", {})
    efa = (net.get("EfaInfo") or {}).get("MaximumEfaInterfaces", 0) if net.get("EfaSupported") else 0
    expected_efa = offer.fabric.efa_interfaces if offer.fabric.kind == "efa" else 0
    assert efa == expected_efa, f"EFA interfaces: AWS {efa}, catalog {expected_efa}"

    disks = (info.get("InstanceStorageInfo") or {}).get("Disks", [])
    if offer.local_nvme is None:
        assert not disks
    else:
        assert sum(d["Count"] for d in disks) == offer.local_nvme.count
        aws_gib = disks[0]["SizeInGB"] * 1e9 / 2**30
        assert abs(aws_gib - offer.local_nvme.size_gib) <= 1, (aws_gib, offer.local_nvme.size_gib)
