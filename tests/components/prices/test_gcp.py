"""``aiinfra prices refresh --cloud gcp`` against recorded-format Cloud Billing Catalog answers
(fixtures.py) served on 127.0.0.1: SKUs composed into machine prices the way GCP bills."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from components.catalog import get_catalog
from components.cli import main
from components.preflight.retry import Backoff
from components.prices.http import PriceApiError
from components.prices.refresh import refresh
from tests.components.prices.fixtures import gcp_page, gcp_sku
from tests.components.prices.server import Recorded, Request, Response, serve
from tests.support.terminal import words

COMPUTE, TPU = "6F81-5844-456A", "E000-3F24-B8AA"
US = ["us-central1", "us-east5", "us-central2"]
KEY = {"AIINFRA_GCP_API_KEY": "test-key"}

# (host, GPU) SKU names per family, on-demand and spot unit prices
HOSTS = {
    "A3 Instance": (0.02, 0.0025, 0.0102, 0.000888),
    "A3Plus Instance": (0.021, 0.0026, 0.01077, 0.000937),
    "A3 Ultra Instance": (0.023, 0.0027, 0.012, 0.0011),
    "A4 Instance": (0.025, 0.0029, 0.013, 0.0012),
    "A2 Instance": (0.031611, 0.004237, 0.01264, 0.001695),
    "G2 Instance": (0.024988, 0.002927, 0.00999, 0.00117),
    "N1 Predefined Instance": (0.031611, 0.004237, 0.00698, 0.00094),
}
GPUS = {
    "Nvidia H100 80GB GPU": (9.7987, 5.9),
    "Nvidia H100 80GB Mega GPU": (10.2, 3.0),
    "Nvidia H200 141GB GPU": (9.0, 5.5),
    "Nvidia B200 GPU": (11.28, 4.4),
    "Nvidia Tesla A100 GPU": (2.933908, 1.16),
    "Nvidia Tesla A100 80GB GPU": (3.92848, 1.57),
    "Nvidia L4 GPU": (0.560211, 0.2240844),
    "Nvidia Tesla T4 GPU": (0.35, 0.14),
}
TPUS = {"v4": (3.22, 0.92), "v5e": (1.2, 0.48), "v5p": (4.2, 1.68), "v6e": (2.7, 1.08)}


def compute_skus(regions: list[str] = US, drop_gpu: str | None = None) -> list[dict[str, Any]]:
    skus: list[dict[str, Any]] = []
    for host, (core, ram, s_core, s_ram) in HOSTS.items():
        skus.append(gcp_sku(f"{host} Core running in Americas", core, regions, group="CPU"))
        skus.append(gcp_sku(f"{host} Ram running in Americas", ram, regions, group="RAM", unit="GiBy.h"))
        skus.append(
            gcp_sku(
                f"Spot Preemptible {host} Core running in Americas", s_core, regions, usage="Preemptible", group="CPU"
            )
        )
        skus.append(
            gcp_sku(
                f"Spot Preemptible {host} Ram running in Americas",
                s_ram,
                regions,
                usage="Preemptible",
                group="RAM",
                unit="GiBy.h",
            )
        )
        # commitments and sole tenancy must never price an on-demand VM
        skus.append(
            gcp_sku(
                f"Commitment v1: {host} Cpu in Americas for 1 Year",
                core * 0.63,
                regions,
                usage="Commit1Yr",
                group="CPU",
            )
        )
        skus.append(gcp_sku(f"{host} Sole Tenancy Core running in Americas", core * 1.1, regions, group="CPU"))
    for gpu, (od, spot) in GPUS.items():
        if gpu == drop_gpu:
            continue
        skus.append(gcp_sku(f"{gpu} running in Americas", od, regions))
        skus.append(gcp_sku(f"Spot Preemptible {gpu} running in Americas", spot, regions, usage="Preemptible"))
        skus.append(gcp_sku(f"{gpu} running in Belgium", od * 1.1, ["europe-west1"]))
    skus.append(gcp_sku("SSD backed Local Storage", 0.08, regions, group="LocalSSD", family="Storage", unit="GiBy.mo"))
    skus.append(
        gcp_sku(
            "SSD backed Local Storage attached to Spot Preemptible VMs",
            0.048,
            regions,
            usage="Preemptible",
            group="LocalSSD",
            family="Storage",
            unit="GiBy.mo",
        )
    )
    skus.append(
        gcp_sku(
            "Hyperdisk Balanced Capacity in Iowa", 0.08, ["us-central1"], group="SSD", family="Storage", unit="GiBy.mo"
        )
    )
    for version in ("v5e", "v5p", "v6e"):
        od, spot = TPUS[version]
        skus.append(gcp_sku(f"Tpu {version} chip running in Americas", od, regions, group="TPU"))
        skus.append(
            gcp_sku(
                f"Spot Preemptible Tpu {version} chip running in Americas",
                spot,
                regions,
                usage="Preemptible",
                group="TPU",
            )
        )
    return skus


def tpu_skus(regions: list[str] = US) -> list[dict[str, Any]]:
    od, spot = TPUS["v4"]
    return [
        gcp_sku("Tpu-v4 Pod running in Americas", od, regions, group="TPU", service=TPU, service_name="Cloud TPU"),
        gcp_sku(
            "Tpu-v4 Pod Preemptible running in Americas",
            spot,
            regions,
            usage="Preemptible",
            group="TPU",
            service=TPU,
            service_name="Cloud TPU",
        ),
    ]


def handler(compute: list[dict[str, Any]], tpu: list[dict[str, Any]], page: int = 25) -> Any:
    def answer(req: Request, state: Recorded) -> Response:
        m = re.fullmatch(r"/v1/services/([^/]+)/skus", req.path)
        assert m, req.path
        skus = {COMPUTE: compute, TPU: tpu}[m.group(1)]
        start = int(req.query.get("pageToken") or 0)
        token = str(start + page) if start + page < len(skus) else ""
        return Response(body=json.dumps(gcp_page(skus[start : start + page], token)).encode())

    return answer


def fast() -> Backoff:
    return Backoff(attempts=3, sleep=lambda _s: None, rand=lambda: 0.5)


def test_machine_prices_are_composed_from_core_ram_gpu_and_local_ssd_skus() -> None:
    with serve(handler(compute_skus(), tpu_skus())) as server:
        overlay, _ = refresh("gcp", None, server.url, backoff=fast(), environ=KEY)
    p = {(r.offer, r.capacity): r for r in overlay.prices}
    a3 = get_catalog().offer_by_machine_type("gcp", "a3-highgpu-8g")
    assert a3 is not None and a3.local_nvme is not None
    expected = 208 * 0.02 + 1872 * 0.0025 + 8 * 9.7987 + 6000 * 0.08 / 730
    assert p[("a3-highgpu-8g", "on-demand")].price_usd == pytest.approx(expected, abs=1e-6)
    spot = 208 * 0.0102 + 1872 * 0.000888 + 8 * 5.9 + 6000 * 0.048 / 730
    assert p[("a3-highgpu-8g", "spot")].price_usd == pytest.approx(spot, abs=1e-6)
    assert p[("a3-highgpu-8g", "on-demand")].detail.startswith("208 vCPU x $0.02 (")
    # N1 + T4: host parts plus the guest GPU; no local SSD for families that do not bundle it
    n1 = 8 * 0.031611 + 30 * 0.004237 + 1 * 0.35
    assert p[("n1-standard-8", "on-demand")].price_usd == pytest.approx(n1, abs=1e-6)
    # commitments (x0.63) and sole tenancy (x1.1) never price an on-demand VM
    g2 = 12 * 0.024988 + 48 * 0.002927 + 0.560211
    assert p[("g2-standard-12", "on-demand")].price_usd == pytest.approx(g2, abs=1e-6)
    # TPUs per chip-hour from both services; spot SKUs are separate rows
    assert p[("v5p", "spot")].price_usd == 1.68 and p[("v5p", "spot")].unit == "chip-hour"
    assert p[("v4", "on-demand")].price_usd == 3.22
    assert p[("block", "on-demand")].price_usd == 0.08
    assert overlay.missing == []
    paths = [r.path for r in server.requests]
    assert paths.count(f"/v1/services/{COMPUTE}/skus") == 3 and paths.count(f"/v1/services/{TPU}/skus") == 1  # paged
    assert all(r.query["key"] == "test-key" and r.query["currencyCode"] == "USD" for r in server.requests)


def test_the_region_must_be_a_service_region_of_every_part() -> None:
    with serve(handler(compute_skus(), tpu_skus())) as server:
        overlay, _ = refresh("gcp", ["europe-west1"], server.url, backoff=fast(), environ=KEY)
    assert overlay.prices == []
    reasons = {(m.offer, m.capacity): m.reason for m in overlay.missing}
    assert reasons[("a3-highgpu-8g", "on-demand")] == "no on-demand 'A3 Instance' Core SKU in europe-west1"


def test_a_missing_gpu_sku_is_reported_exit_1(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AIINFRA_GCP_API_KEY", "test-key")
    with serve(handler(compute_skus(drop_gpu="Nvidia B200 GPU"), tpu_skus())) as server:
        code = main(
            ["prices", "refresh", "--cloud", "gcp", "--endpoint", server.url, "--out", str(tmp_path / "g.json")]
        )
    assert code == 1
    err = words(capsys.readouterr().err)  # wrapped to the terminal: compare the words
    assert (
        "missing: machine a4-highgpu-8g on-demand in us-central1: no on-demand 'Nvidia B200 GPU' SKU in us-central1"
        in err
    )
    assert "test-key" not in err  # the API key never reaches a message


def test_throttling_is_retried_and_the_key_is_redacted_in_errors() -> None:
    slept: list[float] = []
    with serve(handler(compute_skus(), tpu_skus())) as server:
        server.throttle_first, server.throttle = (
            1,
            Response(429, b'{"error": {"code": 429, "message": "Quota exceeded"}}'),
        )
        overlay, _ = refresh(
            "gcp", None, server.url, backoff=Backoff(sleep=slept.append, rand=lambda: 0.5), environ=KEY
        )
    assert slept == [1.0] and overlay.prices
    with (
        serve(lambda req, state: Response(403, b'{"error": {"code": 403, "message": "API key not valid."}}')) as server,
        pytest.raises(PriceApiError) as err,
    ):
        refresh("gcp", None, server.url, backoff=fast(), environ=KEY)
    assert "HTTP 403" in str(err.value) and "API key not valid." in str(err.value)
    assert "key=REDACTED" in str(err.value) and "test-key" not in str(err.value)


@pytest.mark.parametrize(
    ("skus", "message"),
    [
        ("nope", "has no skus list"),
        (
            [
                {
                    "description": "Nvidia L4 GPU running in Americas",
                    "category": {"usageType": "OnDemand"},
                    "serviceRegions": ["us-central1"],
                }
            ],
            "has no pricingInfo",
        ),
        (
            [{"description": "Nvidia L4 GPU running in Americas", "category": {"usageType": "OnDemand"}}],
            "has no serviceRegions list",
        ),
    ],
)
def test_a_malformed_answer_is_a_clear_error_exit_2(
    skus: Any, message: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AIINFRA_GCP_API_KEY", "test-key")
    with serve(lambda req, state: Response(body=json.dumps({"skus": skus}).encode())) as server:
        code = main(["prices", "refresh", "--cloud", "gcp", "--endpoint", server.url])
    err = words(capsys.readouterr().err)  # wrapped to the terminal: compare the words
    assert code == 2 and "Traceback" not in err and message in err, err


def test_no_api_key_is_exit_2(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("AIINFRA_GCP_API_KEY", raising=False)
    monkeypatch.delenv("GOOGLE_API_KEY", raising=False)
    assert main(["prices", "refresh", "--cloud", "gcp", "--endpoint", "http://127.0.0.1:9"]) == 2
    assert "no API key; set AIINFRA_GCP_API_KEY" in words(capsys.readouterr().err)
