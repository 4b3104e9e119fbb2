"""The package's components on the mock engine: the same resources as the Python program, clear errors.

The Pulumi YAML and TypeScript programs reach these classes through the plugin (the engine tier
runs that path); here they are constructed directly, as the plugin's Construct does.
"""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pulumi
import pytest

from components.fleet import Fleet as PythonFleet
from components.mockengine import Capture, run_program
from components.package.args import Capacity, FleetArgs, GcpClusterArgs
from components.package.resources import AwsCluster, AzureCluster, Fleet, GcpCluster, SpecInputError
from components.spec import load_fleet, read_document
from tests.support.specs import GCP_TRAIN

ROOT = Path(__file__).resolve().parents[3]
STACKS = sorted((ROOT / "stacks").glob("Pulumi.*.yaml"))


def _config(stack_file: Path) -> dict[str, Any]:
    import yaml

    config: dict[str, Any] = yaml.safe_load(stack_file.read_text("utf-8"))["config"]
    return {k: v for k, v in config.items() if k != "aiinfra:fleet"}


def _tree(capture: Capture) -> list[tuple[str, str, str, str]]:
    """(type, name, parent name, inputs) of every resource, sorted: sibling order is the engine's."""
    import json

    return sorted(
        (r.type, r.name, r.parent_name or "", json.dumps(r.inputs, sort_keys=True)) for r in capture.resources
    )


@pytest.mark.parametrize("stack_file", STACKS, ids=lambda p: p.stem.removeprefix("Pulumi."))
def test_package_fleet_registers_what_the_python_program_registers(stack_file: Path) -> None:
    stack = stack_file.stem.removeprefix("Pulumi.")
    doc = read_document(stack_file)[0]
    resolved, _ = load_fleet(stack_file)
    python = run_program(lambda: PythonFleet("fleet", resolved), config=_config(stack_file), stack=stack)
    package = run_program(lambda: Fleet("fleet", copy.deepcopy(doc)), config=_config(stack_file), stack=stack)
    assert _tree(package) == _tree(python)
    assert len(package.resources) > 10


def test_enum_members_are_spec_values() -> None:
    """The plugin hands enums as members of the generated Enum classes; the spec gets their values."""
    doc = copy.deepcopy(GCP_TRAIN)
    doc["clusters"][0]["tpuSlices"][0]["capacity"] = Capacity.Spot
    args: FleetArgs = doc  # type: ignore[assignment]
    captured = run_program(lambda: Fleet("fleet", args), config={"gcp:project": "p"})
    tpu = [r for r in captured.resources if r.type == "gcp:container/nodePool:NodePool" and "v5p" in r.name]
    assert tpu and tpu[0].inputs["nodeConfig"]["spot"] is True


@pytest.mark.parametrize(
    ("component", "cloud", "child_type"),
    [
        (GcpCluster, "gcp", "aiinfra:gcp:Cluster"),
        (AzureCluster, "azure", "aiinfra:azure:Cluster"),
        (AwsCluster, "aws", "aiinfra:aws:Cluster"),
    ],
)
def test_cloud_cluster_builds_the_fleets_cluster_under_it(component: Any, cloud: str, child_type: str) -> None:
    stack_file = ROOT / "stacks" / f"Pulumi.{cloud}-train.yaml"
    doc = read_document(stack_file)[0]
    item = {k: v for k, v in doc["clusters"][0].items() if k != "cloud"}
    name = item["name"]
    args = {"environment": doc.get("environment", "dev"), **item}
    resolved, _ = load_fleet(stack_file)
    # The fleet's labels are the fleet's: the component takes the cluster's own.
    fleet_doc = {"environment": args["environment"], "clusters": [doc["clusters"][0]]}
    from components.spec import check_document

    single, _ = check_document(fleet_doc)
    assert single is not None
    config = _config(stack_file)
    python = run_program(lambda: PythonFleet("fleet", single), config=config, stack=f"{cloud}-train")
    package = run_program(lambda: component(name, args), config=config, stack=f"{cloud}-train")

    top = package.resources[0]
    assert (top.type, top.name, top.parent_name) == (f"aiinfra:index:{component.__name__}", name, None)
    inner = [r for r in package.resources if r.type == child_type]
    assert [(r.name, r.parent_name) for r in inner] == [(name, name)]
    # Below the cloud cluster: the same resources as the Fleet's cluster named like the component.
    below = sorted((r.type, r.name) for r in package.resources if r.type not in (top.type, child_type))
    fleet_below = sorted(
        (r.type, r.name.replace(f"fleet-{name}", name, 1))
        for r in python.resources
        if r.type not in ("aiinfra:index:Fleet", child_type)
    )
    assert below == fleet_below
    assert resolved.clusters[0].name == name


def _error(program: Any, config: dict[str, str] | None = None) -> SpecInputError:
    with pytest.raises(SpecInputError) as err:
        run_program(program, config=config or {"gcp:project": "p"})
    return err.value


def test_a_bad_spec_names_every_input_path() -> None:
    doc = copy.deepcopy(GCP_TRAIN)
    pool = doc["clusters"][0]["gpuPools"][0]
    pool["maxNodes"] = 0
    pool["accelerator"] = "H100-80"
    err = _error(lambda: Fleet("fleet", doc))
    paths = {e["property_path"] for e in err.errors or []}
    assert "clusters[0].gpuPools[0].maxNodes" in paths
    assert f"{len(paths)} problem{'' if len(paths) == 1 else 's'} in its inputs" in err.message
    assert "Fleet 'fleet'" in err.message


def test_a_cluster_components_paths_are_its_own_inputs() -> None:
    item = {k: v for k, v in GCP_TRAIN["clusters"][0].items() if k != "cloud"}
    item["gpuPools"] = [{**item["gpuPools"][0], "accelerator": "Trainium"}]
    args: GcpClusterArgs = item  # type: ignore[assignment]
    err = _error(lambda: GcpCluster("train", args))
    paths = [e["property_path"] for e in err.errors or []]
    assert paths and all(p.startswith("gpuPools[0]") for p in paths), paths
    assert "Trainium" in (err.errors or [])[0]["reason"]


def test_a_tpu_slice_on_aws_is_refused_at_its_path() -> None:
    item = {"name": "t", "region": "us-east-1", "tpuSlices": [{"name": "v5p", "version": "v5p", "topology": "2x2x1"}]}
    err = _error(lambda: AwsCluster("t", item))  # type: ignore[arg-type]
    assert next(e["property_path"] for e in err.errors or []).startswith("tpuSlices")


def test_an_output_in_the_spec_is_refused() -> None:
    def program() -> None:
        doc = copy.deepcopy(GCP_TRAIN)
        doc["clusters"][0]["region"] = pulumi.Output.from_input("us-central1")
        Fleet("fleet", doc)  # type: ignore[arg-type]

    err = _error(program)
    assert [e["property_path"] for e in err.errors or []] == ["clusters[0].region"]
    assert "known when the program runs" in (err.errors or [])[0]["reason"]


def test_outputs() -> None:
    built: dict[str, Any] = {}

    def program() -> None:
        built["fleet"] = Fleet("fleet", copy.deepcopy(GCP_TRAIN))  # type: ignore[arg-type]
        pulumi.export("names", built["fleet"].cluster_names)
        pulumi.export("accelerators", built["fleet"].accelerators_at_max)
        pulumi.export("kubeconfig_secret", built["fleet"].kubeconfigs.apply(lambda _: "x"))

    captured = run_program(program, config={"gcp:project": "p"})
    # 4 nodes x 8 H100 + a 2x2x4 v5p slice (16 chips).
    assert captured.outputs["accelerators"] == 48
    assert set(captured.outputs["names"]) == {"train"}


def test_integers_that_cross_the_wire_as_floats_are_ints_again() -> None:
    """The engine sends numbers as floats; the spec's counts must reach the builders as ints."""
    doc = copy.deepcopy(GCP_TRAIN)
    doc["clusters"][0]["tpuSlices"][0]["count"] = 2.0
    doc["clusters"][0]["gpuPools"][0]["maxNodes"] = 4.0
    captured = run_program(lambda: Fleet("fleet", doc), config={"gcp:project": "p"})  # type: ignore[arg-type]
    tpu = sorted(r.name for r in captured.resources if r.type == "gcp:container/nodePool:NodePool" and "v5p" in r.name)
    assert tpu == ["fleet-train-v5p-pool-0", "fleet-train-v5p-pool-1"]
