"""Reading specs from files: stack configs, bare files, and every way a file can be wrong."""

from __future__ import annotations

from pathlib import Path

import pytest

from components.spec import SpecError, load_fleet

GOOD_BARE = """\
environment: dev
clusters:
  - name: dev
    cloud: gcp
    region: us-central1
    gpuPools:
      - name: l4
        accelerator: L4
        acceleratorsPerNode: 1
        maxNodes: 2
        capacity: spot
"""


def write(tmp_path: Path, text: str, name: str = "spec.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def issues_of(path: Path) -> list[str]:
    with pytest.raises(SpecError) as err:
        load_fleet(path)
    return [i.format() for i in err.value.issues]


def test_bare_spec_file(tmp_path: Path) -> None:
    fleet, warnings = load_fleet(write(tmp_path, GOOD_BARE))
    assert fleet.clusters[0].pools[0].offer.machine_type == "g2-standard-12"
    assert warnings == []


def test_stack_config(tmp_path: Path) -> None:
    text = "config:\n  gcp:project: p\n  aiinfra:fleet:\n" + "".join(
        "    " + line + "\n" for line in GOOD_BARE.splitlines()
    )
    fleet, _ = load_fleet(write(tmp_path, text, "Pulumi.dev.yaml"))
    assert fleet.spec.source.endswith("Pulumi.dev.yaml")


def test_stack_config_without_fleet_key(tmp_path: Path) -> None:
    (msg,) = issues_of(write(tmp_path, "config:\n  gcp:project: p\n", "Pulumi.x.yaml"))
    assert msg.endswith(
        "Pulumi.x.yaml:1: error: config: this stack config has no 'aiinfra:fleet' key (keys: gcp:project) "
        "(put the fleet spec under config: aiinfra:fleet:)"
    )


def test_fleet_key_without_config_says_where_it_goes(tmp_path: Path) -> None:
    # half a stack config: unknown-key and missing-clusters errors would hide the real slip
    text = "# a comment\naiinfra:fleet:\n" + "".join("  " + line + "\n" for line in GOOD_BARE.splitlines())
    (msg,) = issues_of(write(tmp_path, text, "Pulumi.x.yaml"))
    assert msg.endswith(
        "Pulumi.x.yaml:2: error: aiinfra:fleet: 'aiinfra:fleet' is at the top of the file; a stack config holds it "
        "under 'config:' (indent it under a 'config:' line (a Pulumi stack file), or drop the 'aiinfra:fleet:' "
        "line and keep its keys at the top (a bare spec file))"
    )


def test_missing_file(tmp_path: Path) -> None:
    (msg,) = issues_of(tmp_path / "nope.yaml")
    assert msg.endswith("nope.yaml: error: file not found (check the path; stacks live in stacks/Pulumi.<stack>.yaml)")


def test_directory(tmp_path: Path) -> None:
    (msg,) = issues_of(tmp_path)
    assert "is a directory" in msg


def test_empty_file(tmp_path: Path) -> None:
    (msg,) = issues_of(write(tmp_path, ""))
    assert "file is empty" in msg


def test_not_utf8(tmp_path: Path) -> None:
    path = tmp_path / "bin.yaml"
    path.write_bytes(b"\xff\xfe\x00garbage")
    (msg,) = issues_of(path)
    assert "is not UTF-8 text" in msg


def test_yaml_syntax_error_has_line(tmp_path: Path) -> None:
    (msg,) = issues_of(write(tmp_path, "clusters:\n  - name: a\n   cloud: gcp\n"))
    assert "spec.yaml:3: error: YAML syntax error" in msg


def test_a_tab_is_called_a_tab(tmp_path: Path) -> None:
    (msg,) = issues_of(write(tmp_path, "environment: dev\nclusters:\n\t- name: a\n"))
    assert "spec.yaml:3: error: YAML syntax error: a tab character at column 1" in msg
    assert "replace the tab with spaces" in msg


def test_duplicate_keys_are_errors(tmp_path: Path) -> None:
    (msg,) = issues_of(write(tmp_path, GOOD_BARE.replace("maxNodes: 2", "maxNodes: 2\n        maxNodes: 3")))
    assert "spec.yaml:11: error: clusters[0].gpuPools[0].maxNodes: key 'maxNodes' appears twice" in msg


def test_errors_carry_line_numbers(tmp_path: Path) -> None:
    (msg,) = issues_of(write(tmp_path, GOOD_BARE.replace("capacity: spot", "capacity: spott")))
    assert msg.startswith(str(tmp_path / "spec.yaml") + ":11: error: clusters[0].gpuPools[0].capacity:")


def test_missing_key_points_at_parent_line(tmp_path: Path) -> None:
    (msg,) = issues_of(write(tmp_path, GOOD_BARE.replace("    region: us-central1\n", "")))
    assert ":3: error: clusters[0].region: missing required key 'region'" in msg


def test_scalar_document(tmp_path: Path) -> None:
    (msg,) = issues_of(write(tmp_path, "just a string\n"))
    assert "must be a mapping" in msg


def test_dates_stay_strings(tmp_path: Path) -> None:
    (msg,) = issues_of(write(tmp_path, GOOD_BARE.replace("region: us-central1", "region: 2026-01-01")))
    assert "clusters[0].region: '2026-01-01' does not look like a gcp region" in msg


def test_impossible_date_is_not_a_traceback(tmp_path: Path) -> None:
    (msg,) = issues_of(write(tmp_path, "0000-00-00\n"))
    assert "must be a mapping" in msg
