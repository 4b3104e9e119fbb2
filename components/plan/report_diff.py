"""Render a :class:`~components.plan.diff.PlanDiff` as Markdown (PR comment) or text.

Replacements of GPU pools and of data-bearing storage come first, as GitHub alerts
(``> [!CAUTION]`` for data loss, ``> [!WARNING]`` for pools replaced or nodes recreated),
then the cost delta, the accelerator delta, the policy verdicts that changed, and the
violations still in HEAD that block it or whose message or fix changed (so a blocked diff
always says what blocks it).
"""

from __future__ import annotations

from components.plan.diff import PlanDiff, Remaining
from components.plan.replacements import Change
from components.plan.report_markdown import (
    POLICY_HEADER,
    VERDICT_ICON,
    VERDICT_TEXT,
    full_messages,
    ordered,
    table,
    usd,
    violation_rows,
    was_text,
)
from components.plan.report_text import violation_head
from components.terminal import counted

MARKER = "<!-- aiinfra-diff -->"


def signed_usd(value: float) -> str:
    if abs(value) < 0.005:
        return "±$0"
    return ("+" if value > 0 else "-") + usd(abs(value))


def pct(before: float, after: float) -> str:
    """``+222%``, ``-0.3%`` (a small change is not "-0%"), ``<0.1%``; "" for no change, "new" from 0."""
    if abs(after - before) < 0.005:  # as signed_usd: ±$0 is no change
        return ""
    if before == 0:
        return "new"
    p = (after - before) / before * 100
    if abs(p) >= 1:
        return f"{p:+.0f}%"
    return f"{p:+.1f}%" if abs(p) >= 0.1 else "<0.1%"


def _fmt(v: object) -> str:
    """A spec value as the spec writes it: ``true``/``false``, ``(none)`` for no value."""
    if v is None:
        return "(none)"
    if isinstance(v, bool):
        return "true" if v else "false"
    return str(v)


def _field_change(c: Change) -> str:
    if c.effect == "delete" and c.before is not None:
        return f"was {_fmt(c.before)}"
    if c.field and c.after is not None:
        return f"`{c.field}`: `{_fmt(c.before)}` → `{_fmt(c.after)}`"
    return ""


def _sentence(text: str) -> str:
    return f" {text[:1].upper()}{text[1:]}." if text else ""


def change_line(c: Change) -> str:
    field = _field_change(c)
    return f"**{c.title}**" + (f" ({field})." if field else ".") + _sentence(c.why)


# The strongest effect names a grouped item's title (a pool replaced and resized is "REPLACED").
_EFFECT_RANK = {"delete": 0, "replace": 1, "recreate-nodes": 2, "note": 3}


def grouped(changes: list[Change]) -> list[list[Change]]:
    """Changes of one item (kind, cluster, name) together, in first-seen order: one warning each."""
    groups: dict[tuple[str, str, str], list[Change]] = {}
    for c in changes:
        groups.setdefault((c.kind, c.cluster, c.name), []).append(c)
    return list(groups.values())


def _by_severity(changes: list[Change]) -> dict[str, list[list[Change]]]:
    """Each item's changes as one group, filed under the item's most severe change."""
    rank = ("danger", "warning", "info")
    out: dict[str, list[list[Change]]] = {k: [] for k in rank}
    for g in grouped(changes):
        out[min((c.severity for c in g), key=rank.index)].append(g)
    return out


def group_line(cs: list[Change]) -> str:
    """``**GPU pool `train/h100` is REPLACED**: `accelerator type` a → b; `maxNodes` 4 → 12. Why; why.``"""
    if len(cs) == 1:
        return change_line(cs[0])
    lead = min(cs, key=lambda c: _EFFECT_RANK.get(c.effect, 9))
    fields = "; ".join(f for f in (_field_change(c) for c in cs) if f)
    whys = list(dict.fromkeys(c.why for c in cs if c.why))
    return f"**{lead.title}** ({fields})." + _sentence("; ".join(whys))


def _label(d: PlanDiff) -> str:
    h = d.head.plan or d.base.plan
    return h.stack if h else d.head.label


def not_compared(d: PlanDiff) -> str:
    """``not compared: head.yaml is invalid``: why a diff shows no changes, cost or verdicts."""
    why = [
        f"{s.label} {'is invalid' if s.plan and s.plan.status == 'invalid' else 'cannot be built'}"
        for s in d.unplanned()
    ]
    return "not compared: " + " and ".join(why)


def base_levels(raised: list[Remaining]) -> str:
    """What the raised violations' levels were in BASE, once each: ``advisory``."""
    return " or ".join(dict.fromkeys(r.base.enforcement_level for r in raised))


def verdict_text(d: PlanDiff) -> str:
    """The verdict in words; a HEAD blocked only by violations BASE has too says so
    (``blocked: mandatory policy violation (all 4 already in BASE)``): the change did not cause
    it. One that BASE has at a lower level (advisory) is a reason the change is blocked, as a new
    one is: ``(1 of 3 was advisory in BASE)``, ``(was advisory in BASE)`` when it is the only one."""
    text = VERDICT_TEXT[d.verdict]
    if d.verdict != "fail" or any(v.blocking for v in d.policy_changes()[0]):
        return text
    still = [r for r in d.policy_remaining() if r.verdict.blocking]
    raised = [r for r in still if r.raised]
    if raised:
        levels = base_levels(raised)
        if len(still) == 1:
            return f"{text} (was {levels} in BASE)"
        return f"{text} ({len(raised)} of {len(still)} {'was' if len(raised) == 1 else 'were'} {levels} in BASE)"
    n = len(still)
    if n == 1:
        return f"{text} (already in BASE)"
    return f"{text} (all {n} already in BASE)" if n else text


def remaining_counts(d: PlanDiff) -> tuple[list[Remaining], int]:
    """The violations still in HEAD that are listed (:attr:`Remaining.listed`) and how many are not."""
    rest = d.policy_remaining()
    listed = [r for r in rest if r.listed]
    return listed, len(rest) - len(listed)


def unlisted_note(n: int) -> str:
    """Why the unchanged advisory violations are not listed, and where to see them."""
    return f"{counted(n, 'unchanged advisory violation')} also in BASE, not listed (`aiinfra plan` lists them)"


def headline(d: PlanDiff) -> str:
    if not d.comparable:
        icon, verdict = VERDICT_ICON[d.verdict], VERDICT_TEXT[d.verdict]
        return f"### {icon} aiinfra diff `{_label(d)}`: {not_compared(d)} · {verdict}"
    b, h = d.base_cost, d.head_cost
    delta = h.hourly_usd - b.hourly_usd
    acc = d.head_accelerators.total - d.base_accelerators.total
    if d.base.plan is None:
        what = "new stack"
    elif d.head.plan is None:
        what = "stack removed"
    else:
        what = f"{signed_usd(delta)}/h at max scale ({pct(b.hourly_usd, h.hourly_usd) or 'no change'})"
    icon = "🛑" if d.danger() else VERDICT_ICON[d.verdict]
    # one warning per item (group_line), however many of its fields change: count the warnings shown
    warnings = len(grouped(d.danger()))
    return (
        f"### {icon} aiinfra diff `{_label(d)}`: {what}, "
        f"{acc:+d} accelerators, {counted(warnings, 'data-loss warning')} · {verdict_text(d)}"
    )


def render_markdown(d: PlanDiff) -> str:
    out = [MARKER, headline(d), "", f"`{d.base.label}` → `{d.head.label}`", ""]
    for s in (d.base, d.head):
        p = s.plan
        if p is not None and p.status != "ok":
            out += [f"**{s.label}** {'is invalid' if p.status == 'invalid' else 'cannot be built'}:", "", "```text"]
            out += [i.format() for i in p.issues] if p.status == "invalid" else [p.error or ""]
            out += ["```", ""]
    if not d.comparable:
        out += ["Nothing is compared until both sides plan: fix the errors above."]
        return "\n".join(out) + "\n"
    by_severity = _by_severity(d.changes)
    if by_severity["danger"]:
        out += ["> [!CAUTION]", "> **Data-bearing storage is deleted or replaced: its data is lost.**", ">"]
        out += [f"> - {group_line(g)}" for g in by_severity["danger"]] + [""]
    if by_severity["warning"]:
        out += [
            "> [!WARNING]",
            "> **Running accelerator capacity is replaced or deleted: jobs on it are evicted.**",
            ">",
        ]
        out += [f"> - {group_line(g)}" for g in by_severity["warning"]] + [""]
    if by_severity["info"]:
        out += [f"- {group_line(g)}" for g in by_severity["info"]] + [""]

    b, h = d.base_cost, d.head_cost
    out += ["#### Cost", ""]
    rows: list[list[object]] = [
        [
            "$/h at max scale",
            usd(b.hourly_usd),
            usd(h.hourly_usd),
            signed_usd(h.hourly_usd - b.hourly_usd),
            pct(b.hourly_usd, h.hourly_usd),
        ],
        [
            "$/h at min scale",
            usd(b.hourly_usd_at_min),
            usd(h.hourly_usd_at_min),
            signed_usd(h.hourly_usd_at_min - b.hourly_usd_at_min),
            pct(b.hourly_usd_at_min, h.hourly_usd_at_min),
        ],
        [
            "$/month at max scale",
            usd(b.monthly_usd),
            usd(h.monthly_usd),
            signed_usd(h.monthly_usd - b.monthly_usd),
            pct(b.monthly_usd, h.monthly_usd),
        ],
    ]
    out += [*table(["", "Base", "Head", "Delta", "%"], rows, "lrrrr"), ""]
    lines = d.cost_lines()
    if lines:
        item_rows = []
        for bl, al in lines:
            ref = al or bl
            assert ref is not None
            item_rows.append(
                [
                    f"{ref.cluster}/{ref.name}",
                    ref.kind,
                    bl.scaled_sku if bl else "(added)",
                    al.scaled_sku if al else "(removed)",
                    usd(bl.hourly_usd_at_max) if bl else "",
                    usd(al.hourly_usd_at_max) if al else "",
                    signed_usd((al.hourly_usd_at_max if al else 0) - (bl.hourly_usd_at_max if bl else 0)),
                ]
            )
        out += table(
            ["Item", "Kind", "Before", "After", "$/h at max before", "$/h at max after", "Delta"], item_rows, "llllrrr"
        )
        out += [""]

    out += ["#### Accelerators", ""]
    acc_rows = d.accelerator_rows()
    if acc_rows:
        out += table(
            ["Accelerator", "Base", "Head", "Delta"], [[f"`{n}`", x, y, f"{y - x:+d}"] for n, x, y in acc_rows], "lrrr"
        )
    else:
        out += ["No change in accelerators at max scale."]
    out += [""]

    out += ["#### Policy verdicts that changed", ""]
    new, resolved = d.policy_sides()
    if new or resolved:
        # the plan's policy table for each list (spec path, what, fix), named as the change lines
        # name items (dev/l4); a resolved violation needs no fix
        new_rows, details = violation_rows(new, label=True)
        resolved_rows, more = violation_rows(resolved, first=len(details) + 1, fix=False, label=True)
        if new_rows:
            out += [f"**New in `{d.head.label}`** ({len(new_rows)})", "", *table(POLICY_HEADER, new_rows), ""]
        if resolved_rows:
            out += [f"**Resolved since `{d.base.label}`** ({len(resolved_rows)})", ""]
            out += [*table(POLICY_HEADER[:-1], resolved_rows), ""]
        out += full_messages(details + more)
    else:
        evaluated = [
            s.plan.policies_evaluated for s in (d.base, d.head) if s.plan is not None and s.plan.status == "ok"
        ]
        out += ["No change." if all(evaluated) else "Policies were not evaluated on both sides."]
    listed, unlisted = remaining_counts(d)
    if listed or unlisted:
        # the plan's policy table again, numbered after the rows above; a changed message or fix
        # shows what it was in BASE
        out += ["", f"#### Violations still in `{d.head.label}`", ""]
        if listed:
            still_rows, still_details = violation_rows(
                [(r.plan, r.verdict) for r in listed],
                first=len(new) + len(resolved) + 1,
                label=True,
                was={r.verdict: r.base for r in listed if r.changed},
            )
            blocking = sum(1 for r in listed if r.verdict.blocking)
            raised = [r for r in listed if r.raised]
            changed = sum(1 for r in listed if r.changed)
            lead = f"{blocking} blocking" + (
                f" ({len(raised)} {base_levels(raised)} in `{d.base.label}`)" if raised else ""
            )
            out += [f"{lead}, {changed} changed since `{d.base.label}`:", ""]
            out += [*table(POLICY_HEADER, still_rows), "", *full_messages(still_details)]
        if unlisted:
            out += ["", unlisted_note(unlisted) + "."]
    out += [
        "",
        "<sub>Generated offline by `aiinfra diff` (both sides planned with the current program and catalog).</sub>",
    ]
    return "\n".join(out) + "\n"


def render_text(d: PlanDiff, width: int | None = None) -> str:
    """The diff for a terminal ``width`` wide (default: the terminal's, 80 and up): every item
    wrapped at spaces, its lines after the first indented, so names and spec paths stay whole."""
    from components.terminal import terminal_width, wrap

    width = width or terminal_width()
    b, h = d.base_cost, d.head_cost
    out: list[str] = []

    def say(text: str, first: str = "  ") -> None:
        out.append(wrap(text, width, indent=first + "    ", first=first))

    say(
        f"aiinfra diff {d.base.label} -> {d.head.label}: {verdict_text(d)}"
        + ("" if d.comparable else f", {not_compared(d)}"),
        "",
    )
    for s in (d.base, d.head):
        p = s.plan
        if p is not None and p.status != "ok":
            say(f"{s.label}: {p.status}")
            out.extend(wrap(i.format(), width, indent="        ", first="    ") for i in p.issues)
            if p.error:
                say(p.error, "    ")
    if not d.comparable:
        say("nothing is compared until both sides plan: fix the errors above")
        return "\n".join(out) + "\n"
    for severity, groups in _by_severity(d.changes).items():
        tag = {"danger": "DATA LOSS", "warning": "WARNING", "info": "note"}[severity]
        for g in groups:
            say(f"[{tag}] " + group_line(g).replace("**", "").replace("`", ""))
    say(
        f"cost at max: {usd(b.hourly_usd)}/h -> {usd(h.hourly_usd)}/h ({signed_usd(h.hourly_usd - b.hourly_usd)}/h, "
        f"{signed_usd(h.monthly_usd - b.monthly_usd)}/month)"
    )
    say(f"cost at min: {usd(b.hourly_usd_at_min)}/h -> {usd(h.hourly_usd_at_min)}/h")
    for bl, al in d.cost_lines():
        ref = al or bl
        assert ref is not None
        say(
            f"{ref.cluster}/{ref.name}: {bl.scaled_sku if bl else '(added)'} -> "
            f"{al.scaled_sku if al else '(removed)'}, "
            f"{signed_usd((al.hourly_usd_at_max if al else 0) - (bl.hourly_usd_at_max if bl else 0))}/h at max",
            "    ",
        )
    for n, x, y in d.accelerator_rows():
        say(f"accelerators {n}: {x} -> {y} ({y - x:+d})")
    new, resolved = d.policy_sides()
    listed, unlisted = remaining_counts(d)
    was = {r.verdict: r.base for r in listed}
    for what, pairs in (
        ("new violation", new),
        ("resolved", resolved),
        ("still", [(r.plan, r.verdict) for r in listed]),
    ):
        # as the plan prints a violation (spec path, file and line, resource; the message; the fix),
        # with the item's name as the change lines give it; a resolved violation needs no fix; one
        # still there says what its message and fix were in BASE when they changed
        for plan, v in ordered(pairs):
            say(f"{what} [{v.enforcement_level}] {violation_head(plan, v, label=True)}")
            before = was.get(v) if what == "still" else None
            if before is not None and before.enforcement_level != v.enforcement_level:
                out.append(wrap(f"level was: {before.enforcement_level}", width, indent="      "))
            out.append(wrap(v.message, width, indent="      "))
            if before is not None and before.message != v.message:
                out.append(wrap(f"was: {was_text(before.message, v.message)}", width, indent="      "))
            if v.fix and what != "resolved":
                out.append(wrap(f"fix: {v.fix}", width, indent="      "))
            if before is not None and before.fix != v.fix:
                out.append(wrap(f"fix was: {before.fix or '(none)'}", width, indent="      "))
    if unlisted:
        say(unlisted_note(unlisted).replace("`", ""))
    return "\n".join(out) + "\n"
