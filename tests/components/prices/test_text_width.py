"""``aiinfra prices`` text at 80 and 132 columns: no line wider than the terminal but a URL alone,
every machine type whole (it printed each message on one line, up to 204 wide)."""

from __future__ import annotations

from pathlib import Path

import pytest

from components.cli import main
from tests.components.prices import test_aws, test_azure, test_gcp
from tests.components.prices.server import serve
from tests.components.prices.test_aws import aws_env  # noqa: F401 - the fixture, for the AWS run
from tests.support.terminal import broken, parted, too_wide


@pytest.mark.parametrize("columns", [80, 132])
def test_refresh_and_update_catalog_fit_the_terminal_and_keep_names_whole(
    columns: int,
    aws_env: None,  # noqa: F811 - the fixture imported above
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("COLUMNS", str(columns))
    monkeypatch.chdir(tmp_path)  # short file names: a path longer than the line stands alone on it
    monkeypatch.setenv("AIINFRA_GCP_API_KEY", "test-key")
    # Azure: the MI300X missing, an implausible NC24 spot price (a "check:" line)
    items = test_azure.recorded_items(drop=("Standard_ND96isr_MI300X_v5",))
    items = [i for i in items if not (i["armSkuName"] == test_azure.NC24 and i["skuName"].endswith(" Spot"))]
    items.append(test_azure.azure_item(test_azure.NC24, "eastus", 0.44, spot=True))
    with serve(test_azure.handler(items)) as server:
        assert main(["prices", "refresh", "--cloud", "azure", "--endpoint", server.url, "--out", "a.json"]) == 1
    azure = capsys.readouterr().err
    with serve(test_gcp.handler(test_gcp.compute_skus(drop_gpu="Nvidia B200 GPU"), test_gcp.tpu_skus())) as server:
        gcp_out = "g.json"
        assert main(["prices", "refresh", "--cloud", "gcp", "--endpoint", server.url, "--out", gcp_out]) == 1
    gcp = capsys.readouterr().err
    with serve(test_aws.handler(drop=("trn2.48xlarge",))) as server:
        assert main(["prices", "refresh", "--cloud", "aws", "--endpoint", server.url, "--out", "w.json"]) == 1
    aws = capsys.readouterr().err
    assert main(["prices", "update-catalog", gcp_out]) == 0
    update = capsys.readouterr()
    summary = "\n".join([*(line for line in update.out.splitlines() if line.startswith("#")), update.err])

    for text in (azure, gcp, aws, summary):
        assert too_wide(text, columns) == [], text
        assert parted(text) == [], text  # a number goes with its unit: "3" / "offers" never
    assert broken(azure, ["Standard_ND96isr_MI300X_v5", "Standard_NC24ads_A100_v4"]) == []
    assert broken(gcp, ["a4-highgpu-8g"]) == []
    assert broken(aws, ["trn2.48xlarge", "p4d.24xlarge", "p6-b200.48xlarge", "g4dn.12xlarge"]) == []
    assert broken(summary, ["a3-highgpu-8g", "a2-ultragpu-8g", "g2-standard-96"]) == []
    assert "missing: machine trn2.48xlarge on-demand in us-east-1" in aws  # each message starts whole
