"""The Pulumi YAML and TypeScript examples build the same fleet as stacks/Pulumi.gcp-train.yaml.

The engine tier (tests/engine) runs them for real; here, without an engine, the YAML program's
Fleet properties and both examples' stack config are compared with the stack's, so an edit to
one that is not made to the others fails at once.
"""

from __future__ import annotations

from pathlib import Path

import yaml

from components.package.resources import spec_document
from components.spec import check_document, read_document

ROOT = Path(__file__).resolve().parents[1]
STACK = ROOT / "stacks" / "Pulumi.gcp-train.yaml"


def _stack_config() -> dict[str, object]:
    config: dict[str, object] = yaml.safe_load(STACK.read_text("utf-8"))["config"]
    return {k: v for k, v in config.items() if k != "aiinfra:fleet"}


def test_yaml_example_declares_the_gcp_train_fleet() -> None:
    program = yaml.safe_load((ROOT / "examples/yaml/Pulumi.yaml").read_text("utf-8"))
    fleet = program["resources"]["fleet"]
    assert fleet["type"] == "aiinfra:index:Fleet"
    assert fleet["properties"] == read_document(STACK)[0]
    resolved, issues = check_document(spec_document("Fleet", "fleet", fleet["properties"]))
    assert resolved is not None and not [i for i in issues if i.severity == "error"]
    assert program["packages"] == {"aiinfra": "../../provider"}


def test_examples_use_the_stacks_provider_config_and_give_the_pack_environment_and_budget() -> None:
    """The policy pack reads environment and budget from the stack config key aiinfra:fleet."""
    spec = read_document(STACK)[0]
    for example in ("yaml", "typescript"):
        config = yaml.safe_load((ROOT / "examples" / example / "Pulumi.gcp-train.yaml").read_text("utf-8"))["config"]
        hints = config.pop("aiinfra:fleet")
        assert config == _stack_config(), example
        assert hints == {"environment": spec["environment"], "budget": spec["budget"]}, example


def test_typescript_example_names_every_spec_value_of_the_stack() -> None:
    """A cheap guard short of the engine tier: every scalar of the stack's spec is in index.ts."""
    source = (ROOT / "examples/typescript/index.ts").read_text("utf-8")

    def scalars(value: object) -> list[str]:
        if isinstance(value, dict):
            return [s for k, v in value.items() for s in [k, *scalars(v)]]
        if isinstance(value, list):
            return [s for v in value for s in scalars(v)]
        return [str(value)]

    missing = [s for s in scalars(read_document(STACK)[0]) if s not in source and s not in ("on-demand", "gcp-train")]
    assert missing == []
    assert "aiinfra.Capacity.OnDemand" in source
