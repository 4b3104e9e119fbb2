"""The workload file of ``aiinfra size``: read, check against its JSON Schema, and type it.

The file is a contract (``workload.schema.json``, documented in docs/size.md). Problems come
back as ``SpecIssue``s with file, line and path (``dataset.sizeGiB``), all at once, never as a
traceback. Counts accept what YAML reads as strings (``70e9``: YAML 1.1 wants a dot before the
exponent) and the suffixes K, M, B, T.
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from components.catalog import CLOUDS, get_catalog
from components.spec.errors import SpecError, SpecIssue, did_you_mean
from components.spec.loader import LineMap, read_document
from components.spec.schema import validator_issues

COUNT_FIELDS = ("parameters", "tokens", "tokensPerSecond")
_SUFFIX = {"k": 1e3, "m": 1e6, "b": 1e9, "t": 1e12}
_COUNT = re.compile(r"^\s*([0-9]+(?:\.[0-9]+)?(?:[eE][+]?[0-9]+)?)\s*([KMBTkmbt]?)\s*$")


@functools.cache
def workload_schema() -> dict[str, Any]:
    """The workload JSON Schema (draft 2020-12) shipped with the package."""
    text = resources.files("components.sizing").joinpath("workload.schema.json").read_text("utf-8")
    schema: dict[str, Any] = json.loads(text)
    return schema


@functools.cache
def assumptions() -> dict[str, Any]:
    """The planning constants and their sources (``data/assumptions.yaml``)."""
    text = resources.files("components.sizing").joinpath("data", "assumptions.yaml").read_text("utf-8")
    doc: dict[str, Any] = yaml.safe_load(text)
    return doc


def parse_count(value: Any) -> float | None:
    """``70e9``, ``"70e9"``, ``"70B"``, ``2e12`` -> float; None when not a positive count."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return float(value) if value > 0 else None
    if isinstance(value, str):
        m = _COUNT.match(value)
        if m:
            n = float(m.group(1)) * _SUFFIX.get(m.group(2).lower(), 1.0)
            return n if n > 0 else None
    return None


def count_text(n: float) -> str:
    """``70e9`` -> ``70 B``; ``2e12`` -> ``2 T`` (the suffixes the file accepts)."""
    for div, word in ((1e12, "T"), (1e9, "B"), (1e6, "M"), (1e3, "K")):
        if n >= div:
            return f"{n / div:,.4g} {word}"
    return f"{n:,.4g}"


@dataclass(frozen=True)
class Workload:
    """A checked workload with every default filled in (``defaults`` says which were)."""

    file: str
    name: str
    kind: str  # training | inference
    parameters: float
    tokens: float | None
    deadline_hours: float | None
    max_accelerators: int | None
    precision: str
    mfu: float
    mbu: float
    sequence_length: int
    tokens_per_second: float | None
    context_length: int | None
    kv_cache_fraction: float
    serving_hours: float
    capacity: str
    environment: str
    dataset_gib: float
    dataset_read_mbps: float | None
    epochs: float
    checkpoint_every_minutes: float | None
    write_window_minutes: float
    checkpoint_keep: int
    accelerators: tuple[str, ...]  # canonical names; empty = all
    clouds: tuple[str, ...]  # empty = all
    defaults: tuple[str, ...]  # fields that took the default value


def _semantic(doc: Mapping[str, Any]) -> list[SpecIssue]:
    """Rules the schema cannot say: what each kind needs, known accelerators."""
    out: list[SpecIssue] = []
    kind = doc.get("kind")
    if kind == "training":
        if "tokens" not in doc:
            out.append(SpecIssue("tokens", "training needs 'tokens' (the number of training tokens D)", "e.g. 2e12"))
        if "deadlineHours" not in doc and "maxAccelerators" not in doc:
            out.append(
                SpecIssue(
                    "deadlineHours",
                    "training needs 'deadlineHours' or 'maxAccelerators' (or both)",
                    "give the wall-clock hours the run may take, or the accelerators it may use",
                )
            )
        for key in ("tokensPerSecond", "contextLength", "kvCacheFraction", "servingHours", "mbu"):
            if key in doc:
                out.append(SpecIssue(key, f"'{key}' applies to inference only", "remove it, or set kind: inference"))
    elif kind == "inference":
        for key in ("tokensPerSecond", "contextLength"):
            if key not in doc:
                out.append(
                    SpecIssue(key, f"inference needs '{key}'", "e.g. tokensPerSecond: 20000, contextLength: 8192")
                )
        for key in ("tokens", "deadlineHours", "sequenceLength"):
            if key in doc:
                hint = "inference is sized from tokensPerSecond for servingHours; remove it, or set kind: training"
                out.append(SpecIssue(key, f"'{key}' applies to training only", hint))
        if isinstance(doc.get("checkpoint"), Mapping):
            out.append(SpecIssue("checkpoint", "checkpoints apply to training only", "remove it"))
    cat = get_catalog()
    cands = doc.get("candidates")
    names = cands.get("accelerators") if isinstance(cands, Mapping) else None
    if isinstance(names, list):
        for i, name in enumerate(names):
            if cat.canonical_accelerator(str(name)) is None:
                known = [n for a in cat.accelerators.values() for n in (a.name, *a.aliases)]
                dym = did_you_mean(str(name), known)
                allowed = "allowed: " + ", ".join(cat.accelerator_names()) + " (aiinfra catalog lists them)"
                out.append(
                    SpecIssue(
                        f"candidates.accelerators[{i}]",
                        f"unknown accelerator '{name}'",
                        f"{dym} {allowed}" if dym else allowed,
                    )
                )
    return out


def _fix_count_messages(issues: list[SpecIssue], doc: Mapping[str, Any]) -> list[SpecIssue]:
    """jsonschema says "is not valid under any of the given schemas" for a bad count."""
    out = []
    for issue in issues:
        if issue.path in COUNT_FIELDS:
            got = json.dumps(doc.get(issue.path), default=str)
            issue = SpecIssue(
                issue.path,
                f"expected a positive count, got {got}",
                "write a number such as 70000000000, 70e9 or 70B (K, M, B, T = 1e3, 1e6, 1e9, 1e12)",
            )
        out.append(issue)
    return out


def check_workload(
    doc: Any, source: str = "<workload>", lines: LineMap | None = None
) -> tuple[Workload | None, list[SpecIssue]]:
    """Schema, then semantic checks; the typed workload, or None and every issue located."""
    import jsonschema

    lines = lines or {}

    def locate(issues: list[SpecIssue]) -> list[SpecIssue]:
        out = []
        for i in issues:
            key: tuple[str | int, ...] = tuple(
                int(p[1:-1]) if p.startswith("[") else p for p in re.findall(r"\[\d+\]|[^.\[\]]+", i.path)
            )
            line = None
            while line is None and key:
                line, key = lines.get(key), key[:-1]
            out.append(i.located(source, line if line is not None else lines.get(())))
        return out

    if not isinstance(doc, Mapping):
        return None, locate(
            [SpecIssue("", "the workload must be a mapping with 'kind' and 'parameters'", "see docs/size.md")]
        )
    validator = jsonschema.Draft202012Validator(workload_schema())
    issues = _fix_count_messages(validator_issues(validator, doc), doc)
    seen = {i.path for i in issues}
    # the rules of each kind too, so every problem is reported at once
    issues += [i for i in _semantic(doc) if i.path not in seen]
    if issues:
        return None, locate(sorted(issues, key=lambda i: lines.get(tuple(i.path.split("."))[:1], 0)))
    return _build(doc, source), []


def _build(doc: Mapping[str, Any], source: str) -> Workload:
    d = assumptions()["defaults"]
    used: list[str] = []

    def get(key: str, default: Any, sub: Mapping[str, Any] | None = None, label: str | None = None) -> Any:
        where = doc if sub is None else sub
        if key in where:
            return where[key]
        used.append(label or key)
        return default

    dataset = doc.get("dataset") or {}
    ckpt = doc.get("checkpoint") or {}
    cands = doc.get("candidates") or {}
    cat = get_catalog()
    kind = doc["kind"]
    parameters = parse_count(doc["parameters"])
    assert parameters is not None  # the schema checked it
    return Workload(
        file=source,
        name=doc.get("name") or _default_name(source),
        kind=kind,
        parameters=parameters,
        tokens=parse_count(doc.get("tokens")),
        deadline_hours=doc.get("deadlineHours"),
        max_accelerators=doc.get("maxAccelerators"),
        precision=get("precision", "bf16"),
        mfu=float(get("mfu", d["mfu"])),
        mbu=float(get("mbu", d["mbu"])) if kind == "inference" else float(d["mbu"]),
        sequence_length=int(get("sequenceLength", d["sequenceLength"])) if kind == "training" else 0,
        tokens_per_second=parse_count(doc.get("tokensPerSecond")),
        context_length=doc.get("contextLength"),
        kv_cache_fraction=float(get("kvCacheFraction", d["kvCacheFraction"])) if kind == "inference" else 0.0,
        serving_hours=float(get("servingHours", d["servingHours"])) if kind == "inference" else 0.0,
        capacity=get("capacity", "on-demand"),
        environment=get("environment", "prod"),
        dataset_gib=float(dataset.get("sizeGiB", 0)),
        dataset_read_mbps=dataset.get("readMBps"),
        epochs=float(get("epochs", d["epochs"], dataset, "dataset.epochs")) if dataset else float(d["epochs"]),
        checkpoint_every_minutes=ckpt.get("everyMinutes"),
        write_window_minutes=float(
            get("writeWindowMinutes", d["writeWindowMinutes"], ckpt, "checkpoint.writeWindowMinutes")
            if kind == "training"
            else d["writeWindowMinutes"]
        ),
        checkpoint_keep=int(
            get("keep", d["checkpointKeep"], ckpt, "checkpoint.keep") if kind == "training" else d["checkpointKeep"]
        ),
        accelerators=tuple(
            dict.fromkeys(cat.canonical_accelerator(str(a)) or str(a) for a in cands.get("accelerators") or ())
        ),
        clouds=tuple(dict.fromkeys(cands.get("clouds") or ())),
        defaults=tuple(used),
    )


def _default_name(source: str) -> str:
    """The file name as a cluster name (lowercase letters, digits and hyphens, starting with a
    letter): ``Llama_70B.yaml`` -> ``llama-70b``."""
    stem = re.sub(r"[^a-z0-9]+", "-", Path(source).stem.lower())[:32].strip("-")
    return stem if stem[:1].isalpha() else "workload"


def load_workload(path: str | Path) -> Workload:
    """Read and check a workload file; raises SpecError with every problem located."""
    try:
        doc, source, _base, lines = read_document(path)
    except SpecError as err:
        raise SpecError([i if i.file else i.located(str(path), i.line) for i in err.issues]) from None
    workload, issues = check_workload(doc, source, lines)
    if workload is None:
        raise SpecError(issues)
    return workload


__all__ = ["CLOUDS", "Workload", "assumptions", "check_workload", "load_workload", "parse_count", "workload_schema"]
