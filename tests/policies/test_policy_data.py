"""The policy pack's own data (components/policy/data/policy.yaml) against its sources."""

from __future__ import annotations

from components.catalog import get_catalog
from components.policy.normalize import policy_data
from tests.support.ec2_types import instance_types


def test_aws_disk_limits_match_describe_instance_types() -> None:
    data = instance_types()
    for itype, row in policy_data()["instanceDiskLimits"]["aws"].items():
        ebs = data[itype]["EbsInfo"]["EbsOptimizedInfo"]
        assert row["maxIops"] == ebs["MaximumIops"], itype
        assert float(row["maxThroughputMBps"]) == float(ebs["MaximumThroughputInMBps"]), itype


def test_every_aws_offer_has_disk_limits() -> None:
    rows = policy_data()["instanceDiskLimits"]["aws"]
    assert {o.machine_type for o in get_catalog().offers_for("aws")} <= set(rows)
