"""Property tests: no spec, however malformed, makes the checks raise anything but SpecError.

Three generators: arbitrary JSON-like values, mutations of a valid spec (a value replaced,
a key renamed, an item dropped), and arbitrary text as a YAML file.
"""

from __future__ import annotations

import copy
import tempfile
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from components.spec import SpecError, check_document, load_fleet
from tests.support.specs import GCP_TRAIN

VALID: dict[str, Any] = GCP_TRAIN

scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**64), max_value=2**64),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=20),
    st.sampled_from(
        [
            "gcp",
            "azure",
            "aws",
            "spot",
            "reserved",
            "H100-80GB",
            "v5p",
            "2x2x4",
            "1x1",
            "us-central1",
            "raid0",
            "lustre",
            "rdma",
            "capacity-block",
            "10.0.0.0/8",
            "",
            "x" * 80,
        ]
    ),
)
json_like = st.recursive(
    scalars,
    lambda children: st.one_of(
        st.lists(children, max_size=4),
        st.dictionaries(
            st.one_of(
                st.text(max_size=12),
                st.sampled_from([*VALID, "name", "cloud", "gpuPools"]),
                st.integers(),
                st.booleans(),
                st.none(),
            ),
            children,
            max_size=5,
        ),
    ),
    max_leaves=25,
)


def _paths(node: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    out = [prefix]
    if isinstance(node, dict):
        for k, v in node.items():
            out += _paths(v, (*prefix, k))
    elif isinstance(node, list):
        for i, v in enumerate(node):
            out += _paths(v, (*prefix, i))
    return out


@st.composite
def mutated_specs(draw: st.DrawFn) -> Any:
    doc: Any = copy.deepcopy(VALID)
    for _ in range(draw(st.integers(min_value=1, max_value=4))):
        paths = [p for p in _paths(doc) if p]
        if not paths:
            break
        path = draw(st.sampled_from(paths))
        parent = doc
        for key in path[:-1]:
            parent = parent[key]
        action = draw(st.sampled_from(["replace", "rename", "drop"]))
        if action == "replace":
            parent[path[-1]] = draw(json_like)
        elif action == "rename" and isinstance(parent, dict):
            parent[draw(st.text(max_size=10))] = parent.pop(path[-1])
        elif isinstance(parent, dict):
            parent.pop(path[-1])
        else:
            parent.pop(path[-1])
    return doc


def _assert_clean(doc: Any) -> None:
    fleet, issues = check_document(doc, "prop.yaml")
    if fleet is None:
        assert any(i.severity == "error" for i in issues)
    for issue in issues:
        assert isinstance(issue.path, str) and issue.message
        assert issue.format().startswith("prop.yaml")


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(json_like)
def test_arbitrary_values_never_raise(doc: Any) -> None:
    _assert_clean(doc)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(mutated_specs())
def test_mutated_specs_never_raise(doc: Any) -> None:
    _assert_clean(doc)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(max_size=300))
def test_arbitrary_text_files_only_raise_spec_error(text: str) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "spec.yaml"
        path.write_text(text, encoding="utf-8", errors="surrogatepass")
        try:
            load_fleet(path)
        except SpecError as err:
            assert err.issues
