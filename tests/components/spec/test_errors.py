"""A spec problem as a terminal shows it: ``file:line: severity: path:`` whole on its first line,
the message wrapped under it, and no file path, spec path or quantity broken."""

from __future__ import annotations

from pathlib import Path

import pytest

from components.spec.errors import SpecIssue
from tests.support.terminal import broken, parted, too_wide, words

SPEC_PATH = "clusters[0].gpuPools[0].maxNodes"
MESSAGE = "64 nodes is more than the dev ceiling allows (16 accelerators across the stack)"
HINT = "set clusters[0].gpuPools[0].maxNodes to at most 2"


def _issue(file: str) -> SpecIssue:
    return SpecIssue(SPEC_PATH, MESSAGE, HINT, file=file, line=9)


def test_the_head_and_the_first_words_share_the_first_line_when_they_fit() -> None:
    out = _issue("stacks/Pulumi.dev.yaml").format(80)
    assert out.splitlines()[0].startswith(f"stacks/Pulumi.dev.yaml:9: error: {SPEC_PATH}: 64 nodes ")
    assert too_wide(out, 80) == [] and parted(out) == [] and broken(out, [SPEC_PATH]) == []


def test_a_head_with_no_room_for_the_quantity_and_its_unit_stands_alone() -> None:
    # the head left room for "64" but not "64 nodes": it printed "...maxNodes: 64" / "    nodes is more"
    file = "stacks/" + "x" * (80 - len(f"stacks/:9: error: {SPEC_PATH}: 64") - len(".yaml")) + ".yaml"
    head = f"{file}:9: error: {SPEC_PATH}:"
    assert len(head) == 77  # "64" would fit after it, "64 nodes" not
    out = _issue(file).format(80)
    assert out.splitlines()[0] == head and out.splitlines()[1].startswith("    64 nodes is")
    assert too_wide(out, 80) == [] and parted(out) == []
    assert words(out) == words(_issue(file).format())


@pytest.mark.parametrize("file", ["/home/ml-platform/fleet/" + "deep/" * 12 + "Pulumi.prod.yaml", "my stacks/x.yaml"])
def test_a_file_path_wider_than_the_line_keeps_the_head_whole_and_is_the_only_wide_line(file: str) -> None:
    """What happens to a path wider than the terminal: the head (file, line, severity, spec path) is
    the whole first line, however wide, and the message wraps under it within the width. Breaking
    the head would put the file and the spec path on two lines, which editors and grep cannot follow."""
    out = _issue(file).format(80)
    lines = out.splitlines()
    assert lines[0] == f"{file}:9: error: {SPEC_PATH}:" or lines[0].startswith(f"{file}:9: error: {SPEC_PATH}: ")
    assert too_wide("\n".join(lines[1:]), 80) == [] and parted(out) == []
    assert all(line.startswith("    ") for line in lines[1:])
    assert broken(out, [SPEC_PATH, file]) == [] and words(out) == words(_issue(file).format())


def test_validate_never_breaks_a_file_path_with_spaces(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    # "my team stacks/...: invalid: 1 error" broke at the path's spaces when it wrapped
    from components.cli import main

    folder = tmp_path / "my team stacks" / ("staging and prod " * 3).strip()
    folder.mkdir(parents=True)
    (folder / "bad fleet.yaml").write_text("clusters: []\nenvironment: dev\nbogus: 1\n")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("COLUMNS", "80")
    file = str((folder / "bad fleet.yaml").relative_to(tmp_path))
    assert len(f"{file}: invalid:") > 80
    assert main(["validate", file]) == 2
    err = capsys.readouterr().err
    assert err.endswith(f"\n{file}:\n    invalid: 2 errors\n")  # the path whole, alone on its line
    assert f"{file}:3: error: bogus:" in err
