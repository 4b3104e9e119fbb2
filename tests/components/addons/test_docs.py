"""What the docs say about the add-ons is checked against the catalog and the code: the
add-on table of docs/addons.md and of each cloud's page (which switches exist on the cloud,
which chart, EKS add-on or manifest each installs, which the cloud manages), the figures
docs/addons.md states, and that no cloud page or output still asks for a manual install that
an add-on now does."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from components.addons.plan import available
from components.azure import translate as azure
from components.catalog import get_catalog
from components.catalog.addons import Addon
from components.spec.model import ADDON_FIELDS
from tests.components.addons.helpers import resolved

ROOT = Path(__file__).resolve().parents[3]
CAT = get_catalog()
CLOUD_DOCS = {"gcp": "gcp.md", "aws": "aws.md", "azure": "azure.md"}
ADDONS_MD = (ROOT / "docs" / "addons.md").read_text("utf-8")


def _section(text: str, heading: str) -> str:
    return text.split(f"\n## {heading}\n", 1)[1].split("\n## ", 1)[0]


def _table(section: str) -> dict[str, list[str]]:
    """`switch` -> the other cells of each row of the section's first table."""
    rows = re.findall(r"^\| `(\w+)` \|(.*)\|$", section, flags=re.M)
    return {name: [c.strip() for c in rest.split("|")] for name, rest in rows}


def _says_how_installed(cell: str, addon: Addon, cloud: str) -> bool:
    """The cell names what ai-infra installs on ``cloud`` (chart, EKS add-on, manifests), or
    says the cloud manages it."""
    install = addon.install_on(cloud)
    if install is None:
        return "managed by" in cell or "cluster add-on" in cell or "built in" in cell
    if install.kind == "helm":
        return f"`{install.chart}`" in cell
    if install.kind == "eks-addon":
        return f"`{install.addon_name}`" in cell
    if install.kind == "manifests":
        return "manifest" in cell or "installer" in cell
    return "DCGM exporter" in cell  # objects: the exporters ai-infra renders


@pytest.mark.parametrize("cloud", sorted(CLOUD_DOCS))
def test_each_cloud_page_has_a_row_per_addon_of_that_cloud_naming_what_it_installs(cloud: str) -> None:
    section = _section((ROOT / "docs" / CLOUD_DOCS[cloud]).read_text("utf-8"), "Add-ons")
    rows = _table(section)
    addons = CAT.addons.addons
    assert set(rows) == {n for n in ADDON_FIELDS if available(cloud, addons[n])}
    for name, (what, _when) in rows.items():
        assert _says_how_installed(what, addons[name], cloud), (cloud, name, what)
        if cloud in addons[name].managed and cloud not in addons[name].clouds and name.endswith(("Plugin", "Operator")):
            assert "error" in what  # `enabled` is rejected where the cloud runs it
    # The add-ons that do not run here are named, so a reader knows `enabled` is an error there.
    for name in set(ADDON_FIELDS) - set(rows):
        title = addons[name].title.split(" (")[0]
        words = {"efaDevicePlugin": "EFA", "neuronDevicePlugin": "Neuron", "networkOperator": "Network Operator"}
        assert words.get(name, "GPUDirect" if name == "gpuDirect" else title) in section, (cloud, name)


def test_the_addons_page_table_matches_the_catalog_per_cloud() -> None:
    rows = _table(_section(ADDONS_MD, "Switching add-ons"))
    assert set(rows) == set(ADDON_FIELDS)
    for name, cells in rows.items():
        addon = CAT.addons.addons[name]
        by_cloud = dict(zip(("gcp", "aws", "azure"), cells[:3], strict=True))
        for cloud, cell in by_cloud.items():
            if not available(cloud, addon):
                assert cell == "-", (name, cloud, cell)
            elif cell != "same":  # "same" repeats the previous column
                assert _says_how_installed(cell, addon, cloud), (name, cloud, cell)


def test_the_figures_of_the_smoke_test_section_come_from_the_catalog() -> None:
    ratio = CAT.addons.line_rate_ratio
    assert f"{ratio * 100:g}% (`nccl.yaml` `lineRateRatio`)" in ADDONS_MD
    nd = resolved("azure-ib").clusters[0].pools[0]
    measured = CAT.addons.expectation("azure", nd.offer.machine_type, None)
    fabric = CAT.fabric_gbps(nd.offer)
    assert measured is not None and fabric is not None
    assert f"({measured.bus_bw_gbps:g} GB/s\non {fabric.gbps:,.0f} Gb/s)" in ADDONS_MD
    assert round(measured.bus_bw_gbps / (fabric.gbps / 8), 2) == ratio  # the ratio is that acceptance figure's


@pytest.mark.parametrize(
    "stale",
    [
        r"install the \*\*EFA device plugin",
        r"device plugins and operators to\s+install after `up`",
        r"install the \*\*NVIDIA Network Operator",
        r"Install the FSx for Lustre / EFS / EBS CSI drivers",
        r"What you do outside Pulumi\*\* \(Kubernetes objects; ai-infra does not ship",
        r"install the Azure Managed Lustre CSI driver and create a\s+static PersistentVolume",
    ],
)
def test_no_page_still_asks_for_a_manual_install_an_addon_does(stale: str) -> None:
    for page in [ROOT / "README.md", *(ROOT / "docs").glob("*.md")]:
        assert not re.search(stale, page.read_text("utf-8"), flags=re.I), (page.name, stale)


def test_azure_next_steps_with_every_addon_on_hold_only_the_infiniband_feature() -> None:
    cluster = resolved("azure-ib").clusters[0]
    (step,) = azure.next_steps(cluster)
    assert "AKSInfinibandSupport" in step
    assert "AKSInfinibandSupport" in _section(
        (ROOT / "docs" / "azure.md").read_text("utf-8"), "Before the first `pulumi up`"
    )
