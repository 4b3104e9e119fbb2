"""The ai-infra security pack: secure defaults for accelerator clusters on GCP, Azure and AWS.

This file only builds the PolicyPack (its constructor serves the Analyzer gRPC protocol until
the engine stops it). The rules live in ``components.policy.security`` (no provider SDK
imports), found in the repository's virtualenv (PulumiPolicy.yaml ``virtualenv: ../../.venv``).
"""

import sys
from pathlib import Path

try:
    import components.policy.security.pack  # noqa: F401
except ImportError:  # run from a checkout with a virtualenv that lacks the repo: use the checkout
    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from pulumi_policy import EnforcementLevel, PolicyPack

from components.policy.security.pack import PACK_NAME, build_policies

PolicyPack(
    name=PACK_NAME,
    enforcement_level=EnforcementLevel.MANDATORY,
    policies=build_policies(),
    description="Blocks public Kubernetes API endpoints in prod, accelerator nodes with public IPs, IMDSv1 or a "
    "pod-reachable IMDS, unencrypted storage, and default or broad node identities on GCP, Azure and AWS.",
    display_name="ai-infra: accelerator cluster security",
    provider="multi-cloud",
    tags=["ai-infra", "security", "accelerators"],
)
