"""Fleet dispatches each cluster to its cloud's builder, passing name, cluster and parent."""

from __future__ import annotations

from typing import Any

import pulumi
import pytest

from components import clouds
from components.fleet import Fleet
from components.mockengine import run_program
from components.spec import check_document

SPEC = {
    "clusters": [
        {
            "name": "a",
            "cloud": "gcp",
            "region": "us-central1",
            "gpuPools": [{"name": "l4", "accelerator": "L4", "acceleratorsPerNode": 1, "maxNodes": 1}],
        },
        {
            "name": "b",
            "cloud": "aws",
            "region": "us-east-1",
            "gpuPools": [{"name": "l4", "accelerator": "L4", "acceleratorsPerNode": 1, "maxNodes": 1}],
        },
    ]
}


class _FakeCluster(pulumi.ComponentResource):
    def __init__(self, name: str, cluster: Any, opts: pulumi.ResourceOptions) -> None:
        super().__init__("aiinfra:test:Cluster", name, None, opts)
        self.exports = {
            "cloud": cluster.cloud,
            "pools": [p.name for p in cluster.pools],
            # What the add-ons read (their provider, the AMP collector on AWS).
            "kubeconfig": "kc",
            "clusterName": cluster.name,
            "nodeSecurityGroupId": "sg-1",
        }
        self.register_outputs(self.exports)


def test_fleet_dispatches_clusters(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(clouds, "builder", lambda cloud: _FakeCluster)
    monkeypatch.setattr("components.fleet.builder", lambda cloud: _FakeCluster)
    fleet, _ = check_document(SPEC)
    assert fleet is not None
    built: dict[str, Any] = {}

    def program() -> None:
        built["fleet"] = Fleet("fleet", fleet)

    capture = run_program(program)
    # Registration order between siblings is up to the engine's event loop: compare as sets.
    names = sorted((r.type, r.name, r.parent_name or "") for r in capture.resources if r.type.startswith("aiinfra:"))
    # Each cluster, and its add-ons (through a Kubernetes provider made from its kubeconfig).
    assert names == [
        ("aiinfra:index:ClusterAddons", "fleet-a-addons", "fleet"),
        ("aiinfra:index:ClusterAddons", "fleet-b-addons", "fleet"),
        ("aiinfra:index:Fleet", "fleet", ""),
        ("aiinfra:test:Cluster", "fleet-a", "fleet"),
        ("aiinfra:test:Cluster", "fleet-b", "fleet"),
    ]
    outputs = built["fleet"].outputs
    assert {n: (o["cloud"], o["pools"]) for n, o in outputs.items()} == {"a": ("gcp", ["l4"]), "b": ("aws", ["l4"])}
    on = {a["name"] for a in outputs["a"]["addons"]["addons"] if a["on"]}
    assert on == {"kueue", "jobset", "gpuMonitoring"}
    kubeconfigs = {r.inputs["kubeconfig"] for r in capture.resources if r.type == "pulumi:providers:kubernetes"}
    assert kubeconfigs == {"kc"}
