"""Azure preflight against recorded ARM responses (fake operation groups, no network)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from azure.core.exceptions import ClientAuthenticationError

from components.cli import build_parser, main
from components.preflight import command
from components.preflight.azure import AzureChecker, default_clients
from components.preflight.model import CheckResult, CredentialsError, PreflightOptions
from components.preflight.retry import Backoff
from components.spec import SpecError, load_fleet
from tests.components.preflight.azure_fakes import fake_clients
from tests.components.preflight.conftest import pool_spec

REPO = Path(__file__).resolve().parents[3]
CRG = (
    "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-gpu/providers/"
    "Microsoft.Compute/capacityReservationGroups/{name}"
)


def spec(
    tmp_path: Path,
    zone: str | None = "1",
    accelerator: str = "H100-80GB",
    per_node: int = 8,
    max_nodes: int = 2,
    capacity: str = "on-demand",
    extra: str = "",
    fabric: str = "auto",
) -> str:
    return pool_spec(
        tmp_path,
        cloud="azure",
        cluster="train-az",
        region="eastus",
        zone=zone,
        accelerator=accelerator,
        per_node=per_node,
        max_nodes=max_nodes,
        capacity=capacity,
        extra=extra,
        fabric=fabric,
    )


def run_checks(path: str, clients: object = None, backoff: Backoff | None = None) -> dict[str, CheckResult]:
    fleet, _ = load_fleet(path)
    checker = AzureChecker(
        PreflightOptions(),
        clients=clients or fake_clients(),  # type: ignore[arg-type]
        backoff=backoff or Backoff(sleep=lambda _s: None),
    )
    return {r.check: r for c in fleet.clusters for r in checker.checks(c)}


def test_nd_h100_pool_passes_offering_quota_and_infiniband(tmp_path: Path) -> None:
    r = run_checks(spec(tmp_path))
    assert r["offering"].status == "ok"
    assert r["offering"].reason == "Standard_ND96isr_H100_v5 is offered in zone 1 of eastus"
    assert r["quota"].status == "ok", r["quota"].reason
    assert r["quota"].details["standardNDSH100v5Family"] == {"limit": 384, "inUse": 96, "needed": 192}
    assert r["fabric"].status == "ok"


def test_zone_restricted_for_the_subscription_fails(tmp_path: Path) -> None:
    off = run_checks(spec(tmp_path, zone="3"))["offering"]
    assert off.status == "fail"
    assert off.reason == (
        "Standard_ND96isr_H100_v5 is restricted for this subscription in zone 3 of eastus (usable zones: 1, 2)"
    )


def test_zone_where_the_size_is_not_offered_fails(tmp_path: Path) -> None:
    off = run_checks(spec(tmp_path, zone="3", accelerator="H100-NVL", per_node=1, fabric="none"))["offering"]
    assert off.status == "fail"
    assert "Standard_NC40ads_H100_v5 is not offered in zone 3 of eastus" in off.reason


def test_size_restricted_in_the_region_fails(tmp_path: Path) -> None:
    off = run_checks(spec(tmp_path, accelerator="A100-40GB"))["offering"]
    assert off.status == "fail"
    assert "Standard_ND96asr_v4 is restricted in eastus for this subscription (NotAvailableForSubscription)" in (
        off.reason
    )


def test_family_quota_too_small_fails(tmp_path: Path) -> None:
    q = run_checks(spec(tmp_path, max_nodes=4))["quota"]
    assert q.status == "fail"
    assert "4 x Standard_ND96isr_H100_v5 = 384 vCPUs at maxNodes" in q.reason
    assert "'Standard NDSH100v5 Family vCPUs' is 384 with 96 in use, the pools on it need 384" in q.reason
    assert "request at least 480" in q.reason


def test_spot_uses_the_low_priority_quota(tmp_path: Path) -> None:
    q = run_checks(spec(tmp_path, max_nodes=3, capacity="spot"))["quota"]
    assert q.status == "fail"  # 288 > 200 low-priority vCPUs
    assert "'Total Regional Low-priority vCPUs' is 200 with 0 in use" in q.reason
    assert "standardNDSH100v5Family" not in q.details


@pytest.mark.parametrize(
    ("group", "max_nodes", "status", "reason"),
    [
        ("crg-h100", 3, "ok", "capacity reservation group crg-h100: 3/4 Standard_ND96isr_H100_v5 free"),
        ("crg-h100", 4, "fail", "capacity reservation group crg-h100: 3 of 4 Standard_ND96isr_H100_v5 free, the pool"),
        ("crg-missing", 1, "fail", "capacity reservation group crg-missing does not exist in resource group rg-gpu"),
    ],
)
def test_capacity_reservation_groups(tmp_path: Path, group: str, max_nodes: int, status: str, reason: str) -> None:
    extra = f"        reservation: {CRG.format(name=group)}"
    r = run_checks(spec(tmp_path, max_nodes=max_nodes, capacity="reserved", extra=extra))
    assert r["reservation"].status == status
    assert r["reservation"].reason.startswith(reason)
    assert r["quota"].status == "skipped"


def test_reservation_in_another_zone_fails(tmp_path: Path) -> None:
    extra = f"        reservation: {CRG.format(name='crg-h100')}"
    res = run_checks(spec(tmp_path, zone="2", capacity="reserved", extra=extra))["reservation"]
    assert res.status == "fail"
    assert "holds no Standard_ND96isr_H100_v5 reservation in zone 2" in res.reason


def test_reservation_that_is_not_a_resource_id_is_a_spec_error(tmp_path: Path) -> None:
    # The Azure spec rule rejects it before any API call (preflight exits 2 on spec errors).
    with pytest.raises(SpecError, match="is not a capacity reservation group resource ID"):
        run_checks(spec(tmp_path, capacity="reserved", extra="        reservation: crg-h100"))


def test_forbidden_names_the_permission(tmp_path: Path) -> None:
    clients = fake_clients()
    clients.usage.denied = True
    q = run_checks(spec(tmp_path), clients=clients)["quota"]
    assert q.status == "unchecked"
    assert "needs Microsoft.Compute/locations/usages/read" in q.reason


def test_throttling_is_retried_and_persistent_throttling_fails(tmp_path: Path) -> None:
    clients = fake_clients()
    clients.resource_skus.throttles["list"] = 2
    slept: list[float] = []
    r = run_checks(spec(tmp_path), clients=clients, backoff=Backoff(sleep=slept.append, rand=lambda: 0.25))
    assert r["offering"].status == "ok"
    assert clients.resource_skus.calls["list"] == 3
    assert slept == [0.5, 1.0]

    clients = fake_clients()
    clients.usage.throttles["list"] = 50
    q = run_checks(spec(tmp_path), clients=clients)["quota"]
    assert q.status == "unchecked"
    assert "still throttled (429) after 3 attempts" in q.reason


def test_unreachable_endpoint_fails_the_check(tmp_path: Path) -> None:
    from azure.core.exceptions import ServiceRequestError

    clients = fake_clients()

    def unreachable(location: str) -> None:
        raise ServiceRequestError("<urllib3.connection.HTTPSConnection>: Failed to establish a new connection")

    clients.usage.list = unreachable  # type: ignore[method-assign]
    q = run_checks(spec(tmp_path), clients=clients)["quota"]
    assert q.status == "unchecked"
    assert q.reason.startswith("could not check: <urllib3.connection.HTTPSConnection>: Failed to establish")


class _NoCredential:
    def get_token(self, *scopes: str) -> None:
        raise ClientAuthenticationError(
            "DefaultAzureCredential failed to retrieve a token from the included credentials."
        )


def test_missing_credentials_raise_credentials_error() -> None:
    with pytest.raises(CredentialsError) as err:
        default_clients("00000000-0000-0000-0000-000000000000", credential=_NoCredential())
    assert "az login" in err.value.how_to_fix
    with pytest.raises(CredentialsError, match="no Azure subscription"):
        default_clients(None, credential=_NoCredential())


def test_no_subscription_exits_2(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv("AZURE_SUBSCRIPTION_ID", raising=False)
    monkeypatch.delenv("ARM_SUBSCRIPTION_ID", raising=False)
    assert main(["preflight", spec(tmp_path), "--format", "json"]) == 2
    captured = capsys.readouterr()
    assert "azure: no Azure subscription to check" in captured.err
    assert json.loads(captured.out)["errors"][0]["cloud"] == "azure"


def test_example_stack_through_the_command(capsys: pytest.CaptureFixture[str]) -> None:
    def factory(cloud: str, options: PreflightOptions) -> AzureChecker:
        return AzureChecker(options, clients=fake_clients())

    args = build_parser().parse_args(["preflight", str(REPO / "stacks/Pulumi.azure-train.yaml")])
    code = command.run(args, checker_factory=factory)
    out = capsys.readouterr().out
    assert code == 1  # maxNodes 4 needs 384 family vCPUs; 288 free in the recording
    assert "Standard_ND96isr_H100_v5 is offered in zone 1 of eastus" in out
    assert "2 ok, 1 failed, 0 not checked, 0 skipped" in out
