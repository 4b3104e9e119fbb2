"""The stand-in provider plugins on their own (no engine): Check, Create, Diff, Invoke, the log.

These run in the ordinary test run: they pin down what the engine-tier tests rely on.
"""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from pulumi.provider.experimental.property_value import Computed
from pulumi.provider.experimental.provider import (
    CheckRequest,
    ConfigureRequest,
    CreateRequest,
    DeleteRequest,
    DiffRequest,
    InvokeRequest,
)
from pulumi.runtime import rpc

from tests.engine.standin import (
    INVOKES,
    LOG_ENV,
    StandInProvider,
    from_plain,
    install,
    read_log,
    to_plain,
)
from tests.support.sdk_inputs import PACKAGES

URN = "urn:pulumi:dev::ai-infra::aiinfra:gcp:GpuNodePool$gcp:container/nodePool:NodePool::dev-l4-pool"
CLUSTER_URN = "urn:pulumi:dev::ai-infra::gcp:container/cluster:Cluster::dev-gke"


def run(coro: Any) -> Any:
    """Run a coroutine on a private loop: ``asyncio.run`` would unset the thread's event loop,
    which the mock-engine tests that share this pytest worker rely on."""
    loop = asyncio.new_event_loop()
    try:
        return loop.run_until_complete(coro)
    finally:
        loop.close()


def props(plain: dict[str, Any]) -> dict[str, Any]:
    return {k: from_plain(v) for k, v in plain.items()}


@pytest.fixture
def gcp() -> StandInProvider:
    provider = StandInProvider("gcp")
    run(provider.configure(ConfigureRequest({"gcp:config:project": "proj-1"}, {}, True, True)))
    return provider


def test_check_accepts_inputs_the_sdk_declares(gcp: StandInProvider) -> None:
    inputs = {
        "cluster": "c",
        "nodeConfig": {"machineType": "g2-standard-8", "guestAccelerators": [{"type": "nvidia-l4", "count": 1}]},
    }
    resp = run(gcp.check(CheckRequest(URN, {}, props(inputs), b"")))
    assert resp.failures is None or resp.failures == []
    assert to_plain(resp.inputs) == json.loads(json.dumps(inputs))


def test_check_names_the_property_path_of_an_undeclared_key(gcp: StandInProvider) -> None:
    inputs = {"cluster": "c", "nodeConfig": {"guestAccelerator": [{"type": "nvidia-l4", "count": 1}]}}
    resp = run(gcp.check(CheckRequest(URN, {}, props(inputs), b"")))
    assert [(f.property, f.reason.split(" (")[0]) for f in resp.failures] == [
        ("nodeConfig.guestAccelerator", "not an input of NodePoolNodeConfigArgs")
    ]


def test_check_names_the_property_path_of_a_wrong_type(gcp: StandInProvider) -> None:
    inputs = {"cluster": "c", "nodeConfig": {"guestAccelerators": [{"type": "nvidia-l4", "count": "one"}]}}
    resp = run(gcp.check(CheckRequest(URN, {}, props(inputs), b"")))
    assert [f.property for f in resp.failures] == ["nodeConfig.guestAccelerators[0].count"]
    assert "expected a number" in resp.failures[0].reason


def test_check_skips_values_unknown_at_preview(gcp: StandInProvider) -> None:
    inputs = {"cluster": from_plain(None).with_value(Computed()), "nodeConfig": {"machineType": "g2-standard-8"}}
    resp = run(gcp.check(CheckRequest(URN, {}, {k: from_plain(v) for k, v in inputs.items()}, b"")))
    assert not resp.failures


def test_check_rejects_a_type_the_package_does_not_have(gcp: StandInProvider) -> None:
    urn = "urn:pulumi:dev::ai-infra::gcp:container/nodePools:NodePools::x"
    resp = run(gcp.check(CheckRequest(urn, {}, {}, b"")))
    assert resp.failures and "has no resource type gcp:container/nodePools:NodePools" in resp.failures[0].reason


def test_create_is_deterministic_and_computes_what_the_program_reads(gcp: StandInProvider) -> None:
    inputs = props({"location": "us-central1-a", "name": "dev-gke"})
    first = run(gcp.create(CreateRequest(CLUSTER_URN, inputs, 0, False)))
    second = run(gcp.create(CreateRequest(CLUSTER_URN, inputs, 0, False)))
    assert first.resource_id == second.resource_id and first.resource_id.startswith("dev-gke-")
    out = to_plain(first.properties)
    assert out["location"] == "us-central1-a"
    assert out["endpoint"].count(".") == 3
    assert out["masterAuth"]["clusterCaCertificate"]
    assert out["selfLink"].startswith("https://www.googleapis.com/compute/v1/projects/proj-1/")


def test_create_in_preview_leaves_computed_outputs_unknown(gcp: StandInProvider) -> None:
    resp = run(gcp.create(CreateRequest(CLUSTER_URN, props({"location": "us-central1-a"}), 0, True)))
    # On the wire the endpoint is the engine's unknown sentinel.
    assert resp.properties["endpoint"].marshal().string_value == rpc.UNKNOWN
    assert to_plain(resp.properties)["endpoint"] == "<unknown>"
    assert to_plain(resp.properties)["location"] == "us-central1-a"


def test_diff_replaces_on_a_force_new_input_and_updates_otherwise(gcp: StandInProvider) -> None:
    old = {"cluster": "c", "nodeConfig": {"guestAccelerators": [{"type": "nvidia-l4", "count": 1}]}, "nodeCount": 1}
    accel = {**old, "nodeConfig": {"guestAccelerators": [{"type": "nvidia-tesla-t4", "count": 1}]}}
    resp = run(gcp.diff(DiffRequest(URN, "id", props(old), props(accel), [])))
    assert resp.changes and resp.replaces == ["nodeConfig"]
    resized = {**old, "nodeCount": 2}
    resp = run(gcp.diff(DiffRequest(URN, "id", props(old), props(resized), [])))
    assert resp.changes and resp.replaces == [] and resp.diffs == ["nodeCount"]
    resp = run(gcp.diff(DiffRequest(URN, "id", props(old), props(old), [])))
    assert resp.changes is False


def test_invoke_answers_known_data_sources_and_fails_on_others(gcp: StandInProvider) -> None:
    resp = run(gcp.invoke(InvokeRequest("gcp:organizations/getClientConfig:getClientConfig", {})))
    assert to_plain(resp.return_value)["project"] == "proj-1"
    resp = run(gcp.invoke(InvokeRequest("gcp:compute/getZones:getZones", {})))
    assert resp.failures and "no answer for gcp:compute/getZones:getZones" in resp.failures[0].reason


def test_invoke_answers_return_the_sdk_result_fields() -> None:
    """Every answered data source returns only fields its SDK result type declares."""
    import importlib

    for token, answer in INVOKES.items():
        pkg, middle, fn = token.split(":")
        module = importlib.import_module(f"{PACKAGES[pkg]}.{middle.split('/')[0]}")
        result_cls = getattr(module, fn[0].upper() + fn[1:] + "Result")
        declared = {
            p.fget._pulumi_name  # type: ignore[union-attr]
            for p in vars(result_cls).values()
            if isinstance(p, property) and hasattr(p.fget, "_pulumi_name")
        }
        returned = set(answer({"resourceName": "aks", "name": "gke", "location": "us-central1"}, {}))
        assert returned <= declared, f"{token}: {sorted(returned - declared)} not in {result_cls.__name__}"


def test_every_call_is_logged(gcp: StandInProvider, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    log = tmp_path / "calls.jsonl"
    monkeypatch.setenv(LOG_ENV, str(log))
    run(gcp.create(CreateRequest(CLUSTER_URN, props({"location": "x"}), 0, False)))
    run(gcp.delete(DeleteRequest(CLUSTER_URN, "dev-gke-1", {}, 0)))
    assert [(c["method"], c["urn"]) for c in read_log(log)] == [("Create", CLUSTER_URN), ("Delete", CLUSTER_URN)]


def test_install_writes_one_plugin_per_package(tmp_path: Path) -> None:
    written = install(tmp_path)
    assert sorted(p.name for p in written) == sorted(f"pulumi-resource-{p}" for p in PACKAGES)
    assert all(os.access(p, os.X_OK) for p in written)


def test_a_plugin_serves_and_prints_its_port(tmp_path: Path) -> None:
    """The written executable starts the gRPC server and prints its port, as the engine expects."""
    (exe,) = [p for p in install(tmp_path) if p.name == "pulumi-resource-gcp"]
    proc = subprocess.Popen([str(exe), "127.0.0.1:1"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline().strip()
        assert line.isdigit(), proc.stderr.read() if proc.stderr else line
    finally:
        proc.kill()
        proc.wait()
    assert sys.executable
