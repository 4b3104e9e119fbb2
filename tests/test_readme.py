"""The README stays true: CI runs exactly its test command, and its validate sample is a live run."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def quick_start_commands() -> list[str]:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Quick start", 1)[1].split("\n## ", 1)[0]
    block = re.search(r"```bash\n(.*?)```", section, re.S)
    assert block is not None
    return [line for line in block.group(1).splitlines() if line and not line.startswith("#")]


def test_quick_start_is_two_commands() -> None:
    main_job, tests = quick_start_commands()
    assert "aiinfra plan stacks/" in main_job
    assert "pytest" in tests


def test_ci_runs_the_readme_test_command() -> None:
    _, tests = quick_start_commands()
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8").splitlines()
    assert tests in ci


SPEC = """\
environment: dev
clusters:
  - name: train
    cloud: gcp
    region: us-central1
    zone: us-central1-a
    gpuPools:
      - name: h100
        accelerator: H100-80GB
        acceleratorsPerNode: 3
        maxNodes: 2
    storage:
      - name: data
        kind: lustre
        throughputMBpsPerTiB: 250
        capacityGiB: 40000
"""


def test_the_validate_sample_is_a_live_run_at_80_columns(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from components.cli import main

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    sample = re.search(
        r"<!-- checked: tests/test_readme.py -->\n```text\n\$ aiinfra validate spec.yaml\n(.*?)```", readme, re.S
    )
    assert sample is not None
    (tmp_path / "spec.yaml").write_text(SPEC, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("COLUMNS", "80")
    assert main(["validate", "spec.yaml"]) == 2
    assert capsys.readouterr().err == sample.group(1)
