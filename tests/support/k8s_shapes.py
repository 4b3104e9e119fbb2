"""Kubernetes shapes that every schema accepts and the API server (or the controller that
copies them into pods) rejects, found by walking a rendered object or Helm values.

The pulumi-kubernetes input types and the CRDs' OpenAPI schemas say a ``nodeSelectorTerms``
is a list and a requirement's ``values`` a list of strings; they do not say the list may not
be empty. The API server's validation does (``ValidateNodeSelector``,
``ValidateLabelSelectorRequirement``, ``ValidateTolerations``, ``ValidateDaemonSet``):
https://github.com/kubernetes/kubernetes/blob/master/pkg/apis/core/validation/validation.go
This walker checks those rules wherever the keys appear, at any depth, so Helm values (whose
``affinity`` and ``tolerations`` a chart copies into its pods) are checked like objects.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

_SET_OPERATORS = ("In", "NotIn")
_EXISTS_OPERATORS = ("Exists", "DoesNotExist")
_NUMERIC_OPERATORS = ("Gt", "Lt")  # node selector requirements only
_EFFECTS = ("", "NoSchedule", "PreferNoSchedule", "NoExecute")
_WORKLOADS = ("DaemonSet", "Deployment", "StatefulSet", "ReplicaSet")
# Helm values that a chart turns into a node-affinity `In` list (the Neuron chart's
# neuronInstances: node.kubernetes.io/instance-type In [...]).
_AFFINITY_LISTS = ("neuronInstances",)


def _requirement(req: Any, where: str, node: bool) -> list[str]:
    """One match expression (node selector or label selector requirement)."""
    if not isinstance(req, Mapping):
        return [f"{where}: not a mapping"]
    op, values = req.get("operator"), req.get("values") or []
    if not req.get("key"):
        return [f"{where}: no key"]
    if op in _SET_OPERATORS:
        return [f"{where}: operator {op} with no values"] if not values else []
    if op in _EXISTS_OPERATORS:
        return [f"{where}: operator {op} with values {values!r}"] if values else []
    if node and op in _NUMERIC_OPERATORS:
        ok = len(values) == 1 and str(values[0]).lstrip("-").isdigit()
        return [] if ok else [f"{where}: operator {op} needs one integer value, has {values!r}"]
    return [f"{where}: unknown operator {op!r}"]


def _node_selector_terms(terms: Any, where: str) -> list[str]:
    if not isinstance(terms, Sequence) or isinstance(terms, str) or not terms:
        return [f"{where}: a node selector with no terms (the API server requires at least one)"]
    problems: list[str] = []
    for i, term in enumerate(terms):
        here = f"{where}[{i}]"
        exprs = (term or {}).get("matchExpressions") or []
        fields = (term or {}).get("matchFields") or []
        if not exprs and not fields:
            problems.append(f"{here}: a term with no requirement matches no node")
        problems += [p for j, r in enumerate(exprs) for p in _requirement(r, f"{here}.matchExpressions[{j}]", True)]
        problems += [p for j, r in enumerate(fields) for p in _requirement(r, f"{here}.matchFields[{j}]", True)]
    return problems


def _tolerations(tolerations: Any, where: str) -> list[str]:
    if not isinstance(tolerations, Sequence) or isinstance(tolerations, str):
        return [f"{where}: not a list"]
    problems: list[str] = []
    for i, tol in enumerate(tolerations):
        here = f"{where}[{i}]"
        if not isinstance(tol, Mapping):
            problems.append(f"{here}: not a mapping")
            continue
        op = tol.get("operator") or "Equal"
        if op not in ("Equal", "Exists"):
            problems.append(f"{here}: unknown operator {op!r}")
        if op == "Exists" and tol.get("value"):
            problems.append(f"{here}: operator Exists with value {tol['value']!r}")
        if op == "Equal" and not tol.get("key"):
            problems.append(f"{here}: operator Equal needs a key")
        if tol.get("effect", "") not in _EFFECTS:
            problems.append(f"{here}: unknown effect {tol['effect']!r}")
    return problems


def _workload(obj: Mapping[str, Any], where: str) -> list[str]:
    """A controller's selector: not empty, and it selects its own pod template."""
    spec = obj.get("spec") or {}
    selector = spec.get("selector") or {}
    match = selector.get("matchLabels") or {}
    if not match and not selector.get("matchExpressions"):
        return [f"{where}.spec.selector: empty (the API server rejects an empty workload selector)"]
    labels = ((spec.get("template") or {}).get("metadata") or {}).get("labels") or {}
    wrong = {k: v for k, v in match.items() if labels.get(k) != v}
    return [f"{where}.spec.selector: does not select the pod template (labels {wrong})"] if wrong else []


def problems(node: Any, where: str = "") -> list[str]:
    """Every invalid-but-schema-valid shape in ``node`` (an object, Helm values, any nesting)."""
    found: list[str] = []
    if isinstance(node, Mapping):
        if node.get("kind") in _WORKLOADS and isinstance(node.get("spec"), Mapping):
            found += _workload(node, where or node["kind"])
        for key, value in node.items():
            here = f"{where}.{key}" if where else str(key)
            if key == "nodeSelectorTerms":
                found += _node_selector_terms(value, here)
                continue
            if key == "matchExpressions" and isinstance(value, Sequence) and not isinstance(value, str):
                # a label selector's requirements, or a preferred node affinity's `preference`
                # term (required node selector terms are checked above, with their terms)
                node_term = where.endswith(".preference")
                found += [p for j, r in enumerate(value) for p in _requirement(r, f"{here}[{j}]", node_term)]
                continue
            if key == "tolerations":
                found += _tolerations(value, here)
                continue
            if key in _AFFINITY_LISTS and isinstance(value, Sequence) and not value:
                found.append(f"{here}: empty (the chart renders it as a node-affinity In list)")
                continue
            found += problems(value, here)
    elif isinstance(node, Sequence) and not isinstance(node, str | bytes):
        for i, value in enumerate(node):
            found += problems(value, f"{where}[{i}]")
    return found
