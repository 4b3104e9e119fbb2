"""The ``aiinfra`` command: validate and catalog, as a user runs them (exit codes, output)."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from components.cli import COMMANDS, main

ROOT = Path(__file__).resolve().parents[2]
STACKS = sorted(str(p) for p in (ROOT / "stacks").glob("Pulumi.*.yaml"))


def test_validate_all_example_stacks(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["validate", *STACKS]) == 0
    out = capsys.readouterr().out
    assert out.count(": valid: ") == len(STACKS)


def test_validate_invalid_exits_2_and_names_file_and_path(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text(
        "clusters:\n  - name: x\n    cloud: gcp\n    region: us-central1\n    gpuPools:\n"
        "      - {name: a, accelerator: H100-80GB, maxNode: 3}\n"
    )
    assert main(["validate", str(bad), STACKS[0]]) == 2
    err = " ".join(capsys.readouterr().err.split())  # wrapped to the terminal: compare the words
    assert f"{bad}:6: error: clusters[0].gpuPools[0].maxNode: unknown key 'maxNode' (did you mean 'maxNodes'?" in err
    assert f"{bad}: invalid: 1 error" in err


def test_validate_json(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["validate", "--format", "json", STACKS[0], str(tmp_path / "missing.yaml")]) == 2
    doc = json.loads(capsys.readouterr().out)
    assert doc["valid"] is False
    assert [f["valid"] for f in doc["files"]] == [True, False]
    assert doc["files"][1]["issues"][0]["message"] == "file not found"


def test_catalog_text_shows_three_clouds_side_by_side(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["catalog", "H100-80GB"]) == 0
    out = capsys.readouterr().out
    for text in ("a3-highgpu-8g", "Standard_ND96isr_H100_v5", "p5.48xlarge", "Google Cloud", "Azure", "Amazon"):
        assert text in out


@pytest.mark.parametrize("columns", [80, 132])
def test_catalog_text_fits_columns_and_keeps_machine_types_whole(
    columns: int, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    # it printed at least 100 wide, and rich cut Standard_ND96isr_H100_v5 to "Standard_ND96isr_H…"
    import re

    from components.catalog import get_catalog

    monkeypatch.setenv("COLUMNS", str(columns))
    assert main(["catalog"]) == 0
    out = capsys.readouterr().out
    lines = [line for line in out.splitlines() if "https://" not in line]  # source URLs stay whole, unwrapped
    assert max(len(line) for line in lines) <= columns, max(lines, key=len)
    from tests.support.terminal import parted

    assert parted(out) == []  # a cell's number goes with its unit: "80" / "GB" never
    for o in get_catalog().offers:
        assert re.search(rf"(?<![\w.-]){re.escape(o.machine_type)}(?![\w.-])", out), o.machine_type


def test_catalog_json_filters_by_cloud(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["catalog", "--cloud", "aws", "--format", "json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    clouds = {o["cloud"] for a in doc["accelerators"] for o in a.get("offers", [])}
    assert clouds == {"aws"}
    p5 = next(o for a in doc["accelerators"] for o in a.get("offers", []) if o["machine_type"] == "p5.48xlarge")
    assert p5["fabric"]["efa_interfaces"] == 32 and p5["source"].startswith("https://")


def test_catalog_tpu_by_version(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["catalog", "v5p"]) == 0
    assert "ct5p-hightpu-4t" in capsys.readouterr().out


def test_catalog_unknown_name(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["catalog", "H1000"]) == 2
    assert "unknown accelerator 'H1000'" in capsys.readouterr().err


def test_usage_error_exits_2() -> None:
    with pytest.raises(SystemExit) as exc:
        main(["validate"])
    assert exc.value.code == 2


def test_console_script_runs_without_traceback(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("{{{{")
    proc = subprocess.run(
        [sys.executable, "-m", "components.cli", "validate", str(bad)], capture_output=True, text=True, cwd=ROOT
    )
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr
    assert "YAML syntax error" in proc.stderr


def test_version_is_the_package_version(capsys: pytest.CaptureFixture[str]) -> None:
    import tomllib

    with pytest.raises(SystemExit) as exc:
        main(["--version"])
    assert exc.value.code == 0
    expected = tomllib.loads((Path(__file__).resolve().parents[2] / "pyproject.toml").read_text())["project"]["version"]
    assert capsys.readouterr().out.strip() == f"aiinfra {expected}"


def test_the_process_runs_without_the_cyclic_collector_and_main_leaves_it_alone(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import gc

    from components import cli

    seen: list[bool] = []
    monkeypatch.setattr(cli, "main", lambda argv=None: seen.append(gc.isenabled()) or 0)

    def leave(code: int) -> None:  # the real one ends the process: this test's too
        raise SystemExit(code)

    monkeypatch.setattr(cli, "leave", leave)
    assert gc.isenabled()
    try:
        with pytest.raises(SystemExit) as exit_:
            cli.entrypoint()
        assert seen == [False] and exit_.value.code == 0
    finally:
        gc.enable()  # this test process keeps its collector
    # main() in-process (as these tests call it) does not touch the collector
    monkeypatch.undo()
    assert main(["validate", STACKS[0]]) == 0 and gc.isenabled()


def test_a_run_imports_only_its_subcommand_and_help_still_lists_all(capsys: pytest.CaptureFixture[str]) -> None:
    from components.cli import COMMANDS, _command_in

    assert _command_in(["plan", "stacks/", "--format", "json"]) == "plan"
    assert _command_in(["--version"]) is None and _command_in(["plna", "x"]) is None
    code = (
        "import sys; from components.cli import main; code = main(['validate', sys.argv[1]]); "
        "print(code, 'components.rightsize.command' in sys.modules, 'components.spec.command' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code, STACKS[0]], capture_output=True, text=True, check=True, cwd=ROOT)
    assert out.stdout.split()[-3:] == ["0", "False", "True"]
    with pytest.raises(SystemExit):
        main(["--help"])
    listed = capsys.readouterr().out
    assert all(name in listed for name in COMMANDS)


@pytest.mark.parametrize("columns", [80, 132])
def test_validate_text_fits_columns_and_keeps_paths_whole(
    columns: int, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    # it printed each problem and summary on one line, 100 to 230 wide
    from tests.support.terminal import broken, parted, too_wide, words

    monkeypatch.chdir(tmp_path)
    (tmp_path / "bad.yaml").write_text(
        "clusters:\n  - name: x\n    cloud: gcp\n    region: us-central1\n    gpuPools:\n"
        "      - {name: a, accelerator: H100-80GB, maxNode: 3}\n      - {name: b, accelerator: H100-80GB, maxNodes: 0,"
        " minNodes: 2}\n"
    )
    monkeypatch.setenv("COLUMNS", str(columns))
    assert main(["validate", *STACKS, "bad.yaml"]) == 2
    out, err = capsys.readouterr()
    assert too_wide(out + err, columns) == []
    assert parted(out + err) == []  # "2" / "errors", "64" / "nodes": a number goes with its noun
    assert (
        broken(err, ["clusters[0].gpuPools[0].maxNode", "clusters[0].gpuPools[1].maxNodes", "acceleratorsPerNode"])
        == []
    )
    # each problem's first line holds its file, line, severity and spec path, for editors and grep
    assert re.search(r"^bad\.yaml:6: error: clusters\[0\]\.gpuPools\[0\]\.maxNode: ", err, flags=re.M)
    assert words(out).count(": valid: ") == len(STACKS) and "bad.yaml: invalid: 2 errors" in words(err)


def test_validate_names_the_pulumi_project_file_for_what_it_is(capsys: pytest.CaptureFixture[str]) -> None:
    # it reported an unknown key for each project key (name, runtime, ...) and clusters missing
    assert main(["validate", str(ROOT / "Pulumi.yaml")]) == 2
    err = " ".join(capsys.readouterr().err.split())
    assert "this is a Pulumi project file (it has name and runtime), not a stack config or fleet spec" in err
    assert "stacks/Pulumi.<stack>.yaml" in err and "unknown key" not in err and "invalid: 1 error" in err


HELP_PAGES = [[], *([name] for name in COMMANDS), ["prices", "refresh"], ["prices", "update-catalog"]]


@pytest.mark.parametrize("columns", [80, 132])
@pytest.mark.parametrize("words", HELP_PAGES, ids=lambda w: " ".join(w) or "aiinfra")
def test_help_fits_columns_and_breaks_no_option_or_name_at_a_hyphen(
    words: list[str], columns: int, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    # argparse broke "--emit-spec" and "azure-native:subscriptionId" at their hyphens, and showed
    # the docstrings' ``code`` marks
    from tests.support.terminal import too_wide

    monkeypatch.setenv("COLUMNS", str(columns))
    with pytest.raises(SystemExit) as exc:
        main([*words, "--help"])
    assert exc.value.code == 0
    out = capsys.readouterr().out
    assert too_wide(out, columns) == []
    assert [line for line in out.splitlines() if re.search(r"\w-$", line)] == []
    assert "``" not in out


def test_every_subcommand_has_its_help_on_its_own_line(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    # preflight, rightsize and smoke-test had theirs on the next line, in a column of its own
    monkeypatch.setenv("COLUMNS", "132")
    with pytest.raises(SystemExit):
        main(["--help"])
    out = capsys.readouterr().out
    for name, (_module, help_text) in COMMANDS.items():
        assert re.search(rf"^    {re.escape(name)} +{re.escape(help_text)}$", out, flags=re.M), name


def _console(*words: str, before: str = "") -> list[str]:
    """``aiinfra WORDS`` as the console script runs it (``entrypoint``), after ``before``."""
    code = f"import sys\nfrom components import cli\n{before}\nsys.argv = ['aiinfra', *sys.argv[1:]]\ncli.entrypoint()"
    return [sys.executable, "-c", code, *words]


def test_the_process_ends_without_teardown_and_loses_nothing(tmp_path: Path) -> None:
    """``leave`` skips the interpreter's teardown (about a second of a plan), not what matters:
    the whole output on a pipe, the exit code, and the atexit handlers."""
    out = subprocess.run(
        _console("plan", STACKS[0], "--format", "json", "--skip-policies"), capture_output=True, text=True, cwd=ROOT
    )
    assert out.returncode == 0, out.stderr
    doc = json.loads(out.stdout)  # all of it: stdout was flushed before the process ended
    assert doc["stacks"][0]["status"] == "ok" and doc["stacks"][0]["cost"]["hourlyUsd"] > 0
    bad = tmp_path / "bad.yaml"
    bad.write_text("{{{{")
    marker = tmp_path / "atexit"
    ran = subprocess.run(
        _console("validate", str(bad), before=f"import atexit; atexit.register(open({str(marker)!r}, 'w').close)"),
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    assert ran.returncode == 2 and "YAML syntax error" in ran.stderr
    assert marker.exists(), "the atexit handlers ran"


def test_a_reader_that_stops_early_is_not_an_error() -> None:
    """``aiinfra plan STACK | head -1``: the reader closes the pipe; no complaint on stderr."""
    proc = subprocess.Popen(
        _console("plan", STACKS[0], "--skip-policies"), stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=ROOT
    )
    assert proc.stdout is not None and proc.stderr is not None
    proc.stdout.close()  # before the command writes a byte
    err = proc.stderr.read().decode()
    assert proc.wait(timeout=60) == 0
    assert err == ""
