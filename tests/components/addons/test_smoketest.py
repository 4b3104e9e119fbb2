"""``aiinfra smoke-test``: a JobSet per fabric kind, checked against the pool, the fabric's
devices and networks, and the catalog's expected bus bandwidth."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from components.addons import smoketest
from components.catalog import get_catalog
from components.cli import main
from components.gcp import translate as gcp
from tests.components.addons.helpers import SPECS, pool_taints, resolved, run
from tests.support.terminal import broken, parted, too_wide, words

CAT = get_catalog()

CASES = [
    ("gcp-tcpx", "a3high", "gpudirect-tcpx"),
    ("gcp-tcpxo", "a3mega", "gpudirect-tcpxo"),
    ("gcp-rdma", "a3ultra", "gpudirect-rdma"),
    ("aws-efa", "p5", "efa"),
    ("azure-ib", "ndh100", "infiniband"),
    ("azure-ib", "nca100", "none"),
]


def _spec_file(tmp_path: Path, spec: str) -> Path:
    path = tmp_path / f"{spec}.yaml"
    path.write_text(yaml.safe_dump(SPECS[spec]))
    return path


@pytest.mark.parametrize(("spec", "pool", "fabric"), CASES)
def test_jobset_per_fabric(spec: str, pool: str, fabric: str) -> None:
    cluster = resolved(spec).clusters[0]
    nodes = 2
    docs, expect, recipe = smoketest.render(cluster, pool, nodes)
    jobset = docs[-1]
    assert jobset["kind"] == "JobSet" and recipe.fabric == fabric
    job = jobset["spec"]["replicatedJobs"][0]["template"]["spec"]
    assert job["parallelism"] == job["completions"] == nodes and job["completionMode"] == "Indexed"
    pod = job["template"]["spec"]
    assert pod["nodeSelector"] == {"aiinfra-pool": pool}
    tolerated = {(t["key"], t["value"], t["effect"]) for t in pod["tolerations"]}
    assert pool_taints(run(spec))[pool] <= tolerated
    test = pod["containers"][0]
    limits = test["resources"]["limits"]
    offer = next(p.offer for p in cluster.pools if p.name == pool)
    assert limits["nvidia.com/gpu"] == str(offer.accelerators_per_node)
    assert test["image"] == recipe.image
    script = test["command"][-1]
    assert ("all_reduce" in script) and (recipe.run is not None or recipe.binary in script)
    assert jobset["metadata"]["labels"] == {"kueue.x-k8s.io/queue-name": pool}
    if fabric == "efa":
        assert limits["vpc.amazonaws.com/efa"] == str(offer.fabric.efa_interfaces)
        assert "-x FI_PROVIDER=efa" in script
    if fabric == "infiniband":
        assert limits["rdma/shared_ib"] == "1"
        assert "IPC_LOCK" in test["securityContext"]["capabilities"]["add"]
    if fabric.startswith("gpudirect"):
        annotations = job["template"]["metadata"]["annotations"]
        interfaces = json.loads(annotations["networking.gke.io/interfaces"])
        networks = {n["network"] for n in interfaces} - {"default"}
        plan = gcp.network_plan(cluster)
        objects = {d["metadata"]["name"] for d in gcp.fabric_manifests(cluster, plan) if d["kind"] == "Network"}
        assert networks <= objects and len(networks) == len(plan.pool_interfaces[pool])
    if fabric == "gpudirect-tcpxo":
        assert [c["name"] for c in pod["containers"]] == ["nccl-test", "tcpxo-daemon"]
    if recipe.own_ssh_keys:
        assert len(docs) == 1
    else:
        (secret,) = docs[:-1]
        assert secret["kind"] == "Secret" and secret["stringData"]["authorized_keys"].startswith("ssh-ed25519 ")
    if fabric == "none":
        assert expect is None
    else:
        assert expect is not None and expect.machine_type == offer.machine_type and expect.bus_bw_gbps > 0


@pytest.mark.parametrize(("spec", "pool", "fabric"), CASES[:5])
def test_command_prints_yaml_and_the_expected_bandwidth_with_its_source(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], spec: str, pool: str, fabric: str
) -> None:
    path = _spec_file(tmp_path, spec)
    cluster = resolved(spec).clusters[0]
    assert main(["smoke-test", str(path), "--cluster", cluster.name, "--pool", pool, "--nodes", "2"]) == 0
    out, err = capsys.readouterr()
    docs = list(yaml.safe_load_all(out))
    assert docs[-1]["kind"] == "JobSet"
    expect = smoketest.expected_bus_bandwidth(cluster, pool)
    assert expect is not None
    err = words(err)  # wrapped to the terminal: compare the words
    assert f"at least {expect.bus_bw_gbps:g} GB/s" in err and expect.source in err
    comments = words(" ".join(line[1:] for line in out.splitlines() if line.startswith("#")))
    assert f"source: {expect.source}" in comments


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--cluster", "nope", "--pool", "a3high"], "--cluster nope: no such cluster"),
        (["--cluster", "c-gcp", "--pool", "nope"], "--pool nope: no NVIDIA GPU pool"),
        (["--cluster", "c-gcp", "--pool", "a3high", "--nodes", "9"], "--nodes 9: pool a3high holds at most 4"),
        (["--cluster", "c-gcp", "--pool", "a3high", "--nodes", "1"], "at least 2"),
        (
            ["--cluster", "c-gcp", "--pool", "a3high", "--namespace", "ml"],
            "--namespace ml: cluster c-gcp has no LocalQueue",
        ),
        (["--cluster", "c-gcp", "--pool", "a3high", "--namespace", "Team_A"], "not a Kubernetes namespace name"),
    ],
)
def test_bad_requests_exit_2_with_the_flag_named(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], args: list[str], message: str
) -> None:
    path = _spec_file(tmp_path, "gcp-tcpx")
    assert main(["smoke-test", str(path), *args]) == 2
    assert message in words(capsys.readouterr().err)


def test_trainium_pools_are_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = _spec_file(tmp_path, "aws-efa")
    assert main(["smoke-test", str(path), "--cluster", "c-aws", "--pool", "trn"]) == 2
    assert "NVIDIA" in capsys.readouterr().err


def test_expectation_is_measured_where_published_else_the_line_rate_ratio() -> None:
    azure = resolved("azure-ib").clusters[0]
    measured = smoketest.expected_bus_bandwidth(azure, "ndh100")
    assert measured is not None and measured.verified and measured.bus_bw_gbps == 180
    gcp_cluster = resolved("gcp-tcpxo").clusters[0]
    estimate = smoketest.expected_bus_bandwidth(gcp_cluster, "a3mega")
    offer = gcp_cluster.pools[0].offer
    fabric = CAT.fabric_gbps(offer)
    assert estimate is not None and fabric is not None and not estimate.verified
    assert estimate.bus_bw_gbps == round(CAT.addons.line_rate_ratio * fabric.gbps / 8, 1)
    assert estimate.source == fabric.source


def test_the_jobset_runs_in_the_chosen_workload_namespace(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    doc = json.loads(json.dumps(SPECS["azure-ib"]))
    doc["clusters"][0]["addons"] = {"workloadNamespaces": ["team-a", "team-b"]}
    path = tmp_path / "teams.yaml"
    path.write_text(yaml.safe_dump(doc))
    base = ["smoke-test", str(path), "--cluster", "c-azure", "--pool", "nca100"]
    for extra, namespace in (([], "team-a"), (["--namespace", "team-b"], "team-b")):
        assert main([*base, *extra]) == 0
        docs = list(yaml.safe_load_all(capsys.readouterr().out))
        assert {d["metadata"]["namespace"] for d in docs} == {namespace}  # the key Secret too
        assert docs[-1]["metadata"]["labels"] == {"kueue.x-k8s.io/queue-name": "nca100"}
    assert main([*base, "--namespace", "default"]) == 2
    assert "workloadNamespaces: team-a, team-b" in capsys.readouterr().err


def test_without_kueue_any_namespace_will_do() -> None:
    cluster = resolved("gcp-tcpx", {"kueue": "disabled"}).clusters[0]
    docs, _, _ = smoketest.render(cluster, "a3high", 2, "scratch")
    assert docs[-1]["metadata"] == {"name": smoketest.NAME, "namespace": "scratch", "labels": {}}


@pytest.mark.parametrize("columns", [80, 132])
@pytest.mark.parametrize(("spec", "pool", "fabric"), CASES)
def test_the_expectation_fits_the_terminal_with_names_and_urls_whole(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    spec: str,
    pool: str,
    fabric: str,
    columns: int,
) -> None:
    # it printed each line whole on stderr and in the comments, up to 273 wide
    monkeypatch.setenv("COLUMNS", str(columns))
    path = _spec_file(tmp_path, spec)
    cluster = resolved(spec).clusters[0]
    assert main(["smoke-test", str(path), "--cluster", cluster.name, "--pool", pool]) == 0
    out, err = capsys.readouterr()
    comments = "\n".join(line for line in out.splitlines() if line.startswith("#"))
    machine = next(p.offer.machine_type for p in cluster.pools if p.name == pool)
    expect = smoketest.expected_bus_bandwidth(cluster, pool)
    urls = [expect.source] if expect is not None and fabric != "none" else []
    for text in (err, comments):
        assert too_wide(text, columns) == [], text
        assert parted(text) == [], text  # a number goes with its unit: "8" / "GPUs" never
        assert broken(text, [machine, fabric, *urls]) == [], text
    assert words(comments.replace("\n#", "\n")[1:]) == words(err)  # the same text in both
    assert list(yaml.safe_load_all(out))[-1]["kind"] == "JobSet"  # the comments keep the YAML valid


def test_an_invalid_file_is_reported_as_validate_does(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # it printed the file twice on each line ("f.yaml: f.yaml:6: error: ...") and no summary
    doc = json.loads(json.dumps(SPECS["gcp-tcpx"]))
    doc["clusters"][0]["gpuPools"][0]["maxNode"] = 3
    path = tmp_path / "f.yaml"
    path.write_text(yaml.safe_dump(doc))
    assert main(["smoke-test", str(path), "--cluster", "c-gcp", "--pool", "a3high"]) == 2
    smoke = capsys.readouterr().err
    assert main(["validate", str(path)]) == 2
    assert smoke == capsys.readouterr().err
    assert f"{path}: {path}" not in smoke and f"{path}: invalid: 1 error" in words(smoke)


def test_a_tpu_slice_is_named_as_one(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # it said "no NVIDIA GPU pool of that name" of the slice the spec names
    root = Path(__file__).resolve().parents[3]
    stack = str(root / "stacks/Pulumi.gcp-train.yaml")
    assert main(["smoke-test", stack, "--cluster", "train", "--pool", "v5p"]) == 2
    err = words(capsys.readouterr().err)
    assert "--pool v5p: v5p is a TPU slice of cluster train; nccl-tests runs on NVIDIA GPU pools (h100)" in err


def test_errors_name_the_clusters_spec_path_by_index(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # it wrote clusters[].addons.workloadNamespaces (and clusters[c-gcp].addons.jobset)
    doc = json.loads(json.dumps(SPECS["gcp-tcpx"]))
    other = json.loads(json.dumps(doc["clusters"][0]))
    other["name"], other["network"] = "second", {**other.get("network", {}), "cidr": "10.99.0.0/16"}
    other["addons"] = {"jobset": "disabled"}
    doc["clusters"].append(other)
    path = tmp_path / "two.yaml"
    path.write_text(yaml.safe_dump(doc))
    base = ["smoke-test", str(path), "--pool", "a3high"]
    assert main([*base, "--cluster", "c-gcp", "--namespace", "ml"]) == 2
    assert "(clusters[0].addons.workloadNamespaces: default)" in words(capsys.readouterr().err)
    assert main([*base, "--cluster", "second"]) == 2
    assert "clusters[1].addons.jobset is disabled" in words(capsys.readouterr().err)
