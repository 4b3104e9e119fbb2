"""Helpers shared by the engine-tier tests: read what ``pulumi preview --json`` registered.

``pulumi preview --json`` prints one document with ``steps`` (each with ``op``, ``urn`` and the
``newState`` the engine would write: type, parent, inputs, protect) and ``diagnostics``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

PROVIDER_PREFIX = "pulumi:providers:"
STACK_TYPE = "pulumi:pulumi:Stack"


def urn_name(urn: str) -> str:
    """The logical name: the last ``::`` segment of a URN."""
    return urn.rsplit("::", 1)[-1]


def urn_type(urn: str) -> str:
    """The resource's own type: the last ``$`` segment of the URN's type part."""
    return urn.rsplit("::", 2)[-2].rsplit("$", 1)[-1]


def step_state(step: Mapping[str, Any]) -> Mapping[str, Any]:
    """The state a step leads to (the old one for deletes)."""
    return step.get("newState") or step.get("oldState") or {}


def registered(preview: Mapping[str, Any]) -> set[tuple[str, str, str | None]]:
    """(type, name, parent URN or None for the stack) of every resource the program registered.

    Default provider resources (``pulumi:providers:<pkg>::default...``) and the stack itself are
    the engine's own; the offline plan has neither, so they are left out here. Explicit
    providers (the add-ons' Kubernetes provider) are the program's and stay.
    """
    out: set[tuple[str, str, str | None]] = set()
    for step in preview.get("steps", []):
        if step.get("op") in ("delete", "discard", "delete-replaced", "read-discard"):
            continue
        urn = str(step["urn"])
        kind = urn_type(urn)
        if kind == STACK_TYPE or (kind.startswith(PROVIDER_PREFIX) and urn_name(urn).startswith("default")):
            continue
        parent = step_state(step).get("parent") or None
        if parent and urn_type(parent) == STACK_TYPE:
            parent = None
        out.add((kind, urn_name(urn), parent))
    return out


def planned(plan: Mapping[str, Any], stack: str) -> set[tuple[str, str, str | None]]:
    """The same triples from ``aiinfra plan --format json``'s ``resources``."""
    return {(r["type"], r["name"], r.get("parent")) for r in plan["resources"] if r.get("stack", stack) == stack}


def ops(preview: Mapping[str, Any]) -> dict[str, str]:
    """URN -> op for every step that changes something (``same`` left out)."""
    return {str(s["urn"]): str(s["op"]) for s in preview.get("steps", []) if s.get("op") != "same"}


REPLACE_OPS = frozenset({"replace", "create-replacement", "delete-replaced"})


def replaced(preview: Mapping[str, Any]) -> set[str]:
    """URNs the preview replaces."""
    return {urn for urn, op in ops(preview).items() if op in REPLACE_OPS}


def diagnostics_text(preview: Mapping[str, Any]) -> str:
    return "\n".join(str(d.get("message", "")) for d in preview.get("diagnostics", []))


def resources_by_type(state: Iterable[Mapping[str, Any]], type_token: str) -> list[Mapping[str, Any]]:
    return [r for r in state if r.get("type") == type_token]
