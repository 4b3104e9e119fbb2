"""EC2 vCPU quota codes per instance family (Service Quotas, service code ``ec2``).

EC2 limits running accelerator instances per family and region, in vCPUs, separately for
On-Demand and Spot. A table, not ``if``s: the family is the letters before the generation
digit of the instance type (``p5.48xlarge`` -> ``p``, ``g6e.xlarge`` -> ``g``,
``trn1n.32xlarge`` -> ``trn``, ``inf2.xlarge`` -> ``inf``).

Sources (checked 2026-11): the Service Quotas console, ``aws service-quotas
list-service-quotas --service-code ec2`` listings quoted in public repositories, and
https://docs.aws.amazon.com/ec2/latest/instancetypes/ec2-instance-quotas.html .
The Trn Spot code L-6B0D517C comes from ListServiceQuotas output quoted in two public
repositories (another names L-5480EFD2); unverified against the AWS documentation, so the
quota name is printed next to the code for the user to confirm.
"""

from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass(frozen=True)
class QuotaFamily:
    """One EC2 instance-family quota pair (On-Demand and Spot, both in vCPUs)."""

    label: str
    prefixes: tuple[str, ...]
    on_demand_code: str
    on_demand_name: str
    spot_code: str
    spot_name: str

    def code(self, spot: bool) -> str:
        return self.spot_code if spot else self.on_demand_code

    def name(self, spot: bool) -> str:
        return self.spot_name if spot else self.on_demand_name


FAMILIES: tuple[QuotaFamily, ...] = (
    QuotaFamily(
        "P", ("p",), "L-417A185B", "Running On-Demand P instances", "L-7212CCBC", "All P Spot Instance Requests"
    ),
    QuotaFamily(
        "G and VT",
        ("g", "gr", "vt"),
        "L-DB2E81BA",
        "Running On-Demand G and VT instances",
        "L-3819A6DF",
        "All G and VT Spot Instance Requests",
    ),
    QuotaFamily(
        "Trn", ("trn",), "L-2C3B7624", "Running On-Demand Trn instances", "L-6B0D517C", "All Trn Spot Instance Requests"
    ),
    QuotaFamily(
        "Inf", ("inf",), "L-1945791B", "Running On-Demand Inf instances", "L-B5D1601B", "All Inf Spot Instance Requests"
    ),
    QuotaFamily(
        "DL", ("dl",), "L-6E869C2A", "Running On-Demand DL instances", "L-85EED4F7", "All DL Spot Instance Requests"
    ),
)

STANDARD = QuotaFamily(
    "Standard",
    (),
    "L-1216C47A",
    "Running On-Demand Standard (A, C, D, H, I, M, R, T, Z) instances",
    "L-34B43A08",
    "All Standard (A, C, D, H, I, M, R, T, Z) Spot Instance Requests",
)

_PREFIX = re.compile(r"^([a-z]+)\d")


def family_prefix(instance_type: str) -> str:
    """``p6-b200.48xlarge`` -> ``p``; ``u-6tb1.metal`` -> ``u``."""
    m = _PREFIX.match(instance_type.lower())
    return m.group(1) if m else instance_type.lower().split("-")[0].split(".")[0]


def quota_family(instance_type: str) -> QuotaFamily:
    """The quota family an instance type counts against (Standard when none matches)."""
    prefix = family_prefix(instance_type)
    for fam in FAMILIES:
        if prefix in fam.prefixes:
            return fam
    return STANDARD
