"""Read a fleet spec from a stack config or a bare YAML file, and check it.

A stack config (``stacks/Pulumi.<stack>.yaml``) holds the spec under ``config:
aiinfra:fleet``; a bare spec file holds the same object at its root. Problems of every kind
(unreadable file, YAML syntax, duplicate keys, schema, semantics) come back as
``SpecIssue``s carrying the file and line, never as a traceback.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import yaml

from components.catalog import get_catalog
from components.spec.errors import SpecError, SpecIssue, join_path
from components.spec.limits import clip, document_issues, node_graph_issues, value_issues
from components.spec.model import FleetSpec, build_model
from components.spec.resolved import ResolvedFleet
from components.spec.schema import schema_issues
from components.spec.semantic import resolve

CONFIG_KEY = "aiinfra:fleet"
_BaseLoader: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _Loader(_BaseLoader):
    """Safe YAML without implicit timestamps: ``2026-01-01`` stays a string, as Pulumi reads it.

    (PyYAML would turn it into a date, and ``0000-00-00`` into a ValueError.)
    """


_Loader.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in _BaseLoader.yaml_implicit_resolvers.items()
}

# path inside the document (tuple of keys / indexes) -> 1-based line
LineMap = dict[tuple[str | int, ...], int]


def _walk(node: yaml.Node, prefix: tuple[str | int, ...], lines: LineMap, dupes: list[SpecIssue]) -> None:
    lines[prefix] = node.start_mark.line + 1
    if isinstance(node, yaml.MappingNode):
        seen: set[str] = set()
        for key_node, value_node in node.value:
            key = str(key_node.value)
            if key in seen:
                dupes.append(
                    SpecIssue(
                        join_path(*prefix, key),
                        f"key '{key}' appears twice in the same mapping (YAML keeps only the last one)",
                        "remove one of them",
                        line=key_node.start_mark.line + 1,
                    )
                )
            seen.add(key)
            _walk(value_node, (*prefix, key), lines, dupes)
            lines[(*prefix, key)] = key_node.start_mark.line + 1
    elif isinstance(node, yaml.SequenceNode):
        for i, item in enumerate(node.value):
            _walk(item, (*prefix, i), lines, dupes)


def _parse_path(path: str) -> tuple[str | int, ...]:
    """``clusters[0].gpuPools[1].name`` -> ``("clusters", 0, "gpuPools", 1, "name")``."""
    out: list[str | int] = []
    for part in path.replace("[", ".[").split("."):
        if not part:
            continue
        if part.startswith("[") and part.endswith("]") and part[1:-1].isdigit():
            out.append(int(part[1:-1]))
        else:
            out.append(part)
    return tuple(out)


def _line_for(path: str, base: tuple[str | int, ...], lines: LineMap) -> int | None:
    parts = (*base, *_parse_path(path))
    while True:
        if parts in lines:
            return lines[parts]
        if not parts:
            return None
        parts = parts[:-1]


def read_document(path: str | Path) -> tuple[Any, str, tuple[str | int, ...], LineMap]:
    """Read a stack config or bare spec: (spec object, display name, base path, line map).

    Raises SpecError for unreadable files, YAML errors, duplicate keys and a stack config
    without the ``aiinfra:fleet`` key.
    """
    p = Path(path)
    display = str(path)
    try:
        text = p.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise SpecError(
            [SpecIssue("", "file not found", "check the path; stacks live in stacks/Pulumi.<stack>.yaml", file=display)]
        ) from None
    except IsADirectoryError:
        raise SpecError(
            [SpecIssue("", "is a directory, not a spec file", "name a stack config or spec file", file=display)]
        ) from None
    except UnicodeDecodeError as exc:
        raise SpecError(
            [SpecIssue("", f"is not UTF-8 text ({exc.reason} at byte {exc.start})", file=display)]
        ) from None
    except OSError as exc:
        raise SpecError([SpecIssue("", f"cannot be read: {exc.strerror}", file=display)]) from None
    too_big = document_issues(text, display)
    if too_big:
        raise SpecError(too_big)
    try:
        node = yaml.compose(text, Loader=_Loader)
        # before anything expands the aliases (constructing, walking): a YAML bomb stops here
        bomb = node_graph_issues(node) if node is not None else []
        if bomb:
            raise SpecError([i.located(display, None) for i in bomb])
        doc = yaml.load(text, Loader=_Loader)  # noqa: S506 - CSafeLoader/SafeLoader only
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        problem = getattr(exc, "problem", None) or str(exc)
        context = getattr(exc, "context", None)
        msg = f"YAML syntax error: {problem}" + (f" ({context})" if context else "")
        # PyYAML's reader errors carry a second line ('in "<unicode string>", position 0'): one line
        msg = clip(" ".join(msg.replace('in "<unicode string>",', "at").split()), 300)
        hint = "fix the YAML; check indentation and quoting"
        if mark is not None and 0 <= mark.index < len(text) and text[mark.index] == "\t":
            # PyYAML says "found character that cannot start any token": the character is a tab
            msg = f"YAML syntax error: a tab character at column {mark.column + 1}; YAML indents with spaces only"
            hint = "replace the tab with spaces"
        raise SpecError(
            [
                SpecIssue(
                    "",
                    msg,
                    hint,
                    file=display,
                    line=(mark.line + 1) if mark else None,
                )
            ]
        ) from None
    except RecursionError:
        raise SpecError([SpecIssue("", "YAML is nested too deeply", file=display)]) from None
    except (ValueError, OverflowError) as exc:  # a value PyYAML cannot construct
        raise SpecError([SpecIssue("", f"YAML value error: {exc}", "quote the value", file=display)]) from None
    if node is None:
        raise SpecError([SpecIssue("", "file is empty", "see stacks/Pulumi.dev.yaml for an example", file=display)])
    lines: LineMap = {}
    dupes: list[SpecIssue] = []
    _walk(node, (), lines, dupes)
    base: tuple[str | int, ...] = ()
    if isinstance(doc, Mapping) and {"name", "runtime"} <= doc.keys() and not {"config", "clusters"} & doc.keys():
        # Pulumi.yaml, the project file: one clear error, not an unknown-key error per project key
        raise SpecError(
            [
                SpecIssue(
                    "",
                    "this is a Pulumi project file (it has name and runtime), not a stack config or fleet spec",
                    f"give a stack config, stacks/Pulumi.<stack>.yaml, whose config: {CONFIG_KEY}: holds the spec",
                    file=display,
                    line=lines.get(("runtime",)),
                )
            ]
        )
    if isinstance(doc, Mapping) and CONFIG_KEY in doc and "config" not in doc and "clusters" not in doc:
        # half of each format: a stack config's key without its config: parent
        raise SpecError(
            [
                SpecIssue(
                    CONFIG_KEY,
                    f"'{CONFIG_KEY}' is at the top of the file; a stack config holds it under 'config:'",
                    f"indent it under a 'config:' line (a Pulumi stack file), or drop the '{CONFIG_KEY}:' line "
                    "and keep its keys at the top (a bare spec file)",
                    file=display,
                    line=lines.get((CONFIG_KEY,)),
                )
            ]
        )
    if isinstance(doc, Mapping) and "config" in doc and "clusters" not in doc:
        config = doc.get("config")
        if not isinstance(config, Mapping) or CONFIG_KEY not in config:
            keys = ", ".join(sorted(map(str, config))) if isinstance(config, Mapping) else "none"
            raise SpecError(
                [
                    SpecIssue(
                        "config",
                        f"this stack config has no '{CONFIG_KEY}' key (keys: {keys})",
                        f"put the fleet spec under config: {CONFIG_KEY}:",
                        file=display,
                        line=lines.get(("config",)),
                    )
                ]
            )
        base = ("config", CONFIG_KEY)
        doc = config[CONFIG_KEY]
        display_path = display
    else:
        display_path = display
    located = [i.located(display_path, i.line) for i in dupes]
    if located:
        raise SpecError(located)
    return doc, display_path, base, lines


def check_document(
    doc: Any,
    source: str = "<spec>",
    base: tuple[str | int, ...] = (),
    lines: LineMap | None = None,
) -> tuple[ResolvedFleet | None, list[SpecIssue]]:
    """Schema, then semantic checks. Returns (resolved fleet or None, every issue located)."""
    lines = lines or {}

    def locate(issues: list[SpecIssue]) -> list[SpecIssue]:
        return [i.located(source, _line_for(i.path, base, lines)) for i in issues]

    # size first: every later check walks the whole document
    issues = value_issues(doc) or schema_issues(doc)
    if issues:
        return None, locate(issues)
    spec: FleetSpec = build_model(doc, source)
    fleet, sem = resolve(spec, get_catalog())
    return fleet, locate(sem)


def load_fleet(path: str | Path) -> tuple[ResolvedFleet, list[SpecIssue]]:
    """Load and check a file; returns the fleet and its warnings, or raises SpecError."""
    doc, source, base, lines = read_document(path)
    fleet, issues = check_document(doc, source, base, lines)
    if fleet is None:
        raise SpecError(issues)
    return fleet, issues


def load_fleet_object(doc: Any, source: str) -> tuple[ResolvedFleet, list[SpecIssue]]:
    """Check an already-parsed spec object (the Pulumi program's ``aiinfra:fleet`` config)."""
    fleet, issues = check_document(doc, source)
    if fleet is None:
        raise SpecError(issues)
    return fleet, issues
