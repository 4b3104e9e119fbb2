"""Fake google-cloud-compute clients answering from recorded REST responses.

The JSON files in ``recorded/gcp/`` have the shape the Compute Engine REST API returns
(``gcloud compute ... --format=json`` / the ``*.aggregatedList`` methods); they are parsed
into the SDK's own message types with ``<Type>.from_json``, so the checker reads the same
objects it would get from the real clients. ``get`` methods are answered from the
aggregated lists and raise the SDK's ``NotFound`` like the API does.
"""

from __future__ import annotations

import warnings
from collections import Counter
from pathlib import Path
from typing import Any

from components.preflight.gcp import GcpClients

with warnings.catch_warnings():
    warnings.simplefilter("ignore", FutureWarning)
    from google.api_core import exceptions as gexc
    from google.cloud import compute_v1

RECORDED = Path(__file__).parent / "recorded" / "gcp"


def _load(cls: Any, name: str) -> Any:
    return cls.from_json((RECORDED / name).read_text(encoding="utf-8"), ignore_unknown_fields=True)


class _Throttling:
    def __init__(self) -> None:
        self.throttles: Counter[str] = Counter()
        self.calls: Counter[str] = Counter()

    def _enter(self, method: str) -> None:
        self.calls[method] += 1
        if self.throttles[method] > 0:
            self.throttles[method] -= 1
            raise gexc.TooManyRequests("Quota exceeded for quota metric 'Read requests' (rateLimitExceeded)")


class FakeRegions(_Throttling):
    def get(self, project: str, region: str, timeout: float | None = None) -> Any:
        self._enter("regions.get")
        path = RECORDED / f"regions.get.{region}.json"
        if not path.exists():
            raise gexc.NotFound(f"The resource 'projects/{project}/regions/{region}' was not found")
        return _load(compute_v1.Region, path.name)


class FakeProjects(_Throttling):
    def __init__(self, denied: bool = False) -> None:
        super().__init__()
        self.denied = denied

    def get(self, project: str, timeout: float | None = None) -> Any:
        self._enter("projects.get")
        if self.denied:
            raise gexc.Forbidden("Required 'compute.projects.get' permission for 'projects/my-gcp-project'")
        return _load(compute_v1.Project, "projects.get.json")


class _Aggregated(_Throttling):
    list_type: Any
    field: str
    file: str
    arg: str

    def aggregated_list(self, request: dict[str, Any], timeout: float | None = None) -> list[tuple[str, Any]]:
        self._enter("aggregated_list")
        agg = _load(self.list_type, self.file)
        name = request.get("filter", "").partition('"')[2].rstrip('"')
        out = []
        for scope, scoped in agg.items.items():
            items = [i for i in getattr(scoped, self.field) if not name or i.name == name]
            out.append((scope, type(scoped)(**{self.field: items})))
        return out

    def get(self, project: str, zone: str, timeout: float | None = None, **kwargs: str) -> Any:
        self._enter("get")
        name = kwargs[self.arg]
        for scope, scoped in _load(self.list_type, self.file).items.items():
            if scope == f"zones/{zone}":
                for item in getattr(scoped, self.field):
                    if item.name == name:
                        return item
        raise gexc.NotFound(f"The resource 'projects/{project}/zones/{zone}/{self.field}/{name}' was not found")


class FakeMachineTypes(_Aggregated):
    list_type = compute_v1.MachineTypeAggregatedList
    field, file, arg = "machine_types", "machineTypes.aggregatedList.json", "machine_type"


class FakeAcceleratorTypes(_Aggregated):
    list_type = compute_v1.AcceleratorTypeAggregatedList
    field, file, arg = "accelerator_types", "acceleratorTypes.aggregatedList.json", "accelerator_type"


class FakeReservations(_Aggregated):
    list_type = compute_v1.ReservationAggregatedList
    field, file, arg = "reservations", "reservations.aggregatedList.json", "reservation"


def fake_clients(denied: bool = False) -> GcpClients:
    return GcpClients(
        regions=FakeRegions(),
        projects=FakeProjects(denied=denied),
        machine_types=FakeMachineTypes(),
        accelerator_types=FakeAcceleratorTypes(),
        reservations=FakeReservations(),
    )
