"""The catalog's schema check runs once per version of the data (components.catalog.check_schema_once)."""

from __future__ import annotations

from pathlib import Path

import pytest

import components.catalog as catalog
from components.catalog import CatalogError, check_schema_once, checked_marker, load_raw


@pytest.fixture
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("AIINFRA_CACHE_DIR", str(tmp_path))
    return tmp_path


def _texts() -> dict[str, str]:
    return {name: catalog._read_text(name) for name in catalog.DATA_FILES}


def test_a_passed_check_is_remembered_and_not_repeated(cache: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    texts, raw = _texts(), load_raw()
    marker = checked_marker(texts)
    assert marker is not None and marker.parent == cache / "catalog-checked" and not marker.exists()
    check_schema_once(raw, texts)
    assert marker.is_file()

    def no_second_check(_: object) -> None:
        raise AssertionError("checked twice")

    monkeypatch.setattr(catalog, "_check_schema", no_second_check)
    check_schema_once(raw, texts)  # the marker stands for this exact data


def test_changed_data_is_checked_again_and_a_failure_is_never_remembered(cache: Path) -> None:
    texts, raw = _texts(), load_raw()
    check_schema_once(raw, texts)
    # an edit (as `aiinfra prices update-catalog` makes) that breaks the schema
    broken = {**raw, "gcp.yaml": {**raw["gcp.yaml"], "offers": "not a list"}}
    edited = {**texts, "gcp.yaml": texts["gcp.yaml"] + "\n# edited\n"}
    assert checked_marker(edited) != checked_marker(texts)
    with pytest.raises(CatalogError, match=r"gcp\.yaml"):
        check_schema_once(broken, edited)
    marker = checked_marker(edited)
    assert marker is not None and not marker.exists()
    with pytest.raises(CatalogError):  # still checked, still failing
        check_schema_once(broken, edited)


def test_without_a_writable_cache_it_checks_every_time(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a directory", encoding="utf-8")
    monkeypatch.setenv("AIINFRA_CACHE_DIR", str(blocker))
    calls: list[int] = []
    real = catalog._check_schema
    monkeypatch.setattr(catalog, "_check_schema", lambda raw: calls.append(1) or real(raw))
    texts, raw = _texts(), load_raw()
    check_schema_once(raw, texts)
    check_schema_once(raw, texts)
    assert calls == [1, 1]
