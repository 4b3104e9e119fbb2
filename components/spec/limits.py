"""Size limits on a fleet spec, checked before anything walks it: hostile input costs bounded work.

A 1.4 KB YAML "billion laughs" (anchors ``&a`` referenced by aliases ``*a``, each level
multiplying the one below) expands into millions of values; a spec with 120,000 pools or
100,000 labels is a few megabytes of YAML. Every check after parsing (schema, semantics, the
program, the policy pack) walks the expanded document, so the limits are enforced first:

- the file: at most ``MAX_DOCUMENT_BYTES``;
- the YAML node graph, aliases expanded: at most ``MAX_VALUES`` values, nested at most
  ``MAX_DEPTH`` deep (counted on the graph as composed, in time linear in its distinct nodes,
  so the bomb is rejected without ever being expanded);
- any list at most ``MAX_LIST_ITEMS`` items, any mapping at most ``MAX_MAPPING_KEYS`` keys (each
  at most ``MAX_KEY_CHARS`` characters), any string at most ``MAX_STRING_CHARS`` characters
  (the schema sets tighter per-field limits: ``clusters``, ``gpuPools``, ``labels`` ...).

Values echoed back in messages are clipped (``clip``) so an error about a 1 MB string is one line.
The limits are stated in docs/spec-reference.md and checked by tests/components/spec/test_limits.py.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

import yaml

from components.spec.errors import SpecIssue, join_path

MAX_DOCUMENT_BYTES = 1_048_576  # 1 MiB: the example stacks are 1-3 KB
MAX_VALUES = 20_000  # scalars, lists and mappings, aliases expanded
MAX_DEPTH = 32
MAX_LIST_ITEMS = 256
MAX_MAPPING_KEYS = 256
MAX_STRING_CHARS = 1024
MAX_KEY_CHARS = 253  # the longest Kubernetes label key (prefix/name)
ECHO_CHARS = 60  # longest value quoted back in a message


def clip(value: object, limit: int = ECHO_CHARS) -> str:
    """``str(value)``, cut to ``limit`` characters with the full length said: for echoing input."""
    text = value if isinstance(value, str) else repr(value)
    if len(text) <= limit:
        return text
    return f"{text[:limit]}... ({len(text):,} characters)"


def document_issues(text: str, source: str) -> list[SpecIssue]:
    """The file itself: too large to be a spec."""
    size = len(text.encode("utf-8", "surrogatepass"))
    if size <= MAX_DOCUMENT_BYTES:
        return []
    return [
        SpecIssue(
            "",
            f"the file is {size:,} bytes; a fleet spec may be at most {MAX_DOCUMENT_BYTES:,} bytes",
            "split the fleet into several stacks",
            file=source,
        )
    ]


def node_graph_issues(node: yaml.Node) -> list[SpecIssue]:
    """The composed YAML graph with aliases expanded: too many values or nested too deeply.

    Aliases make the graph a DAG whose expansion can be exponential in its size; sizes and
    depths are computed per distinct node (memoized by identity), so this takes time linear in
    the file, never in the expansion.
    """
    size: dict[int, int] = {}
    depth: dict[int, int] = {}
    # iterative post-order walk: a deeply nested file must not overflow Python's stack either
    stack: list[tuple[yaml.Node, bool]] = [(node, False)]
    on_path: set[int] = set()
    shared = False  # an alias (or a node reached twice) was seen
    while stack:
        current, done = stack.pop()
        key = id(current)
        if key in size:
            shared = shared or not done
            continue
        children = _children(current)
        if not done:
            if key in on_path:  # a recursive alias (&a [*a]): an infinite document
                return [SpecIssue("", "the YAML refers to itself through an alias (&anchor / *alias) without end")]
            on_path.add(key)
            stack.append((current, True))
            stack.extend((c, False) for c in children if id(c) not in size)
            continue
        on_path.discard(key)
        size[key] = 1 + sum(size.get(id(c), 0) for c in children)
        depth[key] = 1 + max((depth.get(id(c), 0) for c in children), default=0)
        if depth[key] > MAX_DEPTH:
            return [
                SpecIssue("", f"the YAML is nested more than {MAX_DEPTH} levels deep", "a fleet spec is at most 6 deep")
            ]
        if size[key] > MAX_VALUES:
            return [
                SpecIssue(
                    "",
                    f"the YAML expands to more than {MAX_VALUES:,} values (aliases *anchor expanded); a fleet spec "
                    "is far smaller"
                    if shared
                    else f"the YAML has more than {MAX_VALUES:,} values; a fleet spec is far smaller",
                    "remove the aliases or split the fleet into several stacks"
                    if shared
                    else "split the fleet into several stacks",
                )
            ]
    return []


def _children(node: yaml.Node) -> list[yaml.Node]:
    if isinstance(node, yaml.SequenceNode):
        return list(node.value)
    if isinstance(node, yaml.MappingNode):
        return [n for pair in node.value for n in pair]
    return []


def value_issues(doc: Any) -> list[SpecIssue]:
    """A parsed document (YAML, or the Pulumi config's JSON): list, mapping, string and total limits.

    Stops at the first ``MAX_VALUES`` values, so even a document built in memory costs bounded work.
    """
    out: list[SpecIssue] = []
    for seen, (path, value) in enumerate(_walk(doc, ()), start=1):
        if seen > MAX_VALUES:
            out.append(
                SpecIssue("", f"the spec has more than {MAX_VALUES:,} values", "split the fleet into several stacks")
            )
            break
        where = join_path(*path)
        if isinstance(value, list) and len(value) > MAX_LIST_ITEMS:
            out.append(
                SpecIssue(
                    where, f"lists {len(value):,} items; a list in a fleet spec may have at most {MAX_LIST_ITEMS}"
                )
            )
        elif isinstance(value, Mapping) and len(value) > MAX_MAPPING_KEYS:
            out.append(
                SpecIssue(
                    where, f"has {len(value):,} keys; a mapping in a fleet spec may have at most {MAX_MAPPING_KEYS}"
                )
            )
        elif isinstance(value, Mapping):
            for key in value:
                if isinstance(key, str) and len(key) > MAX_KEY_CHARS:
                    out.append(
                        SpecIssue(
                            where,
                            f"has a key of {len(key):,} characters ({clip(key, 24)}); keys are at most "
                            f"{MAX_KEY_CHARS} characters",
                        )
                    )
        elif isinstance(value, str) and len(value) > MAX_STRING_CHARS:
            out.append(
                SpecIssue(
                    where,
                    f"is a string of {len(value):,} characters ({clip(value, 24)}); at most {MAX_STRING_CHARS} "
                    "are allowed",
                )
            )
        if len(out) >= 20:  # enough to act on; the rest would be the same complaint
            break
    return out


def _walk(doc: Any, path: tuple[str | int, ...]) -> Iterator[tuple[tuple[str | int, ...], Any]]:
    """(path, value) for every value, breadth-first-ish without recursion, big containers not descended."""
    stack: list[tuple[tuple[str | int, ...], Any, int]] = [(path, doc, 0)]
    while stack:
        where, value, level = stack.pop()
        yield where, value
        if level >= MAX_DEPTH:
            continue
        if isinstance(value, Mapping) and len(value) <= MAX_MAPPING_KEYS:
            stack.extend(((*where, str(k)), v, level + 1) for k, v in reversed(list(value.items())))
        elif isinstance(value, list) and len(value) <= MAX_LIST_ITEMS:
            stack.extend(((*where, i), v, level + 1) for i, v in reversed(list(enumerate(value))))
