"""Check captured resource inputs against the provider SDK's own input types.

The mock engine accepts any nested dict, so a misspelt key (``guest_accelerator``) would pass
it silently while the real provider rejects or ignores it. ``sdk_input_errors`` walks the
captured inputs level by level against ``<Resource>Args`` and the nested ``...Args`` classes
(``pulumi._types.input_type_types``) and reports every key the SDK does not declare, and
every scalar of the wrong kind. The engine tier's stand-in provider plugins
(``tests/engine/standin.py``) run the same check as their ``Check``, so ``PACKAGES`` is the one
list of provider packages both know: adding a package here adds its stand-in plugin.
"""

from __future__ import annotations

import collections.abc
import importlib
import typing
from typing import Any

from pulumi._types import input_type_types, is_input_type

#: Pulumi package name -> the Python SDK module that declares its input types.
PACKAGES = {
    "gcp": "pulumi_gcp",
    "aws": "pulumi_aws",
    "azure-native": "pulumi_azure_native",
    "azure": "pulumi_azure",
    "kubernetes": "pulumi_kubernetes",
}
# Kubernetes API groups built into pulumi-kubernetes (group -> SDK module); any other group in
# a ``kubernetes:`` token is a custom resource, checked against its CRD schema instead
# (tests/support/crds.py).
K8S_GROUPS = {
    "core": "core",
    "apps": "apps",
    "batch": "batch",
    "rbac.authorization.k8s.io": "rbac",
    "storage.k8s.io": "storage",
    "networking.k8s.io": "networking",
    "helm.sh": "helm",
}
# Inputs the SDK sends that its Args classes do not declare (set by the SDK itself).
SDK_INTERNAL = {"kubernetes:helm.sh/v3:Release": {"compat"}}


def _module_path(pkg: str, middle: str) -> str | None:
    if pkg != "kubernetes":
        return f"{PACKAGES[pkg]}.{middle.split('/')[0]}"
    group, _, version = middle.partition("/")
    if group not in K8S_GROUPS:
        return None
    return f"{PACKAGES[pkg]}.{K8S_GROUPS[group]}.{version}"


def args_class(type_token: str) -> type | None:
    """``gcp:container/nodePool:NodePool`` -> ``pulumi_gcp.container.NodePoolArgs`` (None for
    components and Kubernetes custom resources)."""
    pkg, middle, cls = type_token.split(":")
    if pkg not in PACKAGES:
        return None
    path = _module_path(pkg, middle)
    if path is None:
        return None
    module = importlib.import_module(path)
    # Where a nested input type has the resource's own Args name (azure-native network:
    # VirtualNetworkArgs, SubnetArgs), the generator names the resource's args <Cls>InitArgs.
    resource_cls = getattr(module, cls, None)
    home = importlib.import_module(resource_cls.__module__) if isinstance(resource_cls, type) else module
    found = getattr(home, f"{cls}InitArgs", None) or getattr(module, f"{cls}Args", None)
    if found is None:
        raise AssertionError(f"{type_token}: the SDK has no {cls}Args in {module.__name__}")
    args: type = found
    return args


def _unwrap(tp: Any) -> Any:
    """Strip Optional / Input / Awaitable / Output wrappers down to the useful type."""
    origin = typing.get_origin(tp)
    if origin is typing.Union:
        useful = [
            a
            for a in typing.get_args(tp)
            if a is not type(None) and typing.get_origin(a) not in (collections.abc.Awaitable,) and not _is_output(a)
        ]
        if len(useful) == 1:
            return _unwrap(useful[0])
        return tp
    return tp


def _is_output(tp: Any) -> bool:
    import pulumi

    return tp is pulumi.Output or typing.get_origin(tp) is pulumi.Output


def _join(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key


def _check(value: Any, tp: Any, path: str, errors: list[tuple[str, str]]) -> None:
    """Append ``(property path, reason)`` for every part of ``value`` that ``tp`` does not accept."""
    tp = _unwrap(tp)
    if value is None or value == "<unknown>" or (isinstance(value, str) and value.startswith("<resource")):
        return
    if isinstance(value, dict) and set(value) == {"secret"}:
        _check(value["secret"], tp, path, errors)
        return
    if isinstance(tp, type) and is_input_type(tp):
        if not isinstance(value, dict):
            errors.append((path, f"expected an object ({tp.__name__}), got {type(value).__name__}"))
            return
        declared = input_type_types(tp)
        for key, sub in value.items():
            if key not in declared:
                errors.append(
                    (_join(path, key), f"not an input of {tp.__name__} (declared: {', '.join(sorted(declared))})")
                )
            else:
                _check(sub, declared[key], _join(path, key), errors)
        return
    origin = typing.get_origin(tp)
    if origin in (collections.abc.Sequence, list, typing.Sequence):
        if not isinstance(value, list):
            errors.append((path, f"expected a list, got {type(value).__name__}"))
            return
        (item_tp,) = typing.get_args(tp) or (Any,)
        for i, item in enumerate(value):
            _check(item, item_tp, f"{path}[{i}]", errors)
        return
    if origin in (collections.abc.Mapping, dict, typing.Mapping):
        if not isinstance(value, dict):
            errors.append((path, f"expected a map, got {type(value).__name__}"))
            return
        args = typing.get_args(tp)
        if len(args) == 2:
            for k, v in value.items():
                _check(v, args[1], f"{path}[{k!r}]", errors)
        return
    if tp is str and not isinstance(value, str):
        errors.append((path, f"expected a string, got {value!r}"))
    elif tp is bool and not isinstance(value, bool):
        errors.append((path, f"expected a bool, got {value!r}"))
    elif tp in (int, float) and (isinstance(value, bool) or not isinstance(value, int | float)):
        errors.append((path, f"expected a number, got {value!r}"))


def sdk_input_failures(type_token: str, inputs: dict[str, Any]) -> list[tuple[str, str]]:
    """``(property path, reason)`` for every input the provider SDK does not accept (empty = clean).

    Paths are the provider's property paths (``nodeConfig.guestAccelerators[0].type``), as a
    provider's ``Check`` reports them.
    """
    cls = args_class(type_token)
    if cls is None:
        return []
    errors: list[tuple[str, str]] = []
    internal = SDK_INTERNAL.get(type_token, set())
    _check({k: v for k, v in inputs.items() if k not in internal}, cls, "", errors)
    return errors


def sdk_input_errors(type_token: str, inputs: dict[str, Any]) -> list[str]:
    """Every captured input key or value the provider SDK does not accept (empty = clean)."""
    return [f"{_join(type_token, path)}: {reason}" for path, reason in sdk_input_failures(type_token, inputs)]


def state_class(type_token: str) -> type:
    """The SDK's ``_<Resource>State`` input type: every property the resource has, outputs included
    (what the engine sends stack policies: ``AnalyzeStack`` gets each resource's outputs)."""
    args = args_class(type_token)
    assert args is not None, type_token
    module = importlib.import_module(args.__module__)
    found: type = getattr(module, f"_{type_token.rsplit(':', 1)[-1]}State")
    return found


def sdk_output_errors(type_token: str, outputs: dict[str, Any]) -> list[str]:
    """Every output key or value the provider SDK does not declare for the resource (``id`` is
    every resource's)."""
    errors: list[str] = []
    _check({k: v for k, v in outputs.items() if k != "id"}, state_class(type_token), type_token, errors)
    return errors


def assert_inputs_match_sdk(resources: typing.Iterable[Any]) -> None:
    """Assert every captured custom resource's inputs match its SDK input types."""
    problems: list[str] = []
    for r in resources:
        if r.custom:
            problems.extend(f"{r.name}: {e}" for e in sdk_input_errors(r.type, r.inputs))
    assert not problems, "inputs the provider SDK does not declare:\n  " + "\n  ".join(problems)
