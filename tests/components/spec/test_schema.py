"""The fleet JSON Schema: shape errors come back with exact paths, messages and hints."""

from __future__ import annotations

import copy
from typing import Any

import jsonschema
import pytest

from components.spec.errors import SpecIssue
from components.spec.model import (
    Access,
    AuditLogs,
    Budget,
    Encryption,
    GpuPool,
    Kubernetes,
    Network,
    Storage,
    SystemPool,
    TpuSlice,
)
from components.spec.schema import fleet_schema, schema_issues

BASE: dict[str, Any] = {
    "environment": "dev",
    "clusters": [
        {
            "name": "train",
            "cloud": "gcp",
            "region": "us-central1",
            "zone": "us-central1-a",
            "gpuPools": [{"name": "h100", "accelerator": "H100-80GB", "acceleratorsPerNode": 8, "maxNodes": 2}],
        }
    ],
}


def with_change(path: list[str | int], value: Any) -> dict[str, Any]:
    doc = copy.deepcopy(BASE)
    target: Any = doc
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value
    return doc


def only(issues: list[SpecIssue]) -> SpecIssue:
    assert len(issues) == 1, [i.format() for i in issues]
    return issues[0]


def test_schema_is_valid_draft_2020_12() -> None:
    jsonschema.Draft202012Validator.check_schema(fleet_schema())


def test_every_property_has_a_description() -> None:
    missing: list[str] = []

    def walk(node: Any, where: str) -> None:
        if isinstance(node, dict):
            for key, sub in node.get("properties", {}).items():
                if "description" not in sub and "$ref" not in sub:
                    missing.append(f"{where}.{key}")
                walk(sub, f"{where}.{key}")
            for key, sub in node.get("$defs", {}).items():
                walk(sub, f"$defs.{key}")
            if "items" in node:
                walk(node["items"], f"{where}[]")

    walk(fleet_schema(), "")
    assert missing == []


def test_objects_forbid_additional_properties() -> None:
    loose: list[str] = []

    def walk(node: Any, where: str) -> None:
        if isinstance(node, dict):
            if node.get("type") == "object" and "properties" in node and node.get("additionalProperties") is not False:
                loose.append(where)
            for key, sub in node.items():
                if isinstance(sub, dict | list):
                    walk(sub, f"{where}/{key}")
        elif isinstance(node, list):
            for i, sub in enumerate(node):
                walk(sub, f"{where}/{i}")

    walk(fleet_schema(), "#")
    assert loose == []


def test_base_document_is_valid() -> None:
    assert schema_issues(BASE) == []


def test_unknown_key_suggests_the_closest() -> None:
    doc = copy.deepcopy(BASE)
    doc["clusters"][0]["gpuPools"][0]["maxNode"] = 4
    issue = only(schema_issues(doc))
    assert issue.path == "clusters[0].gpuPools[0].maxNode"
    assert issue.message == "unknown key 'maxNode'"
    assert issue.hint is not None and issue.hint.startswith("did you mean 'maxNodes'?")


def test_enum_value_suggests_the_closest() -> None:
    issue = only(schema_issues(with_change(["clusters", 0, "gpuPools", 0, "capacity"], "spott")))
    assert issue.path == "clusters[0].gpuPools[0].capacity"
    assert issue.message == 'the string "spott" is not allowed here'
    assert issue.hint == "did you mean 'spot'? allowed: on-demand, spot, reserved"


def test_cloud_enum() -> None:
    issue = only(schema_issues(with_change(["clusters", 0, "cloud"], "gce")))
    assert issue.path == "clusters[0].cloud"
    assert "allowed: gcp, azure, aws" in (issue.hint or "")


def test_wrong_type_names_expected_and_actual() -> None:
    issue = only(schema_issues(with_change(["clusters", 0, "gpuPools", 0, "maxNodes"], "four")))
    assert issue.path == "clusters[0].gpuPools[0].maxNodes"
    assert issue.message == 'expected a whole number, got the string "four"'


def test_floats_are_rejected_where_integers_belong() -> None:
    issue = only(schema_issues(with_change(["clusters", 0, "gpuPools", 0, "maxNodes"], 2.5)))
    assert issue.message == "expected a whole number, got the number 2.5"


def test_missing_required_key() -> None:
    doc = copy.deepcopy(BASE)
    del doc["clusters"][0]["region"]
    issue = only(schema_issues(doc))
    assert issue.path == "clusters[0].region"
    assert issue.message == "missing required key 'region'"


def test_minimum() -> None:
    issue = only(schema_issues(with_change(["clusters", 0, "gpuPools", 0, "minNodes"], -1)))
    assert issue.path == "clusters[0].gpuPools[0].minNodes"
    assert issue.message == "must be at least 0, got -1"


def test_name_pattern_explains_the_rule() -> None:
    issue = only(schema_issues(with_change(["clusters", 0, "name"], "Train_1")))
    assert issue.path == "clusters[0].name"
    assert issue.message.startswith('the string "Train_1" is not valid: A DNS-label name')


def test_version_and_existing_cluster_are_exclusive() -> None:
    issue = only(schema_issues(with_change(["clusters", 0, "kubernetes"], {"version": "1.31", "existingCluster": "x"})))
    assert issue.path == "clusters[0].kubernetes"
    assert "not both" in issue.message


def test_empty_clusters() -> None:
    issue = only(schema_issues(with_change(["clusters"], [])))
    assert issue.path == "clusters"
    assert issue.message == "must list at least 1 item"


def test_root_must_be_a_mapping() -> None:
    issue = only(schema_issues(["clusters"]))
    assert issue.path == ""
    assert "must be a mapping" in issue.message


def test_every_error_is_reported_at_once() -> None:
    doc = copy.deepcopy(BASE)
    pool = doc["clusters"][0]["gpuPools"][0]
    pool["maxNode"] = 4
    pool["capacity"] = "cheap"
    doc["clusters"][0]["cloud"] = "oracle"
    paths = sorted(i.path for i in schema_issues(doc))
    assert paths == ["clusters[0].cloud", "clusters[0].gpuPools[0].capacity", "clusters[0].gpuPools[0].maxNode"]


def test_label_values_are_checked() -> None:
    issue = only(schema_issues(with_change(["labels"], {"team": "Research Team"})))
    assert issue.path == "labels.team"


@pytest.mark.parametrize(
    ("definition", "model", "skip"),
    [
        ("gpuPool", GpuPool(name="x", accelerator="L4", path=""), {"name", "accelerator"}),
        ("tpuSlice", TpuSlice(name="x", version="v5e", topology="1x1", path=""), {"name", "version", "topology"}),
        ("storage", Storage(name="x", kind="nfs", capacity_gib=1, path=""), {"name", "kind", "capacityGiB"}),
    ],
)
def test_model_defaults_equal_schema_defaults(definition: str, model: Any, skip: set[str]) -> None:
    props = fleet_schema()["$defs"][definition]["properties"]
    for key, prop in props.items():
        if key in skip or "default" not in prop:
            continue
        special = {
            "throughputMBpsPerTiB": "throughput_mbps_per_tib",
            "throughputMBps": "throughput_mbps",
            "diskSizeGiB": "disk_size_gib",
        }
        attr = special.get(key) or "".join("_" + c.lower() if c.isupper() else c for c in key)
        value = getattr(model, attr)
        assert (dict(value) if key == "labels" else value) == prop["default"], key


def test_cluster_level_defaults_equal_schema_defaults() -> None:
    cluster = fleet_schema()["$defs"]["cluster"]["properties"]
    assert Network().cidr == cluster["network"]["properties"]["cidr"]["default"]
    assert Network().fabric == cluster["network"]["properties"]["fabric"]["default"]
    assert Kubernetes().release_channel == cluster["kubernetes"]["properties"]["releaseChannel"]["default"]
    assert SystemPool().nodes == cluster["systemPool"]["properties"]["nodes"]["default"]
    assert AuditLogs().retention_days == cluster["auditLogs"]["properties"]["retentionDays"]["default"]
    assert Encryption().at_host is cluster["encryption"]["properties"]["atHost"]["default"]
    assert list(Access().authorized_cidrs) == cluster["access"]["properties"]["authorizedCidrs"]["default"]
    assert Budget() == Budget(None, None)
    assert fleet_schema()["properties"]["environment"]["default"] == "dev"


def test_non_string_keys() -> None:
    doc = copy.deepcopy(BASE)
    doc["labels"] = {1: "x"}
    issue = only(schema_issues(doc))
    assert issue.path == "labels.1"
    assert issue.message == "key 1 is an int, not a string"


def test_spec_reference_doc_is_current() -> None:
    from pathlib import Path

    from components.spec.reference import render

    doc = Path(__file__).resolve().parents[3] / "docs" / "spec-reference.md"
    assert doc.read_text(encoding="utf-8") == render(), (
        "docs/spec-reference.md is stale: python -m components.spec.reference > docs/spec-reference.md"
    )
