"""``aiinfra preflight`` text at 80 and 132 columns, the example stacks against the recorded
clouds: no line wider than the terminal, every machine type, pool and cluster whole (it printed a
table 200 wide whenever stdout was not a terminal, and never fitted 80)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from components.cli import build_parser, main
from components.preflight import command
from components.preflight.azure import AzureChecker
from components.preflight.gcp import GcpChecker
from components.preflight.model import Checker, PreflightOptions
from tests.components.preflight.azure_fakes import fake_clients as azure_clients
from tests.components.preflight.gcp_fakes import fake_clients as gcp_clients
from tests.components.preflight.moto_support import FakeCloud
from tests.support.terminal import broken, parted, too_wide

REPO = Path(__file__).resolve().parents[3]


def _factory(cloud: str, options: PreflightOptions) -> Checker:
    if cloud == "gcp":
        return GcpChecker(options, clients=gcp_clients(), project=options.gcp_project)
    return AzureChecker(options, clients=azure_clients())


@pytest.mark.parametrize("columns", [80, 132])
def test_text_fits_the_terminal_and_keeps_names_whole(
    columns: int, aws_local: FakeCloud, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("COLUMNS", str(columns))
    outputs = {}
    for stack in ("gcp-train", "azure-train"):
        args = build_parser().parse_args(["preflight", str(REPO / f"stacks/Pulumi.{stack}.yaml")])
        assert command.run(args, checker_factory=_factory) == 1  # a quota short in each recording
        outputs[stack] = capsys.readouterr().out
    aws_local.quotas["L-417A185B"] = 100
    assert main(["preflight", str(REPO / "stacks/Pulumi.aws-train.yaml")]) == 1
    outputs["aws-train"] = capsys.readouterr().out

    names = {
        "gcp-train": ["gcp train/h100", "gcp train/v5p", "a3-highgpu-8g", "ct5p-hightpu-4t", "NVIDIA_H100_GPUS"],
        "azure-train": ["azure train-az/ndh100", "Standard_ND96isr_H100_v5"],
        "aws-train": ["aws train-aws/p5", "p5.48xlarge", "L-417A185B"],
    }
    for stack, out in outputs.items():
        assert too_wide(out, columns) == [], out
        assert parted(out) == [], out  # a number goes with its unit: "4" / "x p5.48xlarge" never
        assert broken(out, names[stack]) == [], out
        assert re.search(r"^  quota +fail +\S", out, flags=re.M), out  # check, status, then the reason
        assert out.rstrip().endswith("failed, 0 not checked, " + ("1 skipped" if stack == "gcp-train" else "0 skipped"))
    # the reason wraps in its own column, under the reason's first word
    lines = outputs["aws-train"].splitlines()
    quota = next(i for i, line in enumerate(lines) if line.startswith("  quota"))
    assert lines[quota + 1].index(lines[quota + 1].strip()) == lines[quota].index("4 x p5.48xlarge")


def test_the_docs_sample_is_a_live_run_at_80_columns(
    aws_local: FakeCloud, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    doc = (REPO / "docs/preflight.md").read_text(encoding="utf-8")
    sample = re.search(r"<!-- checked: tests/components/preflight/test_text.py -->\n```text\n(.*?)```", doc, re.S)
    assert sample is not None
    monkeypatch.chdir(REPO)
    monkeypatch.setenv("COLUMNS", "80")
    aws_local.quotas["L-417A185B"] = 384
    assert main(["preflight", "stacks/Pulumi.aws-train.yaml"]) == 1
    assert capsys.readouterr().out == sample.group(1)
