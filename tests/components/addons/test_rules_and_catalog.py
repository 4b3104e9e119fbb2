"""``clusters[].addons`` validation (errors with spec paths, warnings) and the add-on catalog's pins."""

from __future__ import annotations

import copy
import re
from typing import Any

import pytest

from components.addons.plan import addon_plan
from components.catalog import get_catalog
from components.spec import check_document
from components.spec.errors import SpecIssue
from components.spec.model import ADDON_FIELDS
from tests.components.addons.helpers import SPECS, resolved
from tests.support.crds import crd_files

CAT = get_catalog()


def issues(spec: str, addons: dict[str, Any]) -> list[tuple[str, str, str]]:
    doc = copy.deepcopy(SPECS[spec])
    doc["clusters"][0]["addons"] = addons
    _, found = check_document(doc)
    return [(i.severity, i.path, i.message) for i in found]


@pytest.mark.parametrize(
    ("spec", "addon", "message"),
    [
        ("gcp-tcpx", "efaDevicePlugin", r"EFA Kubernetes device plugin does not run on gcp \(it is for aws\)"),
        ("gcp-tcpx", "networkOperator", r"does not run on gcp"),
        ("aws-efa", "gpuDirect", r"GKE GPUDirect .* does not run on aws"),
        ("azure-ib", "neuronDevicePlugin", r"does not run on azure"),
        ("gcp-tcpx", "nvidiaDevicePlugin", r"GKE installs the NVIDIA device plugin"),
        ("gcp-tcpx", "gpuOperator", r"GKE installs and upgrades the NVIDIA driver"),
    ],
)
def test_an_addon_that_makes_no_sense_on_the_cloud_is_an_error_at_its_path(spec: str, addon: str, message: str) -> None:
    found = issues(spec, {addon: "enabled"})
    errors = [(p, m) for sev, p, m in found if sev == "error"]
    assert len(errors) == 1, found
    assert errors[0][0] == f"clusters[0].addons.{addon}"
    assert re.search(message, errors[0][1])


def test_device_plugin_and_gpu_operator_together_serve_disjoint_pools_without_complaint() -> None:
    assert issues("azure-ib", {}) == []
    plan = addon_plan(resolved("azure-ib").clusters[0])
    assert plan["nvidiaDevicePlugin"].on and plan["gpuOperator"].on
    assert plan["nvidiaDevicePlugin"].serves == ("nca100",) and plan["gpuOperator"].serves == ("ndh100",)


@pytest.mark.parametrize(
    ("namespaces", "index", "message"),
    [
        (["default", "Team_A"], 1, r'"Team_A" is not valid: A Kubernetes namespace name \(a DNS-1123 label\)'),
        (["team-a", "x" * 64], 1, "at most 63 characters"),
        (["team-a", "team-a"], None, '"team-a" more than once'),
        ([], None, "at least 1 item"),
        (["kube-team"], 0, "reserves the kube- prefix"),
        (["ml", "kueue-system"], 1, "'kueue-system' is where ai-infra runs Kueue"),
        (["aiinfra-monitoring"], 0, "the GPU metrics exporters"),
    ],
)
def test_bad_workload_namespaces_are_errors_at_their_path(
    namespaces: list[str], index: int | None, message: str
) -> None:
    found = [(p, m) for sev, p, m in issues("gcp-rdma", {"workloadNamespaces": namespaces}) if sev == "error"]
    path = "clusters[0].addons.workloadNamespaces" + (f"[{index}]" if index is not None else "")
    assert any(p == path and re.search(message, m) for p, m in found), found


def test_system_namespaces_are_accepted_and_unused_ones_warn() -> None:
    assert issues("gcp-rdma", {"workloadNamespaces": ["kube-system", "team-a"]}) == []
    found = issues(
        "aws-accelerated",
        {"workloadNamespaces": ["team-a"], "kueue": "disabled"},
    )
    assert [(s, p) for s, p, _ in found] == [
        ("warning", "clusters[0].addons.kueue"),
        ("warning", "clusters[0].addons.workloadNamespaces"),
    ]


def test_enabled_without_need_and_disabled_with_need_are_warnings() -> None:
    found = issues("aws-accelerated", {"neuronDevicePlugin": "enabled", "efaDevicePlugin": "disabled"})
    assert {(s, p) for s, p, _ in found} == {
        ("warning", "clusters[0].addons.neuronDevicePlugin"),
        ("warning", "clusters[0].addons.efaDevicePlugin"),
    }
    efa = next(m for _, p, m in found if p.endswith("efaDevicePlugin"))
    assert "p5" in efa and "vpc.amazonaws.com/efa" in efa


def test_unknown_mode_is_a_schema_error_with_a_hint() -> None:
    found = issues("gcp-tcpx", {"kueue": "enabeld"})
    assert found[0][1] == "clusters[0].addons.kueue" and "enabeld" in found[0][2]
    assert any("enabled" in (i.hint or "") for i in check_document_issues("gcp-tcpx", {"kueue": "enabeld"}))


@pytest.mark.parametrize("spec", sorted(SPECS))
def test_every_example_spec_is_valid_with_addons_on_by_default(spec: str) -> None:
    plan = addon_plan(resolved(spec).clusters[0])
    assert plan["kueue"].on and plan["jobset"].on
    assert set(plan) == set(ADDON_FIELDS)


def test_every_install_is_pinned_and_every_manifest_url_names_a_commit_or_tag() -> None:
    for addon in CAT.addons.addons.values():
        assert addon.source.startswith("https://") and re.fullmatch(r"\d{4}-\d{2}-\d{2}", addon.as_of)
        for install in addon.installs:
            if install.kind in ("helm", "eks-addon"):
                assert install.version and install.version not in ("latest", "*"), addon.name
            for mid in install.manifests:
                assert mid in CAT.addons.manifests
    for manifest in CAT.addons.manifests.values():
        for url in manifest.urls:
            assert re.search(r"/(v\d[^/]*|[0-9a-f]{40})/", url), url


def test_every_custom_kind_we_create_has_a_vendored_schema_pinned_with_its_addon() -> None:
    vendored = crd_files()
    for addon in CAT.addons.addons.values():
        for crd in addon.crds:
            group_version, kind = crd.rsplit("/", 1)
            rec = vendored[(group_version, kind)]
            assert rec["addon"] == addon.name
            install = addon.install_on("gcp") or addon.install_on("azure") or addon.install_on("aws")
            if install is not None and install.kind == "helm":
                assert rec["addonVersion"] == install.version, crd


def test_every_fabric_with_an_addon_names_a_real_one() -> None:
    for fabric in CAT.fabrics.values():
        if fabric.kind != "none":
            assert fabric.addon in CAT.addons.addons, fabric.kind


def check_document_issues(spec: str, addons: dict[str, str]) -> list[SpecIssue]:
    doc = copy.deepcopy(SPECS[spec])
    doc["clusters"][0]["addons"] = addons
    return check_document(doc)[1]
