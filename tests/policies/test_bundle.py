"""The publishable bundle is self-contained: it imports its own copy of the rules and serves."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from components.policy.analyzer_client import PolicyPackProcess
from components.policy.bundle import bundle


def test_bundle_imports_its_own_copy_and_serves(tmp_path: Path) -> None:
    out = bundle(tmp_path / "overprovisioning")
    assert (out / "components" / "catalog" / "data" / "gcp.yaml").exists()
    assert "virtualenv: venv" in (out / "PulumiPolicy.yaml").read_text()
    where = subprocess.run(
        [
            sys.executable,
            "-c",
            "import components.policy.pack as p, components.catalog as c; print(p.__file__, c.__file__)",
        ],
        cwd=out,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    assert all(Path(w).is_relative_to(out) for w in where), where
    with PolicyPackProcess(out, python=sys.executable) as pack:
        assert len(pack.info.policies) == 12


def test_security_pack_bundle_serves_from_its_own_copy(tmp_path: Path) -> None:
    out = bundle(tmp_path / "security", "security")
    assert (out / "components" / "policy" / "security" / "rules.py").exists()
    with PolicyPackProcess(out, python=sys.executable) as pack:
        assert pack.info.name == "aiinfra-security" and len(pack.info.policies) == 5
