"""GCP preflight against recorded Compute Engine responses (fake clients, no network)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from components.cli import build_parser
from components.preflight import command
from components.preflight.gcp import GcpChecker, default_clients
from components.preflight.model import CheckResult, CredentialsError, PreflightOptions
from components.preflight.retry import Backoff
from components.spec import load_fleet
from tests.components.preflight.conftest import pool_spec, write_spec
from tests.components.preflight.gcp_fakes import fake_clients

REPO = Path(__file__).resolve().parents[3]


def spec(
    tmp_path: Path,
    zone: str | None = "us-central1-a",
    accelerator: str = "H100-80GB",
    per_node: int = 8,
    max_nodes: int = 2,
    capacity: str = "on-demand",
    extra: str = "",
    fabric: str = "none",
) -> str:
    return pool_spec(
        tmp_path,
        cloud="gcp",
        cluster="train",
        region="us-central1",
        zone=zone,
        accelerator=accelerator,
        per_node=per_node,
        max_nodes=max_nodes,
        capacity=capacity,
        extra=extra,
        fabric=fabric,
    )


def run_checks(path: str, clients: object = None, backoff: Backoff | None = None) -> list[CheckResult]:
    fleet, _ = load_fleet(path)
    checker = GcpChecker(
        PreflightOptions(),
        clients=clients or fake_clients(),  # type: ignore[arg-type]
        project="my-gcp-project",
        backoff=backoff or Backoff(sleep=lambda _s: None),
    )
    return [r for c in fleet.clusters for r in checker.checks(c)]


def rows(results: list[CheckResult], pool: str = "gpu") -> dict[str, CheckResult]:
    return {r.check: r for r in results if r.pool == pool}


def test_h100_pool_in_a_zone_that_has_it_passes(tmp_path: Path) -> None:
    r = rows(run_checks(spec(tmp_path)))
    assert r["offering"].status == "ok"
    assert r["offering"].reason == "a3-highgpu-8g with nvidia-h100-80gb is offered in us-central1-a"
    assert r["quota"].status == "ok", r["quota"].reason
    assert r["quota"].details["metric"] == "NVIDIA_H100_GPUS"
    assert r["quota"].details["needed"] == 16


def test_machine_type_not_offered_in_zone_fails(tmp_path: Path) -> None:
    off = rows(run_checks(spec(tmp_path, zone="us-central1-b")))["offering"]
    assert off.status == "fail"
    assert "machine type a3-highgpu-8g is not offered in us-central1-b" in off.reason


def test_without_a_zone_any_zone_of_the_region_counts(tmp_path: Path) -> None:
    r = rows(run_checks(spec(tmp_path, zone=None, accelerator="L4", per_node=1, max_nodes=4, capacity="spot")))
    assert r["offering"].status == "ok"
    assert r["offering"].details["zones"] == ["us-central1-a", "us-central1-b", "us-central1-c"]
    # PREEMPTIBLE_NVIDIA_L4_GPUS is 0 in the recording: Spot VMs use the standard quota.
    assert r["quota"].status == "ok", r["quota"].reason
    assert r["quota"].details["metric"] == "NVIDIA_L4_GPUS"
    assert "Spot VMs use the standard quota" in r["quota"].reason


def test_n1_with_attached_t4_checks_the_accelerator_type_in_the_zone(tmp_path: Path) -> None:
    r = rows(run_checks(spec(tmp_path, zone="us-central1-f", accelerator="T4", per_node=1, capacity="spot")))
    assert r["offering"].status == "ok"
    assert r["offering"].details["acceleratorType"] == "nvidia-tesla-t4"
    assert r["quota"].details["metric"] == "PREEMPTIBLE_NVIDIA_T4_GPUS"
    r = rows(run_checks(spec(tmp_path, zone="us-central1-c", accelerator="T4", per_node=1)))
    assert r["offering"].status == "fail"
    assert r["offering"].reason == "accelerator type nvidia-tesla-t4 is not offered in us-central1-c"


def test_regional_gpu_quota_too_small_fails(tmp_path: Path) -> None:
    q = rows(run_checks(spec(tmp_path, max_nodes=3)))["quota"]
    assert q.status == "fail"
    assert "3 x a3-highgpu-8g = 24 GPUs" in q.reason
    assert "NVIDIA_H100_GPUS in us-central1 is 24 with 8 in use: request at least 32" in q.reason


def test_global_gpu_quota_counts_too(tmp_path: Path) -> None:
    # PREEMPTIBLE_NVIDIA_H100_GPUS 64 fits 48; GPUS_ALL_REGIONS 48 with 10 in use does not.
    q = rows(run_checks(spec(tmp_path, max_nodes=6, capacity="spot")))["quota"]
    assert q.status == "fail"
    assert q.details["metric"] == "PREEMPTIBLE_NVIDIA_H100_GPUS"
    assert "GPUS_ALL_REGIONS is 48 with 10 in use; the cluster's pools need 48: request at least 58" in q.reason
    assert "NVIDIA_H100_GPUS in" not in q.reason


RESERVED = "        reservation: {name}"


@pytest.mark.parametrize(
    ("name", "max_nodes", "status", "reason"),
    [
        ("h100-res", 3, "ok", "reservation h100-res: a3-highgpu-8g in us-central1-a, 3/4 free"),
        ("h100-res", 4, "fail", "reservation h100-res: 3 of 4 VMs are free, the pool scales to 4"),
        ("h100-full", 1, "fail", "reservation h100-full: 0 of 2 VMs are free, the pool scales to 1"),
        ("l4-res", 1, "fail", "reservation l4-res does not exist in us-central1-a (project my-gcp-project)"),
        ("nope", 1, "fail", "reservation nope does not exist in us-central1-a"),
    ],
)
def test_reservations(tmp_path: Path, name: str, max_nodes: int, status: str, reason: str) -> None:
    path = spec(tmp_path, max_nodes=max_nodes, capacity="reserved", extra=RESERVED.format(name=name))
    r = rows(run_checks(path))
    assert r["reservation"].status == status
    assert r["reservation"].reason.startswith(reason)
    assert r["quota"].status == "skipped"


def test_reservation_found_across_zones_when_the_cluster_has_none(tmp_path: Path) -> None:
    path = spec(tmp_path, zone=None, accelerator="L4", per_node=1, max_nodes=2, capacity="reserved")
    path = write_spec(tmp_path, Path(path).read_text() + RESERVED.format(name="l4-res") + "\n", "f2.yaml")
    res = rows(run_checks(path))["reservation"]
    assert res.status == "ok", res.reason
    assert res.details["zone"] == "us-central1-c"


def test_forbidden_fails_the_check_and_names_the_permission(tmp_path: Path) -> None:
    q = rows(run_checks(spec(tmp_path), clients=fake_clients(denied=True)))["quota"]
    assert q.status == "unchecked"
    assert "needs compute.projects.get on project my-gcp-project" in q.reason


def test_throttling_is_retried_with_backoff(tmp_path: Path) -> None:
    clients = fake_clients()
    clients.regions.throttles["regions.get"] = 2
    slept: list[float] = []
    q = rows(run_checks(spec(tmp_path), clients=clients, backoff=Backoff(sleep=slept.append, rand=lambda: 1.0)))
    assert q["quota"].status == "ok"
    assert clients.regions.calls["regions.get"] == 3
    assert slept == [2.0, 4.0]


def test_throttling_that_never_ends_fails_the_check(tmp_path: Path) -> None:
    clients = fake_clients()
    clients.regions.throttles["regions.get"] = 99
    q = rows(run_checks(spec(tmp_path), clients=clients))["quota"]
    assert q.status == "unchecked"
    assert "still throttled after 3 attempts" in q.reason


def test_missing_application_default_credentials(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("GOOGLE_APPLICATION_CREDENTIALS", str(tmp_path / "missing-key.json"))
    monkeypatch.setenv("CLOUDSDK_CONFIG", str(tmp_path / "gcloud"))
    with pytest.raises(CredentialsError) as err:
        default_clients("my-gcp-project")
    assert "gcloud auth application-default login" in err.value.how_to_fix


def test_example_stack_through_the_command(capsys: pytest.CaptureFixture[str]) -> None:
    """stacks/Pulumi.gcp-train.yaml: the project comes from gcp:project; TPU slice rows too."""
    seen: list[PreflightOptions] = []

    def factory(cloud: str, options: PreflightOptions) -> GcpChecker:
        seen.append(options)
        return GcpChecker(options, clients=fake_clients(), project=options.gcp_project)

    args = build_parser().parse_args(["preflight", str(REPO / "stacks/Pulumi.gcp-train.yaml"), "--format", "json"])
    code = command.run(args, checker_factory=factory)
    out = json.loads(capsys.readouterr().out)
    assert seen[0].gcp_project == "my-gcp-project"
    checks = {(c["pool"], c["check"]): c for c in out["checks"]}
    assert checks[("h100", "offering")]["status"] == "ok"
    # 4 x 8 H100 = 32 GPUs; 16 free of NVIDIA_H100_GPUS in the recording.
    assert checks[("h100", "quota")]["status"] == "fail"
    assert checks[("v5p", "offering")]["status"] == "ok"
    assert checks[("v5p", "quota")]["status"] == "skipped"
    assert code == 1
