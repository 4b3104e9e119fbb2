"""The example stacks, built by the real program on the mock engine, pass the guardrails.

Each stack's clusters are built by the cloud components (other branches); while a cloud is
not built yet the program says so and the stack is skipped. Once built, any mandatory
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
    try:
        capture = run_program(ROOT / "__main__.py", config=config, stack=stack)
    except Exception as err:  # the program's RunError for clouds not built yet
        if "not implemented" in str(err):
            pytest.skip(f"{stack}: a cloud of this stack is not built yet")
        raise
    with PolicyPackProcess(stack=stack, stack_config=config) as pack:
        violations = pack.analyze(capture.resources, {})
    mandatory = [f"{v.policy}: {v.message}" for v in violations if v.enforcement_level == "mandatory"]
    assert mandatory == []
