"""``aiinfra size``: the workload contract, the JSON contract, and --emit-spec through the real plan."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from components.cli import main
from components.sizing.workload import check_workload, parse_count

ROOT = Path(__file__).resolve().parents[3]
TRAIN = ROOT / "examples" / "workloads" / "llama-70b-pretrain.yaml"
SERVE = ROOT / "examples" / "workloads" / "chat-70b-serving.yaml"
CONTRACT = {
    "cloud",
    "accelerator",
    "accelerators",
    "nodes",
    "acceleratorHours",
    "wallHours",
    "hourlyUsd",
    "totalUsd",
    "fabric",
    "storage",
}


@pytest.mark.parametrize(
    "raw,value",
    [
        (70e9, 70e9),
        ("70e9", 70e9),
        ("1.5e12", 1.5e12),
        ("70B", 70e9),
        ("2T", 2e12),
        (" 8 k ", 8000.0),
        ("7b", 7e9),
        ("seventy", None),
        ("0", None),
        (True, None),
    ],
)
def test_counts(raw: object, value: float | None) -> None:
    assert parse_count(raw) == value


def test_yaml_reads_70e9_as_a_string_and_the_workload_accepts_it() -> None:
    doc = yaml.safe_load("parameters: 70e9\n")
    assert doc["parameters"] == "70e9"
    w, issues = check_workload({"kind": "training", "parameters": "70e9", "tokens": "2T", "deadlineHours": 10})
    assert not issues and w is not None and w.parameters == 70e9 and w.tokens == 2e12


@pytest.mark.parametrize(
    "doc,path,text",
    [
        ({"kind": "training", "parameters": 1e9, "deadlineHours": 1}, "tokens", "training needs 'tokens'"),
        (
            {"kind": "training", "parameters": 1e9, "tokens": 1e9},
            "deadlineHours",
            "'deadlineHours' or 'maxAccelerators'",
        ),
        ({"kind": "inference", "parameters": 1e9, "contextLength": 8}, "tokensPerSecond", "inference needs"),
        (
            {"kind": "inference", "parameters": 1e9, "tokensPerSecond": 1, "contextLength": 8, "tokens": 1},
            "tokens",
            "applies to training only",
        ),
        ({"kind": "training", "parameters": -1, "tokens": 1, "deadlineHours": 1}, "parameters", "positive count"),
        ({"kind": "train", "parameters": 1}, "kind", "is not allowed"),
        ({"kind": "training", "parameters": 1, "tokens": 1, "maxAccelerators": 1, "mfu": 1.5}, "mfu", "at most 1"),
        (
            {"kind": "training", "parameters": 1, "tokens": 1, "maxAccelerators": 1, "datasett": {}},
            "datasett",
            "did you mean 'dataset'",
        ),
        (
            {
                "kind": "training",
                "parameters": 1,
                "tokens": 1,
                "maxAccelerators": 1,
                "candidates": {"accelerators": ["H100-80G"]},
            },
            "candidates.accelerators[0]",
            "did you mean 'H100-80GB'",
        ),
    ],
)
def test_invalid_workloads_name_the_path(doc: dict, path: str, text: str) -> None:  # type: ignore[type-arg]
    w, issues = check_workload(doc, "w.yaml")
    assert w is None
    found = [i for i in issues if i.path == path]
    assert found, [i.format() for i in issues]
    assert text in found[0].format()


def test_invalid_file_exits_2_with_file_line_and_path(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "w.yaml"
    bad.write_text("kind: training\nparameters: 70e9\ntokens: lots\ndeadlineHours: 5\n", encoding="utf-8")
    assert main(["size", str(bad)]) == 2
    err = " ".join(capsys.readouterr().err.split())  # wrapped to the terminal: compare the words
    assert f"{bad}:3: error: tokens: expected a positive count" in err
    assert "Traceback" not in err
    assert main(["size", str(tmp_path / "missing.yaml")]) == 2
    assert "file not found" in capsys.readouterr().err


def test_json_candidates_have_exactly_the_contract_fields(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["size", str(TRAIN), "--format", "json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["candidates"]
    for c in doc["candidates"]:
        assert set(c) == CONTRACT
        assert c["fabric"]["required"] is (c["nodes"] > 1)
        assert c["totalUsd"] == pytest.approx(c["hourlyUsd"] * c["wallHours"], rel=1e-3)
    costs = [c["totalUsd"] for c in doc["candidates"]]
    assert costs == sorted(costs)
    times = [doc["candidates"][i]["wallHours"] for i in doc["rankedByTime"]]
    assert times == sorted(times)
    assert doc["assumptions"] and all(isinstance(a, str) for a in doc["assumptions"])


def test_inference_markdown(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["size", str(SERVE), "--format", "markdown"]) == 0
    out = capsys.readouterr().out
    assert "### Ranked by total cost" in out and "### Ranked by time" in out and "### Assumptions" in out


def test_max_accelerators_only_uses_them(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    w = tmp_path / "w.yaml"
    w.write_text(
        "kind: training\nparameters: 7B\ntokens: 100e9\nmaxAccelerators: 20\n"
        "candidates: {accelerators: [H100-80GB], clouds: [aws]}\n",
        encoding="utf-8",
    )
    assert main(["size", str(w), "--format", "json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    by = {d["machineType"]: c for c, d in zip(doc["candidates"], doc["candidateDetails"], strict=True)}
    assert by["p5.48xlarge"]["accelerators"] == 16 and by["p5.48xlarge"]["nodes"] == 2
    # p5.4xlarge: 20 nodes of one GPU, whose 100 Gb/s EFA carries the multi-node job
    assert by["p5.4xlarge"]["accelerators"] == 20


def _chosen(doc: dict, machine: str) -> dict:  # type: ignore[type-arg]
    i = next(i for i, d in enumerate(doc["candidateDetails"]) if d["machineType"] == machine)
    candidate: dict = doc["candidates"][i]  # type: ignore[type-arg]
    return candidate


@pytest.mark.slow
def test_emitted_spec_validates_and_plans_clean(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "stacks" / "Pulumi.llama.yaml"
    args = ["size", str(TRAIN), "--emit-spec", str(out), "--pick", "gcp/a4-highgpu-8g", "--format", "json"]
    assert main(args) == 0
    doc = json.loads(capsys.readouterr().out)
    chosen = _chosen(doc, "a4-highgpu-8g")
    assert doc["emitted"]["verdict"] == "pass" and doc["emitted"]["violations"] == []
    assert doc["emitted"]["planHourlyUsd"] == pytest.approx(chosen["hourlyUsd"], abs=0.01)
    # the file is what `aiinfra validate` and `aiinfra plan` accept, independently of size
    assert main(["validate", str(out)]) == 0
    capsys.readouterr()
    assert main(["plan", str(out), "--format", "json"]) == 0
    plan = json.loads(capsys.readouterr().out)
    pools = [r for r in plan["resources"] if r["name"].endswith("-b200-pool")]
    assert pools and pools[0]["inputs"]["autoscaling"]["maxNodeCount"] == chosen["nodes"]


@pytest.mark.slow
def test_emitted_tpu_spec_validates_and_plans_clean(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """The cheapest candidate of the example is 4 slices of TPU v6e 16x16: the emitted stack has
    a tpuSlices entry, validates, and plans (the real program, the pack over gRPC) to GKE TPU
    node pools of that topology at the candidate's price."""
    out = tmp_path / "stacks" / "Pulumi.llama.yaml"
    assert main(["size", str(TRAIN), "--emit-spec", str(out), "--format", "json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    chosen, detail = doc["candidates"][0], doc["candidateDetails"][0]
    assert detail["tpu"] == {
        "version": "v6e",
        "topology": "16x16",
        "chipsPerSlice": 256,
        "slices": 4,
        "vmsPerSlice": 64,
    }
    assert doc["emitted"]["verdict"] == "pass" and doc["emitted"]["violations"] == []
    assert doc["emitted"]["planHourlyUsd"] == pytest.approx(chosen["hourlyUsd"], abs=0.01)
    spec = yaml.safe_load(out.read_text("utf-8"))["config"]["aiinfra:fleet"]
    assert spec["clusters"][0]["tpuSlices"] == [
        {"name": "v6e", "version": "v6e", "topology": "16x16", "count": 4, "capacity": "on-demand"}
    ]
    assert main(["validate", str(out)]) == 0
    capsys.readouterr()
    assert main(["plan", str(out), "--format", "json"]) == 0
    plan = json.loads(capsys.readouterr().out)
    pools = [r["inputs"] for r in plan["resources"] if "-v6e-pool-" in r["name"]]
    assert len(pools) == 4
    for p in pools:
        assert p["nodeConfig"]["machineType"] == "ct6e-standard-4t" and p["nodeCount"] == 64
        assert p["placementPolicy"] == {"type": "COMPACT", "tpuTopology": "16x16"}
    assert plan["accelerators"]["byName"] == {"TPU-v6e": 1024}


@pytest.mark.slow
def test_emitted_tpu_spec_says_which_policies_it_breaks(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "staging.yaml"
    code = main(["size", str(TRAIN), "--emit-spec", str(out), "--environment", "staging", "--pick", "gcp/tpu-v6e"])
    text = " ".join(capsys.readouterr().out.split())  # lines wrap at the terminal's width
    assert code == 0
    assert "plan verdict fail" in text
    # slices sized within staging's per-slice limits (8x16: 32 VMs, 128 chips), but 896 chips are
    # over staging's 128; a fixed-size slice is not an autoscaling pool (scale-to-zero, pool-max-nodes)
    assert "mandatory stack-ceilings" in text
    assert "mandatory scale-to-zero" not in text
    assert "mandatory pool-max-nodes" not in text and "mandatory tpu-slice-size" not in text


@pytest.mark.slow
def test_emitted_spec_says_which_policy_it_breaks(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "dev.yaml"
    code = main(["size", str(SERVE), "--emit-spec", str(out), "--environment", "dev", "--pick", "aws/p5.48xlarge"])
    text = " ".join(capsys.readouterr().out.split())  # lines wrap at the terminal's width
    assert code == 0  # the contract: 0 / 2; the verdict and the policy are in the output
    assert "plan verdict fail" in text
    assert "mandatory allowed-accelerator-classes" in text
    assert yaml.safe_load(out.read_text())["environment"] == "dev"


def test_pick_must_be_a_candidate(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["size", str(SERVE), "--emit-spec", str(tmp_path / "x.yaml"), "--pick", "gcp/nope"]) == 2
    assert "not a candidate" in capsys.readouterr().err


@pytest.mark.parametrize("columns", [80, 132, 220])
def test_the_text_fits_the_terminal_and_keeps_machine_types_whole(
    columns: int, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    # it printed 200 wide whatever the terminal: 185-column tables wrapped by an 80-column terminal
    import re
    from pathlib import Path

    from components.cli import main
    from tests.support.terminal import parted

    root = Path(__file__).resolve().parents[3]
    monkeypatch.chdir(root)
    monkeypatch.setenv("COLUMNS", str(columns))
    assert main(["size", "examples/workloads/llama-70b-pretrain.yaml"]) == 0
    out = capsys.readouterr().out
    assert max(len(line.rstrip()) for line in out.splitlines()) <= columns
    assert parted(out) == []  # a number goes with its unit: "5000 GiB", "$387 /h"
    for machine in ("tpu v6e 16x16 x4", "p6-b200.48xlarge", "a4-highgpu-8g", "Standard_ND96isr_H200_v5"):
        assert re.search(rf"(?<![\w.-]){re.escape(machine)}(?![\w.-])", out), machine
    assert ("#    cloud   machine" in out) is (columns >= 200)  # the table where it fits, else blocks
