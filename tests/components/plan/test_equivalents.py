"""Cross-cloud equivalents: each GPU pool's accelerators at max scale on the other two clouds."""

from __future__ import annotations

import copy
import io
import re
from typing import Any

import pytest

from components.catalog import CLOUDS, get_catalog
from components.plan import report_markdown, report_text
from components.plan.engine import PlanReport, plan_file
from components.plan.equivalents import Equivalent, pool_equivalents
from components.spec import load_fleet_object
from tests.components.plan.helpers import AWS_FLEET, GCP_FLEET, REPO, STACKS


def _equivalents(spec: dict[str, Any], pool: int = 0) -> dict[str, Equivalent]:
    fleet, _ = load_fleet_object(spec, "test")
    cluster = fleet.clusters[0]
    return {e.cloud: e for e in pool_equivalents(cluster, cluster.pools[pool])}


def _od(cloud: str, machine_type: str) -> float:
    offer = get_catalog().offer_by_machine_type(cloud, machine_type)
    assert offer is not None and offer.price.on_demand_usd is not None
    return offer.price.on_demand_usd


def test_same_shape_on_the_other_clouds_at_their_list_price() -> None:
    eq = _equivalents(GCP_FLEET)  # 4 x a3-highgpu-8g: 32 H100
    assert set(eq) == {"azure", "aws"}
    assert (eq["aws"].machine_type, eq["aws"].nodes) == ("p5.48xlarge", 4)
    assert eq["aws"].hourly_usd_at_max == pytest.approx(4 * _od("aws", "p5.48xlarge"))
    assert (eq["azure"].machine_type, eq["azure"].nodes) == ("Standard_ND96isr_H100_v5", 4)
    assert eq["azure"].hourly_usd_at_max == pytest.approx(4 * _od("azure", "Standard_ND96isr_H100_v5"))
    assert {e.priced_as for e in eq.values()} == {"on-demand"}


def test_a_spot_pool_is_compared_at_spot_prices() -> None:
    spec = copy.deepcopy(AWS_FLEET)
    spec["clusters"][0]["gpuPools"][0]["capacity"] = "spot"
    gcp = _equivalents(spec)["gcp"]
    offer = get_catalog().offer_by_machine_type("gcp", gcp.machine_type or "")
    assert offer is not None and offer.price.spot_usd is not None
    assert gcp.priced_as == "spot"
    assert gcp.hourly_usd_at_max == pytest.approx(gcp.nodes * offer.price.spot_usd)


def test_another_node_size_that_divides_the_count_is_used() -> None:
    # 2 x 8 A100-80GB on GCP (a2-ultragpu-8g): AWS has A100-80GB in nodes of 8 (p4de), Azure in
    # nodes of 1 to 8; the count is 16 either way.
    spec = copy.deepcopy(GCP_FLEET)
    spec["clusters"][0]["gpuPools"][0].update(accelerator="A100-80GB", acceleratorsPerNode=8, maxNodes=2)
    spec["clusters"][0].pop("tpuSlices")
    eq = _equivalents(spec)
    assert eq["aws"].nodes * 8 == 16 and eq["aws"].machine_type == "p4de.24xlarge"
    # 4 x 1 A100-80GB: no AWS node holds exactly 1 (p4de has 8): not offered, with the sizes there are.
    spec["clusters"][0]["gpuPools"][0].update(acceleratorsPerNode=1, maxNodes=4, localSsd="none")
    aws = _equivalents(spec)["aws"]
    assert not aws.offered and aws.node_sizes == (8,)
    assert report_markdown.equivalent_cell(aws) == "not offered for 4 (nodes of 8)"


def test_an_accelerator_only_one_cloud_has_is_not_offered_elsewhere() -> None:
    spec = copy.deepcopy(AWS_FLEET)
    spec["clusters"][0]["gpuPools"][0].update(accelerator="Trainium", acceleratorsPerNode=16, maxNodes=2)
    spec["clusters"][0]["storage"] = []
    eq = _equivalents(spec)
    assert [(c, e.offered, e.node_sizes) for c, e in sorted(eq.items())] == [("azure", False, ()), ("gcp", False, ())]
    assert report_markdown.equivalent_cell(eq["gcp"]) == "not offered"
    assert eq["gcp"].to_json()["offered"] is False


def _report(path: Any) -> PlanReport:
    return PlanReport([plan_file(path, skip_policies=True)])


@pytest.mark.parametrize("path", STACKS, ids=lambda p: p.stem.removeprefix("Pulumi."))
def test_example_stacks_show_every_gpu_pool_on_all_three_clouds(path: Any) -> None:
    report = _report(path)
    pools = [line for line in report.cost.lines if line.kind == "gpu-pool"]
    assert pools, path
    markdown = report_markdown.render(report)
    section = markdown.split("#### The same GPU pools on other clouds", 1)[1].split("####", 1)[0]
    out = io.StringIO()
    report_text.render(report, out, color=False, width=400)
    text = out.getvalue().split("The same GPU pools on other clouds", 1)[1].split("Accelerators", 1)[0]
    for line in pools:
        row = next(r for r in section.splitlines() if f"| {line.cluster}/{line.name} |" in r)
        cells = [c.strip() for c in row.strip("|").split("|")]
        assert len(cells) == 5, row  # pool, accelerators, gcp, azure, aws
        own = cells[2 + CLOUDS.index(line.cloud)]
        assert own.startswith("**") and "this pool" in own
        assert report_markdown.usd(line.hourly_usd_at_max) in own
        for e in line.equivalents:
            cell = cells[2 + CLOUDS.index(e.cloud)]
            assert cell == report_markdown.equivalent_cell(e)
            assert re.match(r"^(\$[\d,.]+/h \(|not offered)", cell), cell
            assert (e.machine_type or "not offered") in text
        # text: a row per cloud, the pool's name and accelerators down its first column
        lines = text.splitlines()
        at = next(i for i, r in enumerate(lines) if r.split()[:1] == [f"{line.cluster}/{line.name}"])
        rows = lines[at : at + len(CLOUDS)]
        first = line.equivalents[0]
        assert rows[1].split("  ")[0].strip() == f"{first.accelerators} x {first.accelerator}"
        cells = {e.cloud: report_markdown.equivalent_cell(e) for e in line.equivalents}
        for cloud, r in zip(CLOUDS, rows, strict=True):
            assert f" {cloud} " in r and (cloud == line.cloud or cells[cloud] in r), r
    # The plan JSON carries them too (an addition to the contract).
    for line in pools:
        assert [e["cloud"] for e in line.to_json()["equivalents"]] == [c for c in CLOUDS if c != line.cloud]


def test_the_gcp_train_figures() -> None:
    """The gcp-train stack's H100 pool: 32 H100 at max on each cloud, as the catalog prices them."""
    report = _report(next(p for p in STACKS if p.name == "Pulumi.gcp-train.yaml"))
    (line,) = [x for x in report.cost.lines if x.kind == "gpu-pool"]
    cells = dict(report_markdown.equivalent_rows(report))[line]
    assert cells["aws"] == f"{report_markdown.usd(4 * _od('aws', 'p5.48xlarge'))}/h (p5.48xlarge x 4)"
    assert cells["azure"] == (
        f"{report_markdown.usd(4 * _od('azure', 'Standard_ND96isr_H100_v5'))}/h (Standard_ND96isr_H100_v5 x 4)"
    )
    assert cells["gcp"] == f"{report_markdown.usd(4 * _od('gcp', 'a3-highgpu-8g'))}/h (a3-highgpu-8g x 4, this pool)"


def test_docs_plan_shows_the_gcp_train_row_as_rendered() -> None:
    report = _report(next(p for p in STACKS if p.name == "Pulumi.gcp-train.yaml"))
    rendered = next(r for r in report_markdown.equivalents_section(report) if r.startswith("| train/h100 |"))
    doc = (REPO / "docs" / "plan.md").read_text("utf-8")
    assert rendered in doc.splitlines()
