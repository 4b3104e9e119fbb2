"""The ai-infra guardrail pack: blocks overprovisioned and under-networked accelerator configs.

This file only builds the PolicyPack (its constructor serves the Analyzer gRPC protocol until
the engine stops it). The rules live in ``components.policy`` (no provider SDK imports), which
the pack finds in the repository's virtualenv (PulumiPolicy.yaml ``virtualenv: ../../.venv``),
or bundled beside this file when published (``python -m components.policy.bundle``).
"""

import sys
from pathlib import Path

try:
    import components.policy.pack  # noqa: F401
except ImportError:  # run from a checkout with a virtualenv that lacks the repo: use the checkout
    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from pulumi_policy import EnforcementLevel, PolicyPack

from components.policy.pack import PACK_NAME, build_policies

PolicyPack(
    name=PACK_NAME,
    enforcement_level=EnforcementLevel.ADVISORY,
    policies=build_policies(),
    description="Blocks overprovisioned and under-networked accelerator configurations (GPU pools, TPU slices, "
    "fabric, shared storage) on GCP, Azure and AWS.",
    display_name="ai-infra: accelerator overprovisioning",
    provider="multi-cloud",
    tags=["ai-infra", "cost", "accelerators"],
)
