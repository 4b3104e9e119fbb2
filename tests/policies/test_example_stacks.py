"""The example stacks, built by the real program on the mock engine, pass the guardrails.

Every stack must build (nothing is skipped): a build error fails the test. A mandatory
violation here is either a component that creates an overprovisioned / under-networked
resource, or a rule that misreads what the component creates: both need fixing.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from components.mockengine import run_program
from components.policy.analyzer_client import PolicyPackProcess

ROOT = Path(__file__).resolve().parents[2]
STACKS = sorted(ROOT.joinpath("stacks").glob("Pulumi.*.yaml"))


@pytest.mark.slow
@pytest.mark.parametrize("path", STACKS, ids=lambda p: p.stem.split(".", 1)[1])
def test_example_stack_has_no_mandatory_violation(path: Path) -> None:
    stack = path.stem.split(".", 1)[1]
    config = yaml.safe_load(path.read_text())["config"]
    capture = run_program(ROOT / "__main__.py", config=config, stack=stack)
    with PolicyPackProcess(stack=stack, stack_config=config) as pack:
        violations = pack.analyze(capture.resources, {})
    mandatory = [f"{v.policy}: {v.message}" for v in violations if v.enforcement_level == "mandatory"]
    assert mandatory == []
