"""Fake azure-mgmt-compute operation groups answering from recorded ARM responses.

The JSON in ``recorded/azure/`` is what the ARM REST API returns (``az vm list-usage``,
``az vm list-skus``, ``az capacity reservation ...`` print the same bodies); items are
turned into the SDK's own models (``models.Usage(json)``, ...), as the SDK's deserializer
does, so the checker reads the objects it would get from ``ComputeManagementClient``.
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Any

from azure.core.exceptions import HttpResponseError, ResourceNotFoundError
from azure.mgmt.compute import models

from components.preflight.azure import AzureClients

RECORDED = Path(__file__).parent / "recorded" / "azure"


def _read(name: str) -> Any:
    path = RECORDED / name
    if not path.exists():
        raise ResourceNotFoundError(f"(ResourceNotFound) {name}")
    return json.loads(path.read_text(encoding="utf-8"))


def throttled() -> HttpResponseError:
    err = HttpResponseError(message="(TooManyRequests) The request is being throttled.")
    err.status_code = 429
    return err


def forbidden(action: str) -> HttpResponseError:
    err = HttpResponseError(
        message=f"(AuthorizationFailed) ... does not have authorization to perform action '{action}'"
    )
    err.status_code = 403
    return err


class _Op:
    def __init__(self) -> None:
        self.throttles: Counter[str] = Counter()
        self.calls: Counter[str] = Counter()
        self.denied = False

    def _enter(self, method: str) -> None:
        self.calls[method] += 1
        if self.denied:
            raise forbidden(method)
        if self.throttles[method] > 0:
            self.throttles[method] -= 1
            raise throttled()


class FakeUsage(_Op):
    def list(self, location: str) -> list[Any]:
        self._enter("list")
        return [models.Usage(u) for u in _read(f"usages.{location}.json")["value"]]


class FakeResourceSkus(_Op):
    def list(self, *, filter: str | None = None) -> list[Any]:
        self._enter("list")
        location = (filter or "").split("'")[1]
        return [models.ResourceSku(s) for s in _read(f"resourceSkus.{location}.json")["value"]]


class FakeCapacityReservationGroups(_Op):
    def get(self, resource_group_name: str, capacity_reservation_group_name: str) -> Any:
        self._enter("get")
        return models.CapacityReservationGroup(
            _read(f"capacityReservationGroups.get.{capacity_reservation_group_name}.json")
        )


class FakeCapacityReservations(_Op):
    def list_by_capacity_reservation_group(self, resource_group_name: str, capacity_reservation_group_name: str) -> Any:
        self._enter("list_by_capacity_reservation_group")
        body = _read(f"capacityReservations.list.{capacity_reservation_group_name}.json")
        return [models.CapacityReservation(r) for r in body["value"]]


def fake_clients() -> AzureClients:
    return AzureClients(
        usage=FakeUsage(),
        resource_skus=FakeResourceSkus(),
        capacity_reservation_groups=FakeCapacityReservationGroups(),
        capacity_reservations=FakeCapacityReservations(),
    )
