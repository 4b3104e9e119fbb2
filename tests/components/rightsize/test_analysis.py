"""Pure parts of rightsize: durations, percentiles, node lifetimes, proposals on constructed use,
and --write on a stack config."""

from __future__ import annotations

from pathlib import Path

import pytest

from components.rightsize import analysis
from components.rightsize.auth import NoAuth
from components.rightsize.edit import EditError, apply_edits
from components.rightsize.prometheus import Prometheus, PrometheusError, parse_duration, step_for
from components.spec.loader import load_fleet

ROOT = Path(__file__).resolve().parents[3]


@pytest.mark.parametrize("text,seconds", [("14d", 14 * 86400), ("36h", 36 * 3600), ("2w", 14 * 86400), ("90m", 5400)])
def test_durations(text: str, seconds: int) -> None:
    assert parse_duration(text) == seconds


@pytest.mark.parametrize("text", ["14", "d", "0d", "1.5d", "14 days"])
def test_bad_durations(text: str) -> None:
    with pytest.raises(ValueError, match="duration"):
        parse_duration(text)


def test_step_keeps_series_short() -> None:
    assert step_for(14 * 86400) == 660  # 604.8 s rounded up to whole minutes: 1,833 points
    assert step_for(3600) == 60


def test_percentile_and_runs() -> None:
    assert analysis._percentile([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 0.95) == 10
    assert analysis._percentile([2.0] * 19 + [3.0], 0.95) == 2.0
    # samples every 60 s: 0..120 then 600..660 -> runs of 3 and 2 minutes
    assert analysis._runs([0, 60, 120, 600, 660], 60) == pytest.approx([180 / 3600, 120 / 3600])


def test_align_puts_the_window_on_the_step_grid() -> None:
    start, end = analysis.align(1_000_123.4, 3600, 120)
    assert end % 120 == 0 and start % 120 == 0 and end - start == 3600


def test_unreachable_server_is_a_prometheus_error() -> None:
    with pytest.raises(PrometheusError, match="cannot reach"):
        Prometheus("http://127.0.0.1:9", NoAuth(), timeout=2).query_range("up", 0, 60, 60)
    with pytest.raises(PrometheusError, match="not an http"):
        Prometheus("ftp://x", NoAuth())


def _usage(**kw: object) -> analysis.PoolUsage:
    fleet, _ = load_fleet(ROOT / "stacks" / "Pulumi.gcp-train.yaml")
    cluster = fleet.clusters[0]
    u = analysis.PoolUsage(cluster, 0, cluster.pools[0], 0, window_hours=336, step_s=600, has_data=True)
    for k, v in kw.items():
        setattr(u, k, v)
    return u


def test_storage_proposal_when_gpus_wait_on_io() -> None:
    u = _usage(
        peak_nodes=4, mean_nodes=4, io_wait_share=0.35, mean_util_percent=40, p95_util_percent=80, peak_memory_gib=70
    )
    props = {p.field: p for p in analysis.propose([u])}
    st = props["storage"]
    assert st.path == "clusters[0].storage[0].throughputMBpsPerTiB"
    assert st.current == 250 and st.proposed == 500
    assert st.monthly_saving_usd == pytest.approx(36000 * (0.21 - 0.34))  # a cost, stated as negative saving
    assert "waited on I/O 35%" in st.evidence


def test_no_storage_proposal_without_io_metrics_or_when_busy() -> None:
    assert not [
        p
        for p in analysis.propose([_usage(peak_nodes=4, io_wait_share=None, mean_util_percent=10)])
        if p.field == "storage"
    ]
    assert not [
        p
        for p in analysis.propose([_usage(peak_nodes=4, io_wait_share=0.5, mean_util_percent=90)])
        if p.field == "storage"
    ]


def test_pool_without_data_gets_no_proposal() -> None:
    assert analysis.propose([_usage(has_data=False)]) == []


def test_write_edits_a_stack_config_in_place() -> None:
    text = (ROOT / "stacks" / "Pulumi.gcp-train.yaml").read_text("utf-8")
    new = apply_edits(text, {"clusters[0].gpuPools[0].maxNodes": 2, "clusters[0].gpuPools[0].capacity": "spot"})
    changed = [(a, b) for a, b in zip(text.splitlines(), new.splitlines(), strict=True) if a != b]
    assert changed == [
        ("            maxNodes: 4", "            maxNodes: 2"),
        ("            capacity: on-demand", "            capacity: spot"),
    ]
    with pytest.raises(EditError, match="not in the file"):
        apply_edits(text, {"clusters[3].gpuPools[0].maxNodes": 1})


def test_new_keys_land_where_a_reader_expects_them() -> None:
    text = "pools:\n  - name: a  # keep\n    accelerator: L4\n    acceleratorsPerNode: 8\n    maxNodes: 2\n"
    new = apply_edits(text, {"pools[0].capacity": "spot", "pools[0].machineType": "g2-standard-96"})
    assert new.splitlines() == [
        "pools:",
        "  - name: a  # keep",
        "    accelerator: L4",
        "    acceleratorsPerNode: 8",
        "    machineType: g2-standard-96",
        "    maxNodes: 2",
        "    capacity: spot",
    ]


def test_io_queries_read_both_psi_counters_over_the_step() -> None:
    q = analysis.queries(5, 660)
    assert q["io"] == ("avg by (aiinfra_cluster, aiinfra_pool) (rate(node_pressure_io_waiting_seconds_total[660s]))")
    assert q["ioStall"] == (
        "avg by (aiinfra_cluster, aiinfra_pool) (rate(node_pressure_io_stalled_seconds_total[660s]))"
    )
    # a short window's step is under a few scrapes: the rate still spans 5 minutes
    assert "[300s]" in analysis.queries(5, 120)["io"] and analysis.rate_window(60) == 300


def test_docs_state_the_step_and_rate_window() -> None:
    doc = " ".join((ROOT / "docs" / "rightsize.md").read_text("utf-8").split())
    assert f"({step_for(14 * 86400) // 60} minutes for 14 days)" in doc
    assert f"at least {analysis.MIN_RATE_WINDOW_S // 60} minutes" in doc


def test_one_storage_proposal_per_file_system_naming_every_waiting_pool() -> None:
    fleet, _ = load_fleet(ROOT / "stacks" / "Pulumi.gcp-train.yaml")
    cluster = fleet.clusters[0]
    usages = []
    for i, (wait, stall, util) in enumerate([(0.35, 0.2, 40.0), (0.5, None, 20.0), (0.6, 0.5, 95.0)]):
        u = analysis.PoolUsage(cluster, 0, cluster.pools[0], i, window_hours=336, step_s=600, has_data=True)
        u.io_wait_share, u.io_stall_share, u.mean_util_percent = wait, stall, util
        usages.append(u)
    storage = [p for p in analysis.propose(usages) if p.field == "storage"]
    assert len(storage) == 1
    evidence = storage[0].evidence
    assert "waited on I/O 35% of the time (PSI, every task stalled 20%) with mean GPU utilisation 40%" in evidence
    assert "waited on I/O 50% of the time (PSI) with mean GPU utilisation 20%" in evidence
    assert "95%" not in evidence  # busy GPUs: waiting on I/O does not starve them


def test_savings_are_priced_by_the_book_and_name_its_snapshot() -> None:
    from components.catalog import get_catalog
    from components.prices.book import PriceBook
    from components.prices.overlay import parse_overlay

    row = {
        "cloud": "gcp",
        "kind": "machine",
        "offer": "a3-highgpu-8g",
        "region": "us-central1",
        "capacity": "on-demand",
        "priceUsd": 50.0,
        "unit": "node-hour",
        "source": "negotiated rate card",
        "fetchedAt": "2026-12-01T00:00:00Z",
    }
    overlay = parse_overlay({"schema": "aiinfra-price-overlay/v1", "prices": [row]}, "rates.json")
    u = _usage(peak_nodes=1, p95_nodes=1, mean_nodes=1)  # gcp-train's h100 pool: maxNodes 4 -> 2
    listed = next(p for p in analysis.propose([u]) if p.field == "maxNodes")
    priced = next(p for p in analysis.propose([u], PriceBook(get_catalog(), [overlay])) if p.field == "maxNodes")
    catalog = u.pool.offer.price.on_demand_usd
    assert catalog is not None and catalog != 50.0
    assert listed.monthly_saving_usd == pytest.approx(2 * catalog * 730)
    assert priced.monthly_saving_usd == pytest.approx(2 * 50.0 * 730)
    assert [p.figure.snapshot for p in listed.prices if p.figure] == ["catalog"]
    assert [p.figure.snapshot for p in priced.prices if p.figure] == ["rates.json"]
    assert (
        "from price overlay rates.json (negotiated rate card, us-central1, fetched 2026-12-01)" in priced.prices[0].note
    )
