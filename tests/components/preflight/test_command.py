"""The ``aiinfra preflight`` command: spec errors, filters, exit codes, renderers, registry."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from components.cli import build_parser, main
from components.preflight import command
from components.preflight.model import Checker, CheckResult, CredentialsError, PreflightOptions
from components.preflight.registry import CHECKERS
from components.spec.command import validate_file
from components.spec.resolved import ResolvedCluster
from components.terminal import terminal_width
from tests.components.preflight.conftest import write_spec

REPO = Path(__file__).resolve().parents[3]


class StubChecker:
    """Any object with ``cloud`` and ``checks(cluster)`` is a checker: the command needs no more."""

    def __init__(self, cloud: str, status: str = "ok", creds: bool = True) -> None:
        self.cloud = cloud
        self.status = status
        self.creds = creds
        self.seen: list[str] = []

    def checks(self, cluster: ResolvedCluster) -> list[CheckResult]:
        if not self.creds:
            raise CredentialsError(self.cloud, "no credentials", "log in")
        self.seen.append(cluster.name)
        return [
            CheckResult(self.cloud, cluster.name, p.name, "offering", self.status, f"[{p.offer.machine_type}] checked")  # type: ignore[arg-type]
            for p in cluster.pools
        ]


def run(argv: list[str], checkers: dict[str, StubChecker]) -> int:
    args = build_parser().parse_args(["preflight", *argv])

    def factory(cloud: str, options: PreflightOptions) -> Checker:
        return checkers[cloud]

    return command.run(args, checker_factory=factory)


def test_registry_names_one_checker_per_cloud() -> None:
    assert set(CHECKERS) == {"gcp", "azure", "aws"}
    for target in CHECKERS.values():
        module, _, cls = target.partition(":")
        assert getattr(__import__(module, fromlist=[cls]), cls).cloud in CHECKERS


def test_invalid_spec_prints_issues_as_validate_does_and_exits_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write_spec(tmp_path, "clusters:\n  - name: x\n    cloud: aws\n    region: us-east-1\n    maxNode: 3\n")
    _, issues = validate_file(path)
    assert main(["preflight", path]) == 2
    err = capsys.readouterr().err
    for issue in issues:
        assert issue.format(terminal_width()) in err  # as validate prints it, wrapped to the terminal
    assert "invalid" in err


def test_missing_file_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["preflight", str(tmp_path / "nope.yaml")]) == 2
    assert "file not found" in capsys.readouterr().err


def test_multi_cloud_stack_runs_each_cloud_checker(capsys: pytest.CaptureFixture[str]) -> None:
    checkers = {c: StubChecker(c) for c in ("gcp", "azure", "aws")}
    code = run([str(REPO / "stacks/Pulumi.multi.yaml"), "--format", "json"], checkers)
    out = json.loads(capsys.readouterr().out)
    assert code == 0
    assert out["ok"] is True
    assert {c["cloud"] for c in out["checks"]} == {"gcp", "azure", "aws"}
    assert all(checkers[c].seen for c in checkers)


def test_cloud_and_cluster_filters(capsys: pytest.CaptureFixture[str]) -> None:
    checkers = {c: StubChecker(c) for c in ("gcp", "azure", "aws")}
    assert run([str(REPO / "stacks/Pulumi.multi.yaml"), "--cloud", "aws"], checkers) == 0
    assert checkers["aws"].seen and not checkers["gcp"].seen and not checkers["azure"].seen
    capsys.readouterr()
    assert run([str(REPO / "stacks/Pulumi.multi.yaml"), "--cluster", "nope"], checkers) == 2
    assert "no cluster named nope" in capsys.readouterr().err


def test_a_failed_check_exits_1_and_brackets_in_reasons_print_verbatim(capsys: pytest.CaptureFixture[str]) -> None:
    code = run([str(REPO / "stacks/Pulumi.aws-train.yaml")], {"aws": StubChecker("aws", status="fail")})
    out = capsys.readouterr().out
    assert code == 1
    assert "[p5.48xlarge] checked" in out
    assert "0 ok, 1 failed, 0 not checked, 0 skipped" in out


def test_credentials_error_on_one_cloud_exits_2_but_reports_the_others(capsys: pytest.CaptureFixture[str]) -> None:
    checkers = {"gcp": StubChecker("gcp"), "azure": StubChecker("azure", creds=False), "aws": StubChecker("aws")}
    code = run([str(REPO / "stacks/Pulumi.multi.yaml"), "--format", "json"], checkers)
    captured = capsys.readouterr()
    out = json.loads(captured.out)
    assert code == 2
    assert out["errors"] == [{"cloud": "azure", "problem": "no credentials", "howToFix": "log in"}]
    assert {c["cloud"] for c in out["checks"]} == {"gcp", "aws"}
    assert "azure: no credentials\n  how to fix: log in" in captured.err


def test_spec_warnings_go_to_stderr_and_into_json(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # A Capacity Block with compact placement: valid, with a warning (see components/spec/semantic.py).
    path = write_spec(
        tmp_path,
        """
clusters:
  - name: train
    cloud: aws
    region: us-east-1
    zone: us-east-1a
    kubernetes: {version: "1.35"}
    gpuPools:
      - name: h100
        accelerator: H100-80GB
        acceleratorsPerNode: 8
        maxNodes: 2
        capacity: reserved
        reservation: cr-0123456789abcdef0
        reservationKind: capacity-block
""",
    )
    assert run([path, "--format", "json"], {"aws": StubChecker("aws")}) == 0
    captured = capsys.readouterr()
    warnings = json.loads(captured.out)["warnings"]
    assert len(warnings) == 1 and "warning" in warnings[0]
    assert warnings[0] in " ".join(captured.err.split())  # one line in JSON, wrapped on the terminal


def test_stack_config_provides_the_gcp_project(monkeypatch: pytest.MonkeyPatch) -> None:
    seen: list[PreflightOptions] = []

    def factory(cloud: str, options: PreflightOptions) -> Checker:
        seen.append(options)
        return StubChecker(cloud)

    args = build_parser().parse_args(["preflight", str(REPO / "stacks/Pulumi.dev.yaml"), "--min-spot-score", "5"])
    assert command.run(args, checker_factory=factory) == 0
    assert seen[0].gcp_project == "my-gcp-project-dev"
    assert seen[0].min_spot_score == 5
    args = build_parser().parse_args(["preflight", str(REPO / "stacks/Pulumi.dev.yaml"), "--gcp-project", "other"])
    command.run(args, checker_factory=factory)
    assert seen[1].gcp_project == "other"


_scalars = st.one_of(st.none(), st.booleans(), st.integers(-5, 5000), st.text(max_size=12))
_docs = st.recursive(
    _scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=3),
        st.dictionaries(
            st.sampled_from(["clusters", "name", "cloud", "region", "zone", "gpuPools", "accelerator", "maxNodes"]),
            inner,
            max_size=5,
        ),
    ),
    max_leaves=12,
)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(doc=_docs)
def test_no_spec_however_malformed_gives_a_traceback(
    doc: object, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "fuzz.yaml"
    path.write_text(yaml.safe_dump(doc), encoding="utf-8")
    checkers = {c: StubChecker(c) for c in ("gcp", "azure", "aws")}
    assert run([str(path), "--format", "json"], checkers) in (0, 2)
    assert "Traceback" not in capsys.readouterr().err
