"""The Pulumi program (__main__.py) on the mock engine: config errors are readable RunErrors."""

from __future__ import annotations

from pathlib import Path

import pulumi
import pytest

from components.mockengine import run_program

MAIN = Path(__file__).resolve().parents[1] / "__main__.py"


def test_missing_fleet_config_is_a_run_error() -> None:
    with pytest.raises(pulumi.RunError, match=r"stack 'empty' has no aiinfra:fleet config"):
        run_program(MAIN, config={}, stack="empty")


def test_invalid_spec_reports_every_problem_with_its_path() -> None:
    fleet = {
        "clusters": [
            {
                "name": "x",
                "cloud": "gcp",
                "region": "us-central1",
                "gpuPools": [{"name": "a", "accelerator": "H100-80GB", "maxNode": 2, "capacity": "cheap"}],
            }
        ]
    }
    with pytest.raises(pulumi.RunError) as err:
        run_program(MAIN, config={"aiinfra:fleet": fleet}, stack="bad")
    text = str(err.value)
    assert (
        "stacks/Pulumi.bad.yaml (aiinfra:fleet): error: clusters[0].gpuPools[0].maxNode: unknown key 'maxNode'" in text
    )
    assert "clusters[0].gpuPools[0].capacity" in text
    assert "2 errors in the fleet spec" in text
