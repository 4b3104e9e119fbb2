"""The mock engine: captures, and drops only azure-native's per-API-version aliases."""

from __future__ import annotations

from typing import Any

import pulumi
import pulumi_azure_native.compute as compute
import pytest

from components.mockengine import run_program


def _program() -> None:
    compute.ProximityPlacementGroup(
        "ppg",
        resource_group_name="rg",
        opts=pulumi.ResourceOptions(aliases=[pulumi.Alias(name="old-ppg")]),
    )


def test_sdk_version_aliases_are_dropped_but_program_aliases_kept() -> None:
    (ppg,) = run_program(_program).resources
    assert ppg.type == "azure-native:compute:ProximityPlacementGroup"
    assert ppg.aliases == [("old-ppg", "")]


def test_sdk_version_aliases_can_be_kept() -> None:
    (ppg,) = run_program(_program, keep_sdk_aliases=True).resources
    versions = [t for _, t in ppg.aliases if t]
    assert len(versions) > 10
    assert all(t.startswith("azure-native:compute/v") for t in versions)


def test_merge_is_restored_after_the_run() -> None:
    original = pulumi.ResourceOptions.merge
    run_program(_program)
    assert pulumi.ResourceOptions.merge is original


def test_source_positions_are_skipped_unless_kept(monkeypatch: pytest.MonkeyPatch) -> None:
    """The SDK's per-registration stack walk is skipped on the mock engine (it records no source
    positions), restored after the run, and kept on request."""
    from pulumi.runtime import resource as sdk_resource

    original = sdk_resource._get_stack_trace
    frames: list[int] = []

    def spy() -> Any:
        trace = original()
        frames.append(len(trace.frames))
        return trace

    monkeypatch.setattr(sdk_resource, "_get_stack_trace", spy)
    run_program(_program)
    assert frames == []
    run_program(_program, keep_source_positions=True)
    assert frames and all(n > 0 for n in frames)
    assert sdk_resource._get_stack_trace is spy


def test_on_resource_sees_each_registration_in_capture_order() -> None:
    seen: list[str] = []

    def program() -> None:
        for i in range(5):
            compute.ProximityPlacementGroup(f"ppg{i}", resource_group_name="rg")

    capture = run_program(program, on_resource=lambda r: seen.append(r.urn))
    assert seen == [r.urn for r in capture.resources] and len(seen) == 5


def test_the_collector_is_paced_for_the_run_and_restored_after() -> None:
    import gc

    import pulumi

    from components import mockengine

    seen: list[tuple[tuple[int, ...], bool]] = []

    def program() -> None:
        seen.append((gc.get_threshold(), gc.get_freeze_count() > 0))
        pulumi.ComponentResource("test:index:Thing", "thing")

    before = gc.get_threshold()
    assert gc.get_freeze_count() == 0
    mockengine.run_program(program)
    assert seen == [(mockengine.REGISTRATION_GC_THRESHOLDS, True)]
    assert gc.get_threshold() == before and gc.get_freeze_count() == 0
    # a caller's own frozen heap stays frozen
    gc.freeze()
    try:
        mockengine.run_program(program)
        assert gc.get_freeze_count() > 0 and gc.get_threshold() == before
    finally:
        gc.unfreeze()


def _exports_program() -> None:
    made = pulumi.CustomResource("test:index:Thing", "thing", {"size": 3})
    pulumi.export("nested", {"id": made.id, "sizes": [pulumi.Output.from_input(3)]})


def test_exports_are_resolved_unless_the_caller_skips_them() -> None:
    assert run_program(_exports_program, preview=False).outputs == {"nested": {"id": "thing-id", "sizes": [3]}}
    capture = run_program(_exports_program, preview=False, outputs=False)
    assert capture.outputs == {} and [r.name for r in capture.resources] == ["thing"]


def test_a_failing_export_fails_the_run_even_when_exports_are_skipped() -> None:
    def program() -> None:
        made = pulumi.CustomResource("test:index:Thing", "thing", {"size": 3})
        pulumi.export("broken", made.id.apply(lambda _: 1 / 0))

    for outputs in (True, False):
        with pytest.raises(ZeroDivisionError):
            run_program(program, preview=False, outputs=outputs)


def test_what_the_program_logs_is_captured_not_printed(capsys: pytest.CaptureFixture[str]) -> None:
    # the SDK's mock engine logged to the root logger, whose last-resort handler printed warnings
    def program() -> None:
        pulumi.log.info("sizing the pools")
        pulumi.log.warn("no quota check")
        pulumi.log.debug("internal")
        pulumi.ComponentResource("t:index:C", "c")

    capture = run_program(program)
    assert capture.logs == [("info", "sizing the pools"), ("warning", "no quota check")]
    assert capsys.readouterr().err == ""
