"""Every figure docs/size.md states is recomputed here: the worked-example table row by row,
the inference paragraph, and the output blocks against live runs of the command."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from components.catalog import get_catalog
from components.cli import main
from components.sizing import formulas as f
from components.sizing.storage import policy_bounds
from components.sizing.workload import assumptions

ROOT = Path(__file__).resolve().parents[3]
DOC = (ROOT / "docs" / "size.md").read_text("utf-8")
BAD = """\
name: bad
kind: training
parameters: seventy
tokens: 2e12
deadlineHours: 720
dataset:
  sizeGiB: 10
candidates:
  accelerators: [H100-80G]
"""


def _worked() -> dict[str, str]:
    """`figure` -> value column of the worked-example table."""
    rows = re.findall(r"^\| `(\w+)` \| [^|]+ \| ([^|]+) \|$", DOC, flags=re.M)
    return {k: v.strip() for k, v in rows}


def _computed() -> dict[str, str]:
    cat = get_catalog()
    offer = cat.offer_by_machine_type("aws", "p5.48xlarge")
    assert offer is not None and offer.price.on_demand_usd is not None
    perf = cat.perf("H100-80GB")
    assert perf is not None and perf.bf16_tflops is not None
    a = assumptions()
    n, d = 70e9, 2e12
    flops = f.training_flops(n, d)
    hours = f.accelerator_hours(flops, perf.bf16_tflops, 0.40)
    shape = f.model_shape(n, a["aspectRatio"])
    act = f.activation_bytes(shape, 4096, 2, 34)
    state = n * f.state_bytes_per_parameter(2, 2, 12)
    usable = f.usable_memory_bytes(cat.accelerators["H100-80GB"].memory_gb, a["memoryReserveFraction"])
    a_dead = f.accelerators_for_deadline(hours, 720)
    nodes = f.whole_nodes(a_dead, 8)
    accelerators = nodes * 8
    wall = hours / accelerators
    ckpt = f.checkpoint_bytes(n, 2, 12)
    floor, _ceiling = policy_bounds("frontier", accelerators)
    return {
        "flops": f"{flops:.1e}".replace("e+", "e") + " FLOPs",
        "accelerator_hours": f"{hours:,.0f}",
        "layers": f"{shape.layers:.1f}",
        "hidden": f"{shape.hidden:,.0f}",
        "state_gb": f"{state / 1e9:,.0f} GB",
        "activations_gb": f"{act / 1e9:.2f} GB",
        "usable_gb": f"{usable / 1e9:.0f} GB",
        "accelerators_memory": str(f.accelerators_for_memory(state, usable, act)),
        "accelerators_deadline": str(a_dead),
        "nodes": str(nodes),
        "accelerators": str(accelerators),
        "wall_hours": f"{wall:.1f}",
        "node_hourly_usd": f"${nodes * offer.price.on_demand_usd:,.2f}",
        "checkpoint_gb": f"{ckpt / 1e9:,.0f} GB",
        "checkpoint_mbps": f"{f.write_mbps(ckpt, 5):,.0f} MB/s",
        "read_mbps": f"{f.dataset_read_mbps(8000, 1, wall):.1f} MB/s",
        "policy_floor_mbps": f"{floor:,.0f} MB/s",
    }


def test_worked_example_table_is_recomputed_row_by_row() -> None:
    documented, computed = _worked(), _computed()
    assert set(documented) == set(computed), "every row of the table must be checked, and only those"
    for key, value in computed.items():
        assert documented[key] == value, key


def test_storage_sentence_adds_up() -> None:
    cat = get_catalog()
    fsx = cat.storage_offer("aws", "lustre")
    assert fsx is not None
    storage = 52_800 * fsx.tiers[1000].price_usd_per_gib_month / 730
    assert f"${storage:.2f} of FSx for Lustre" in DOC
    assert f"(52,800 GiB at ${fsx.tiers[1000].price_usd_per_gib_month:.2f} per GiB-month / 730 h)" in DOC
    assert f"${103 * 55.04 + storage:,.0f}/h" in DOC


def test_inference_paragraph() -> None:
    a = assumptions()
    shape = f.model_shape(70e9, a["aspectRatio"])
    kv = f.kv_bytes_per_token(shape, 1, 0.125)
    ftok = f.flops_per_token(70e9, shape, 8192)
    usable = f.usable_memory_bytes(80, a["memoryReserveFraction"])
    r = f.replica_throughput(
        accelerators=8,
        usable_bytes=usable,
        weights_bytes=70e9,
        kv_per_sequence=kv * 8192,
        flops_token=ftok,
        peak_tflops=1978.9,
        memory_tbps=3.35,
        mfu=0.40,
        mbu=0.60,
        max_batch=a["defaults"]["maxBatch"],
    )
    assert r is not None and r.bound == "memory-bandwidth"
    para = DOC[DOC.index("`examples/workloads/chat-70b-serving.yaml` (70B") :]
    assert f"KV = {kv:,.0f} bytes per token and\n{kv * 8192 / 1e9:.2f} GB per sequence" in para
    assert f"{ftok:.3g} FLOPs per token".replace("e+", "e") in para
    assert f"holds {r.batch} sequences" in para
    assert f"({r.step_seconds * 1000:.1f} ms): {r.tokens_per_second:,.0f} tokens/s" in para
    assert -(-20000 // r.tokens_per_second) == 2 and "Two replicas on two nodes" in para


def _blocks() -> list[tuple[str, list[str]]]:
    """(command, lines) of every block marked `<!-- checked: COMMAND -->`."""
    out = []
    for m in re.finditer(r"<!-- checked: aiinfra (.+?) -->\n```text\n(.*?)```", DOC, flags=re.S):
        out.append((m.group(1), [line for line in m.group(2).splitlines() if line.strip()]))
    return out


def _squash(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


@pytest.mark.parametrize("command,lines", _blocks(), ids=[c for c, _ in _blocks()])
def test_output_blocks_match_a_live_run(
    command: str, lines: list[str], tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path if "bad.yaml" in command else ROOT)
    (tmp_path / "bad.yaml").write_text(BAD, encoding="utf-8")
    code = main(command.split())
    captured = capsys.readouterr()
    live = _squash(captured.out + captured.err)
    assert code == (2 if "bad.yaml" in command else 0)
    for line in lines:
        assert _squash(line) in live, line
