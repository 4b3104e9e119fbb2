"""No rendered Kubernetes object carries a shape the schemas accept and the API server rejects
(an empty ``nodeSelectorTerms``, an ``In`` with no values, ...), across every test fleet and
every add-on switch; and an add-on ``enabled`` with no pool to serve renders nothing while
``validate`` says so at ``clusters[i].addons.<name>``: renderer and validator agree."""

from __future__ import annotations

import copy
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from components.addons import objects as o
from components.addons import smoketest
from components.addons.plan import RULES, addon_plan, pool_targets, summary
from components.catalog import get_catalog
from components.mockengine import Capture
from components.spec import check_document
from components.spec.model import ADDON_FIELDS
from components.spec.resolved import ResolvedCluster
from tests.components.addons.helpers import SPECS, cluster, k8s, run
from tests.support import k8s_shapes
from tests.support.specs import GCP_TRAIN

ROOT = Path(__file__).resolve().parents[3]
CAT = get_catalog()

# Clusters that leave pool-bound add-ons with nothing to serve.
SPARSE: dict[str, dict[str, Any]] = {
    "gcp-plain": {
        "clusters": [
            cluster(
                "gcp",
                [{"name": "l4", "accelerator": "L4", "acceleratorsPerNode": 1, "maxNodes": 2}],
                tpuSlices=[{"name": "v5p", "version": "v5p", "topology": "2x2x4"}],
            )
        ]
    },
    "gcp-tpu-only": {
        "clusters": [cluster("gcp", [], tpuSlices=[{"name": "v5p", "version": "v5p", "topology": "2x2x4"}])]
    },
    "aws-driverless": {
        "clusters": [
            cluster(
                "aws",
                [{"name": "l4", "accelerator": "L4", "acceleratorsPerNode": 1, "maxNodes": 2, "gpuDriver": "none"}],
            )
        ]
    },
    "aws-trainium-only": {"clusters": [cluster("aws", [{"name": "trn", "accelerator": "Trainium", "maxNodes": 2}])]},
    "azure-managed-driver-only": {
        "clusters": [
            cluster("azure", [{"name": "nca100", "accelerator": "A100-80GB", "acceleratorsPerNode": 1, "maxNodes": 2}])
        ]
    },
    "azure-ib-only": {"clusters": [cluster("azure", [{"name": "ndh100", "accelerator": "H100-80GB", "maxNodes": 2}])]},
}


def _stack_fleets() -> dict[str, Any]:
    out = {}
    for path in sorted((ROOT / "stacks").glob("Pulumi.*.yaml")):
        config = yaml.safe_load(path.read_text("utf-8")).get("config") or {}
        if "aiinfra:fleet" in config:
            out[path.name] = config["aiinfra:fleet"]
    return out


def _all_enabled(doc: dict[str, Any]) -> dict[str, Any]:
    """``doc`` with every add-on ``enabled`` that its cluster's cloud lets one enable."""
    doc = copy.deepcopy(doc)
    for c in doc["clusters"]:
        addons = CAT.addons.addons
        c["addons"] = {n: "enabled" for n in ADDON_FIELDS if c["cloud"] in addons[n].clouds}
    return doc


FLEETS: dict[str, dict[str, Any]] = {
    **{f"addons:{k}": v for k, v in SPECS.items()},
    **{f"sparse:{k}": v for k, v in SPARSE.items()},
    **{f"stack:{k}": v for k, v in _stack_fleets().items()},
    "specs:GCP_TRAIN": GCP_TRAIN,
}
FLEETS |= {f"{k}+enabled": _all_enabled(v) for k, v in list(FLEETS.items())}


def _clusters(name: str) -> Iterator[tuple[int, ResolvedCluster, list[Any]]]:
    fleet, issues = check_document(copy.deepcopy(FLEETS[name]))
    errors = [i.format() for i in issues if i.severity == "error"]
    assert fleet is not None and not errors, errors
    for i, c in enumerate(fleet.clusters):
        yield i, c, [x for x in issues if x.path.startswith(f"clusters[{i}].addons.")]


def _rendered(c: ResolvedCluster) -> Iterator[tuple[str, Any]]:
    """(label, object or Helm values) of every item the cluster's add-ons render, plus the
    smoke-test objects of each pool the smoke test can run on."""
    for item in o.render(c):
        if isinstance(item, o.HelmItem):
            yield f"helm {item.name} values", item.values
        elif isinstance(item, o.ObjectItem):
            yield f"{item.kind} {item.name}", item.obj
    if addon_plan(c)["jobset"].on:
        for t in pool_targets(c):
            if t.kind == "gpu" and t.vendor == "nvidia" and t.max_nodes >= 2:
                docs, _, _ = smoketest.render(c, t.name, 2)
                yield from ((f"smoke-test {t.name} {d['kind']}", d) for d in docs)


@pytest.mark.parametrize(
    ("shape", "expect"),
    [
        ({"nodeSelectorTerms": []}, "no terms"),
        ({"nodeSelectorTerms": [{"matchExpressions": []}]}, "no requirement"),
        ({"nodeSelectorTerms": [{"matchExpressions": [{"key": "a", "operator": "In", "values": []}]}]}, "no values"),
        ({"nodeSelectorTerms": [{"matchFields": [{"key": "a", "operator": "NotIn"}]}]}, "NotIn with no values"),
        ({"nodeSelectorTerms": [{"matchExpressions": [{"key": "a", "operator": "Gt", "values": ["x"]}]}]}, "integer"),
        ({"selector": {"matchExpressions": [{"key": "a", "operator": "Exists", "values": ["b"]}]}}, "Exists with"),
        ({"selector": {"matchExpressions": [{"key": "a", "operator": "Gt", "values": ["1"]}]}}, "unknown operator"),
        ({"tolerations": [{"key": "a", "operator": "Exists", "value": "b"}]}, "Exists with value"),
        ({"tolerations": [{"value": "b", "effect": "NoSchedule"}]}, "needs a key"),
        ({"tolerations": [{"key": "a", "value": "b", "effect": "NoSchedul"}]}, "unknown effect"),
        ({"values": {"neuronInstances": []}}, "node-affinity In list"),
        ({"kind": "DaemonSet", "spec": {"selector": {}, "template": {}}}, "empty"),
        (
            {"kind": "DaemonSet", "spec": {"selector": {"matchLabels": {"a": "1"}}, "template": {"metadata": {}}}},
            "does not select",
        ),
    ],
)
def test_the_walker_finds_each_invalid_shape(shape: dict[str, Any], expect: str) -> None:
    found = k8s_shapes.problems({"spec": {"template": {"spec": {"affinity": {"nodeAffinity": shape}}}}}) + (
        k8s_shapes.problems(shape)
    )
    assert any(expect in p for p in found), found


def test_the_walker_passes_valid_shapes() -> None:
    good = {
        "kind": "DaemonSet",
        "spec": {
            "selector": {"matchLabels": {"app": "x"}},
            "template": {
                "metadata": {"labels": {"app": "x", "more": "y"}},
                "spec": {
                    "affinity": {
                        "nodeAffinity": {
                            "requiredDuringSchedulingIgnoredDuringExecution": {
                                "nodeSelectorTerms": [
                                    {"matchExpressions": [{"key": "p", "operator": "In", "values": ["a"]}]}
                                ]
                            },
                            "preferredDuringSchedulingIgnoredDuringExecution": [
                                {
                                    "weight": 1,
                                    "preference": {
                                        "matchExpressions": [{"key": "n", "operator": "Gt", "values": ["3"]}]
                                    },
                                }
                            ],
                        }
                    },
                    "tolerations": [
                        {"operator": "Exists"},
                        {"key": "g", "operator": "Equal", "value": "p", "effect": "NoSchedule"},
                    ],
                },
            },
        },
    }
    assert k8s_shapes.problems(good) == []


@pytest.mark.parametrize("name", sorted(FLEETS))
def test_no_rendered_object_of_any_fleet_has_an_invalid_shape(name: str) -> None:
    found = []
    count = 0
    for i, c, _ in _clusters(name):
        for label, node in _rendered(c):
            count += 1
            found += [f"clusters[{i}] {label}: {p}" for p in k8s_shapes.problems(node)]
    assert count, "every fleet renders something"
    assert not found, "\n".join(found)


@pytest.mark.parametrize("spec", sorted(SPECS))
def test_no_captured_kubernetes_resource_has_an_invalid_shape(spec: str) -> None:
    """What the component hands the engine, not only what the pure functions return."""
    found = [f"{r.name}: {p}" for r in k8s(run(spec)) for p in k8s_shapes.problems(r.inputs)]
    assert not found, "\n".join(found)


def _enabled_without_need(name: str) -> Iterator[tuple[int, ResolvedCluster, str, list[Any]]]:
    for i, c, issues in _clusters(name):
        for addon, d in addon_plan(c).items():
            if d.mode == "enabled" and not d.serves and c.cloud in d.addon.clouds:
                yield i, c, addon, [x for x in issues if x.path == f"clusters[{i}].addons.{addon}"]


@pytest.mark.parametrize("name", sorted(k for k in FLEETS if k.endswith("+enabled")))
def test_renderer_and_validator_agree_on_an_addon_enabled_with_nothing_to_serve(name: str) -> None:
    seen = 0
    for _, c, addon, issues in _enabled_without_need(name):
        seen += 1
        rule = RULES[addon]
        (issue,) = issues
        assert issue.severity == "warning"
        assert rule.wants in issue.message and f"{addon}: auto" in (issue.hint or "")
        items = [x for x in o.render(c) if x.addon == addon]
        row = next(r for r in summary(c) if r["name"] == addon)
        if rule.pool_bound:
            assert "so nothing is installed" in issue.message
            assert items == [] and row["on"] is False, (addon, items)
            assert "nothing to install" in row["reason"]
        else:
            assert "it is installed anyway" in issue.message
            assert row["on"] is True
            if CAT.addons.addons[addon].install_on(c.cloud) is not None:
                assert items, addon
    if name.startswith("sparse:"):
        assert seen, "the sparse fleets leave add-ons with nothing to serve"


def test_every_pool_bound_addon_is_left_with_nothing_to_serve_by_some_sparse_fleet() -> None:
    """So the agreement test above covers each of them on a cloud that runs it."""
    covered = {
        addon
        for k in FLEETS
        if k.startswith("sparse:") and k.endswith("+enabled")
        for _, _, addon, _ in _enabled_without_need(k)
    }
    bound = {n for n, r in RULES.items() if r.pool_bound}
    assert bound <= covered, sorted(bound - covered)


@pytest.mark.parametrize(
    ("spec", "names"),
    [
        ("aws-accelerated", ("neuronDevicePlugin", "gpuOperator")),
        ("azure-managed-driver", ("networkOperator", "gpuOperator")),
    ],
)
def test_on_the_mock_engine_a_pool_bound_addon_with_nothing_to_serve_creates_nothing(
    spec: str, names: tuple[str, ...]
) -> None:
    cloud = SPECS[spec]["clusters"][0]["cloud"]
    charts = {CAT.addons.addons[n].install_on(cloud).chart for n in names}  # type: ignore[union-attr]

    def created(capture: Capture) -> set[str]:
        return {r.inputs["chart"].rsplit("/", 1)[-1] for r in k8s(capture, "Release")} | {
            r.inputs["kind"] for r in k8s(capture, "CustomResource") if "kind" in r.inputs
        }

    enabled = created(run(spec, tuple((n, "enabled") for n in names)))
    assert enabled and not (charts & enabled) and "NicClusterPolicy" not in enabled, enabled
    assert enabled == created(run(spec)), "the same resources as with the add-ons on auto"


def test_the_docs_auto_column_is_the_rules_wording() -> None:
    text = (ROOT / "docs" / "addons.md").read_text("utf-8")
    for name, rule in RULES.items():
        row = next(line for line in text.splitlines() if line.startswith(f"| `{name}` |"))
        assert row.rstrip(" |").rsplit("|", 1)[1].strip().replace("`", "") == rule.wants, name


def test_the_docs_name_exactly_the_pool_bound_addons() -> None:
    text = " ".join((ROOT / "docs" / "addons.md").read_text("utf-8").split())
    listed = text.split("The add-ons whose pods run only on the pools they serve (", 1)[1].split(")", 1)[0]
    assert set(re.findall(r"`(\w+)`", listed)) == {n for n, r in RULES.items() if r.pool_bound}
