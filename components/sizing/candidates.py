"""Size a workload on every candidate offer: accelerators, nodes, hours, cost, fabric, storage.

``size_workload(workload)`` evaluates each cataloged offer the workload's ``candidates``
allow and returns a :class:`Sizing`: the feasible candidates ranked by total cost and by
time, the offers left out with the reason, and every assumption used. The formulas are in
``components.sizing.formulas``; the constants in ``data/assumptions.yaml``; prices, memory,
peak throughput and fabric bandwidth in the catalog.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from components.catalog import get_catalog
from components.catalog.model import AcceleratorPerf, Offer, TpuVersion
from components.prices.book import Figure, PriceBook, Quote, catalog_book
from components.sizing import formulas as f
from components.sizing.storage import StoragePlan, plan_storage
from components.sizing.tpu import SliceLayout, SliceShape, allowed_shapes, pick, policy_config_for, slice_limits
from components.sizing.workload import Workload, assumptions

GIB = 2**30


@dataclass(frozen=True)
class Candidate:
    """One offer (a GPU or Neuron machine type, or TPU slices) that can run the workload, with
    what it takes. ``nodes`` are machines: GPU nodes, or the TPU VMs of every slice."""

    cloud: str
    accelerator: str
    machine: str  # machine type, or the TPU layout ("tpu v6e 16x16 x4")
    per_node: int  # accelerators per node (TPU: chips per VM)
    accelerators: int
    nodes: int
    accelerator_hours: float
    wall_hours: float
    node_hourly_usd: float
    price: Figure  # what priced a node-hour (TPU: a chip-hour): snapshot, region, discount
    price_note: str  # the same in words, for the assumptions
    storage: StoragePlan
    fabric_required: bool
    fabric_kind: str  # the offer's fabric kind; "ici" for TPU slices
    fabric_gbps: float  # per node (TPU: ICI per chip; 0 when not cataloged)
    memory_per_accelerator_gb: float  # model state + activations (training) / weights + KV (inference)
    offer: Offer | None = None
    tpu: SliceLayout | None = None
    detail: Mapping[str, Any] = field(default_factory=dict)

    @property
    def region(self) -> str:
        """Where the candidate is priced, and where ``--emit-spec`` puts its cluster."""
        return self.price.region

    @property
    def hourly_usd(self) -> float:
        """Compute (all nodes) plus shared storage, per hour."""
        return self.compute_hourly_usd + self.storage.hourly_usd

    @property
    def compute_hourly_usd(self) -> float:
        return self.nodes * self.node_hourly_usd

    @property
    def total_usd(self) -> float:
        return self.hourly_usd * self.wall_hours

    @property
    def label(self) -> str:
        return f"{self.cloud} {self.machine}"

    @property
    def pick_keys(self) -> tuple[str, ...]:
        """What ``--pick`` matches: ``aws/p5.48xlarge``; ``gcp/tpu-v6e`` or ``gcp/v6e`` for TPUs."""
        if self.tpu is not None:
            v = self.tpu.version.version
            return (f"{self.cloud}/tpu-{v}", f"{self.cloud}/{v}")
        return (f"{self.cloud}/{self.machine.lower()}",)

    @property
    def pool_nodes(self) -> int:
        """Nodes of one node pool as the policies count them (a TPU slice is one node pool)."""
        return self.tpu.slice.shape.nodes if self.tpu is not None else self.nodes

    def fabric_json(self) -> dict[str, Any]:
        if self.tpu is not None:
            return {
                "required": self.fabric_required,
                "kind": self.fabric_kind,
                "gbpsPerNode": None,
                "iciGbpsPerChip": self.fabric_gbps or None,
                "slices": self.tpu.count,
                "dataCenterNetwork": self.tpu.multislice,
            }
        return {"required": self.fabric_required, "kind": self.fabric_kind, "gbpsPerNode": self.fabric_gbps}

    def to_json(self) -> dict[str, Any]:
        """The ``size --format json`` contract: exactly these keys."""
        return {
            "cloud": self.cloud,
            "accelerator": self.accelerator,
            "accelerators": self.accelerators,
            "nodes": self.nodes,
            "acceleratorHours": round(self.accelerator_hours, 1),
            "wallHours": round(self.wall_hours, 2),
            "hourlyUsd": round(self.hourly_usd, 2),
            "totalUsd": round(self.total_usd, 2),
            "fabric": self.fabric_json(),
            "storage": self.storage.to_json(),
        }


@dataclass(frozen=True)
class Skipped:
    """An offer left out, and why."""

    cloud: str
    machine_type: str
    accelerator: str
    reason: str


@dataclass
class Sizing:
    """Everything ``aiinfra size`` reports."""

    workload: Workload
    candidates: list[Candidate]  # ranked by total cost
    skipped: list[Skipped]
    assumptions: list[str]
    facts: dict[str, Any]  # workload-level figures (FLOPs, shape, bytes per parameter, ...)
    prices: str = "catalog list prices"  # what priced the candidates (the book's description)
    policy_config: Mapping[str, Any] = field(default_factory=dict)

    def by_time(self) -> list[Candidate]:
        return sorted(self.candidates, key=lambda c: (c.wall_hours, c.total_usd, c.label))


@dataclass(frozen=True)
class _Unit:
    """What one candidate offer is, before sizing: a machine offer or a TPU version, priced."""

    cloud: str
    accelerator: str
    per_node: int
    quote: Quote
    offer: Offer | None = None
    version: TpuVersion | None = None


def _name(unit: _Unit) -> str:
    """The machine type, or ``tpu-v6e``."""
    if unit.offer is not None:
        return unit.offer.machine_type
    return f"tpu-{unit.version.version}" if unit.version else unit.accelerator


def _figure(quote: Quote, capacity: str) -> Figure | None:
    """The figure ``capacity`` is priced at; None when the book has no such price (sizing never
    prices spot at on-demand, unlike the plan's upper bound)."""
    return quote.spot if capacity == "spot" else quote.on_demand


def _units(w: Workload, book: PriceBook) -> list[_Unit]:
    """Every offer and TPU version the workload's candidates allow, priced by the book."""
    cat = get_catalog()
    wanted = set(w.accelerators)
    out: list[_Unit] = []
    for o in cat.offers:
        if (not w.clouds or o.cloud in w.clouds) and (not wanted or o.accelerator in wanted):
            out.append(_Unit(o.cloud, o.accelerator, o.accelerators_per_node, book.offer(o), offer=o))
    if not w.clouds or "gcp" in w.clouds:
        for v in cat.tpus.values():
            if not wanted or v.accelerator in wanted:
                chips = max(v.gke_machine_types.values())
                out.append(_Unit("gcp", v.accelerator, chips, book.tpu(v), version=v))
    return out


def _common_facts(w: Workload) -> dict[str, Any]:
    a = assumptions()
    shape = f.model_shape(w.parameters, a["aspectRatio"])
    b = a["bytesPerParameter"][w.precision]
    facts: dict[str, Any] = {
        "layers": shape.layers,
        "hidden": shape.hidden,
        "bytesPerParameter": b,
    }
    if w.kind == "training":
        assert w.tokens is not None
        facts["flops"] = f.training_flops(w.parameters, w.tokens)
        facts["stateBytes"] = w.parameters * f.state_bytes_per_parameter(b["weights"], b["gradients"], b["optimizer"])
        facts["activationBytes"] = f.activation_bytes(
            shape, w.sequence_length, a["activationBytes"]["keptPerLayer"], a["activationBytes"]["workingLayer"]
        )
        facts["checkpointBytes"] = f.checkpoint_bytes(w.parameters, b["weights"], b["optimizer"])
        facts["checkpointWriteMBps"] = f.write_mbps(facts["checkpointBytes"], w.write_window_minutes)
    else:
        assert w.context_length is not None
        facts["weightsBytes"] = w.parameters * b["weights"]
        facts["kvBytesPerToken"] = f.kv_bytes_per_token(shape, b["weights"], w.kv_cache_fraction)
        facts["kvBytesPerSequence"] = facts["kvBytesPerToken"] * w.context_length
        facts["flopsPerToken"] = f.flops_per_token(w.parameters, shape, w.context_length)
    return facts


@dataclass(frozen=True)
class _Ctx:
    """What every candidate of one run shares."""

    w: Workload
    facts: dict[str, Any]
    book: PriceBook
    policy_config: Mapping[str, Any]


@dataclass(frozen=True)
class _Layout:
    """How many of the unit a size takes: nodes (or TPU slices) and accelerators."""

    nodes: int
    accelerators: int
    tpu: SliceLayout | None = None


def _peak(unit: _Unit, precision: str) -> tuple[AcceleratorPerf, float] | str:
    perf = get_catalog().perf(unit.accelerator)
    peak = perf.tflops(precision) if perf else None
    if perf is None or peak is None:
        return f"{unit.accelerator} has no {precision.upper()} tensor throughput in the catalog"
    return perf, peak


def _fabric(unit: _Unit) -> tuple[str, float]:
    """(fabric kind, Gbit/s): the offer's fabric per node; for TPUs the ICI per chip."""
    cat = get_catalog()
    if unit.offer is not None:
        gbps = cat.fabric_gbps(unit.offer)
        return unit.offer.fabric.kind, gbps.gbps if gbps else 0.0
    perf = cat.perf(unit.accelerator)
    return "ici", (perf.ici_gbps or 0.0) if perf else 0.0


def _training_layout(c: _Ctx, unit: _Unit, need: int) -> _Layout | str:
    """Nodes or TPU slices for ``need`` accelerators (``maxAccelerators`` alone: as many as allowed)."""
    w = c.w
    if unit.version is not None:
        limits = slice_limits(w.environment, c.policy_config)
        shapes = allowed_shapes(unit.version, limits)
        if not shapes:
            return f"no TPU {unit.version.version} slice is within what {limits.describe()}"
        sizes = sorted({s.chips for s in shapes})
        if w.deadline_hours is None:
            assert w.max_accelerators is not None
            fit = f.slices_within(w.max_accelerators, sizes)
            if fit is None:
                return (
                    f"the smallest TPU {unit.version.version} slice has {sizes[0]} chips; maxAccelerators is "
                    f"{w.max_accelerators}"
                )
        else:
            fit = f.slices_for(need, sizes)
            assert fit is not None
        chips, count = fit
        layout = SliceLayout(unit.version, pick(shapes, chips), count)
        return _Layout(layout.vms, layout.chips, layout)
    per_node = unit.per_node
    if w.deadline_hours is None:
        assert w.max_accelerators is not None
        nodes = w.max_accelerators // per_node
        if nodes == 0:
            return f"one node has {per_node} accelerators; maxAccelerators is {w.max_accelerators}"
        return _Layout(nodes, nodes * per_node)
    nodes = f.whole_nodes(need, per_node)
    return _Layout(nodes, nodes * per_node)


def _training(c: _Ctx, unit: _Unit) -> Candidate | str:
    w, facts = c.w, c.facts
    a = assumptions()
    acc = get_catalog().accelerators[unit.accelerator]
    peak = _peak(unit, w.precision)
    if isinstance(peak, str):
        return peak
    _perf, tflops = peak
    usable = f.usable_memory_bytes(acc.memory_gb, a["memoryReserveFraction"])
    a_mem = f.accelerators_for_memory(facts["stateBytes"], usable, facts["activationBytes"])
    if a_mem is None:
        return (
            f"activations at sequenceLength {w.sequence_length} ({facts['activationBytes'] / 1e9:,.1f} GB) "
            f"exceed the {usable / 1e9:,.1f} GB usable of one {unit.accelerator}"
        )
    hours = f.accelerator_hours(facts["flops"], tflops, w.mfu)
    need = a_mem
    if w.deadline_hours is not None:
        need = max(a_mem, f.accelerators_for_deadline(hours, w.deadline_hours))
    layout = _training_layout(c, unit, need)
    if isinstance(layout, str):
        return layout
    if layout.accelerators < a_mem:
        return f"the model state needs {a_mem} accelerators' memory; maxAccelerators allows {layout.accelerators}"
    if w.deadline_hours is not None and w.max_accelerators is not None and layout.accelerators > w.max_accelerators:
        return (
            f"{layout.accelerators} accelerators ({_nodes_text(layout)}) to finish in {w.deadline_hours:g} h; "
            f"maxAccelerators is {w.max_accelerators}"
        )
    kind, gbps = _fabric(unit)
    if unit.offer is not None and layout.nodes > 1 and gbps <= 0:
        return f"needs {layout.nodes} nodes, and {_name(unit)} has no accelerator fabric for multi-node training"
    wall = hours / layout.accelerators
    read = w.dataset_read_mbps or f.dataset_read_mbps(w.dataset_gib, w.epochs, wall)
    keep_gib = w.checkpoint_keep * facts["checkpointBytes"] / GIB
    per_acc = (facts["stateBytes"] / layout.accelerators + facts["activationBytes"]) / 1e9
    return _candidate(
        c,
        unit,
        layout,
        accelerator_hours=hours,
        wall_hours=wall,
        capacity_gib=w.dataset_gib + keep_gib,
        read_mbps=read,
        write_mbps=facts["checkpointWriteMBps"],
        fabric=(kind, gbps, layout.nodes > 1),
        memory_per_accelerator_gb=per_acc,
        detail={"peakTflops": tflops, "acceleratorsForMemory": a_mem, "usableMemoryGB": usable / 1e9},
    )


def _nodes_text(layout: _Layout) -> str:
    if layout.tpu is not None:
        return f"{layout.tpu.count} x {layout.tpu.slice.topology} slices"
    return f"{layout.nodes} nodes"


def _candidate(
    c: _Ctx,
    unit: _Unit,
    layout: _Layout,
    *,
    accelerator_hours: float,
    wall_hours: float,
    capacity_gib: float,
    read_mbps: float,
    write_mbps: float,
    fabric: tuple[str, float, bool],
    memory_per_accelerator_gb: float,
    detail: Mapping[str, Any],
) -> Candidate:
    """A sized candidate: storage and prices from the book, in the region the price is for."""
    fig = _figure(unit.quote, c.w.capacity)
    assert fig is not None  # size_workload left out units without a price
    acc = get_catalog().accelerators[unit.accelerator]
    per_node = layout.tpu.slice.shape.chips_per_vm if layout.tpu is not None else unit.per_node
    storage = plan_storage(
        unit.cloud,
        capacity_gib=capacity_gib,
        read_mbps=read_mbps,
        write_mbps=write_mbps,
        accel_class=acc.accel_class,
        accelerators=layout.accelerators,
        book=c.book,
        region=fig.region,
        policy_config=c.policy_config,
    )
    kind, gbps, required = fabric
    machine = layout.tpu.label if layout.tpu is not None else (unit.offer.machine_type if unit.offer else "-")
    note = unit.quote.snapshot_note(c.w.capacity) or ""
    return Candidate(
        cloud=unit.cloud,
        accelerator=unit.accelerator,
        machine=machine,
        per_node=per_node,
        accelerators=layout.accelerators,
        nodes=layout.nodes,
        accelerator_hours=accelerator_hours,
        wall_hours=wall_hours,
        node_hourly_usd=fig.usd * (per_node if layout.tpu is not None else 1),
        price=fig,
        price_note=note,
        storage=storage,
        fabric_required=required,
        fabric_kind=kind,
        fabric_gbps=gbps,
        memory_per_accelerator_gb=memory_per_accelerator_gb,
        offer=unit.offer,
        tpu=layout.tpu,
        detail=detail,
    )


def _inference(c: _Ctx, unit: _Unit) -> Candidate | str:
    w, facts = c.w, c.facts
    a = assumptions()
    acc = get_catalog().accelerators[unit.accelerator]
    peak = _peak(unit, w.precision)
    if isinstance(peak, str):
        return peak
    perf, tflops = peak
    assert w.tokens_per_second is not None
    usable = f.usable_memory_bytes(acc.memory_gb, a["memoryReserveFraction"])

    def throughput(k: int) -> f.Replica | None:
        return f.replica_throughput(
            accelerators=k,
            usable_bytes=usable,
            weights_bytes=facts["weightsBytes"],
            kv_per_sequence=facts["kvBytesPerSequence"],
            flops_token=facts["flopsPerToken"],
            peak_tflops=tflops,
            memory_tbps=perf.memory_tbps,
            mfu=w.mfu,
            mbu=w.mbu,
            max_batch=int(a["defaults"]["maxBatch"]),
        )

    def per_accelerator(r: f.Replica) -> float:
        return r.tokens_per_second / r.accelerators

    # within a node (tensor parallel over NVLink / the node's links; a single-host TPU slice):
    # the most tokens/s per accelerator; a model too big for one node spans the fewest nodes
    # (a multi-host TPU slice: the fewest chips) that hold it
    shapes: list[SliceShape] = []
    if unit.version is not None:
        shapes = allowed_shapes(unit.version, slice_limits(w.environment, c.policy_config))
        within = [s.chips for s in shapes if not s.shape.multi_host]
        spanning = [s.chips for s in shapes if s.shape.multi_host]
    else:
        within, spanning = f.replica_sizes(unit.per_node), f.multi_node_sizes(unit.per_node)
    best: f.Replica | None = None
    for k in within:
        r = throughput(k)
        if r is not None and (best is None or per_accelerator(r) > per_accelerator(best)):
            best = r
    if best is None:
        best = next((r for k in spanning if (r := throughput(k)) is not None), None)
    if best is None:
        if unit.version is not None:
            limits = slice_limits(w.environment, c.policy_config)
            largest = f"the largest TPU {unit.version.version} slice {limits.describe()}"
        else:
            largest = f"{f.multi_node_sizes(unit.per_node)[-1] // unit.per_node} x {_name(unit)}"
        return (
            f"the weights ({facts['weightsBytes'] / 1e9:,.0f} GB) and one {w.context_length}-token KV cache do not "
            f"fit in {largest}"
        )
    replicas = int(max(1, -(-w.tokens_per_second // best.tokens_per_second)))
    if unit.version is not None:
        sl = SliceLayout(unit.version, pick(shapes, best.accelerators), replicas, one_job=False)
        layout = _Layout(sl.vms, sl.chips, sl)
        spans = sl.slice.shape.multi_host
    else:
        per_node = unit.per_node
        if best.accelerators <= per_node:
            nodes = -(-replicas // (per_node // best.accelerators))
        else:
            nodes = replicas * best.accelerators // per_node
        layout = _Layout(nodes, nodes * per_node)
        spans = best.accelerators > per_node
    if w.max_accelerators is not None and layout.accelerators > w.max_accelerators:
        return (
            f"{layout.accelerators} accelerators ({_nodes_text(layout)}) to serve {w.tokens_per_second:,.0f} "
            f"tokens/s; maxAccelerators is {w.max_accelerators}"
        )
    kind, gbps = _fabric(unit)
    if unit.offer is not None and spans and gbps <= 0:
        return f"a replica needs {best.accelerators // unit.per_node} nodes, and {_name(unit)} has no fabric"
    load_mbps = replicas * facts["weightsBytes"] / (a["defaults"]["weightsLoadMinutes"] * 60.0) / 1e6
    per_acc = (facts["weightsBytes"] + best.batch * facts["kvBytesPerSequence"]) / best.accelerators / 1e9
    return _candidate(
        c,
        unit,
        layout,
        accelerator_hours=layout.accelerators * w.serving_hours,
        wall_hours=w.serving_hours,
        capacity_gib=facts["weightsBytes"] / GIB + w.dataset_gib,
        read_mbps=max(load_mbps, w.dataset_read_mbps or 0.0),
        write_mbps=0.0,
        fabric=(kind, gbps, spans),
        memory_per_accelerator_gb=per_acc,
        detail={
            "peakTflops": tflops,
            "replicaAccelerators": best.accelerators,
            "replicas": replicas,
            "batch": best.batch,
            "replicaTokensPerSecond": best.tokens_per_second,
            "bound": best.bound,
            "usableMemoryGB": usable / 1e9,
        },
    )


def policy_notes(c: Candidate, environment: str, policy_config: Mapping[str, Any] | None = None) -> list[str]:
    """The guardrail limits a spec for this candidate would exceed in ``environment``, at the
    pack's thresholds (``policy_config`` overrides; ``--emit-spec`` plans it for the definitive
    verdict)."""
    from components.policy.settings import settings_for

    def settings(name: str) -> Any:
        return settings_for(name, policy_config_for(policy_config, name))

    out: list[str] = []
    nodes_limit = settings("pool-max-nodes").for_env("maxNodesPerPool", environment)
    # a TPU slice is one fixed-size slice (all its VMs or none): tpu-slice-size bounds it, not
    # pool-max-nodes or scale-to-zero, in every mode (as the pack judges it)
    if c.tpu is None and isinstance(nodes_limit, int | float) and c.pool_nodes > nodes_limit:
        out.append(f"pool-max-nodes: {c.pool_nodes} nodes in one pool; {environment} allows {nodes_limit:g}")
    if c.tpu is not None:
        chips_limit = settings("tpu-slice-size").for_env("maxChipsPerSlice", environment)
        if isinstance(chips_limit, int | float) and c.tpu.slice.chips > chips_limit:
            out.append(f"tpu-slice-size: {c.tpu.slice.chips} chips per slice; {environment} allows {chips_limit:g}")
    ceilings = settings("stack-ceilings")
    acc_limit = ceilings.for_env("maxAccelerators", environment)
    if isinstance(acc_limit, int | float) and c.accelerators > acc_limit:
        out.append(f"stack-ceilings: {c.accelerators} accelerators; {environment} allows {acc_limit:g}")
    usd_limit = ceilings.for_env("maxHourlyUsd", environment)
    if isinstance(usd_limit, int | float) and c.compute_hourly_usd > usd_limit:
        out.append(f"stack-ceilings: ${c.compute_hourly_usd:,.0f}/h; {environment} allows ${usd_limit:,.0f}/h")
    classes = settings("allowed-accelerator-classes").for_env("allowedClasses", environment)
    accel_class = get_catalog().accelerators[c.accelerator].accel_class
    if isinstance(classes, list) and accel_class not in classes:
        out.append(
            f"allowed-accelerator-classes: {c.accelerator} is {accel_class}; {environment} allows {', '.join(classes)}"
        )
    if c.storage.note:
        out.append(f"shared storage: {c.storage.note}")
    return out


def assumption_lines(w: Workload, book: PriceBook | None = None) -> list[str]:
    """Every assumption, in words, with the value used (defaults marked)."""
    a = assumptions()
    b = a["bytesPerParameter"][w.precision]
    mark = set(w.defaults)
    prices = (book or catalog_book()).describe()

    def d(key: str) -> str:
        return " (default)" if key in mark else ""

    lines = [
        f"precision {w.precision}{d('precision')}: peak dense {w.precision.upper()} TFLOP/s from the catalog "
        "(performance.yaml); no sparsity",
        f"MFU {w.mfu:.2f}{d('mfu')}: achieved / peak dense FLOP/s",
        f"capacity {w.capacity}{d('capacity')}: {w.capacity} prices from {prices}, the same price book as "
        "aiinfra plan and the policy pack, in the region each price is for (the emitted spec's region); "
        "each candidate's snapshot and date under Prices",
        f"memory: {a['memoryReserveFraction']:.0%} of each accelerator reserved for the runtime; shape from N with "
        f"N = 12 L h^2, h = {a['aspectRatio']} L",
    ]
    if w.kind == "training":
        lines += [
            "compute: 6 N D FLOPs",
            f"model state: {b['weights']} + {b['gradients']} + {b['optimizer']} bytes per parameter (weights, "
            "gradients, FP32 master + Adam moments), sharded over all accelerators (FSDP / ZeRO-3)",
            f"activations: full recomputation, micro-batch 1, sequence {w.sequence_length}{d('sequenceLength')}: "
            f"{a['activationBytes']['keptPerLayer']} s h bytes per layer kept + "
            f"{a['activationBytes']['workingLayer']} s h for the layer being recomputed",
            "nodes: whole nodes; more than one node needs the offer's fabric",
            "TPU slices: identical slices of one topology, as few as the largest shape the environment's "
            "tpu-slice-size and pool-max-nodes allow, each the smallest shape that holds the chips; more than one "
            "slice (multislice) crosses the data-center network",
            f"checkpoint: weights + optimizer state ({b['weights'] + b['optimizer']} bytes per parameter), written "
            f"within {w.write_window_minutes:g} min{d('checkpoint.writeWindowMinutes')}; "
            f"{w.checkpoint_keep}{d('checkpoint.keep')} kept on shared storage",
        ]
        if w.dataset_read_mbps is None:
            lines.append(
                f"data loading: the data set read {w.epochs:g} time(s){d('dataset.epochs')} over the run "
                "(no dataset.readMBps given)"
            )
    else:
        lines += [
            f"decode: each step reads the weights and every sequence's KV cache at MBU {w.mbu:.2f}{d('mbu')}, and "
            f"does 2 N + 2 L c h FLOPs per token at MFU {w.mfu:.2f}; the slower of the two sets the step",
            f"KV cache: 2 L h values per token at {w.precision} x {w.kv_cache_fraction:g}{d('kvCacheFraction')} "
            f"(KV heads / query heads), full context {w.context_length} per sequence",
            "replica: tensor-parallel over 1, 2, 4 or 8 accelerators of one node (a single-host TPU slice), the size "
            "with the most tokens/s per accelerator (the fewest whole nodes, or the smallest multi-host slice, when "
            "the model does not fit one); batch = as many sequences as memory holds, at most "
            f"{a['defaults']['maxBatch']}",
            f"serving: {w.serving_hours:g} h{d('servingHours')}; replicas load the weights from shared storage within "
            f"{a['defaults']['weightsLoadMinutes']} min",
        ]
    lines.append(
        "shared storage: at least the guardrail pack's floor (shared-storage-bottleneck minRatio x read MB/s per "
        "accelerator of the class), preferring options within shared-storage-overprovisioned; priced per GiB-month "
        "/ 730 h"
    )
    return lines


def size_workload(w: Workload, book: PriceBook | None = None, policy_config: Mapping[str, Any] | None = None) -> Sizing:
    """Evaluate every candidate offer and TPU version, priced by ``book`` (default: the catalog);
    rank the feasible ones by total cost. ``policy_config`` (as ``--policy-config``) sets the
    thresholds sizing stays within (TPU slice limits, the storage floor)."""
    book = book or catalog_book()
    ctx = _Ctx(w, _common_facts(w), book, dict(policy_config or {}))
    skipped: list[Skipped] = []
    out: list[Candidate] = []
    for unit in _units(w, book):
        name = _name(unit)
        modes = unit.offer.capacity_modes if unit.offer else ("on-demand", "spot", "reserved")
        if w.capacity not in modes:
            skipped.append(Skipped(unit.cloud, name, unit.accelerator, f"not offered as {w.capacity} capacity"))
            continue
        if _figure(unit.quote, w.capacity) is None:
            skipped.append(Skipped(unit.cloud, name, unit.accelerator, f"no {w.capacity} price ({book.describe()})"))
            continue
        result = _training(ctx, unit) if w.kind == "training" else _inference(ctx, unit)
        if isinstance(result, str):
            skipped.append(Skipped(unit.cloud, name, unit.accelerator, result))
        else:
            out.append(result)
    out.sort(key=lambda c: (c.total_usd, c.wall_hours, c.label))
    return Sizing(
        workload=w,
        candidates=out,
        skipped=skipped,
        assumptions=assumption_lines(w, book),
        facts=ctx.facts,
        prices=book.describe(),
        policy_config=ctx.policy_config,
    )
