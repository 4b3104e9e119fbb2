"""Run a Pulumi program on Pulumi's mock engine and capture every registered resource.

This is how ai-infra previews without a cloud or the Pulumi CLI: the tests assert on the
captured resources, and ``aiinfra plan`` renders them. The capture records what the engine
would receive: type token, logical name, parent URN, the inputs, and the resource options
that matter to reviewers (protect, retainOnDelete, deleteBeforeReplace, ignoreChanges).

Usage::

    from components.mockengine import run_program
    capture = run_program(lambda: Fleet("fleet", fleet), config={...}, stack="gcp-train")
    [r for r in capture.resources if r.type == "gcp:container/nodePool:NodePool"]

The Python SDK keeps its runtime state in module globals, so runs are serialised by a lock
and each run resets that state first.

Speed: pulumi-azure-native classes carry one alias per past API version (about 90 on an
AgentPool), and the SDK turns every alias into a URN Output when the resource is
constructed, which makes an Azure resource ~50x dearer to register than a GKE one. Aliases
only match resources in existing state; the mock engine has none, so by default these
version aliases are dropped for the run (``keep_sdk_aliases=True`` keeps them). Aliases a
program declares itself (renames, re-parenting) are always kept and captured.

Likewise the SDK walks the whole Python stack at every registration
(``traceback.extract_stack``, reading source lines, one file URI per frame) to send the engine
the source position of the code that made the resource. The mock engine records no source
positions, and under a program's nested components that walk was a fifth of a 2,000-resource
plan (benchmarks/plan_bench.py), so it is skipped by default (``keep_source_positions=True``
keeps it).

And the cyclic garbage collector runs less often during a run (``_collector_for_registration``):
registrations make many long-lived objects, and collecting at Python's default pace was about
half of that benchmark's time.
"""

from __future__ import annotations

import contextlib
import gc
import json
import logging
import re
import runpy
import sys
import threading
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pulumi
from pulumi.runtime import mocks as _mocks
from pulumi.runtime import settings as _settings

_LOCK = threading.Lock()
STACK_TYPE = "pulumi:pulumi:Stack"
# An azure-native SDK alias to the same resource under a past API version module.
_SDK_VERSION_ALIAS = re.compile(r"^azure-native:[\w.]+/v\d\w*:\w+$")


@dataclass
class CapturedResource:
    """One resource as the engine saw it register."""

    type: str
    name: str
    urn: str
    parent: str | None
    custom: bool
    inputs: dict[str, Any]
    protect: bool = False
    retain_on_delete: bool = False
    delete_before_replace: bool = False
    ignore_changes: list[str] = field(default_factory=list)
    provider: str | None = None
    # Aliases sent with the registration, as (name, type) with "" for "same as the resource";
    # kept so a replay can register the resource exactly as the program did.
    aliases: list[tuple[str, str]] = field(default_factory=list)
    # URNs of the resources it waits for (depends_on and resource inputs), as the engine got them.
    dependencies: list[str] = field(default_factory=list)
    # Input property -> URNs its value came from (the engine passes these to stack policies,
    # which join resources by them while IDs are unknown: a group to its launch template, a
    # launch template to the capacity reservation it targets).
    property_dependencies: dict[str, list[str]] = field(default_factory=dict)

    @property
    def parent_name(self) -> str | None:
        """The logical name of the parent (last URN segment), or None for the stack."""
        if not self.parent or self.parent.split("::")[-2].endswith(STACK_TYPE):
            return None
        return self.parent.split("::")[-1]


@dataclass
class Capture:
    """Everything one program run registered, in registration order."""

    resources: list[CapturedResource] = field(default_factory=list)
    outputs: dict[str, Any] = field(default_factory=dict)
    # what the program logged (pulumi.log.info/warn/error): (level, message), level info|warning|error
    logs: list[tuple[str, str]] = field(default_factory=list)

    def of_type(self, type_token: str) -> list[CapturedResource]:
        return [r for r in self.resources if r.type == type_token]

    def named(self, name: str) -> CapturedResource:
        matches = [r for r in self.resources if r.name == name]
        if len(matches) != 1:
            raise KeyError(f"{len(matches)} resources named {name!r}")
        return matches[0]


def _aks_identity_map(state: dict[Any, Any]) -> dict[Any, Any]:
    """AKS takes ``identity.userAssignedIdentities`` as a list of IDs but returns a map keyed by ID."""
    identity = state.get("identity")
    if isinstance(identity, Mapping) and isinstance(identity.get("userAssignedIdentities"), list | tuple):
        ids = identity["userAssignedIdentities"]
        state["identity"] = {**identity, "userAssignedIdentities": {str(i): {} for i in ids}}
    return state


# Where a provider's output differs in shape from the input it was given, echoing the input
# back would break the SDK's output translation; reshape the echo as the provider returns it.
_OUTPUT_SHAPES: dict[str, Callable[[dict[Any, Any]], dict[Any, Any]]] = {
    "azure-native:containerservice:ManagedCluster": _aks_identity_map,
    "azure-native:storagecache:AmlFilesystem": _aks_identity_map,  # the same identity shape
    "azure-native:storage:StorageAccount": _aks_identity_map,
}


class _Mocks(pulumi.runtime.Mocks):
    """Echo inputs as outputs, with a deterministic id; answer invokes with empty results."""

    def new_resource(self, args: pulumi.runtime.MockResourceArgs) -> tuple[str | None, dict[Any, Any]]:
        state = dict(args.inputs)
        # Common computed outputs that programs read, so downstream applies have values.
        state.setdefault("name", args.name)
        state.setdefault("id", f"{args.name}-id")
        fixup = _OUTPUT_SHAPES.get(args.typ)
        if fixup is not None:
            state = fixup(state)
        return f"{args.name}-id", state

    def call(self, args: pulumi.runtime.MockCallArgs) -> tuple[dict[Any, Any], list[tuple[str, str]]]:
        # An empty failure list: MockMonitor.Invoke iterates it (None crashes every invoke).
        answer = _CALL_ANSWERS.get(args.token)
        return (answer(dict(args.args)) if answer is not None else {}), []


def _ssm_parameter(args: dict[str, Any]) -> dict[str, Any]:
    """An SSM parameter's value stands for itself: ``<value of /aws/service/...>``."""
    name = args.get("name")
    return {"name": name, "type": "String", "value": f"<value of {name}>"} if isinstance(name, str) else {}


# Invokes whose answer a program puts into resource inputs: answered with a placeholder that
# says what a real run reads there, instead of nothing (which would drop the input). Every
# other invoke answers with an empty result.
_CALL_ANSWERS: dict[str, Callable[[dict[str, Any]], dict[str, Any]]] = {
    "aws:ssm/getParameter:getParameter": _ssm_parameter,
}


def engine_urn(stack: str, project: str, parent: str | None, type_: str, name: str) -> str:
    """The URN the Pulumi engine gives a resource (``urn.New`` in the engine's Go SDK).

    A child's type is its parent's whole qualified type chain, then ``$`` and its own type;
    children of the root stack carry no prefix. (The SDK's ``MockMonitor.make_urn`` keeps only
    the parent's last type and keeps the stack's, so its URNs differ from the engine's for
    every resource below a component: found by the engine tier, tests/engine.)
    """
    if parent:
        qualified = parent.split("::")[2]
        if qualified != STACK_TYPE:
            type_ = f"{qualified}${type_}"
    return f"urn:pulumi:{stack}::{project}::{type_}::{name}"


class _CapturingMonitor(_mocks.MockMonitor):
    def __init__(
        self,
        mocks: pulumi.runtime.Mocks,
        capture: Capture,
        on_resource: Callable[[CapturedResource], None] | None = None,
    ) -> None:
        super().__init__(mocks)
        self.capture = capture
        self.on_resource = on_resource
        # the SDK registers from worker threads: capture order and callback order stay one order
        self._order = threading.Lock()

    def make_urn(self, parent: str, type_: str, name: str) -> str:
        return engine_urn(pulumi.get_stack(), pulumi.get_project(), parent or None, type_, name)

    def RegisterResource(self, request: Any) -> Any:
        response = super().RegisterResource(request)
        if request.type == STACK_TYPE:
            return response
        from pulumi.runtime import rpc

        inputs = rpc.deserialize_properties(request.object)
        captured = CapturedResource(
            type=request.type,
            name=request.name,
            urn=response.urn,
            parent=request.parent or None,
            custom=bool(request.custom),
            inputs=_plain(inputs),
            protect=bool(request.protect),
            retain_on_delete=bool(getattr(request, "retainOnDelete", False)),
            delete_before_replace=bool(getattr(request, "deleteBeforeReplace", False)),
            ignore_changes=list(getattr(request, "ignoreChanges", [])),
            provider=request.provider or None,
            aliases=[(a.spec.name, a.spec.type) for a in request.aliases if a.HasField("spec")],
            dependencies=list(request.dependencies),
            property_dependencies={k: list(v.urns) for k, v in request.propertyDependencies.items() if v.urns},
        )
        with self._order:
            self.capture.resources.append(captured)
            if self.on_resource is not None:
                self.on_resource(captured)
        return response


def _plain(value: Any) -> Any:
    """Unknowns, secrets and resource references as plain JSON-able values."""
    from pulumi.runtime import rpc

    if isinstance(value, Mapping):
        if value.get(rpc._special_sig_key) == rpc._special_secret_sig:
            return {"secret": _plain(value.get("value"))}
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    # Preview unknowns arrive as the sentinel string or, deserialized, as output.Unknown.
    if value is rpc.UNKNOWN or isinstance(value, pulumi.output.Unknown) or value == rpc.UNKNOWN:
        return "<unknown>"
    if isinstance(value, pulumi.Resource):
        return f"<resource {getattr(value, '_name', '?')}>"
    return value


def _is_sdk_version_alias(alias: Any) -> bool:
    return (
        isinstance(alias, pulumi.Alias)
        and isinstance(alias.type_, str)
        and _SDK_VERSION_ALIAS.match(alias.type_) is not None
        and alias.name is ...
        and alias.parent is ...
        and alias.stack is ...
        and alias.project is ...
    )


@contextlib.contextmanager
def _without_source_positions() -> Iterator[None]:
    """Skip the SDK's per-registration stack-trace capture while the block runs (see module docstring)."""
    from pulumi.runtime import resource as sdk_resource
    from pulumi.runtime.proto import source_pb2

    original = sdk_resource._get_stack_trace

    def no_stack_trace() -> Any:
        return source_pb2.StackTrace()

    sdk_resource._get_stack_trace = no_stack_trace
    try:
        yield
    finally:
        sdk_resource._get_stack_trace = original


@contextlib.contextmanager
def _without_sdk_version_aliases() -> Iterator[None]:
    """Drop azure-native's per-API-version aliases while the block runs (see module docstring)."""
    original = pulumi.ResourceOptions.merge

    def merge(opts1: pulumi.ResourceOptions | None, opts2: pulumi.ResourceOptions | None) -> pulumi.ResourceOptions:
        merged = original(opts1, opts2)
        if merged.aliases:
            kept = [a for a in merged.aliases if not _is_sdk_version_alias(a)]
            merged.aliases = kept or None
        return merged

    pulumi.ResourceOptions.merge = merge  # type: ignore[method-assign]
    try:
        yield
    finally:
        pulumi.ResourceOptions.merge = original  # type: ignore[method-assign]


def _config_value(value: Any) -> str:
    return value if isinstance(value, str) else json.dumps(value)


def run_program(
    program: Callable[[], Any] | str | Path,
    config: Mapping[str, Any] | None = None,
    *,
    project: str = "ai-infra",
    stack: str = "dev",
    preview: bool = True,
    keep_sdk_aliases: bool = False,
    keep_source_positions: bool = False,
    on_resource: Callable[[CapturedResource], None] | None = None,
    outputs: bool = True,
) -> Capture:
    """Run ``program`` (a callable, or the path of a Pulumi ``__main__.py``) on the mock engine.

    ``config`` holds fully-qualified keys (``aiinfra:fleet``, ``gcp:project``); objects are
    passed as JSON, as the Pulumi CLI passes structured config. Exceptions from the program
    (``pulumi.RunError`` included) propagate after the engine has settled.
    ``keep_sdk_aliases`` keeps azure-native's per-API-version aliases (slow; see module docstring);
    ``keep_source_positions`` keeps the SDK's stack-trace capture per registration (likewise).
    ``on_resource`` is called with each resource as it registers (from the SDK's worker threads,
    in registration order): the planner feeds the policy packs with it, as the engine does.
    ``outputs=False`` leaves ``Capture.outputs`` empty instead of resolving the stack's exports:
    the planner shows none, and resolving a large fleet's nested exports (an ``Output`` made for
    every level of every cluster's export tree) was a tenth of its program's run. A failing
    ``apply`` still fails the run: the SDK awaits every output it made before the run ends.
    """
    capture = Capture()
    aliases = contextlib.nullcontext() if keep_sdk_aliases else _without_sdk_version_aliases()
    positions = contextlib.nullcontext() if keep_source_positions else _without_source_positions()
    with _LOCK, aliases, positions, _collector_for_registration():
        _reset_runtime()
        pulumi.runtime.set_all_config({k: _config_value(v) for k, v in (config or {}).items()})
        monitor = _CapturingMonitor(_Mocks(), capture, on_resource)
        pulumi.runtime.set_mocks(
            _Mocks(), project=project, stack=stack, preview=preview, monitor=monitor, logger=_program_logger(capture)
        )
        func = _as_callable(program)

        def body() -> None:
            func()

        from pulumi.runtime.stack import run_pulumi_func
        from pulumi.runtime.sync_await import _sync_await

        # set_mocks made the root Stack; run the body under it and wait for every RPC the
        # way the SDK's own entry point does, then resolve the stack exports.
        _sync_await(run_pulumi_func(body))
        root = _settings.get_root_resource()
        exports = (getattr(root, "outputs", None) or {}) if outputs else {}
        for key, value in exports.items():
            resolved = _sync_await(pulumi.Output.from_input(value).future())
            capture.outputs[key] = _plain(resolved)
    return capture


class _ToCapture(logging.Handler):
    def __init__(self, logs: list[tuple[str, str]]) -> None:
        super().__init__(logging.INFO)
        self.logs = logs

    def emit(self, record: logging.LogRecord) -> None:
        self.logs.append((record.levelname.lower(), record.getMessage()))


def _program_logger(capture: Capture) -> logging.Logger:
    """The run's own logger (outside the logging tree): what the program logs goes to
    ``capture.logs``. The SDK's mock engine otherwise logs to the root logger, which printed
    every warning to stderr under whatever name the program gave its source."""
    # INFO and up: the SDK's own debug lines (several per registration) are not the program's
    logger = logging.Logger("aiinfra.program", logging.INFO)
    logger.propagate = False
    logger.addHandler(_ToCapture(capture.logs))
    return logger


#: Cyclic-GC thresholds while a program registers (Python's defaults: 700, 10, 10).
REGISTRATION_GC_THRESHOLDS = (50_000, 20, 20)


@contextlib.contextmanager
def _collector_for_registration() -> Iterator[None]:
    """Fewer cyclic-GC passes while the program registers, none over the imported SDKs.

    A registration makes a few hundred objects that live until the run ends (an Output and four
    futures per property of the SDK class, tasks, callbacks), so with Python's default thresholds
    the collector ran thousands of times per plan and kept re-walking survivors that were never
    garbage, and every full pass walked the provider SDKs' imported modules too: about half of a
    2,000-resource plan (benchmarks/plan_bench.py). ``gc.freeze`` sets what exists before the run
    aside (given back afterwards), and larger thresholds collect the run's own garbage in fewer,
    larger passes. Peak memory stays where it was (``aiinfra plan`` of that stack: 426-436 MiB
    peak RSS before, 427-431 after).
    """
    old = gc.get_threshold()
    # a caller that froze its own heap keeps it frozen: only what this run froze is given back
    ours = gc.get_freeze_count() == 0
    gc.freeze()
    gc.set_threshold(*REGISTRATION_GC_THRESHOLDS)
    try:
        yield
    finally:
        gc.set_threshold(*old)
        if ours:
            gc.unfreeze()


def _as_callable(program: Callable[[], Any] | str | Path) -> Callable[[], Any]:
    if callable(program):
        return program
    path = Path(program).resolve()

    def run_main() -> None:
        root = str(path.parent)
        added = root not in sys.path
        if added:
            sys.path.insert(0, root)
        try:
            runpy.run_path(str(path), run_name="__main__")
        finally:
            if added:
                sys.path.remove(root)

    return run_main


def _reset_runtime() -> None:
    """Forget the previous run's root stack, outputs and pending RPCs."""
    _settings.ROOT.set(None)
    _settings.SETTINGS.rpc_manager.clear()
    _settings.SETTINGS.outputs.clear()
