"""Compare the plans of two versions of a stack: cost, accelerators, policies, replacements.

``load_side("origin/main:stacks/Pulumi.gcp-train.yaml")`` plans a file as it is at a git
ref (through ``git show``; a file missing at that ref is an *absent* side: a new or a
deleted stack); ``load_side("stacks/Pulumi.gcp-train.yaml")`` plans the working copy.
Both sides run the same (current) program and catalog, so the diff isolates the effect of
the spec change.
"""

from __future__ import annotations

import subprocess
import tempfile
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from difflib import SequenceMatcher
from functools import cached_property
from pathlib import Path
from typing import Any

from components.plan.cost import AcceleratorReport, CostLine, CostReport
from components.plan.engine import (
    EXIT_FAIL,
    EXIT_INVALID,
    EXIT_OK,
    PolicyRunner,
    StackPlan,
    find_project,
    locate_resource,
    plan_file,
    spec_owners,
)
from components.plan.policies import PolicyVerdict
from components.plan.replacements import DELETE, REPLACE, SEVERITY, Change, resource_changes, spec_changes
from components.prices.sources import project_dir

ABSENT = ("/dev/null", "-")


class SideError(Exception):
    """A diff side cannot be read (bad git ref, missing file)."""


@dataclass
class Side:
    """One side of the diff: its label and its plan (None: the stack does not exist there)."""

    label: str
    plan: StackPlan | None


def git_show(ref: str, path: str) -> str | None:
    """The file at ``ref`` (None when it does not exist there); SideError for other failures."""
    try:
        proc = subprocess.run(  # noqa: S603 - fixed argv, no shell
            ["git", "show", f"{ref}:{path}"],  # noqa: S607 - git from PATH, as the user runs it
            capture_output=True,
            text=True,
            check=False,
        )
    except OSError as exc:
        raise SideError(f"cannot run git to read {ref}:{path}: {exc.strerror}") from None
    if proc.returncode == 0:
        return proc.stdout
    err = proc.stderr.strip()
    if "does not exist" in err or "exists on disk, but not in" in err:
        return None
    raise SideError(f"git show {ref}:{path}: {err or 'failed'}")


def load_side(
    arg: str,
    policy_config: Mapping[str, Any] | None = None,
    *,
    policies: PolicyRunner | None = None,
    skip_policies: bool = False,
    program: str | Path | Callable[[], Any] | None = None,
) -> Side:
    """Plan one side: a file, ``REF:PATH`` (git), or ``/dev/null`` (absent)."""
    if arg in ABSENT:
        return Side(arg, None)
    p = Path(arg)
    if p.exists():
        return Side(arg, plan_file(p, policy_config, policies=policies, skip_policies=skip_policies, program=program))
    if ":" not in arg:
        raise SideError(f"{arg}: file not found (use REF:PATH for a file at a git ref, /dev/null for none)")
    ref, path = arg.split(":", 1)
    text = git_show(ref, path)
    if text is None:
        return Side(arg, None)
    main: Path | Callable[[], Any] = (
        program if callable(program) else (Path(program) if program else find_project(Path(path))[0] / "__main__.py")
    )
    with tempfile.TemporaryDirectory(prefix="aiinfra-diff-") as tmp:
        copy = Path(tmp) / Path(path).name
        copy.write_text(text, encoding="utf-8")
        # relative price overlay paths (aiinfra:prices) resolve in the working tree's project,
        # as the program and the catalog do: both sides are priced with today's overlays
        plan = plan_file(
            copy,
            policy_config,
            policies=policies,
            skip_policies=skip_policies,
            program=main,
            prices_base=project_dir(Path(path).parent),
        )
    plan.file = arg
    plan.issues = [replace(i, file=arg) for i in plan.issues]
    if plan.error:
        plan.error = plan.error.replace(str(copy), arg)
    return Side(arg, plan)


def _verdict_key(v: PolicyVerdict) -> tuple[str, str, str]:
    """The same violation on both sides: same policy and resource (its enforcement level may
    differ: BASE was planned with another policy config; its message and fix may differ: the
    numbers in them follow the spec)."""
    return (v.policy, v.type or "", v.name or "")


def _likeness(head: PolicyVerdict, base: PolicyVerdict) -> tuple[bool, bool, float]:
    """How alike two violations of one policy on one resource are, most telling first: the same
    message, the same level, then how much of the message and fix they share."""
    text = lambda v: f"{v.message}\n{v.fix or ''}"  # noqa: E731 - one expression
    return (
        head.message == base.message,
        head.enforcement_level == base.enforcement_level,
        SequenceMatcher(None, text(head), text(base), autojunk=False).ratio(),
    )


@dataclass(frozen=True)
class Pairing:
    """Each violation of HEAD matched with BASE's same violation, or with none."""

    #: (HEAD's, BASE's) in HEAD's order
    pairs: list[tuple[PolicyVerdict, PolicyVerdict]]
    #: HEAD's with no match in BASE, in HEAD's order
    new: list[PolicyVerdict]
    #: BASE's with no match in HEAD, in BASE's order
    resolved: list[PolicyVerdict]


def pair_violations(base: Sequence[PolicyVerdict], head: Sequence[PolicyVerdict]) -> Pairing:
    """Match the violations of two plans: same policy and resource (:func:`_verdict_key`).

    A policy may report several violations on one resource (one per thing wrong with it), so
    within one policy and resource the most alike are matched first (:func:`_likeness`): an
    unchanged message with itself, then the changed ones with the BASE text closest to theirs,
    earlier ones first on a tie. The rest are new (HEAD) or resolved (BASE).
    """
    groups: dict[tuple[str, str, str], tuple[list[int], list[int]]] = {}
    for i, v in enumerate(base):
        groups.setdefault(_verdict_key(v), ([], []))[0].append(i)
    for j, v in enumerate(head):
        groups.setdefault(_verdict_key(v), ([], []))[1].append(j)
    match: dict[int, int] = {}  # HEAD's index -> BASE's
    for bs, hs in groups.values():
        if len(bs) == 1 and len(hs) == 1:
            match[hs[0]] = bs[0]
            continue
        # the most alike first; on a tie, in order (a stable sort of pairs made in order)
        candidates = [(j, i) for j in hs for i in bs]
        candidates.sort(key=lambda ji: _likeness(head[ji[0]], base[ji[1]]), reverse=True)
        for j, i in candidates:
            if j not in match and i not in match.values():
                match[j] = i
    paired = set(match.values())
    return Pairing(
        pairs=[(v, base[match[j]]) for j, v in enumerate(head) if j in match],
        new=[v for j, v in enumerate(head) if j not in match],
        resolved=[v for i, v in enumerate(base) if i not in paired],
    )


#: The fields of a violation that may change while it stays the same one: (JSON name, attribute).
CHANGING = (("enforcementLevel", "enforcement_level"), ("message", "message"), ("fix", "fix"))


@dataclass
class Remaining:
    """A violation on both sides: HEAD's (located in HEAD's ``plan``) and BASE's, for what changed."""

    plan: StackPlan
    verdict: PolicyVerdict
    base: PolicyVerdict

    @property
    def changed(self) -> list[str]:
        """The fields that differ from BASE's, as the plan JSON names them: ``enforcementLevel``
        (BASE had another policy config), ``message``, ``fix`` (the spec change moved
        its numbers)."""
        return [name for name, attr in CHANGING if getattr(self.verdict, attr) != getattr(self.base, attr)]

    @property
    def raised(self) -> bool:
        """It blocks HEAD but did not block BASE (its level was raised to mandatory): a reason
        this change is blocked, as a new violation is."""
        return self.verdict.blocking and not self.base.blocking

    @property
    def listed(self) -> bool:
        """Shown to the reviewer: it blocks HEAD, or its level, message or fix changed. An
        unchanged advisory one is only counted (the plan lists it); the PR comment stays about
        the change."""
        return self.verdict.blocking or bool(self.changed)


@dataclass
class PlanDiff:
    """What changes between ``base`` and ``head``."""

    base: Side
    head: Side
    changes: list[Change] = field(default_factory=list)

    def __post_init__(self) -> None:
        b, h = self.base.plan, self.head.plan
        if not self.changes and self.comparable:
            self.changes = spec_changes(b.fleet if b else None, h.fleet if h else None)
            self.changes += self._resource_changes()

    @property
    def comparable(self) -> bool:
        """Both sides were planned (or are absent). A side with spec errors, or that the program
        cannot build, has no resources, cost or verdicts: compared as it is, every pool and file
        system would show as deleted (or added) and every violation as resolved."""
        return not self.unplanned()

    def unplanned(self) -> list[Side]:
        """The sides that exist but could not be planned."""
        return [s for s in (self.base, self.head) if s.plan is not None and s.plan.status != "ok"]

    def _resource_changes(self) -> list[Change]:
        b, h = self.base.plan, self.head.plan
        if b is None or b.fleet is None or not b.resources:
            return []
        fleet = b.fleet
        by_urn = {r.urn: r for r in b.resources}
        paths = spec_owners(fleet)

        def owner(r: Any) -> tuple[str, str]:
            return paths.get(locate_resource(fleet, r, by_urn), ("", r.name))

        explained = {(c.cluster, c.name) for c in self.changes if c.effect in (DELETE, REPLACE)}
        explained |= {(c.cluster, c.cluster) for c in self.changes if c.kind == "cluster"}
        rows = resource_changes(b.resources, h.resources if h else [], owner)
        return [c for c in rows if (c.cluster, c.name) not in explained and (c.cluster, c.cluster) not in explained]

    # ----- cost ---------------------------------------------------------------------
    @property
    def base_cost(self) -> CostReport:
        return self.base.plan.cost if self.base.plan else CostReport()

    @property
    def head_cost(self) -> CostReport:
        return self.head.plan.cost if self.head.plan else CostReport()

    def cost_lines(self) -> list[tuple[CostLine | None, CostLine | None]]:
        """(before, after) per item, for items added, removed or changed in cost."""
        if not self.comparable:
            return []
        key = lambda line: (line.cluster, line.kind, line.name)  # noqa: E731 - the stack name may differ
        before = {key(x): x for x in self.base_cost.lines}
        after = {key(x): x for x in self.head_cost.lines}
        out: list[tuple[CostLine | None, CostLine | None]] = []
        for k in [*before, *(k for k in after if k not in before)]:
            b, a = before.get(k), after.get(k)
            if (
                b is None
                or a is None
                or b.hourly_usd_at_max != a.hourly_usd_at_max
                or b.hourly_usd_at_min != a.hourly_usd_at_min
                or b.sku != a.sku
            ):
                out.append((b, a))
        return out

    # ----- accelerators -------------------------------------------------------------
    @property
    def base_accelerators(self) -> AcceleratorReport:
        return self.base.plan.accelerators if self.base.plan else AcceleratorReport()

    @property
    def head_accelerators(self) -> AcceleratorReport:
        return self.head.plan.accelerators if self.head.plan else AcceleratorReport()

    def accelerator_rows(self) -> list[tuple[str, int, int]]:
        """(name, before at max, after at max) for every name on either side that changed."""
        if not self.comparable:
            return []
        b, a = self.base_accelerators.counts, self.head_accelerators.counts
        rows = []
        for name in sorted(set(b) | set(a)):
            x = b[name].at_max if name in b else 0
            y = a[name].at_max if name in a else 0
            if x != y:
                rows.append((name, x, y))
        return rows

    # ----- policies -----------------------------------------------------------------
    @cached_property
    def _pairing(self) -> Pairing:
        if not self.comparable:
            return Pairing([], [], [])
        b, h = self.base.plan, self.head.plan
        return pair_violations(b.violations if b else [], h.violations if h else [])

    def policy_changes(self) -> tuple[list[PolicyVerdict], list[PolicyVerdict]]:
        """(new in head, resolved since base), matched by :func:`pair_violations`."""
        return list(self._pairing.new), list(self._pairing.resolved)

    def policy_remaining(self) -> list[Remaining]:
        """Violations on both sides, in HEAD's order, each with BASE's (:func:`pair_violations`)."""
        h = self.head.plan
        return [Remaining(h, v, b) for v, b in self._pairing.pairs if h is not None]

    def policy_sides(self) -> tuple[list[tuple[StackPlan, PolicyVerdict]], list[tuple[StackPlan, PolicyVerdict]]]:
        """:meth:`policy_changes` with the plan each verdict comes from (HEAD's for new ones, BASE's
        for resolved ones), which locates it in that side's spec (path, line, item)."""
        new, resolved = self.policy_changes()
        h, b = self.head.plan, self.base.plan
        return [(h, v) for v in new if h is not None], [(b, v) for v in resolved if b is not None]

    # ----- verdict ------------------------------------------------------------------
    @property
    def exit_code(self) -> int:
        sides = [s.plan for s in (self.base, self.head) if s.plan is not None]
        if any(p.status != "ok" for p in sides):
            return max(p.exit_code for p in sides)
        if self.head.plan is not None:
            return self.head.plan.exit_code
        return EXIT_OK

    @property
    def verdict(self) -> str:
        code = self.exit_code
        if code >= EXIT_INVALID:
            return "invalid"
        if code == EXIT_FAIL:
            return self.head.plan.verdict if self.head.plan else "fail"
        return self.head.plan.verdict if self.head.plan else "pass"

    def danger(self) -> list[Change]:
        return [c for c in self.changes if c.severity == "danger"]

    def to_json(self) -> dict[str, Any]:
        def totals(c: CostReport) -> dict[str, float]:
            return {
                "hourlyUsd": round(c.hourly_usd, 4),
                "hourlyUsdAtMin": round(c.hourly_usd_at_min, 4),
                "monthlyUsd": round(c.monthly_usd, 2),
            }

        bt, ht = totals(self.base_cost), totals(self.head_cost)
        new, resolved = self.policy_sides()
        comparable = self.comparable

        def violation(s: StackPlan, v: PolicyVerdict) -> dict[str, Any]:
            # as the plan JSON gives it (specPath, line, ...), and the item it is on (dev/l4)
            row = s.violation_json(v)
            return {**row, "item": s.item_label(row["specPath"])}

        def figures(s: Side, t: dict[str, Any]) -> dict[str, Any] | None:
            # a side that could not be planned has no figures (its zeros are not a price)
            return None if s.plan is not None and s.plan.status != "ok" else t

        def side(s: Side) -> dict[str, Any]:
            if s.plan is None:
                return {"label": s.label, "exists": False}
            return {"label": s.label, "exists": True, **s.plan.to_json()}

        return {
            "version": 1,
            "verdict": self.verdict,
            "exitCode": self.exit_code,
            "comparable": comparable,
            "base": side(self.base),
            "head": side(self.head),
            "cost": {
                "base": figures(self.base, bt),
                "head": figures(self.head, ht),
                "delta": {k: round(ht[k] - bt[k], 4) for k in bt} if comparable else None,
                "lines": [
                    {
                        "cluster": (a or b).cluster,  # type: ignore[union-attr]
                        "kind": (a or b).kind,  # type: ignore[union-attr]
                        "name": (a or b).name,  # type: ignore[union-attr]
                        "change": "added" if b is None else ("removed" if a is None else "changed"),
                        "skuBefore": b.sku if b else None,
                        "skuAfter": a.sku if a else None,
                        "hourlyUsdAtMaxBefore": round(b.hourly_usd_at_max, 4) if b else 0,
                        "hourlyUsdAtMaxAfter": round(a.hourly_usd_at_max, 4) if a else 0,
                        "hourlyUsdAtMaxDelta": round(
                            (a.hourly_usd_at_max if a else 0) - (b.hourly_usd_at_max if b else 0), 4
                        ),
                    }
                    for b, a in self.cost_lines()
                ],
            },
            "accelerators": {
                "base": figures(self.base, self.base_accelerators.to_json()["byName"]),
                "head": figures(self.head, self.head_accelerators.to_json()["byName"]),
                "totalDelta": self.head_accelerators.total - self.base_accelerators.total if comparable else None,
                "changed": [
                    {"name": n, "before": x, "after": y, "delta": y - x} for n, x, y in self.accelerator_rows()
                ],
            },
            "policies": {
                "new": [violation(s, v) for s, v in new],
                "resolved": [violation(s, v) for s, v in resolved],
                # on both sides (HEAD's, all of them), with what changed and BASE's text for it
                "remaining": [
                    {
                        **violation(r.plan, r.verdict),
                        "changed": r.changed,
                        **(
                            {"baseEnforcementLevel": r.base.enforcement_level}
                            if "enforcementLevel" in r.changed
                            else {}
                        ),
                        **({"baseMessage": r.base.message} if "message" in r.changed else {}),
                        **({"baseFix": r.base.fix} if "fix" in r.changed else {}),
                    }
                    for r in self.policy_remaining()
                ],
            },
            "changes": [c.to_json() for c in sorted(self.changes, key=lambda c: SEVERITY[c.severity])],
        }
