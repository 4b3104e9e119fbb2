"""The publishable bundle is self-contained: it imports its own copy of the rules and serves."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from components.policy.analyzer_client import UNKNOWN_SENTINEL, PolicyPackProcess, Resource
from components.policy.bundle import bundle


def test_bundle_imports_its_own_copy_and_serves(tmp_path: Path) -> None:
    out = bundle(tmp_path / "overprovisioning")
    assert (out / "components" / "catalog" / "data" / "gcp.yaml").exists()
    assert "virtualenv: venv" in (out / "PulumiPolicy.yaml").read_text()
    where = subprocess.run(
        [
            sys.executable,
            "-c",
            "import sys, components.policy.pack as p, components.catalog as c, components.terminal as t; "
            "print(p.__file__, c.__file__, t.__file__, 'rich' in sys.modules)",
        ],
        cwd=out,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    # the rules' counts ("1 pool", "2 pools") come from the bundle's own components.terminal,
    # which draws no table there: rich (not in requirements.txt) is never imported
    assert where[-1] == "False"
    assert all(Path(w).is_relative_to(out) for w in where[:-1]), where
    with PolicyPackProcess(out, python=sys.executable, stack_config={"aiinfra:fleet": {"environment": "dev"}}) as pack:
        assert len(pack.info.policies) == 12
        # a message with a count, from the bundle's process over gRPC
        pools = [
            Resource(
                "gcp:container/nodePool:NodePool",
                name,
                f"urn:pulumi:dev::ai-infra::gcp:container/nodePool:NodePool::{name}",
                {
                    "location": "us-central1-a",
                    "autoscaling": {"minNodeCount": 1, "maxNodeCount": size},
                    "nodeConfig": {"machineType": "g2-standard-12"},
                },
            )
            for name, size in (("known", 2.0), ("unknown", UNKNOWN_SENTINEL))
        ]
        said = [v.message for v in pack.analyze(pools) if v.policy == "accelerator-visibility"]
        assert any("from 1 pool of known size" in m for m in said), said


def test_security_pack_bundle_serves_from_its_own_copy(tmp_path: Path) -> None:
    out = bundle(tmp_path / "security", "security")
    assert (out / "components" / "policy" / "security" / "rules.py").exists()
    with PolicyPackProcess(out, python=sys.executable) as pack:
        assert pack.info.name == "aiinfra-security" and len(pack.info.policies) == 5
