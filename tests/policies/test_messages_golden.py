"""Every policy's messages on one mixed three-cloud stack, kept as a golden file for review.

Regenerate with ``AIINFRA_UPDATE_GOLDEN=1`` after an intended change and read the diff: each
entry is one violation a user would see in ``pulumi preview`` (its message, then its fix).
"""

from __future__ import annotations

from pathlib import Path

from components.policy.normalize import RawResource, normalize_stack
from components.policy.rules import evaluate
from components.policy.settings import POLICIES, FleetHints, settings_for
from tests.policies import raw
from tests.support.golden import assert_golden

GOLDEN = Path(__file__).parent / "golden" / "mixed_stack_messages.json"


def mixed_stack() -> list[RawResource]:
    return [
        *raw.gke_pool("h100", "a3-highgpu-8g", 1.0, 64.0, "dev", networks=0, compact=False, boot_iops=200000.0),
        *raw.gke_pool("l4", "g2-standard-12", 0.0, 4.0, "dev", spot=True, networks=0, compact=False),
        *raw.tpu_vm("v5p", "v5p-128", "dev", spot=False),
        *raw.gcp_lustre("datasets", "36000", "1000", "dev"),
        *raw.aks_pool("ndh100", "Standard_ND96isr_H100_v5", 0.0, 1.0, "staging"),
        *raw.aks_pool("nca100", "Standard_NC24ads_A100_v4", 2.0, 8.0, "staging"),
        *raw.amlfs("ckpt", 128.0, 500, "staging"),
        *raw.eks_group("p5", "p5.48xlarge", 0.0, 16.0, "prod", efa=4, placement=None, iops=300000.0),
        *raw.fsx("scratch", 1200.0, 125.0, "prod"),
        RawResource("aws:ec2/instance:Instance", "mystery", "urn:mystery", {"instanceType": "p9.96xlarge"}),
    ]


def test_messages_of_every_policy_on_a_mixed_stack() -> None:
    view = normalize_stack(mixed_stack())
    settings = [settings_for(p.name, {}, {}, FleetHints("prod", 256, 2000)) for p in POLICIES]
    found = evaluate(view, settings)
    data = {
        name: sorted(
            ({"resource": f.urn.rsplit("::", 1)[-1], "message": f.message, "fix": f.fix} for f in findings),
            key=lambda d: (d["resource"], d["message"]),
        )
        for name, findings in found.items()
    }
    for name, rows in data.items():
        for row in rows:
            # message and fix are two fields, never one inside the other
            assert row["fix"] and row["fix"] not in row["message"] and row["message"] not in row["fix"], (name, row)
    assert all(data[p.name] for p in POLICIES), [p.name for p in POLICIES if not data[p.name]]
    assert_golden(GOLDEN, data)
