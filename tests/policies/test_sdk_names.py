"""The type tokens and property names the normalizer reads are the provider SDKs' own.

Every supported token has an ``...Args`` class in the installed SDK, and every raw fixture the
rule tests use (built with the property names the normalizer reads) is checked against those
classes level by level, so a misspelt name in the normalizer would show up as a fixture the
SDK rejects.
"""

from __future__ import annotations

import pytest

from components.policy.normalize import SUPPORTED_TYPES, RawResource
from tests.policies import raw
from tests.support.sdk_inputs import args_class, sdk_input_errors

# Tokens the pack reads that no installed SDK defines, and where their property names come from.
OUTSIDE_THE_SDKS = {
    "gcp:tpu/node:Node": "removed in pulumi-gcp 9; tpu.NodeArgs of pulumi-gcp 8 (acceleratorType, labels, "
    "schedulingConfig.preemptible)",
    "kubernetes:karpenter.sh/v1:NodePool": "a CustomResource: the Karpenter v1 NodePool CRD",
    "kubernetes:karpenter.sh/v1beta1:NodePool": "a CustomResource: the Karpenter v1beta1 NodePool CRD",
}


@pytest.mark.parametrize("token", [t for t in SUPPORTED_TYPES if t not in OUTSIDE_THE_SDKS])
def test_supported_token_exists_in_the_sdk(token: str) -> None:
    assert args_class(token) is not None


def test_only_the_listed_tokens_are_outside_the_sdks() -> None:
    assert set(OUTSIDE_THE_SDKS) <= set(SUPPORTED_TYPES)
    for token in OUTSIDE_THE_SDKS:
        if token.startswith("gcp:"):
            with pytest.raises(AssertionError, match="has no NodeArgs"):
                args_class(token)  # if pulumi-gcp brings it back, check it like the others


def _fixtures() -> list[RawResource]:
    out: list[RawResource] = []
    out += raw.gke_pool(boot_iops=5000.0, guest=[{"type": "nvidia-h100-80gb", "count": 8.0}])
    out += raw.gke_pool("tpu", "ct5p-hightpu-4t", topology="2x2x4", networks=0)
    out += raw.aks_pool()
    out += raw.eks_group(iops=16000.0, type_on_group=False)
    out += raw.eks_group("g6", "g6.xlarge", efa=0)
    out += raw.tpu_vm()
    out += raw.gcp_lustre() + raw.amlfs() + raw.fsx()
    return out


def test_fixture_property_names_match_the_sdk() -> None:
    problems = [f"{r.type} {r.name}: {e}" for r in _fixtures() for e in sdk_input_errors(r.type, dict(r.props))]
    assert problems == []
