"""The mock engine: captures, and drops only azure-native's per-API-version aliases."""

from __future__ import annotations

import pulumi
import pulumi_azure_native.compute as compute

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
