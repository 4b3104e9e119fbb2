"""``aiinfra catalog [NAME] [--cloud C] [--format text|json] [--check]``.

Shows each accelerator's offers on the three clouds side by side (machine type, price per
node-hour, fabric, local NVMe), TPU versions with their shapes and prices, and the source
and as-of date of every figure. ``--check`` adds the price sanity findings (spot ratio, missing prices, outliers, a
newer generation cheaper than an older one, prices older than 90 days).
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import asdict
from datetime import date
from typing import Any

from components.catalog import CLOUDS, Catalog, get_catalog
from components.catalog.checks import STALE_DAYS, price_findings
from components.catalog.model import Offer
from components.spec.errors import choices_hint


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "name", nargs="?", metavar="NAME", help="accelerator name or alias (H100-80GB, L4, v5p); default: all"
    )
    parser.add_argument("--cloud", choices=list(CLOUDS), help="only this cloud")
    parser.add_argument("--format", choices=["text", "json"], default="text", help="output format (default: text)")
    parser.add_argument(
        "--check",
        action="store_true",
        help="also list suspicious prices: spot below 15%% or not below on-demand, missing, outliers, a newer "
        "generation cheaper than an older one, prices older than 90 days",
    )


def _money(value: float | None) -> str:
    return "-" if value is None else f"${value:,.2f}"


def _fabric_text(o: Offer) -> str:
    f = o.fabric
    if f.kind == "efa":
        return f"EFA x{f.efa_interfaces}"
    if f.kind == "infiniband":
        return f"InfiniBand {f.links}x{f.link_gbps}G"
    if f.kind.startswith("gpudirect"):
        return f"{f.kind.replace('gpudirect-', 'GPUDirect-').upper().replace('GPUDIRECT', 'GPUDirect')} x{f.gpu_nics}"
    return ""


def _cell(o: Offer) -> str:
    lines = [o.machine_type + ("" if o.verified else " †")]
    price = f"{_money(o.price.on_demand_usd)}/h"
    if o.price.spot_usd is not None:
        price += f" (spot {_money(o.price.spot_usd)})"
    lines.append(price)
    extra = [
        x
        for x in (_fabric_text(o), f"NVMe {o.local_nvme.count}x{o.local_nvme.size_gib}GiB" if o.local_nvme else "")
        if x
    ]
    if extra:
        lines.append(", ".join(extra))
    return "\n".join(lines)


def _offer_json(o: Offer) -> dict[str, Any]:
    from components.prices.book import machine_family

    d = asdict(o)
    d["fabric"] = asdict(o.fabric)
    d["family"] = machine_family(o.cloud, o.machine_type)  # what a price overlay's discount names
    return d


def _as_json(cat: Catalog, names: list[str], clouds: list[str], check: bool) -> dict[str, Any]:
    out: dict[str, Any] = {"accelerators": []}
    for name in names:
        acc = cat.accelerators[name]
        entry: dict[str, Any] = {
            "name": acc.name,
            "kind": acc.kind,
            "class": acc.accel_class,
            "memoryGB": acc.memory_gb,
            "aliases": list(acc.aliases),
            "source": acc.source,
            "asOf": acc.as_of,
        }
        if acc.kind == "tpu":
            t = next(v for v in cat.tpus.values() if v.accelerator == name)
            entry["tpu"] = asdict(t)
        else:
            entry["offers"] = [_offer_json(o) for o in cat.offers_for(None, name) if o.cloud in clouds]
        out["accelerators"].append(entry)
    if check:
        out["priceFindings"] = [asdict(f) for f in price_findings(cat, date.today())]
    return out


def _print_text(cat: Catalog, names: list[str], clouds: list[str], check: bool) -> None:
    from rich.console import Console
    from rich.markup import escape

    from components.terminal import counted, fit, table, terminal_width, wrap

    width = terminal_width()
    console = Console(width=width, highlight=False)
    unverified = False

    def source(text: str) -> None:
        console.print(escape(text), soft_wrap=True)  # a URL stays one line, whole

    for name in names:
        acc = cat.accelerators[name]
        if acc.kind == "tpu":
            if "gcp" not in clouds:
                continue
            t = next(v for v in cat.tpus.values() if v.accelerator == name)
            tpu = table(f"{name}  ({acc.memory_gb:g} GB HBM per chip, class {acc.accel_class})")
            for col in (
                "GKE machine types (chips/VM)",
                "topologies",
                "max chips",
                "TPU VM type",
                "$/chip-h",
                "spot $/chip-h",
            ):
                tpu.add_column(col)
            cube = " + cube rule" if t.cube_rule else ""
            row = [
                ", ".join(f"{m} ({n})" for m, n in t.gke_machine_types.items()),
                ", ".join(t.listed_topologies) + cube,
                str(t.max_chips),
                f"{t.vm_prefix}-N ({t.vm_count_unit})",
                _money(t.price.on_demand_usd),
                _money(t.price.spot_usd),
            ]
            unverified |= not t.verified
            console.print(fit(tpu, [[escape(c) for c in row]], width))
            source(f"  source: {t.source} (as of {t.as_of}{'' if t.verified else ', unverified'})\n")
            continue
        offers = [o for o in cat.offers_for(None, name) if o.cloud in clouds]
        if not offers:
            continue
        grid = table(f"{name}  ({acc.memory_gb:g} GB, {acc.vendor}, class {acc.accel_class})", show_lines=True)
        grid.add_column("per node", justify="right")
        for cloud in clouds:
            grid.add_column(cat.cloud(cloud).display_name)
        rows = []
        for count in sorted({o.accelerators_per_node for o in offers}):
            row = [str(count)]
            for cloud in clouds:
                cell = [o for o in offers if o.cloud == cloud and o.accelerators_per_node == count]
                row.append("\n\n".join(_cell(o) for o in sorted(cell, key=lambda o: not o.default)) or "-")
                unverified |= any(not o.verified for o in cell)
            rows.append([escape(c) for c in row])
        console.print(fit(grid, rows, width))
        sources = sorted({(o.cloud, o.source, o.as_of) for o in offers})
        for cloud, src, as_of in sources:
            source(f"  {cloud}: {src} (as of {as_of})")
        # prices refreshed since the row was written carry their own source and date
        refreshed: dict[tuple[str, str, str], list[str]] = {}
        for o in offers:
            if o.price.source:
                key = (o.cloud, o.price.source, o.price.as_of or o.as_of)
                refreshed.setdefault(key, []).append(o.machine_type)
        for (cloud, src, as_of), machines in sorted(refreshed.items()):
            source(f"  {cloud} prices of {', '.join(machines)}: {src} (as of {as_of})")
        console.print()
    if unverified:
        console.print(
            "† figures not yet checked against the cloud's own documentation; "
            "prices are indicative list prices per node-hour"
        )
    if check:
        findings = price_findings(cat, date.today())
        console.print(f"\nprice checks: {counted(len(findings), 'finding')}")

        def finding(text: str, items: list[str]) -> None:
            # our wrap, not rich's: lines after the first hang under the text, and an item
            # with a space in it ("storage lustre/250") is never split
            source(wrap(text, width, "      ", first="  ", keep=items))

        for f in findings:
            if f.check != "stale":
                finding(f"[{f.check}] {f.cloud} {f.machine_type}: {f.problem}", [f.machine_type])
        stale = [f for f in findings if f.check == "stale"]
        for cloud in CLOUDS:
            items = [f.machine_type for f in stale if f.cloud == cloud]
            if items:
                finding(
                    f"[stale] {cloud}: {counted(len(items), 'price')} older than {STALE_DAYS} days: "
                    f"{', '.join(items)}; "
                    "refresh them (aiinfra prices refresh, then aiinfra prices update-catalog)",
                    items,
                )


def run(args: argparse.Namespace) -> int:
    cat = get_catalog()
    clouds = [args.cloud] if args.cloud else list(CLOUDS)
    if args.name:
        canonical = cat.canonical_accelerator(args.name) or cat.canonical_accelerator(f"TPU-{args.name}")
        either = cat.ambiguous(args.name) if canonical is None else []
        if either:
            # browsing: show every accelerator the name can mean, and say so
            print(f"aiinfra catalog: '{args.name}' comes as {' and '.join(either)}: showing both", file=sys.stderr)
        elif canonical is None:
            hint = choices_hint(args.name, cat.accelerator_names())
            print(f"aiinfra catalog: unknown accelerator '{args.name}' ({hint})", file=sys.stderr)
            return 2
        names = either or [str(canonical)]
    else:
        names = cat.accelerator_names()
    if args.format == "json":
        json.dump(_as_json(cat, names, clouds, args.check), sys.stdout, indent=2, default=str)
        print()
    else:
        _print_text(cat, names, clouds, args.check)
    return 0
