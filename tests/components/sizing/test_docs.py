"""Every figure docs/size.md states is recomputed here: the worked-example table row by row,
the inference paragraph, and the output blocks against live runs of the command."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from components.catalog import get_catalog
from components.cli import main
from components.sizing import formulas as f
from components.sizing.candidates import size_workload
from components.sizing.emit import fleet_spec
from components.sizing.storage import policy_bounds
from components.sizing.tpu import allowed_shapes, slice_limits, slice_shapes
from components.sizing.workload import assumptions, load_workload

ROOT = Path(__file__).resolve().parents[3]
DOC = (ROOT / "docs" / "size.md").read_text("utf-8")
FLAT = re.sub(r"\s+", " ", DOC)
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
        **_computed_tpu(),
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


def _flat(text: str) -> str:
    return re.sub(r"\s+", " ", text)


def _computed_tpu() -> dict[str, str]:
    """The TPU v6e worked example, from the catalog and the formulas."""
    cat = get_catalog()
    v6e = cat.tpus["v6e"]
    perf = cat.perf("TPU-v6e")
    assert perf is not None and perf.bf16_tflops is not None and v6e.price.on_demand_usd is not None
    a = assumptions()
    n, d = 70e9, 2e12
    hours = f.accelerator_hours(f.training_flops(n, d), perf.bf16_tflops, 0.40)
    shape = f.model_shape(n, a["aspectRatio"])
    act = f.activation_bytes(shape, 4096, 2, 34)
    usable = f.usable_memory_bytes(cat.accelerators["TPU-v6e"].memory_gb, a["memoryReserveFraction"])
    need = f.accelerators_for_deadline(hours, 720)
    shapes = allowed_shapes(v6e, slice_limits("prod"))
    fit = f.slices_for(need, [s.chips for s in shapes])
    assert fit is not None
    per, count = fit
    topology = next(s for s in shapes if s.chips == per)
    chips = per * count
    lustre = cat.storage_offer("gcp", "lustre")
    assert lustre is not None
    storage = 36_000 * lustre.tiers[1000].price_usd_per_gib_month / 730
    compute = chips * v6e.price.on_demand_usd
    floor, _ceiling = policy_bounds("training", chips)
    wall = hours / chips
    return {
        "tpu_chip_hours": f"{hours:,.0f}",
        "tpu_usable_gb": f"{usable / 1e9:.1f} GB",
        "tpu_chips_memory": str(f.accelerators_for_memory(n * 16, usable, act)),
        "tpu_chips_deadline": str(need),
        "tpu_slices": str(count),
        "tpu_slice_chips": f"{per} ({topology.topology})",
        "tpu_chips": f"{chips:,}",
        "tpu_vms": f"{chips // topology.shape.chips_per_vm}",
        "tpu_wall_hours": f"{wall:.1f}",
        "tpu_chip_hourly_usd": f"${compute:,.2f}",
        "tpu_policy_floor_mbps": f"{floor:,.0f} MB/s",
        "tpu_storage_hourly_usd": f"${storage:.2f}",
        "tpu_total_usd": f"${(compute + storage) * wall:,.0f}",
    }


def test_tpu_facts_table_is_the_catalog() -> None:
    cat = get_catalog()
    rows = {m.group(1): m.group(2) for m in re.finditer(r"^\| (v4|v5e|v5p|v6e) \| (.+) \|$", DOC, flags=re.M)}
    assert set(rows) == set(cat.tpus)
    for version, row in rows.items():
        v = cat.tpus[version]
        perf = cat.perf(v.accelerator)
        assert perf is not None
        bf16, fp8, hbm, bw, ici, shapes, price = (c.strip() for c in row.split(" | "))
        assert bf16 == f"{perf.bf16_tflops:g}" and fp8 == (f"{perf.fp8_tflops:g}" if perf.fp8_tflops else "-")
        assert hbm.split()[0] == f"{cat.accelerators[v.accelerator].memory_gb:g}"
        assert bw == f"{perf.memory_tbps:g} TB/s"
        assert ici == (f"{perf.ici_gbps:,.0f} Gb/s" if perf.ici_gbps else "not published")
        sized = slice_shapes(v)
        assert shapes == f"{sized[0].topology} ... {sized[-1].topology} ({sized[-1].chips:,} chips)"
        assert price == f"${v.price.on_demand_usd:.2f} / ${v.price.spot_usd:g}, {v.price.region}"


def test_tpu_paragraphs_add_up() -> None:
    cat = get_catalog()
    a4 = cat.offer_by_machine_type("gcp", "a4-highgpu-8g")
    assert a4 is not None and a4.price.on_demand_usd is not None
    per_gpu = a4.price.on_demand_usd / 8
    assert f"against a B200's ${per_gpu:.2f} (a4-highgpu-8g: ${a4.price.on_demand_usd:.2f} for 8)" in FLAT
    b200 = f.accelerator_hours(8.4e23, 2250, 0.40)
    v6e = f.accelerator_hours(8.4e23, 918, 0.40)
    assert f"{v6e / b200:.2f} times the accelerator-hours" in FLAT
    assert 0.19 < 2.70 / per_gpu < 0.22 and "at a fifth of the price" in FLAT
    v5p = f.accelerators_for_deadline(f.accelerator_hours(8.4e23, 459, 0.40), 720)
    assert f"TPU v5p needs {v5p:,} chips by the deadline" in FLAT
    last = allowed_shapes(cat.tpus["v5p"], slice_limits("prod"))[-1]
    assert f"cap a v5p slice at {last.topology} ({last.chips:,} chips), so it gets two of them" in FLAT
    assert -(-v5p // last.chips) == 2


def test_emit_paragraph_describes_what_is_emitted() -> None:
    w = load_workload(ROOT / "examples" / "workloads" / "llama-70b-pretrain.yaml")
    s = size_workload(w)
    tpu, a4 = s.candidates[0], next(c for c in s.candidates if c.machine == "a4-highgpu-8g")
    assert tpu.tpu is not None
    cluster = fleet_spec(w, tpu)["clusters"][0]
    para = _flat(DOC[DOC.index("With `--emit-spec stacks/Pulumi.llama.yaml`") :])
    assert f"us-east5 (zone {cluster['zone']}, where v6e is offered)" in para
    slice_ = cluster["tpuSlices"][0]
    assert f"(`version: v6e`, `topology: {slice_['topology']}`, `count: {slice_['count']}`)" in para
    assert f"a {cluster['storage'][0]['capacityGiB']:,} GiB Managed Lustre at 1,000 MB/s per TiB" in para
    words = {2: "two", 3: "three", 4: "four"}
    shape = tpu.tpu.slice.shape
    assert f"{words[slice_['count']]} GKE TPU node pools of {shape.nodes} `{shape.machine_type}` VMs" in para
    assert f"${tpu.hourly_usd:,.2f}/h at max scale is the candidate's" in para
    gpu = fleet_spec(w, a4)["clusters"][0]
    assert f"(`maxNodes: {gpu['gpuPools'][0]['maxNodes']}`" in para
    storage = gpu["storage"][0]["capacityGiB"]
    assert f"{storage:,} GiB Managed Lustre, also `pass` at ${a4.hourly_usd:,.2f}/h" in para


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
    monkeypatch.setenv("COLUMNS", "200")  # the page's samples are a terminal 200 columns wide
    (tmp_path / "bad.yaml").write_text(BAD, encoding="utf-8")
    code = main(command.split())
    captured = capsys.readouterr()
    live = _squash(captured.out + captured.err)
    assert code == (2 if "bad.yaml" in command else 0)
    for line in lines:
        assert _squash(line) in live, line


def test_tpu_slice_rules_quote_the_policies_and_classes() -> None:
    from components.policy.settings import settings_for

    chips = settings_for("tpu-slice-size").raw("maxChipsPerSlice")
    vms = settings_for("pool-max-nodes").raw("maxNodesPerPool")
    assert (
        f"(`maxChipsPerSlice`: {chips['dev']:,} in dev, {chips['staging']:,} in staging, {chips['prod']:,} in prod)"
        in FLAT
    )
    assert (
        f"(`maxNodesPerPool`: {vms['dev']}, {vms['staging']}, {vms['prod']}; a GKE TPU slice is one node pool)" in FLAT
    )
    classes = {v: get_catalog().accelerators[t.accelerator].accel_class for v, t in get_catalog().tpus.items()}
    assert classes == {"v5p": "frontier", "v4": "training", "v6e": "training", "v5e": "inference"}
    assert "(v5p frontier, v4 and v6e training, v5e inference)" in FLAT
