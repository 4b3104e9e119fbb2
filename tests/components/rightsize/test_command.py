"""``aiinfra rightsize`` input errors about prices: reported before any query, exit 2, naming
the option or setting at fault (no Prometheus needed: the server below is never reached)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from components.cli import main

ROOT = Path(__file__).resolve().parents[3]
NOWHERE = "http://127.0.0.1:9"  # never queried: the prices are checked first
SPEC = str(ROOT / "stacks" / "Pulumi.gcp-train.yaml")


def _run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str]:
    code = main(["rightsize", *args])
    return code, capsys.readouterr().err


def test_a_missing_overlay_file_is_an_input_error(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    code, err = _run(capsys, SPEC, "--prometheus", NOWHERE, "--prices", str(tmp_path / "nope.json"))
    assert code == 2
    assert err.startswith("aiinfra rightsize: --prices: ") and "nope.json" in err
    assert "cannot reach" not in err


def test_an_overlay_that_breaks_its_schema_names_the_field(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"schema": "aiinfra-price-overlay/v1", "prices": [{"cloud": "gcp"}]}), "utf-8")
    code, err = _run(capsys, SPEC, "--prometheus", NOWHERE, "--prices", str(bad))
    assert code == 2 and "bad.json" in err and "prices[0]" in err


def test_bad_policy_config_and_its_prices_are_input_errors(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    code, err = _run(capsys, SPEC, "--prometheus", NOWHERE, "--policy-config", "{not json")
    assert code == 2 and "--policy-config: not valid JSON" in err
    policy = json.dumps({"stack-ceilings": {"prices": str(tmp_path / "gone.json")}})
    code, err = _run(capsys, SPEC, "--prometheus", NOWHERE, "--policy-config", policy)
    assert code == 2 and "aiinfra rightsize: prices: " in err and "gone.json" in err


def test_a_bad_stack_setting_is_an_input_error(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    stack = tmp_path / "Pulumi.train.yaml"
    text = Path(SPEC).read_text("utf-8").replace("config:\n", "config:\n  aiinfra:prices: missing.json\n", 1)
    stack.write_text(text, "utf-8")
    code, err = _run(capsys, str(stack), "--prometheus", NOWHERE)
    assert code == 2 and "stack setting aiinfra:prices" in err and "missing.json" in err
