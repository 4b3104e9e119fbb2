"""moto, extended with the EC2 / Service Quotas operations preflight needs and moto lacks.

moto 5 implements DescribeInstanceTypeOfferings, DescribeInstanceTypes, DescribeInstances
and DescribeAvailabilityZones, but not DescribeCapacityReservations or
GetSpotPlacementScores, and its Service Quotas backend knows only the ``vpc`` service. We add
those operations to moto's own response classes (``FakeCloud.install``), so the requests
still travel through botocore's serializer, moto's dispatcher and (in server mode) HTTP on
127.0.0.1: only the answer is scripted. ``FakeCloud.throttle`` makes an operation answer
``RequestLimitExceeded`` / ``TooManyRequestsException`` for its next N calls.
"""

from __future__ import annotations

import datetime as dt
import json
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import pytest
from moto.core.exceptions import JsonRESTError
from moto.core.responses import ActionResult
from moto.ec2.exceptions import EC2ClientError
from moto.ec2.responses import EC2Response
from moto.servicequotas.responses import ServiceQuotasResponse


@dataclass
class FakeCloud:
    """Scripted answers for the operations moto does not implement."""

    # quota code -> applied value (absent: NoSuchResourceException, then the default)
    quotas: dict[str, float] = field(default_factory=dict)
    default_quotas: dict[str, float] = field(default_factory=dict)
    reservations: dict[str, dict[str, Any]] = field(default_factory=dict)
    # (region, AZ ID or None) -> score
    spot_scores: dict[tuple[str, str | None], int] = field(default_factory=dict)
    throttles: Counter[str] = field(default_factory=Counter)
    calls: Counter[str] = field(default_factory=Counter)

    def throttle(self, operation: str, times: int) -> None:
        self.throttles[operation] += times

    def _maybe_throttle(self, operation: str, code: str, json_protocol: bool = False) -> None:
        self.calls[operation] += 1
        if self.throttles[operation] > 0:
            self.throttles[operation] -= 1
            if json_protocol:
                raise JsonRESTError(code, "Rate exceeded")
            raise EC2ClientError(code, "Request limit exceeded.")

    def add_reservation(
        self,
        rid: str,
        instance_type: str,
        zone: str,
        total: int,
        available: int,
        state: str = "active",
        reservation_type: str = "default",
    ) -> None:
        self.reservations[rid] = {
            "CapacityReservationId": rid,
            "OwnerId": "123456789012",
            "InstanceType": instance_type,
            "InstancePlatform": "Linux/UNIX",
            "AvailabilityZone": zone,
            "Tenancy": "default",
            "TotalInstanceCount": total,
            "AvailableInstanceCount": available,
            "State": state,
            "StartDate": dt.datetime(2026, 11, 1, tzinfo=dt.UTC),
            "EndDate": dt.datetime(2026, 12, 31, tzinfo=dt.UTC),
            "EndDateType": "limited",
            "InstanceMatchCriteria": "targeted",
            "ReservationType": reservation_type,
        }

    def install(self, monkeypatch: pytest.MonkeyPatch) -> None:
        cloud = self

        def describe_capacity_reservations(self: EC2Response) -> ActionResult:
            cloud._maybe_throttle("DescribeCapacityReservations", "RequestLimitExceeded")
            ids = self._get_param("CapacityReservationIds", []) or []
            found = []
            for rid in ids:
                if rid not in cloud.reservations:
                    raise EC2ClientError(
                        "InvalidCapacityReservationId.NotFound", f"The capacity reservation ID '{rid}' does not exist"
                    )
                found.append(cloud.reservations[rid])
            return ActionResult({"CapacityReservations": found})

        def get_spot_placement_scores(self: EC2Response) -> ActionResult:
            cloud._maybe_throttle("GetSpotPlacementScores", "RequestLimitExceeded")
            single = str(self._get_param("SingleAvailabilityZone", False)).lower() == "true"
            rows = [
                {"Region": region, "AvailabilityZoneId": az, "Score": score}
                if az
                else {"Region": region, "Score": score}
                for (region, az), score in cloud.spot_scores.items()
                if (az is not None) == single
            ]
            return ActionResult({"SpotPlacementScores": rows})

        orig_get_quota = ServiceQuotasResponse.get_service_quota

        def get_service_quota(self: ServiceQuotasResponse) -> Any:
            cloud._maybe_throttle("GetServiceQuota", "TooManyRequestsException", json_protocol=True)
            params = json.loads(self.body)
            service, code = params.get("ServiceCode"), params.get("QuotaCode")
            if service != "ec2":
                return orig_get_quota(self)
            if code not in cloud.quotas:
                raise JsonRESTError("NoSuchResourceException", f"The request failed because the quota {code} ...")
            return _quota_json(code, cloud.quotas[code])

        def get_aws_default_service_quota(self: ServiceQuotasResponse) -> Any:
            cloud._maybe_throttle("GetAWSDefaultServiceQuota", "TooManyRequestsException", json_protocol=True)
            code = json.loads(self.body).get("QuotaCode")
            if code not in cloud.default_quotas:
                raise JsonRESTError("NoSuchResourceException", f"The request failed because the quota {code} ...")
            return _quota_json(code, cloud.default_quotas[code])

        monkeypatch.setattr(
            EC2Response, "describe_capacity_reservations", describe_capacity_reservations, raising=False
        )
        monkeypatch.setattr(EC2Response, "get_spot_placement_scores", get_spot_placement_scores, raising=False)
        monkeypatch.setattr(ServiceQuotasResponse, "get_service_quota", get_service_quota)
        monkeypatch.setattr(
            ServiceQuotasResponse, "get_aws_default_service_quota", get_aws_default_service_quota, raising=False
        )


def _quota_json(code: str, value: float) -> str:
    return json.dumps(
        {
            "Quota": {
                "ServiceCode": "ec2",
                "ServiceName": "Amazon Elastic Compute Cloud (Amazon EC2)",
                "QuotaCode": code,
                "QuotaName": code,
                "Value": value,
                "Unit": "None",
                "Adjustable": True,
                "GlobalQuota": False,
            }
        }
    )
