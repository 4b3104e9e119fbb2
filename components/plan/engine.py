"""Plan stacks offline: validate, run the real program on the mock engine, evaluate, price.

``plan_files(paths)`` returns a :class:`PlanReport` with one :class:`StackPlan` per file.
Each stack goes through:

1. **Validate** with the same code as ``aiinfra validate`` (invalid: status ``invalid``).
2. **Run** the project's ``__main__.py`` on Pulumi's mock engine (preview mode) with the
   stack file's ``config:`` mapping, as ``pulumi preview`` would; a bare spec file is passed
   as ``aiinfra:fleet``. A ``pulumi.RunError`` (for example a cluster the cloud builder
   cannot build) gives status ``build-error`` with the program's message.
3. **Policies**: the captured resources go to the policy pack through
   :func:`components.plan.policies.run_policies` (looked up at call time, so tests and
   callers can substitute it).
4. **Cost and accelerators** from the resolved fleet and the catalog.

Exit codes (the ``aiinfra`` contract): 0 pass or advisory only, 1 a mandatory violation
(or policies not evaluated: the plan fails closed), 2 invalid input, 3 internal error.
"""

from __future__ import annotations

import contextlib
import logging
import re
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

import yaml

from components.catalog import get_catalog
from components.mockengine import CapturedResource
from components.plan import policies as policy_mod
from components.plan.cost import AcceleratorReport, CostReport, count_accelerators, price_fleet
from components.plan.policies import PoliciesUnavailable, PolicyConfigInvalid, PolicyVerdict
from components.policy.settings import POLICIES
from components.prices import sources as price_sources
from components.prices.book import PriceBook
from components.prices.overlay import Overlay, OverlayError
from components.spec import loader as spec_loader
from components.spec.errors import SpecIssue
from components.spec.loader import CONFIG_KEY
from components.spec.resolved import (
    LABEL_CLUSTER,
    LABEL_POOL,
    ResolvedCluster,
    ResolvedFleet,
    ResolvedPool,
    ResolvedSlice,
    ResolvedStorage,
)

SpecItem = ResolvedPool | ResolvedSlice | ResolvedStorage


def spec_items(cluster: ResolvedCluster) -> list[SpecItem]:
    """The GPU pools, TPU slices and storage items of a cluster, in that order."""
    return [*cluster.pools, *cluster.slices, *cluster.storage]


def spec_owners(fleet: ResolvedFleet) -> dict[str, tuple[str, str]]:
    """Spec path -> (cluster, item) of every cluster and spec item: ``clusters[0].gpuPools[0]``
    -> ``("dev", "l4")``, ``clusters[0]`` -> ``("dev", "dev")``; the names the diff's changes and
    cost lines use (``dev/l4``)."""
    out: dict[str, tuple[str, str]] = {}
    for c in fleet.clusters:
        out[c.spec.path] = (c.name, c.name)
        for item in spec_items(c):
            out[item.spec.path] = (c.name, item.name)
    return out


class PolicyRunner(Protocol):
    """``components.plan.policies.run_policies`` or a stand-in with the same signature."""

    def __call__(
        self,
        resources: Sequence[CapturedResource],
        policy_config: Mapping[str, Any],
        *,
        stack: str = ...,
        project: str = ...,
        stack_config: Mapping[str, Any] | None = ...,
    ) -> list[PolicyVerdict]: ...


EXIT_OK, EXIT_FAIL, EXIT_INVALID, EXIT_INTERNAL = 0, 1, 2, 3

# Stack status -> exit code contribution.
_STATUS_EXIT = {"ok": EXIT_OK, "invalid": EXIT_INVALID, "build-error": EXIT_INVALID, "error": EXIT_INTERNAL}
_STACK_FILE = re.compile(r"^Pulumi\.(?P<stack>[^.]+)\.ya?ml$")
# The spec loader's YAML flavour (safe, timestamps stay strings as Pulumi reads them).
_Loader: Any = spec_loader._Loader


@dataclass
class StackPlan:
    """The plan of one stack file."""

    file: str
    stack: str
    status: str = "ok"  # ok | invalid | build-error | error
    issues: list[SpecIssue] = field(default_factory=list)
    error: str | None = None
    fleet: ResolvedFleet | None = None
    resources: list[CapturedResource] = field(default_factory=list)
    violations: list[PolicyVerdict] = field(default_factory=list)
    policies_evaluated: bool = False
    policies_note: str | None = None
    cost: CostReport = field(default_factory=CostReport)
    accelerators: AcceleratorReport = field(default_factory=AcceleratorReport)
    # spec path -> 1-based line in ``file`` (for SARIF and messages)
    lines: dict[str, int] = field(default_factory=dict)
    # what priced the plan: "catalog list prices" or the overlays, and where they were named
    prices: str = "catalog list prices"
    # resources by URN, built once for every renderer's locate() (rebuilt if resources change)
    _index: tuple[int, int, dict[str, CapturedResource]] | None = field(
        default=None, init=False, repr=False, compare=False
    )
    # spec_owners(fleet), built once for every renderer's item_label() (rebuilt if the fleet changes)
    _owners: tuple[int, dict[str, tuple[str, str]]] | None = field(default=None, init=False, repr=False, compare=False)

    @property
    def verdict(self) -> str:
        if self.status != "ok":
            return "invalid" if self.status != "error" else "error"
        if any(v.blocking for v in self.violations):
            return "fail"
        if not self.policies_evaluated and self.policies_note != SKIPPED:
            return "not-evaluated"
        if self.violations:
            return "advisory"
        return "pass"

    @property
    def exit_code(self) -> int:
        code = _STATUS_EXIT[self.status]
        if code:
            return code
        return EXIT_FAIL if self.verdict in ("fail", "not-evaluated") else EXIT_OK

    def budget(self) -> dict[str, Any] | None:
        """The fleet's self-declared budget against the plan (None when none is declared)."""
        if self.fleet is None:
            return None
        b = self.fleet.spec.budget
        if b.max_hourly_usd is None and b.max_accelerators is None:
            return None
        out: dict[str, Any] = {}
        if b.max_hourly_usd is not None:
            od = round(self.cost.on_demand_hourly_usd, 4)
            out.update(maxHourlyUsd=b.max_hourly_usd, onDemandHourlyUsd=od, withinHourly=od <= b.max_hourly_usd)
        if b.max_accelerators is not None:
            n = self.accelerators.total
            out.update(maxAccelerators=b.max_accelerators, accelerators=n, withinAccelerators=n <= b.max_accelerators)
        return out

    def line_of(self, path: str) -> int | None:
        """The line of a spec path, or of its nearest enclosing path."""
        while True:
            if path in self.lines:
                return self.lines[path]
            if not path:
                return None
            cut = max(path.rfind("."), path.rfind("["))
            path = path[:cut] if cut > 0 else ""

    def violation_line(self, verdict: PolicyVerdict, path: str) -> int | None:
        """The line a violation points at: its spec path's (``path``: :meth:`locate`'s), the
        fleet spec's for a stack-wide one, none for a resource outside the fleet spec."""
        return None if not path and verdict.name else self.line_of(path)

    def locate(self, verdict: PolicyVerdict) -> str:
        """The spec path a violation concerns (its pool/slice/storage item, else its cluster)."""
        if self.fleet is None:
            return ""
        if self._index is None or self._index[:2] != (id(self.resources), len(self.resources)):
            self._index = (id(self.resources), len(self.resources), {r.urn: r for r in self.resources})
        by_urn = self._index[2]
        res = by_urn.get(verdict.urn) if verdict.urn else None
        if res is None:
            return ""  # stack-wide (AnalyzeStack): the fleet spec itself
        return locate_resource(self.fleet, res, by_urn)

    def item_label(self, path: str) -> str:
        """``dev/l4`` for a pool's spec path, ``dev`` for a cluster's, "" for any other path."""
        if self.fleet is None:
            return ""
        if self._owners is None or self._owners[0] != id(self.fleet):
            self._owners = (id(self.fleet), spec_owners(self.fleet))
        cluster, item = self._owners[1].get(path, ("", ""))
        return cluster if item == cluster else f"{cluster}/{item}"

    def violation_json(self, verdict: PolicyVerdict) -> dict[str, Any]:
        """A violation as the plan JSON gives it: the verdict with its stack, file, spec path and line."""
        row = {"stack": self.stack, "file": self.file, **verdict.to_json()}
        path = self.locate(verdict)
        row["specPath"] = path
        row["line"] = self.violation_line(verdict, path)
        return row

    def to_json(self) -> dict[str, Any]:
        return {
            "file": self.file,
            "stack": self.stack,
            "status": self.status,
            "verdict": self.verdict,
            "error": self.error,
            "issues": [i.to_json() for i in self.issues],
            "policies": {"evaluated": self.policies_evaluated, "note": self.policies_note},
            "resourceCount": len(self.resources),
            "cost": {
                "hourlyUsd": round(self.cost.hourly_usd, 4),
                "hourlyUsdAtMin": round(self.cost.hourly_usd_at_min, 4),
                "monthlyUsd": round(self.cost.monthly_usd, 2),
            },
            "accelerators": {"total": self.accelerators.total, "totalAtMin": self.accelerators.total_at_min},
            "budget": self.budget(),
            "prices": self.prices,
        }


SKIPPED = "skipped (--skip-policies)"
_VERDICT_ORDER = ("pass", "advisory", "not-evaluated", "fail", "invalid", "error")


@dataclass
class PlanReport:
    """Plans of one or more stacks, and their roll-up."""

    stacks: list[StackPlan] = field(default_factory=list)

    @property
    def verdict(self) -> str:
        if not self.stacks:
            return "invalid"
        return max((s.verdict for s in self.stacks), key=_VERDICT_ORDER.index)

    @property
    def exit_code(self) -> int:
        return max((s.exit_code for s in self.stacks), default=EXIT_INVALID)

    @property
    def violations(self) -> list[tuple[StackPlan, PolicyVerdict]]:
        return [(s, v) for s in self.stacks for v in s.violations]

    @property
    def cost(self) -> CostReport:
        return CostReport.merge(s.cost for s in self.stacks)

    @property
    def accelerators(self) -> AcceleratorReport:
        return AcceleratorReport.merge(s.accelerators for s in self.stacks)

    def to_json(self) -> dict[str, Any]:
        """The plan JSON contract (docs/plan.md): resources, violations, cost, accelerators."""
        resources = []
        for s in self.stacks:
            # URN order: registration order depends on when each resource's inputs resolve
            for r in sorted(s.resources, key=lambda r: r.urn):
                item: dict[str, Any] = {"stack": s.stack, "type": r.type, "name": r.name, "urn": r.urn}
                parent = parent_urn(r)
                if parent:
                    item["parent"] = parent
                item["custom"] = r.custom
                if r.protect:
                    item["protect"] = True
                item["inputs"] = r.inputs
                resources.append(item)
        violations = [s.violation_json(v) for s, v in self.violations]
        return {
            "version": 1,
            "verdict": self.verdict,
            "exitCode": self.exit_code,
            "stacks": [s.to_json() for s in self.stacks],
            "resources": resources,
            "violations": violations,
            "cost": self.cost.to_json(),
            "accelerators": self.accelerators.to_json(),
        }


def parent_urn(r: CapturedResource) -> str | None:
    """The parent URN, or None when the parent is the stack itself."""
    return r.parent if r.parent and r.parent_name else None


def _labels_in(value: Any, depth: int = 0) -> dict[str, str] | None:
    """The first label/tag map in a resource's inputs that carries the ai-infra cluster label."""
    if depth > 6:
        return None
    if isinstance(value, Mapping):
        if LABEL_CLUSTER in value and isinstance(value.get(LABEL_CLUSTER), str):
            return {str(k): str(v) for k, v in value.items()}
        for v in value.values():
            found = _labels_in(v, depth + 1)
            if found:
                return found
    elif isinstance(value, list):
        for v in value:
            found = _labels_in(v, depth + 1)
            if found:
                return found
    return None


#: Where a violation is when its resource is no part of the fleet spec (made by other code).
OUTSIDE_SPEC = "outside the fleet spec"


def place(path: str, verdict: PolicyVerdict) -> str:
    """The spec path to show for a violation; for none, ``(the stack)`` (a stack-wide verdict)
    or ``(outside the fleet spec)`` (a resource other code made)."""
    return path or (f"({OUTSIDE_SPEC})" if verdict.name else "(the stack)")


def locate_resource(fleet: ResolvedFleet, res: CapturedResource, by_urn: Mapping[str, CapturedResource]) -> str:
    """The spec path of the pool/slice/storage item (or cluster) a resource belongs to; "" for a
    resource of no cluster (made by other code in the program, with the provider's names).

    Read from the ai-infra labels/tags on the resource when it carries them, else from the
    names of the resource and its ancestors (children are named ``<component>-<role>``).
    """
    labels = _labels_in(res.inputs) or {}
    names: list[str] = []
    cur: CapturedResource | None = res
    while cur is not None:
        names.append(cur.name)
        cur = by_urn.get(cur.parent or "")
    for cluster in fleet.clusters:
        in_cluster = labels.get(LABEL_CLUSTER) == cluster.name or any(f"-{cluster.name}-" in f"-{n}-" for n in names)
        if not in_cluster:
            continue
        items = spec_items(cluster)
        for item in items:
            if labels.get(LABEL_POOL) == item.name:
                return item.spec.path
        for item in items:
            token = f"-{cluster.name}-{item.name}-"
            if any(token in f"-{n}-" for n in names):
                return item.spec.path
        return cluster.spec.path
    return ""  # made by other code in the program: no part of the fleet spec


# --------------------------------------------------------------------------------------


def discover(paths: Iterable[str]) -> list[Path]:
    """Expand directories into their stack files (``Pulumi.*.yaml``, else ``*.yaml``)."""
    out: list[Path] = []
    for raw in paths:
        p = Path(raw)
        if p.is_dir():
            found = sorted(p.glob("Pulumi.*.yaml")) or sorted([*p.glob("*.yaml"), *p.glob("*.yml")])
            out.extend(found)
        else:
            out.append(p)
    return out


def find_project(start: Path) -> tuple[Path, str]:
    """The Pulumi project directory holding ``start`` and the project name.

    Walks up from the stack file to the nearest ``Pulumi.yaml`` (stacks live in the project's
    ``stackConfigDir``); falls back to the directory this package is installed from.
    """
    for d in [start.resolve().parent, *start.resolve().parents]:
        manifest = d / "Pulumi.yaml"
        if manifest.is_file():
            try:
                doc = yaml.load(manifest.read_text("utf-8"), Loader=_Loader)  # noqa: S506 - safe loader
            except (OSError, yaml.YAMLError):
                doc = None
            name = doc.get("name") if isinstance(doc, Mapping) else None
            main = doc.get("main") if isinstance(doc, Mapping) else None
            root = d / main if isinstance(main, str) else d
            return root, str(name or "ai-infra")
    return Path(__file__).resolve().parents[2], "ai-infra"


def stack_config(path: Path, project: str) -> tuple[str, dict[str, Any]]:
    """(stack name, fully-qualified config) for a stack file or a bare spec file."""
    doc = yaml.load(path.read_text("utf-8"), Loader=_Loader)  # noqa: S506 - safe loader
    m = _STACK_FILE.match(path.name)
    if isinstance(doc, Mapping) and isinstance(doc.get("config"), Mapping) and "clusters" not in doc:
        stack = m.group("stack") if m else path.stem
        config = {(k if ":" in str(k) else f"{project}:{k}"): v for k, v in doc["config"].items()}
        return stack, config
    stack = re.sub(r"[^A-Za-z0-9_.-]", "-", path.stem) or "fleet"
    return stack, {CONFIG_KEY: doc}


def stack_price_book(
    path: Path,
    config: Mapping[str, Any],
    prices: Sequence[Overlay] | None,
    policy_config: Mapping[str, Any],
    prices_base: Path | None = None,
) -> tuple[PriceBook, list[Overlay], str]:
    """The price book a stack file is priced with, by ``aiinfra plan`` and ``aiinfra rightsize``
    alike: ``prices`` (``--prices``), else a ``prices`` entry of the policy config, else the
    stack setting ``aiinfra:prices`` in ``config`` (from :func:`stack_config`); relative paths
    resolve against ``prices_base`` (default: the stack's project). Returns the book, its
    overlays and what priced it (``catalog list prices``, or the overlays and where they were
    named). Raises OverlayError for an unreadable or invalid overlay.
    """
    overlays, named_in = price_sources.for_plan(
        prices, policy_config, config, prices_base or price_sources.project_dir(path.parent)
    )
    book = PriceBook(get_catalog(), overlays)
    return book, overlays, f"{book.describe()} (from {named_in})" if named_in else book.describe()


def _line_map(base: tuple[str | int, ...], lines: Mapping[tuple[str | int, ...], int]) -> dict[str, int]:
    """spec path (``clusters[0].gpuPools[1]``) -> line, relative to the fleet object."""
    out: dict[str, int] = {}
    for key, line in lines.items():
        if tuple(key[: len(base)]) != tuple(base):
            continue
        rest = key[len(base) :]
        text = ""
        for part in rest:
            text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
        out[text] = line
    return out


@contextlib.contextmanager
def _quiet_asyncio() -> Iterator[None]:
    """Keep asyncio's "Future exception was never retrieved" tracebacks off the user's terminal.

    When a program fails, the Pulumi SDK leaves failed registration futures behind and asyncio
    logs each with a traceback; the failure itself is reported once, as the plan's error.
    """
    logger = logging.getLogger("asyncio")
    level = logger.level
    logger.setLevel(logging.CRITICAL)
    try:
        yield
    finally:
        logger.setLevel(level)


def _clip(text: str, limit: int = 2000) -> str:
    """Long errors (a program's exception with its outputs' reprs) cut in the middle."""
    if len(text) <= limit:
        return text
    half = limit // 2
    return f"{text[:half]} [... {len(text) - limit} characters ...] {text[-half:]}"


def program_messages(logs: Sequence[tuple[str, str]], known: Sequence[SpecIssue], file: str) -> list[SpecIssue]:
    """The warnings and errors the program logged, as warnings of the stack, except its own copies
    of the spec warnings the plan already shows with their line (``__main__.py`` logs each one
    under the stack's conventional file name)."""
    seen = [f"{i.path}: {i.message}" for i in known]
    out = []
    for level, message in logs:
        if level in ("warning", "error") and not any(k in message for k in seen):
            out.append(
                SpecIssue(
                    "",
                    f"the program logged {'an error' if level == 'error' else 'a warning'}: {message}",
                    severity="warning",
                    file=file,
                )
            )
    return out


def plan_file(
    path: str | Path,
    policy_config: Mapping[str, Any] | None = None,
    *,
    policies: PolicyRunner | None = None,
    skip_policies: bool = False,
    program: str | Path | Callable[[], Any] | None = None,
    prices: Sequence[Overlay] | None = None,
    prices_base: Path | None = None,
) -> StackPlan:
    """Plan one stack file (or bare spec file). Never raises for bad input.

    ``prices``: overlays from ``--prices`` (else the policy config's ``prices``, else the stack
    setting ``aiinfra:prices``); the plan hands the same overlays to the policy pack.
    ``prices_base``: where relative overlay paths resolve (default: the stack's project).
    """
    from components.spec.errors import SpecError
    from components.spec.loader import check_document, read_document

    p = Path(path)
    m = _STACK_FILE.match(p.name)
    plan = StackPlan(file=str(path), stack=m.group("stack") if m else p.stem)
    # the same checks as `aiinfra validate` (components.spec.command.validate_file), keeping
    # the line map for SARIF locations
    try:
        doc, source, base, lines = read_document(str(path))
    except SpecError as err:
        plan.issues, plan.status = err.issues, "invalid"
        return plan
    fleet, plan.issues = check_document(doc, source, base, lines)
    if fleet is None:
        plan.status = "invalid"
        return plan
    plan.fleet = fleet
    plan.lines = _line_map(base, lines)
    project_dir, project = find_project(p)
    plan.stack, config = stack_config(p, project)
    try:
        book, overlays, plan.prices = stack_price_book(p, config, prices, policy_config or {}, prices_base)
    except OverlayError as exc:
        plan.status = "invalid"
        plan.error = f"prices: {exc}"
        return plan
    policy_config = price_sources.policy_config_with(policy_config or {}, overlays, [spec.name for spec in POLICIES])
    plan.cost = price_fleet(fleet, plan.stack, book)
    plan.accelerators = count_accelerators(fleet)
    main: Path | Callable[[], Any] = (
        program if callable(program) else (Path(program) if program else project_dir / "__main__.py")
    )
    if isinstance(main, Path) and not main.is_file():
        plan.status = "error"
        plan.error = f"the Pulumi program {main} does not exist (pass --program PATH)"
        return plan

    import pulumi

    from components.mockengine import run_program

    runner: PolicyRunner = policies or policy_mod.run_policies
    # as under the engine, the packs start (their own processes) and analyze each resource
    # while the program is still registering; only AnalyzeStack waits for the program's end
    started = None
    if not skip_policies and runner is policy_mod.run_policies:
        started = policy_mod.start_pack(
            stack=plan.stack, project=project, stack_config=config, policy_config=policy_config
        )
    try:
        with _quiet_asyncio():
            capture = run_program(
                main,
                config=config,
                project=project,
                stack=plan.stack,
                on_resource=started.add if started is not None else None,
                outputs=False,  # a plan shows resources, not the stack's exports
            )
    except pulumi.RunError as exc:
        policy_mod.stop_pack(started)
        plan.status = "build-error"
        plan.error = _clip(str(exc))
        return plan
    except Exception as exc:  # a bug in a builder: report it, keep planning the other stacks
        policy_mod.stop_pack(started)
        plan.status = "error"
        plan.error = _clip(f"{type(exc).__name__}: {exc}")
        return plan
    plan.resources = capture.resources
    plan.issues += program_messages(capture.logs, plan.issues, plan.file)

    if skip_policies:
        plan.policies_note = SKIPPED
        return plan
    try:
        extra = {"started": started} if started is not None else {}
        plan.violations = list(
            runner(
                plan.resources,
                dict(policy_config or {}),
                stack=plan.stack,
                project=project,
                stack_config=config,
                **extra,
            )
        )
        plan.policies_evaluated = True
    except PoliciesUnavailable as exc:
        plan.policies_note = f"not evaluated: {exc}"
    except PolicyConfigInvalid as exc:
        plan.status = "invalid"
        plan.error = f"--policy-config: {exc}"
    finally:
        policy_mod.stop_pack(started)  # a no-op when the runner used and closed it
    return plan


def plan_files(
    paths: Iterable[str | Path],
    policy_config: Mapping[str, Any] | None = None,
    *,
    policies: PolicyRunner | None = None,
    skip_policies: bool = False,
    program: str | Path | Callable[[], Any] | None = None,
    on_stack: Callable[[StackPlan], None] | None = None,
    prices: Sequence[Overlay] | None = None,
) -> PlanReport:
    """Plan every file in order; ``on_stack`` is called after each (for progress)."""
    report = PlanReport()
    for path in paths:
        plan = plan_file(
            path, policy_config, policies=policies, skip_policies=skip_policies, program=program, prices=prices
        )
        report.stacks.append(plan)
        if on_stack:
            on_stack(plan)
    return report
