"""``aiinfra size`` output: text (a terminal), Markdown (a PR or design doc) and JSON.

Every format carries the same content: the workload's figures, the candidates ranked by total
cost and by time, the offers left out with the reason, every assumption, the price snapshot
behind each candidate shown, and (with ``--emit-spec``) the emitted spec's plan verdict.
"""

from __future__ import annotations

import io
from collections import Counter
from typing import Any

from rich.console import Console

from components.plan.report_markdown import table, usd
from components.prices.book import Figure
from components.sizing.candidates import Candidate, Sizing, policy_notes
from components.sizing.emit import EmitResult
from components.sizing.workload import count_text
from components.terminal import fit, fits, wrap
from components.terminal import table as text_table

TOP = 10
_FABRIC = {
    "none": "none",
    "gpudirect-tcpx": "TCPX",
    "gpudirect-tcpxo": "TCPXO",
    "gpudirect-rdma": "RDMA",
    "infiniband": "InfiniBand",
    "efa": "EFA",
    "ici": "ICI",
}


def headline(s: Sizing) -> str:
    w = s.workload
    what = f"{w.kind} of {count_text(w.parameters)} parameters"
    if w.kind == "training":
        assert w.tokens is not None
        what += f" on {count_text(w.tokens)} tokens"
        if w.deadline_hours is not None:
            what += f" within {w.deadline_hours:g} h"
    else:
        what += f" at {w.tokens_per_second:,.0f} tokens/s, context {w.context_length}"
    if w.max_accelerators is not None:
        what += f", at most {w.max_accelerators} accelerators"
    return f"{w.file}: {what}, {w.precision}, {w.capacity}"


def fact_lines(s: Sizing) -> list[str]:
    """The workload-level figures every candidate shares."""
    w, f = s.workload, s.facts
    shape = f"estimated shape: {f['layers']:.1f} layers x {f['hidden']:,.0f} hidden"
    if w.kind == "training":
        return [
            f"compute: 6 N D = {f['flops']:.3g} FLOPs",
            f"model state: {f['stateBytes'] / 1e9:,.0f} GB; activations {f['activationBytes'] / 1e9:,.1f} GB per "
            f"accelerator; {shape}",
            f"checkpoint: {f['checkpointBytes'] / 1e9:,.0f} GB, {f['checkpointWriteMBps']:,.0f} MB/s to write it in "
            f"{w.write_window_minutes:g} min",
        ]
    return [
        f"weights: {f['weightsBytes'] / 1e9:,.0f} GB; KV cache {f['kvBytesPerSequence'] / 1e9:,.2f} GB per "
        f"{w.context_length}-token sequence; {f['flopsPerToken']:.3g} FLOPs per token; {shape}",
    ]


def _fabric(c: Candidate) -> str:
    if not c.fabric_required:
        return "not needed"
    name = _FABRIC.get(c.fabric_kind, c.fabric_kind)
    if c.tpu is not None:
        # the slice's own interconnect, per chip; multislice also crosses the data-center network
        text = f"{name} {c.fabric_gbps:,.0f} Gb/s/chip" if c.fabric_gbps else name
        return text + (" + DCN" if c.tpu.multislice else "")
    return f"{name} {c.fabric_gbps:,.0f} Gb/s"


def _storage(c: Candidate) -> str:
    st = c.storage
    if st.option is None:
        return "none available"
    tier = f" @{st.option.tier_key}" if st.option.tier_key else ""
    return f"{st.option.kind}{tier} {st.provisioned_gib:,} GiB, {st.provisioned_mbps:,.0f} MB/s"


def _row(rank: int, c: Candidate) -> list[str]:
    return [
        str(rank),
        c.cloud,
        c.machine,
        c.accelerator,
        f"{c.nodes:,}",
        f"{c.accelerators:,}",
        f"{c.accelerator_hours:,.0f}",
        f"{c.wall_hours:,.1f}",
        usd(c.hourly_usd),
        usd(c.total_usd),
        _fabric(c),
        _storage(c),
    ]


HEADER = [
    "#",
    "cloud",
    "machine",
    "accelerator",
    "nodes",
    "accel.",
    "accel-h",
    "wall h",
    "$/h",
    "total",
    "fabric",
    "storage",
]
ALIGN = "llllrrrrrrll"


def _skipped_lines(s: Sizing) -> list[str]:
    reasons = Counter(sk.reason for sk in s.skipped)
    out = []
    for reason, _n in reasons.most_common():
        who = [f"{sk.cloud} {sk.machine_type}" for sk in s.skipped if sk.reason == reason]
        names = ", ".join(who[:4]) + (f" and {len(who) - 4} more" if len(who) > 4 else "")
        out.append(f"{names}: {reason}")
    return out


def _notes(s: Sizing) -> list[str]:
    env = s.workload.environment
    return [f"{c.label}: {'; '.join(n)}" for c in _shown(s) if (n := policy_notes(c, env, s.policy_config))]


def _shown(s: Sizing) -> list[Candidate]:
    """The candidates the tables show (the top of either ranking), in cost order."""
    ids = {id(c) for c in s.candidates[:TOP]} | {id(c) for c in s.by_time()[:TOP]}
    return [c for c in s.candidates if id(c) in ids]


def price_lines(s: Sizing) -> list[str]:
    """What priced each candidate shown: the snapshot (catalog or overlay), region, date and
    discount of its node (or chip) price, then each storage price used."""
    lines = [f"{c.label}: {c.price_note.split(': ', 1)[-1]}" for c in _shown(s)]
    storage = {}
    for c in _shown(s):
        st = c.storage
        if st.option is not None and st.price is not None:
            tier = f" {st.option.tier_key} MB/s/TiB" if st.option.tier_key else ""
            storage[f"{st.option.service}{tier}"] = st.price.describe("GiB-month")
    lines += [f"{what}: {text}" for what, text in storage.items()]
    return lines


def _emit_lines(e: EmitResult) -> list[str]:
    head = f"emitted {e.path}: plan verdict {e.verdict}"
    if e.hourly_usd is not None:
        head += f" (plan: {usd(e.hourly_usd)}/h at max scale)"
    lines = [head]
    lines += [f"  {i}" for i in e.issues]
    if e.error:
        lines.append(f"  {e.error}")
    for v in e.violations:
        lines.append(f"  {v['enforcementLevel']} {v['policy']}: {v['message']}")
    if e.verdict == "pass":
        lines.append("  validates and plans clean under the policies of its environment")
    return lines


def _block(r: dict[str, str], width: int) -> str:
    """One ranked candidate in lines that wrap at spaces (for a terminal too narrow for the table)."""
    head = (
        f"{r['#']}. {r['machine']} ({r['cloud']}): {r['nodes']} nodes, {r['accel.']} x {r['accelerator']}, "
        f"{r['wall h']} h wall, {r['accel-h']} accelerator-hours, {r['$/h']}/h, {r['total']} in all"
    )
    tail = f"fabric {r['fabric']}; storage {r['storage']}"
    return wrap(head, width, indent="     ", first="  ") + "\n" + wrap(tail, width, indent="     ")


def render_text(s: Sizing, emitted: EmitResult | None = None, *, width: int = 200) -> str:
    """The sizing for a terminal ``width`` wide (the command passes ``$COLUMNS``, 80 and up): lines
    wrap at spaces, and the ranked tables become a block per candidate where they do not fit."""
    buf = io.StringIO()
    console = Console(file=buf, no_color=True, width=width, highlight=False)

    def say(text: str, first: str = "", indent: str = "") -> None:
        wrapped = wrap(text, width, indent=indent, first=first, keep=[s.workload.file])
        console.print(wrapped, markup=False, soft_wrap=True)

    say(headline(s), indent="  ")
    for line in fact_lines(s):
        say(line, "  ", "    ")
    for title, ranked in (("by total cost", s.candidates), ("by time", s.by_time())):
        heading = f"Ranked {title} ({min(TOP, len(ranked))} of {len(ranked)} candidates)"
        rows = [_row(i, c) for i, c in enumerate(ranked[:TOP], 1)]
        if fits(HEADER, rows, width):
            t = text_table(heading)
            for col, a in zip(HEADER, ALIGN, strict=True):
                t.add_column(col, justify="right" if a == "r" else "left")
            console.print(fit(t, rows, width))
        else:
            # twelve columns do not fit a narrow terminal without breaking machine types: a block each
            console.print(heading, markup=False)
            for row in rows:
                console.print(_block(dict(zip(HEADER, row, strict=True)), width), markup=False, soft_wrap=True)
            console.print()
    if not s.candidates:
        say("No offer can run this workload as given (see the reasons below).")
    for line in _notes(s):
        say(f"note: {line}", indent="  ")
    if s.skipped:
        console.print(f"Left out ({len(s.skipped)} offers):")
        for line in _skipped_lines(s):
            say(f"- {line}", "  ", "    ")
    console.print("Assumptions:")
    for line in s.assumptions:
        say(f"- {line}", "  ", "    ")
    say(f"Prices ({s.prices}):")
    for line in price_lines(s):
        say(f"- {line}", "  ", "    ")
    if emitted is not None:
        for line in _emit_lines(emitted):
            say(line, indent="  ")
    return buf.getvalue()


def render_markdown(s: Sizing, emitted: EmitResult | None = None) -> str:
    out = [f"## aiinfra size: {s.workload.name}", "", headline(s), ""]
    out += [f"- {line}" for line in fact_lines(s)]
    for title, ranked in (("by total cost", s.candidates), ("by time", s.by_time())):
        out += ["", f"### Ranked {title} ({min(TOP, len(ranked))} of {len(ranked)})", ""]
        out += table(HEADER, [_row(i, c) for i, c in enumerate(ranked[:TOP], 1)], ALIGN)
    notes = _notes(s)
    if notes:
        out += ["", *[f"> {n}" for n in notes]]
    if s.skipped:
        out += ["", f"<details><summary>Left out ({len(s.skipped)} offers)</summary>", ""]
        out += [f"- {line}" for line in _skipped_lines(s)]
        out += ["", "</details>"]
    out += ["", "### Assumptions", ""] + [f"- {line}" for line in s.assumptions]
    out += ["", f"### Prices ({s.prices})", ""] + [f"- {line}" for line in price_lines(s)]
    if emitted is not None:
        out += ["", "### Emitted spec", "", *[f"    {line}" for line in _emit_lines(emitted)]]
    return "\n".join(out) + "\n"


def to_json(s: Sizing, emitted: EmitResult | None = None) -> dict[str, Any]:
    w = s.workload
    index = {id(c): i for i, c in enumerate(s.candidates)}
    return {
        "workload": {
            "file": w.file,
            "name": w.name,
            "kind": w.kind,
            "parameters": w.parameters,
            "tokens": w.tokens,
            "precision": w.precision,
            "mfu": w.mfu,
            "capacity": w.capacity,
            "environment": w.environment,
            "defaults": list(w.defaults),
        },
        "facts": {k: v for k, v in s.facts.items()},
        "candidates": [c.to_json() for c in s.candidates],
        "candidateDetails": [_details(s, c) for c in s.candidates],
        "rankedByTime": [index[id(c)] for c in s.by_time()],
        "skipped": [
            {"cloud": k.cloud, "machineType": k.machine_type, "accelerator": k.accelerator, "reason": k.reason}
            for k in s.skipped
        ],
        "assumptions": s.assumptions,
        "prices": s.prices,
        "emitted": emitted.to_json() if emitted else None,
    }


def _price_json(fig: Figure, unit: str) -> dict[str, Any]:
    return {
        "usd": round(fig.usd, 6),
        "listUsd": fig.list_usd,
        "unit": unit,
        "region": fig.region,
        "snapshot": fig.snapshot,
        "source": fig.source,
        "asOf": fig.as_of,
        "discount": fig.discount.to_json() if fig.discount else None,
    }


def _details(s: Sizing, c: Candidate) -> dict[str, Any]:
    """Per candidate: what it is, how it was priced, and the figures behind its size."""
    out: dict[str, Any] = {
        "machineType": c.machine,
        "priceRegion": c.region,
        "acceleratorsPerNode": c.per_node,
        "nodeHourlyUsd": c.node_hourly_usd,
        "price": _price_json(c.price, "chip-hour" if c.tpu is not None else "node-hour"),
        "storagePrice": _price_json(c.storage.price, "GiB-month") if c.storage.price else None,
        "memoryPerAcceleratorGB": round(c.memory_per_accelerator_gb, 2),
        "policyNotes": policy_notes(c, s.workload.environment, s.policy_config),
        **{k: (round(v, 4) if isinstance(v, float) else v) for k, v in c.detail.items()},
    }
    if c.tpu is not None:
        out["machineType"] = c.tpu.slice.shape.machine_type
        out["tpu"] = {
            "version": c.tpu.version.version,
            "topology": c.tpu.slice.topology,
            "chipsPerSlice": c.tpu.slice.chips,
            "slices": c.tpu.count,
            "vmsPerSlice": c.tpu.slice.shape.nodes,
        }
    return out
