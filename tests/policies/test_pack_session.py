"""PackSession: the packs analyse each resource as the program registers it, as the engine does.

Both real packs run as subprocesses over the Analyzer protocol. A session's verdicts must be the
packs' own (each pack driven alone, Analyze per resource then AnalyzeStack, in that order); a pack
with no resource policies (security) gets no Analyze at all; a session the plan abandons (the
program failed) stops its packs.
"""

from __future__ import annotations

from typing import Any

import pytest

from components.policy.analyzer_client import (
    DEFAULT_PACKS,
    PackSession,
    PolicyPackProcess,
    Resource,
    running_pack,
    start_packs,
)

CONFIG = {"aiinfra:fleet": {"environment": "dev", "clusters": []}}


def _res(type_: str, name: str, inputs: dict[str, Any]) -> Resource:
    return Resource(type_, name, f"urn:pulumi:dev::ai-infra::{type_}::{name}", inputs)


RESOURCES = [
    # frontier class in dev (a resource policy) and too many nodes (a stack policy)
    _res(
        "gcp:container/nodePool:NodePool",
        "h100",
        {
            "cluster": "train",
            "location": "us-central1-a",
            "autoscaling": {"minNodeCount": 1, "maxNodeCount": 64},
            "nodeConfig": {"machineType": "a3-highgpu-8g"},
        },
    ),
    _res("gcp:compute/network:Network", "vpc", {"autoCreateSubnetworks": False}),
    # a GPU launch template that allows IMDSv1 (the security pack's)
    _res(
        "aws:ec2/launchTemplate:LaunchTemplate",
        "gpu",
        {"instanceType": "p5.48xlarge", "metadataOptions": {"httpTokens": "optional"}},
    ),
]


def _session_verdicts() -> list[dict[str, Any]]:
    """RESOURCES through a PackSession, added while the packs are still starting."""
    session = PackSession(start_packs(stack="dev", stack_config=CONFIG))
    for r in RESOURCES:
        session.add(r)
    return [v.as_dict() for v in session.finish(RESOURCES)]


def _one_pack_at_a_time() -> list[dict[str, Any]]:
    """The same resources through each pack on its own, one call after another."""
    expected = []
    for pack_dir in DEFAULT_PACKS:
        with running_pack(pack_dir, stack="dev", stack_config=CONFIG) as pack:
            expected += [v.as_dict() for v in pack.analyze(RESOURCES)]
    return expected


def test_a_session_gives_each_packs_own_verdicts_and_skips_useless_analyze(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[tuple[str, str]] = []
    original = PolicyPackProcess.analyze_resource_future

    def spy(self: PolicyPackProcess, r: Resource) -> Any:
        calls.append((self.info.name, r.name))
        return original(self, r)

    monkeypatch.setattr(PolicyPackProcess, "analyze_resource_future", spy)
    found = _session_verdicts()
    # the overprovisioning pack got an Analyze per resource, in order; security (stack policies only) none
    assert calls == [("aiinfra-overprovisioning", r.name) for r in RESOURCES]
    assert found == _one_pack_at_a_time()
    policies = {v["policy"] for v in found}
    assert {"allowed-accelerator-classes", "pool-max-nodes", "imds-v2-hop-limit"} <= policies, policies


def test_a_session_the_plan_abandons_stops_its_packs() -> None:
    started = start_packs(stack="dev", stack_config=CONFIG)
    session = PackSession(started)
    session.add(RESOURCES[0])
    session.close()
    packs = started.result()
    assert packs and all(p.proc.poll() is not None for p in packs)
    session.close()  # idempotent


def test_resources_added_after_the_packs_are_ready_are_sent_at_once_in_order() -> None:
    # the common case in a plan: the packs are up while the program still registers
    session = PackSession(start_packs(stack="dev", stack_config=CONFIG))
    session._ready.join()  # configured: add() now sends from the caller's thread
    for r in RESOURCES:
        session.add(r)
    assert [v.as_dict() for v in session.finish(RESOURCES)] == _one_pack_at_a_time()


def test_a_pack_that_dies_mid_session_is_reported_by_finish() -> None:
    from components.policy.analyzer_client import PolicyPackError

    started = start_packs(stack="dev", stack_config=CONFIG)
    session = PackSession(started)
    session._ready.join()
    session.add(RESOURCES[0])
    for pack in started.result():
        pack.proc.kill()
        pack.proc.wait()
    session.add(RESOURCES[1])
    with pytest.raises(PolicyPackError):
        session.finish(RESOURCES)


def test_each_resource_becomes_a_struct_once_for_analyze_and_every_analyze_stack(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A resource is sent in an ``Analyze`` and again in each pack's ``AnalyzeStack``: its
    inputs are turned into a protobuf Struct once (a fifth of a large plan's wait for the packs)."""
    import components.policy.analyzer_client as client

    built: list[dict[str, Any]] = []
    original = client._struct

    def counting(props: Any) -> Any:
        built.append(dict(props))
        return original(props)

    monkeypatch.setattr(client, "_struct", counting)
    # dicts, as a caller may add them: each becomes a Resource when it is sent
    dicts = [{"type": r.type, "name": r.name, "urn": r.urn, "inputs": dict(r.inputs)} for r in RESOURCES]
    session = PackSession(start_packs(stack="dev", stack_config=CONFIG))
    for d in dicts:
        session.add(d)
    found = [v.as_dict() for v in session.finish(dicts)]
    assert len(built) == len(dicts), built
    assert found == _one_pack_at_a_time()
