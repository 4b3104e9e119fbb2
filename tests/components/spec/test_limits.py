"""Size limits: hostile specs are rejected early, with a clear message, in bounded time."""

from __future__ import annotations

import copy
import time
from pathlib import Path
from typing import Any

from components.spec import check_document
from components.spec.command import validate_file
from components.spec.limits import (
    MAX_DOCUMENT_BYTES,
    MAX_LIST_ITEMS,
    MAX_STRING_CHARS,
    MAX_VALUES,
    clip,
)
from tests.support.fuzz import alias_bomb, deep, long_string, many_labels, many_pools
from tests.support.specs import GCP_TRAIN


def _validate(tmp_path: Path, text: str, name: str = "spec.yaml") -> list[str]:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    start = time.perf_counter()
    fleet, issues = validate_file(str(path))
    assert time.perf_counter() - start < 10  # seconds, not the minutes an expansion takes
    assert fleet is None
    return [i.format() for i in issues]


def test_alias_bomb_is_rejected_unexpanded(tmp_path: Path) -> None:
    text = alias_bomb(9, 9, "clusters")  # 2 x 9^9 = 775 million values from 300 bytes
    assert len(text) < 1500
    lines = _validate(tmp_path, text)
    assert lines == [
        f"{tmp_path / 'spec.yaml'}: error: the YAML expands to more than {MAX_VALUES:,} values (aliases *anchor "
        "expanded); a fleet spec is far smaller (remove the aliases or split the fleet into several stacks)"
    ]


def test_alias_bomb_beside_the_fleet_in_a_stack_config(tmp_path: Path) -> None:
    lines = _validate(tmp_path, alias_bomb(9, 9, "config"), "Pulumi.bomb.yaml")
    assert "expands to more than" in lines[0]


def test_recursive_alias(tmp_path: Path) -> None:
    lines = _validate(tmp_path, "a: &a [*a]\nclusters: *a\n")
    assert "refers to itself through an alias" in lines[0]


def test_file_size(tmp_path: Path) -> None:
    text = many_pools(120_000)
    assert len(text) > MAX_DOCUMENT_BYTES
    lines = _validate(tmp_path, text)
    assert f"a fleet spec may be at most {MAX_DOCUMENT_BYTES:,} bytes" in lines[0]
    assert "100,000" not in lines[0] and len(lines) == 1


def test_values_and_nesting(tmp_path: Path) -> None:
    assert "the YAML has more than 20,000 values" in _validate(tmp_path, "clusters:\n" + "- {}\n" * 30_000)[0]
    assert "nesting depth" in _validate(tmp_path, deep(400_000, flow=True))[0]  # PyYAML's own limit
    assert "nested more than 32 levels" in _validate(tmp_path, deep(40, flow=True))[0]


def test_schema_limits_name_the_path(tmp_path: Path) -> None:
    pools = _validate(tmp_path, many_pools(101))
    assert any("clusters[0].gpuPools: lists 101 items; at most 100 are allowed" in line for line in pools)
    labels = _validate(tmp_path, many_labels(24))
    assert any("labels: has 24 entries; at most 23 are allowed" in line for line in labels)
    assert any(
        "labels: has 300 keys; a mapping in a fleet spec may have at most 256" in ln
        for ln in _validate(tmp_path, many_labels(300))
    )


def test_long_values_are_echoed_truncated(tmp_path: Path) -> None:
    for where in ("name", "key", "region"):
        lines = _validate(tmp_path, long_string(5_000, where))
        assert all(len(line) < 400 for line in lines), lines
        # (a plain YAML key longer than 1,024 characters is a YAML syntax error of its own)
        assert where == "key" or any("5,000 characters" in line for line in lines), lines
    assert clip("x" * 100) == "x" * 60 + "... (100 characters)"
    assert clip("short") == "short"


def test_pulumi_config_path_is_bounded_too() -> None:
    """The program checks the already-parsed config object: the same limits apply to it."""
    doc: dict[str, Any] = copy.deepcopy(GCP_TRAIN)
    doc["clusters"][0]["gpuPools"] = [{"name": f"p{i}"} for i in range(120_000)]
    doc["labels"] = {f"k{i}": "v" for i in range(100_000)}
    doc["clusters"][0]["region"] = "x" * 2_000_000
    start = time.perf_counter()
    fleet, issues = check_document(doc, "config")
    assert time.perf_counter() - start < 2
    assert fleet is None
    text = [i.format() for i in issues]
    assert (
        f"config: error: labels: has 100,000 keys; a mapping in a fleet spec may have at most {MAX_LIST_ITEMS}" in text
    )
    assert any(
        f"gpuPools: lists 120,000 items; a list in a fleet spec may have at most {MAX_LIST_ITEMS}" in t for t in text
    )
    assert any(
        "region: is a string of 2,000,000 characters" in t and f"at most {MAX_STRING_CHARS} are allowed" in t
        for t in text
    )
