"""AWS preflight against moto, in-process (``mock_aws``) and as a server on 127.0.0.1.

Every test using the ``aws`` fixture runs twice, once per mode (the cases the issue names:
a type not offered in a zone, a quota too small, a missing reservation, credentials,
throttling, plus the endpoint and the command); ``aws_local`` tests run in-process only. Operations moto lacks
(capacity reservations, spot placement scores, EC2 quotas) are scripted into moto's own
response classes (see ``moto_support``), so they still go through botocore and HTTP.
"""

from __future__ import annotations

import json
import types
from pathlib import Path

import boto3
import pytest

from components.cli import main
from components.preflight.aws import AwsChecker, default_client_factory
from components.preflight.model import CheckResult, PreflightOptions
from components.preflight.retry import Backoff
from components.spec import load_fleet
from tests.components.preflight.conftest import write_spec
from tests.components.preflight.moto_support import FakeCloud

P5_SPEC = """
environment: prod
clusters:
  - name: train
    cloud: aws
    region: us-east-1
    zone: {zone}
    kubernetes: {{version: "1.35"}}
    gpuPools:
      - name: h100
        accelerator: H100-80GB
        acceleratorsPerNode: 8
        maxNodes: {max_nodes}
        capacity: {capacity}
{extra}
"""


def spec(
    tmp_path: Path,
    zone: str = "us-east-1a",
    max_nodes: int = 4,
    capacity: str = "on-demand",
    extra: str = "",
    accelerator: str = "H100-80GB",
) -> str:
    body = P5_SPEC.format(zone=zone, max_nodes=max_nodes, capacity=capacity, extra=extra)
    return write_spec(tmp_path, body.replace("H100-80GB", accelerator))


def run_checks(path: str, **opts: object) -> list[CheckResult]:
    fleet, _ = load_fleet(path)
    checker = AwsChecker(options=PreflightOptions(**opts), backoff=Backoff(sleep=lambda _s: None))  # type: ignore[arg-type]
    return [r for c in fleet.clusters for r in checker.checks(c)]


def by_check(results: list[CheckResult]) -> dict[str, CheckResult]:
    return {r.check: r for r in results}


# --- offerings ------------------------------------------------------------------------


def test_offered_type_passes(aws: FakeCloud, tmp_path: Path) -> None:
    aws.quotas["L-417A185B"] = 2000
    rows = by_check(run_checks(spec(tmp_path)))
    assert rows["offering"].status == "ok"
    assert "p5.48xlarge is offered in us-east-1a" in rows["offering"].reason
    assert rows["fabric"].status == "ok"  # p5: EFA, 32 interfaces
    assert rows["fabric"].details["maximumEfaInterfaces"] == 32


def test_type_not_offered_in_zone_fails_and_names_the_zones_that_have_it(aws: FakeCloud, tmp_path: Path) -> None:
    # moto's offering data (from AWS) lists p4de.24xlarge in us-east-1b and -1c only.
    aws.quotas["L-417A185B"] = 2000
    rows = by_check(run_checks(spec(tmp_path, accelerator="A100-80GB")))
    off = rows["offering"]
    assert off.status == "fail"
    assert off.reason.startswith("p4de.24xlarge is not offered in us-east-1a")
    assert "us-east-1b" in off.reason and "us-east-1c" in off.reason
    assert off.details["offered_in"] == ["us-east-1b", "us-east-1c"]


# --- quotas ---------------------------------------------------------------------------


def test_quota_too_small_fails_with_code_and_needed_value(aws: FakeCloud, tmp_path: Path) -> None:
    aws.quotas["L-417A185B"] = 384  # two p5.48xlarge; the pool scales to four
    q = by_check(run_checks(spec(tmp_path)))["quota"]
    assert q.status == "fail"
    assert "4 x p5.48xlarge = 768 vCPUs" in q.reason
    assert "'Running On-Demand P instances' (L-417A185B) is 384 vCPUs (applied)" in q.reason
    assert "at least 768" in q.reason
    assert q.details["neededVcpus"] == 768 and q.details["limitVcpus"] == 384


def test_quota_large_enough_passes(aws_local: FakeCloud, tmp_path: Path) -> None:
    aws_local.quotas["L-417A185B"] = 768
    q = by_check(run_checks(spec(tmp_path)))["quota"]
    assert q.status == "ok", q.reason


def test_quota_falls_back_to_aws_default_when_none_applied(aws_local: FakeCloud, tmp_path: Path) -> None:
    aws_local.default_quotas["L-417A185B"] = 0
    q = by_check(run_checks(spec(tmp_path)))["quota"]
    assert q.status == "fail"
    assert q.details["limitSource"] == "AWS default"
    assert aws_local.calls["GetServiceQuota"] == 1 and aws_local.calls["GetAWSDefaultServiceQuota"] == 1


def test_running_instances_count_against_the_quota(aws_local: FakeCloud, tmp_path: Path) -> None:
    aws_local.quotas["L-417A185B"] = 800
    ec2 = boto3.client("ec2", region_name="us-east-1")
    # moto launches from any AMI ID (its default AMIs are not loaded: MOTO_EC2_LOAD_DEFAULT_AMIS=false)
    ec2.run_instances(ImageId="ami-12c6146b", InstanceType="p5.48xlarge", MinCount=1, MaxCount=1)
    q = by_check(run_checks(spec(tmp_path)))["quota"]
    assert q.details["inUseVcpus"] == 192
    assert q.status == "fail"
    assert "at least 960" in q.reason


def test_spot_pools_use_the_spot_quota(aws_local: FakeCloud, tmp_path: Path) -> None:
    aws_local.quotas["L-7212CCBC"] = 10000
    aws_local.spot_scores[("us-east-1", "use1-az6")] = 7
    q = by_check(run_checks(spec(tmp_path, capacity="spot")))["quota"]
    assert q.status == "ok"
    assert q.details["quotaCode"] == "L-7212CCBC"


def test_pools_of_one_family_share_the_quota(aws_local: FakeCloud, tmp_path: Path) -> None:
    aws_local.quotas["L-417A185B"] = 1000
    extra = """      - name: h100b
        accelerator: H100-80GB
        acceleratorsPerNode: 8
        maxNodes: 2
"""
    results = run_checks(spec(tmp_path, max_nodes=4, extra=extra))
    quotas = [r for r in results if r.check == "quota"]
    assert [r.status for r in quotas] == ["fail", "fail"]  # 768 + 384 = 1152 > 1000
    assert all(r.details["neededVcpus"] == 1152 for r in quotas)
    assert "sharing it: 1152" in quotas[0].reason


# --- reservations ---------------------------------------------------------------------

RESERVED = "reservation: {rid}\n        reservationKind: {kind}\n        placement: none"


def reserved_spec(tmp_path: Path, rid: str, kind: str = "reservation", max_nodes: int = 4) -> str:
    body = P5_SPEC.format(zone="us-east-1a", max_nodes=max_nodes, capacity="reserved", extra="")
    body = body.rstrip() + "\n        " + RESERVED.format(rid=rid, kind=kind) + "\n"
    return write_spec(tmp_path, body)


def test_missing_reservation_fails(aws: FakeCloud, tmp_path: Path) -> None:
    rows = by_check(run_checks(reserved_spec(tmp_path, "cr-0123456789abcdef0")))
    res = rows["reservation"]
    assert res.status == "fail"
    assert "capacity reservation cr-0123456789abcdef0 does not exist in us-east-1" in res.reason
    assert "InvalidCapacityReservationId.NotFound" in res.reason
    assert rows["quota"].status == "skipped"


def test_reservation_with_room_passes(aws: FakeCloud, tmp_path: Path) -> None:
    aws.add_reservation("cr-0aaa1111", "p5.48xlarge", "us-east-1a", total=8, available=6)
    res = by_check(run_checks(reserved_spec(tmp_path, "cr-0aaa1111")))["reservation"]
    assert res.status == "ok", res.reason
    assert "6/8 available" in res.reason


def test_full_reservation_fails(aws_local: FakeCloud, tmp_path: Path) -> None:
    aws_local.add_reservation("cr-0bbb1111", "p5.48xlarge", "us-east-1a", total=4, available=1)
    res = by_check(run_checks(reserved_spec(tmp_path, "cr-0bbb1111")))["reservation"]
    assert res.status == "fail"
    assert "room for 1 instance (1 of 4 available), the pool scales to 4" in res.reason


def test_reservation_for_another_type_or_zone_fails(aws_local: FakeCloud, tmp_path: Path) -> None:
    aws_local.add_reservation("cr-0ccc1111", "p4d.24xlarge", "us-east-1b", total=8, available=8)
    res = by_check(run_checks(reserved_spec(tmp_path, "cr-0ccc1111")))["reservation"]
    assert res.status == "fail"
    assert "it reserves p4d.24xlarge, the pool runs p5.48xlarge" in res.reason
    assert "it is in us-east-1b, the cluster is in us-east-1a" in res.reason


def test_scheduled_capacity_block_passes(aws_local: FakeCloud, tmp_path: Path) -> None:
    aws_local.add_reservation(
        "cr-0ddd1111",
        "p5.48xlarge",
        "us-east-1a",
        total=4,
        available=0,
        state="scheduled",
        reservation_type="capacity-block",
    )
    res = by_check(run_checks(reserved_spec(tmp_path, "cr-0ddd1111", kind="capacity-block")))["reservation"]
    assert res.status == "ok", res.reason
    assert res.reason.startswith("Capacity Block cr-0ddd1111")
    assert "scheduled" in res.reason


def test_odcr_named_as_capacity_block_fails(aws_local: FakeCloud, tmp_path: Path) -> None:
    aws_local.add_reservation("cr-0eee1111", "p5.48xlarge", "us-east-1a", total=4, available=4)
    res = by_check(run_checks(reserved_spec(tmp_path, "cr-0eee1111", kind="capacity-block")))["reservation"]
    assert res.status == "fail"
    assert "not a Capacity Block" in res.reason


# --- spot placement score -------------------------------------------------------------


def test_low_spot_score_fails_and_high_passes(aws: FakeCloud, tmp_path: Path) -> None:
    aws.quotas["L-7212CCBC"] = 10000
    aws.spot_scores[("us-east-1", "use1-az6")] = 2  # us-east-1a is use1-az6 in moto
    path = spec(tmp_path, capacity="spot")
    low = by_check(run_checks(path))["spot-score"]
    assert low.status == "fail"
    assert "spot placement score 2/10 for 4 x p5.48xlarge in us-east-1a (use1-az6)" in low.reason
    high = by_check(run_checks(path, min_spot_score=2))["spot-score"]
    assert high.status == "ok"


# --- credentials, endpoint, permissions -----------------------------------------------


def test_missing_credentials_exit_2_with_how_to_fix(
    no_aws_credentials: None, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(["preflight", spec(tmp_path)])
    err = " ".join(capsys.readouterr().err.split())  # wrapped to the terminal: compare the words
    assert code == 2
    assert "aws: no AWS credentials found in the standard chain" in err
    assert "aws configure" in err and "aws sts get-caller-identity" in err


def test_unknown_profile_exits_2(
    no_aws_credentials: None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("AWS_PROFILE", "does-not-exist")
    assert main(["preflight", spec(tmp_path)]) == 2
    assert "The config profile (does-not-exist) could not be found" in " ".join(capsys.readouterr().err.split())


def test_rejected_credentials_exit_2(
    aws: FakeCloud, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from moto.ec2.exceptions import EC2ClientError
    from moto.ec2.responses import EC2Response

    def reject(self: EC2Response) -> None:
        raise EC2ClientError("AuthFailure", "AWS was not able to validate the provided access credentials")

    monkeypatch.setattr(EC2Response, "describe_instance_type_offerings", reject)
    assert main(["preflight", spec(tmp_path)]) == 2
    assert "AWS rejected the credentials in us-east-1 (AuthFailure)" in capsys.readouterr().err


def test_access_denied_fails_the_check_and_names_the_action(
    aws_local: FakeCloud, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from moto.ec2.exceptions import EC2ClientError
    from moto.ec2.responses import EC2Response

    def deny(self: EC2Response) -> None:
        raise EC2ClientError("UnauthorizedOperation", "You are not authorized to perform this operation.")

    monkeypatch.setattr(EC2Response, "describe_capacity_reservations", deny)
    res = by_check(run_checks(reserved_spec(tmp_path, "cr-0aaa1111")))["reservation"]
    assert res.status == "unchecked"
    assert "needs ec2:DescribeCapacityReservations" in res.reason


def test_aws_endpoint_url_is_honoured(aws: FakeCloud, monkeypatch: pytest.MonkeyPatch) -> None:
    import os

    make = default_client_factory()
    url = os.environ.get("AWS_ENDPOINT_URL")
    for service in ("ec2", "service-quotas"):
        client = make(service, "us-east-1")
        if url:  # server mode: boto3 itself picks AWS_ENDPOINT_URL up
            assert client.meta.endpoint_url == url
        else:
            assert "amazonaws.com" in client.meta.endpoint_url
        assert client.meta.config.retries["mode"] == "adaptive"


# --- throttling -----------------------------------------------------------------------


@pytest.fixture
def botocore_sleeps(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """botocore's own retry sleeps, recorded instead of slept.

    Adaptive mode also rate-limits the client after a throttle (a token bucket that waits
    on a condition variable); that wait is botocore's, so the bucket always grants here.
    """
    import botocore.endpoint
    from botocore.retries.bucket import TokenBucket

    slept: list[float] = []
    monkeypatch.setattr(botocore.endpoint, "time", types.SimpleNamespace(sleep=slept.append))
    monkeypatch.setattr(TokenBucket, "acquire", lambda self, amount=1, block=True: True)
    return slept


def test_throttling_is_retried_by_botocore(aws: FakeCloud, tmp_path: Path, botocore_sleeps: list[float]) -> None:
    aws.add_reservation("cr-0aaa1111", "p5.48xlarge", "us-east-1a", total=8, available=8)
    aws.throttle("DescribeCapacityReservations", 2)
    res = by_check(run_checks(reserved_spec(tmp_path, "cr-0aaa1111")))["reservation"]
    assert res.status == "ok", res.reason
    assert aws.calls["DescribeCapacityReservations"] == 3
    assert len(botocore_sleeps) == 2


def test_throttling_past_botocore_is_retried_with_our_backoff(
    aws: FakeCloud, tmp_path: Path, botocore_sleeps: list[float]
) -> None:
    aws.quotas["L-417A185B"] = 2000
    aws.throttle("GetServiceQuota", 4)  # botocore: 2 attempts per round; we add rounds
    fleet, _ = load_fleet(spec(tmp_path))
    ours: list[float] = []
    backoff = Backoff(attempts=3, base_seconds=2.0, sleep=ours.append, rand=lambda: 0.5)
    checker = AwsChecker(options=PreflightOptions(max_attempts=2), backoff=backoff)
    q = by_check(checker.checks(fleet.clusters[0]))["quota"]
    assert q.status == "ok", q.reason
    assert aws.calls["GetServiceQuota"] == 5
    assert ours == [1.0, 2.0]  # full jitter: rand * base * 2**n


def test_persistent_throttling_fails_the_check_not_the_run(
    aws_local: FakeCloud, tmp_path: Path, botocore_sleeps: list[float], capsys: pytest.CaptureFixture[str]
) -> None:
    aws_local.quotas["L-417A185B"] = 2000
    aws_local.throttle("GetServiceQuota", 1000)
    fleet, _ = load_fleet(spec(tmp_path))
    checker = AwsChecker(options=PreflightOptions(max_attempts=2), backoff=Backoff(attempts=2, sleep=lambda _s: None))
    rows = by_check(checker.checks(fleet.clusters[0]))
    assert rows["quota"].status == "unchecked"
    assert "still throttled after 2 rounds of botocore's retries" in rows["quota"].reason
    assert rows["offering"].status == "ok"


# --- the command ----------------------------------------------------------------------


def test_cli_json_output_and_exit_1_on_failure(
    aws: FakeCloud, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    aws.quotas["L-417A185B"] = 100
    code = main(["preflight", spec(tmp_path), "--format", "json"])
    out = json.loads(capsys.readouterr().out)
    assert code == 1
    assert out["ok"] is False
    assert out["summary"] == {"ok": 2, "fail": 1, "unchecked": 0, "skipped": 0}
    quota = next(c for c in out["checks"] if c["check"] == "quota")
    assert quota == {
        "cloud": "aws",
        "cluster": "train",
        "pool": "h100",
        "check": "quota",
        "status": "fail",
        "reason": quota["reason"],
        "details": quota["details"],
    }


def test_cli_text_table_and_exit_0(aws_local: FakeCloud, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """The example stack stacks/Pulumi.aws-train.yaml, as a user would run it."""
    aws_local.quotas["L-417A185B"] = 2000
    code = main(["preflight", str(Path(__file__).resolve().parents[3] / "stacks/Pulumi.aws-train.yaml")])
    out = capsys.readouterr().out
    assert code == 0, out
    assert "aiinfra preflight" in out
    assert "p5.48xlarge is offered in us-east-1a" in out
    assert "3 ok, 0 failed, 0 not checked, 0 skipped" in out
