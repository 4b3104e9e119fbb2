"""``aiinfra rightsize`` against a real Prometheus (Debian's package, started by the test).

Two days of generated DCGM metrics, in the label contract of docs/rightsize.md, for four pools:

- ``idle``: minNodes 2 / maxNodes 16, two nodes at 1% utilisation, a third for 2 hours at 60%
  (under 5% of the window, so p95 stays 2);
  10 GiB of GPU memory used at most;
- ``busy``: 4 of 4 nodes at 97% all the time, 76 GiB used (saturated: nothing to save);
- ``batch``: 3-hour jobs on 2 nodes every 12 hours, at 90%, scaling to zero between them;
- ``quiet``: no series at all (says so and proposes nothing);
- ``starved``: 2 of 2 nodes at 35% while their tasks wait on I/O 45% of the time.

Node exporter's ``pressure`` collector (the PSI counters ``node_pressure_io_waiting_seconds_total``
and ``node_pressure_io_stalled_seconds_total``, scraped every minute, with the pool's labels
copied from the node) reports on the nodes of ``idle`` (1% waiting), ``busy`` (3%) and
``starved`` (45% waiting, 30% stalled); ``batch`` has none. Only ``starved`` waits on the
cluster's 125 MB/s/TiB Lustre, so the one storage proposal is the next tier, with its evidence.
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace

import pytest

from components.cli import main
from components.rightsize import command as rightsize_command
from tests.support.prometheus_server import SeriesSpec, openmetrics, running_prometheus
from tests.support.terminal import parted

HOUR = 3600
INTERVAL = 300
SPEC = """\
# Research fleet: comments and key order must survive `rightsize --write`.
environment: staging
clusters:
  - name: train
    cloud: gcp
    region: us-central1
    zone: us-central1-a
    kubernetes: {version: "1.35"}
    network: {cidr: 10.20.0.0/16, fabric: auto}
    gpuPools:
      - name: idle            # interactive notebooks
        accelerator: H100-80GB
        acceleratorsPerNode: 8
        minNodes: 2           # keep two warm (was the idea)
        maxNodes: 16
        capacity: on-demand
      - name: busy            # the production trainer
        accelerator: H100-80GB
        acceleratorsPerNode: 8
        minNodes: 0
        maxNodes: 4
      - name: batch           # nightly evaluation jobs
        accelerator: H100-80GB
        acceleratorsPerNode: 8
        minNodes: 0
        maxNodes: 8
      - name: quiet           # nothing exports metrics here yet
        accelerator: L4
        acceleratorsPerNode: 1
        maxNodes: 4
      - name: starved         # the data loader cannot keep up
        accelerator: H100-80GB
        acceleratorsPerNode: 8
        minNodes: 0
        maxNodes: 2
    storage:
      - name: datasets
        kind: lustre
        capacityGiB: 72000
        throughputMBpsPerTiB: 125   # the cheapest tier
"""
NODE_EXPORTER_INTERVAL = 60  # node exporter scraped every minute (DCGM series: every 5 minutes)


def _gpu_series(pool: str, node: str, util: float, mem_mib: float, alive) -> list[SeriesSpec]:  # type: ignore[no-untyped-def]
    out = []
    for gpu in range(8):
        labels = {"aiinfra_cluster": "train", "aiinfra_pool": pool, "node": node, "gpu": str(gpu)}
        out.append(SeriesSpec("DCGM_FI_DEV_GPU_UTIL", labels, lambda t, a=alive, u=util: u if a(t) else None))
        out.append(
            SeriesSpec("DCGM_FI_PROF_GR_ENGINE_ACTIVE", labels, lambda t, a=alive, u=util: u / 100 if a(t) else None)
        )
        out.append(SeriesSpec("DCGM_FI_DEV_FB_USED", labels, lambda t, a=alive, m=mem_mib: m if a(t) else None))
    return out


def _psi_series(pool: str, node: str, waiting: float, stalled: float, alive) -> list[SeriesSpec]:  # type: ignore[no-untyped-def]
    """Node exporter's I/O pressure counters for one node: seconds waited since boot, growing at
    ``waiting`` (some task waiting) and ``stalled`` (no task progressing) seconds per second."""
    labels = {
        "aiinfra_cluster": "train",
        "aiinfra_pool": pool,
        "node": node,
        "instance": f"{node}:9100",
        "job": "node-exporter",
    }
    boot = 1234.5  # PSI counts from boot: the counters do not start at zero

    def counter(share: float):  # type: ignore[no-untyped-def]
        return lambda t: boot * share + share * t if alive(t) else None

    return [
        SeriesSpec(
            "node_pressure_io_waiting_seconds_total", labels, counter(waiting), "counter", NODE_EXPORTER_INTERVAL
        ),
        SeriesSpec(
            "node_pressure_io_stalled_seconds_total", labels, counter(stalled), "counter", NODE_EXPORTER_INTERVAL
        ),
    ]


@pytest.fixture(scope="module")
def prometheus(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    end = (int(time.time()) // INTERVAL) * INTERVAL - INTERVAL
    start = end - 2 * 24 * HOUR + INTERVAL
    mid = start + 24 * HOUR
    series: list[SeriesSpec] = []
    always = lambda t: True  # noqa: E731
    burst = lambda t: mid <= t < mid + 2 * HOUR  # noqa: E731
    for i in range(2):
        series += _gpu_series("idle", f"idle-{i}", 1.0, 10 * 1024, always)
        series += _psi_series("idle", f"idle-{i}", 0.01, 0.005, always)
    series += _gpu_series("idle", "idle-burst", 60.0, 8 * 1024, burst)
    series += _psi_series("idle", "idle-burst", 0.01, 0.005, burst)
    for i in range(4):
        series += _gpu_series("busy", f"busy-{i}", 97.0, 76 * 1024, always)
        series += _psi_series("busy", f"busy-{i}", 0.03, 0.01, always)
    for i in range(2):
        series += _gpu_series("starved", f"starved-{i}", 35.0, 40 * 1024, always)
        series += _psi_series("starved", f"starved-{i}", 0.45, 0.30, always)
    for job in range(4):
        begin = start + 2 * HOUR + job * 12 * HOUR
        for i in range(2):
            series += _gpu_series(
                "batch", f"batch-{job}-{i}", 90.0, 70 * 1024, lambda t, b=begin: b <= t < b + 3 * HOUR
            )
    tmp = tmp_path_factory.mktemp("prometheus")
    with running_prometheus(tmp, openmetrics(series, start, end, INTERVAL)) as url:
        yield url


def _docs_block(name: str) -> list[str]:
    """The lines of the ``<!-- checked: NAME -->`` text block of docs/rightsize.md."""
    doc = (Path(__file__).resolve().parents[3] / "docs" / "rightsize.md").read_text("utf-8")
    block = re.search(rf"<!-- checked: {name} -->\n```text\n(.*?)```", doc, flags=re.S)
    assert block is not None, name
    lines = [line for line in block.group(1).splitlines() if line.strip()]
    assert lines
    return lines


def _spec(tmp_path: Path) -> Path:
    path = tmp_path / "fleet.yaml"
    path.write_text(SPEC, encoding="utf-8")
    return path


def _json(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, dict]:  # type: ignore[type-arg]
    code = main(["rightsize", *args, "--format", "json"])
    return code, json.loads(capsys.readouterr().out)


@pytest.mark.slow
def test_pools_idle_saturated_batch_and_no_data(
    prometheus: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, doc = _json(capsys, str(_spec(tmp_path)), "--prometheus", prometheus, "--window", "2d")
    assert code == 0
    pools = {p["pool"]: p for p in doc["pools"]}
    by = {(p["pool"], p["field"]): p for p in doc["proposals"]}

    idle = pools["idle"]
    assert idle["peakNodes"] == 3 and idle["p95Nodes"] == 2
    assert idle["meanUtilPercent"] < 5
    assert idle["peakMemoryGiB"] == pytest.approx(10.0)
    # 16 GPUs at 1% for 48 h = 768 idle GPU-hours (the 60% burst node is not idle); one query step of slack
    assert idle["idleAcceleratorHours"] == pytest.approx(768, rel=0.02)
    assert by[("idle", "maxNodes")]["proposed"] == 4  # peak 3 + 1 headroom
    assert by[("idle", "maxNodes")]["monthlySavingUsd"] == pytest.approx(12 * 87.83 * 730, rel=1e-6)
    assert by[("idle", "minNodes")]["proposed"] == 0
    # 10 GiB of memory at p95 1% of an H100's 989 TFLOP/s: an L4 node of the same shape holds it
    accel = by[("idle", "accelerator")]
    assert accel["proposed"] == "L4 (g2-standard-96)"
    assert "peak GPU memory used 10.0 GiB" in accel["evidence"]
    assert ("idle", "capacity") not in by  # never at zero nodes: a service, not batch jobs

    busy = pools["busy"]
    assert busy["peakNodes"] == 4 and busy["p95Nodes"] == 4 and busy["meanUtilPercent"] == pytest.approx(97)
    assert busy["idleAcceleratorHours"] == 0
    assert not [p for p in doc["proposals"] if p["pool"] == "busy"]  # saturated: nothing to take away

    batch = pools["batch"]
    assert batch["peakNodes"] == 2 and batch["zeroNodeShare"] > 0.5
    assert by[("batch", "capacity")]["proposed"] == "spot"
    assert by[("batch", "maxNodes")]["proposed"] == 3

    quiet = pools["quiet"]
    assert quiet["hasData"] is False
    assert not [p for p in doc["proposals"] if p["pool"] == "quiet"]


@pytest.mark.slow
def test_gpus_waiting_on_io_raise_the_storage_tier(
    prometheus: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The I/O pressure proposal, end to end: node exporter's PSI counters through rate() over
    the real query API, into one storage proposal for the pool whose GPUs wait."""
    code, doc = _json(capsys, str(_spec(tmp_path)), "--prometheus", prometheus, "--window", "2d")
    assert code == 0
    pools = {p["pool"]: p for p in doc["pools"]}
    starved = pools["starved"]
    assert starved["meanUtilPercent"] == pytest.approx(35)
    assert starved["ioWaitShare"] == pytest.approx(0.45, abs=0.002)
    assert starved["ioStallShare"] == pytest.approx(0.30, abs=0.002)
    assert pools["idle"]["ioWaitShare"] == pytest.approx(0.01, abs=0.002)  # under-used, but not waiting on I/O
    assert pools["busy"]["ioWaitShare"] == pytest.approx(0.03, abs=0.002)
    assert pools["batch"]["ioWaitShare"] is None  # no node exporter there: no I/O evidence, no guess

    storage = [p for p in doc["proposals"] if p["field"] == "storage"]
    assert len(storage) == 1  # one per file system, whichever pools wait on it
    st = storage[0]
    assert st["pool"] == "starved" and st["path"] == "clusters[0].storage[0].throughputMBpsPerTiB"
    assert (st["current"], st["proposed"]) == (125, 250)
    assert st["monthlySavingUsd"] == pytest.approx(72000 * (0.145 - 0.21))  # a cost: faster storage
    assert "nodes of train/starved waited on I/O 45% of the time (PSI, every task stalled 30%)" in st["evidence"]
    assert "mean GPU utilisation 35%" in st["evidence"] and "datasets delivers 125 MB/s per TiB" in st["evidence"]
    assert not [p for p in doc["proposals"] if p["pool"] == "starved" and p["field"] != "storage"]


@pytest.mark.slow
def test_text_names_the_pool_without_data(prometheus: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["rightsize", str(_spec(tmp_path)), "--prometheus", prometheus, "--window", "2d"])
    out = " ".join(capsys.readouterr().out.split())  # lines wrap at the terminal's width
    assert code == 0
    assert 'train/quiet: no data in the window (no DCGM_FI_DEV_GPU_UTIL series with aiinfra_cluster="train"' in out
    assert "nothing proposed" in out
    assert "clusters[0].gpuPools[0].maxNodes: 16 -> 4" in out


@pytest.mark.slow
def test_write_keeps_comments_and_order(prometheus: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = _spec(tmp_path)
    code, doc = _json(capsys, str(path), "--prometheus", prometheus, "--window", "2d", "--write")
    assert code == 0 and doc["written"].startswith("wrote ")
    text = path.read_text("utf-8")
    for line in SPEC.splitlines():
        if "#" in line:
            comment = line[line.index("#") :]
            assert comment in text, comment
    assert "minNodes: 0           # keep two warm (was the idea)" in text
    idle_pool = text[text.index("- name: idle") : text.index("- name: busy")]
    assert idle_pool.splitlines() == [
        "- name: idle            # interactive notebooks",
        "        accelerator: L4",
        "        acceleratorsPerNode: 8",
        "        minNodes: 0           # keep two warm (was the idea)",
        "        maxNodes: 4",
        "        capacity: on-demand",
        "      ",
    ]  # g2-standard-96 is L4's default 8-GPU offer, so no machineType is written
    assert "      - name: batch           # nightly evaluation jobs" in text
    assert "capacity: spot" in text[text.index("- name: batch") :]
    assert "throughputMBpsPerTiB: 250   # the cheapest tier" in text  # the storage tier, comment kept
    assert 'kubernetes: {version: "1.35"}' in text  # flow style and quotes kept
    # the result is still a valid spec, and a second run has nothing left to lower
    assert main(["validate", str(path)]) == 0
    capsys.readouterr()
    _code, again = _json(capsys, str(path), "--prometheus", prometheus, "--window", "2d")
    assert not [p for p in again["proposals"] if p["field"] in ("maxNodes", "minNodes", "capacity")]


@pytest.mark.slow
@pytest.mark.parametrize("columns", [80, 220])
def test_text_fits_the_terminal(
    columns: int, prometheus: str, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    # it printed 220 wide whatever the terminal
    monkeypatch.setenv("COLUMNS", str(columns))
    monkeypatch.chdir(tmp_path)  # a short file name: a path longer than the terminal cannot wrap
    main(["rightsize", _spec(tmp_path).name, "--prometheus", prometheus, "--window", "2d"])
    out = capsys.readouterr().out
    assert max(len(line.rstrip()) for line in out.splitlines()) <= columns
    assert parted(out) == []  # a number goes with its unit: "64" / "nodes" never
    # the use table where it fits, else a line per pool
    assert ("train/starved: nodes 0/2, peak 2, p95 2" in " ".join(out.split())) is (columns < 100)


def test_no_data_at_all_exits_1(prometheus: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "other.yaml"
    path.write_text(SPEC.replace("name: train", "name: other"), encoding="utf-8")
    code, doc = _json(capsys, str(path), "--prometheus", prometheus, "--window", "2d")
    assert code == 1
    assert doc["proposals"] == [] and not any(p["hasData"] for p in doc["pools"])


@pytest.mark.slow
def test_docs_example_matches_a_live_run(
    prometheus: str, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """docs/rightsize.md shows this scenario's proposals; each line it shows is in a live run."""
    path = tmp_path / "fleet.yaml"
    path.write_text(SPEC, encoding="utf-8")
    monkeypatch.setenv("COLUMNS", "220")  # the page shows a terminal 220 columns wide
    main(["rightsize", str(path), "--prometheus", prometheus, "--window", "2d"])
    live = re.sub(r"\s+", " ", capsys.readouterr().out.replace(str(path), "fleet.yaml"))
    for line in _docs_block("rightsize example"):
        assert re.sub(r"\s+", " ", line).strip() in live, f"{line}\n--- live ---\n{live}"


# ----- prices: the same price book as `aiinfra plan` ----------------------------------------------------
CATALOG_A3, CATALOG_A3_SPOT = 87.83, 52.57  # a3-highgpu-8g in us-central1, the catalog's list prices
FETCHED = "2026-12-01T00:00:00Z"


def _row(kind: str, offer: str, capacity: str, usd: float, unit: str) -> dict[str, object]:
    return {
        "cloud": "gcp",
        "kind": kind,
        "offer": offer,
        "region": "us-central1",
        "capacity": capacity,
        "priceUsd": usd,
        "unit": unit,
        "source": "test price list",
        "fetchedAt": FETCHED,
    }


def _overlay(path: Path, prices: list[dict[str, object]], discounts: list[dict[str, object]] | None = None) -> Path:
    doc = {"schema": "aiinfra-price-overlay/v1", "createdAt": FETCHED, "createdBy": "test", "prices": prices}
    if discounts:
        doc["discounts"] = discounts
    path.write_text(json.dumps(doc), encoding="utf-8")
    return path


def _prices(tmp_path: Path) -> Path:
    return _overlay(
        tmp_path / "gcp-prices.json",
        [
            _row("machine", "a3-highgpu-8g", "on-demand", 60.0, "node-hour"),
            _row("machine", "a3-highgpu-8g", "spot", 20.0, "node-hour"),
            _row("storage", "lustre/125", "on-demand", 0.1, "GiB-month"),
            _row("storage", "lustre/250", "on-demand", 0.2, "GiB-month"),
        ],
    )


def _by(doc: dict) -> dict[tuple[str, str], dict]:  # type: ignore[type-arg]
    return {(p["pool"], p["field"]): p for p in doc["proposals"]}


@pytest.mark.slow
def test_a_price_overlay_changes_every_saving_and_names_its_snapshot(
    prometheus: str, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    # both runs query the same window (a step boundary between them would shift the means)
    now = time.time()
    monkeypatch.setattr(rightsize_command, "time", SimpleNamespace(time=lambda: now))
    spec = str(_spec(tmp_path))
    _code, listed = _json(capsys, spec, "--prometheus", prometheus, "--window", "2d")
    code, doc = _json(capsys, spec, "--prometheus", prometheus, "--window", "2d", "--prices", str(_prices(tmp_path)))
    assert code == 0
    assert listed["prices"] == "catalog list prices"
    assert doc["prices"] == "price overlay gcp-prices.json over catalog list prices (from --prices)"
    before, after = _by(listed), _by(doc)
    assert set(before) == set(after)  # the same proposals, priced differently

    # maxNodes: 12 nodes x the overlay's $60/h, not the catalog's $87.83/h
    cut = after[("idle", "maxNodes")]
    assert before[("idle", "maxNodes")]["monthlySavingUsd"] == pytest.approx(12 * CATALOG_A3 * 730)
    assert cut["monthlySavingUsd"] == pytest.approx(12 * 60.0 * 730)
    assert "12 nodes x $60.00/h x 730 h" in cut["basis"]
    (fig,) = cut["pricedBy"]
    assert fig == {
        "item": "a3-highgpu-8g",
        "capacity": "on-demand",
        "unit": "node-hour",
        "usd": 60.0,
        "listUsd": 60.0,
        "snapshot": "gcp-prices.json",
        "source": "test price list",
        "asOf": "2026-12-01",
        "region": "us-central1",
        "discount": None,
    }
    (listed_fig,) = before[("idle", "maxNodes")]["pricedBy"]
    assert listed_fig["snapshot"] == "catalog" and listed_fig["usd"] == CATALOG_A3

    # minNodes: the same idle floor at the overlay's price
    floor_b, floor_a = before[("idle", "minNodes")], after[("idle", "minNodes")]
    assert floor_a["monthlySavingUsd"] == pytest.approx(floor_b["monthlySavingUsd"] * 60.0 / CATALOG_A3)
    # spot: the same mean nodes x the overlay's on-demand - spot difference
    spot_b, spot_a = before[("batch", "capacity")], after[("batch", "capacity")]
    assert spot_a["monthlySavingUsd"] == pytest.approx(
        spot_b["monthlySavingUsd"] * (60.0 - 20.0) / (CATALOG_A3 - CATALOG_A3_SPOT)
    )
    assert [(f["capacity"], f["usd"], f["snapshot"]) for f in spot_a["pricedBy"]] == [
        ("on-demand", 60.0, "gcp-prices.json"),
        ("spot", 20.0, "gcp-prices.json"),
    ]
    # accelerator: the current node at the overlay's price, the L4 node at the catalog's (no row)
    accel = after[("idle", "accelerator")]
    assert [f["snapshot"] for f in accel["pricedBy"]] == ["gcp-prices.json", "catalog"]
    assert accel["monthlySavingUsd"] < before[("idle", "accelerator")]["monthlySavingUsd"]
    # storage: 72,000 GiB x the overlay's ($0.10 - $0.20)/GiB-month
    storage = after[("starved", "storage")]
    assert storage["monthlySavingUsd"] == pytest.approx(72000 * (0.1 - 0.2))
    assert [f["item"] for f in storage["pricedBy"]] == [
        "Google Cloud Managed Lustre 125 MB/s/TiB",
        "Google Cloud Managed Lustre 250 MB/s/TiB",
    ]

    # the text names the snapshot of each saving, as the plan's cost lines do; docs/rightsize.md
    # shows these lines
    main(
        ["rightsize", spec, "--prometheus", prometheus, "--window", "2d", "--prices", str(tmp_path / "gcp-prices.json")]
    )
    live = re.sub(r"\s+", " ", capsys.readouterr().out.replace(spec, "fleet.yaml"))
    for line in _docs_block("rightsize overlay example"):
        assert re.sub(r"\s+", " ", line).strip() in live, f"{line}\n--- live ---\n{live}"


@pytest.mark.slow
def test_a_discount_applies_to_the_savings(prometheus: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    discount = _overlay(tmp_path / "cud.json", [], [{"cloud": "gcp", "family": "a3", "percent": 25, "note": "CUD"}])
    args = ["--prometheus", prometheus, "--window", "2d", "--prices", str(_prices(tmp_path)), "--prices", str(discount)]
    code, doc = _json(capsys, str(_spec(tmp_path)), *args)
    assert code == 0
    cut = _by(doc)[("idle", "maxNodes")]
    assert cut["monthlySavingUsd"] == pytest.approx(12 * 45.0 * 730)
    (fig,) = cut["pricedBy"]
    assert (fig["usd"], fig["listUsd"], fig["discount"]) == (45.0, 60.0, "25% gcp a3 discount (CUD)")


def _stack(tmp_path: Path, prices: object) -> Path:
    """The spec as a stack config in a Pulumi project, with the stack setting aiinfra:prices."""
    import yaml

    (tmp_path / "Pulumi.yaml").write_text("name: ai-infra\nruntime: python\n", encoding="utf-8")
    stacks = tmp_path / "stacks"
    stacks.mkdir(exist_ok=True)
    path = stacks / "Pulumi.train.yaml"
    config = {"aiinfra:fleet": yaml.safe_load(SPEC), "aiinfra:prices": prices}
    path.write_text(yaml.safe_dump({"config": config}, sort_keys=False), encoding="utf-8")
    return path


@pytest.mark.slow
def test_the_stack_setting_and_the_policy_config_price_as_the_plan_does(
    prometheus: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """--prices, else a prices entry of --policy-config, else the stack setting aiinfra:prices
    (relative to the Pulumi project): the plan's order."""
    _prices(tmp_path)
    stack = str(_stack(tmp_path, "gcp-prices.json"))
    query = ["--prometheus", prometheus, "--window", "2d"]

    def saving(doc: dict) -> float:  # type: ignore[type-arg]
        return float(_by(doc)[("idle", "maxNodes")]["monthlySavingUsd"])

    code, doc = _json(capsys, stack, *query)
    assert code == 0 and saving(doc) == pytest.approx(12 * 60.0 * 730)
    assert doc["prices"] == "price overlay gcp-prices.json over catalog list prices (from stack setting aiinfra:prices)"

    cheaper = _overlay(tmp_path / "cheaper.json", [_row("machine", "a3-highgpu-8g", "on-demand", 50.0, "node-hour")])
    policy = json.dumps({"stack-ceilings": {"prices": str(cheaper)}})
    _code, doc = _json(capsys, stack, *query, "--policy-config", policy)
    assert saving(doc) == pytest.approx(12 * 50.0 * 730)
    assert doc["prices"].endswith("(from policy config stack-ceilings.prices)")

    cheapest = _overlay(tmp_path / "cheapest.json", [_row("machine", "a3-highgpu-8g", "on-demand", 40.0, "node-hour")])
    _code, doc = _json(capsys, stack, *query, "--policy-config", policy, "--prices", str(cheapest))
    assert saving(doc) == pytest.approx(12 * 40.0 * 730)
    assert _by(doc)[("idle", "maxNodes")]["pricedBy"][0]["snapshot"] == "cheapest.json"
