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
from components.catalog.model import Offer
from components.sizing import formulas as f
from components.sizing.storage import StoragePlan, plan_storage
from components.sizing.workload import Workload, assumptions

GIB = 2**30


@dataclass(frozen=True)
class Candidate:
    """One offer that can run the workload, with what it takes."""

    offer: Offer
    accelerators: int
    nodes: int
    accelerator_hours: float
    wall_hours: float
    node_hourly_usd: float
    storage: StoragePlan
    fabric_required: bool
    fabric_gbps: float
    memory_per_accelerator_gb: float  # model state + activations (training) / weights + KV (inference)
    detail: Mapping[str, Any] = field(default_factory=dict)

    @property
    def cloud(self) -> str:
        return self.offer.cloud

    @property
    def accelerator(self) -> str:
        return self.offer.accelerator

    @property
    def hourly_usd(self) -> float:
        """Compute (all nodes) plus shared storage, per hour."""
        return self.nodes * self.node_hourly_usd + self.storage.hourly_usd

    @property
    def total_usd(self) -> float:
        return self.hourly_usd * self.wall_hours

    @property
    def label(self) -> str:
        return f"{self.cloud} {self.offer.machine_type}"

    def fabric_json(self) -> dict[str, Any]:
        return {
            "required": self.fabric_required,
            "kind": self.offer.fabric.kind,
            "gbpsPerNode": self.fabric_gbps,
        }

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

    def by_time(self) -> list[Candidate]:
        return sorted(self.candidates, key=lambda c: (c.wall_hours, c.total_usd, c.label))


def _price(offer: Offer, capacity: str) -> float | None:
    return offer.price.spot_usd if capacity == "spot" else offer.price.on_demand_usd


def _offers(w: Workload) -> tuple[list[Offer], list[Skipped]]:
    cat = get_catalog()
    skipped: list[Skipped] = []
    wanted_acc = set(w.accelerators)
    if wanted_acc:
        for name in sorted(wanted_acc):
            if cat.accelerators[name].kind == "tpu":
                skipped.append(Skipped("gcp", "-", name, "TPU slices are not sized yet; size GPU or Neuron offers"))
    offers = [
        o
        for o in cat.offers
        if (not w.clouds or o.cloud in w.clouds) and (not wanted_acc or o.accelerator in wanted_acc)
    ]
    return offers, skipped


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


def _training(w: Workload, offer: Offer, facts: Mapping[str, Any]) -> Candidate | str:
    cat = get_catalog()
    a = assumptions()
    acc = cat.accelerators[offer.accelerator]
    perf = cat.perf(offer.accelerator)
    peak = perf.tflops(w.precision) if perf else None
    if peak is None:
        return f"{offer.accelerator} has no {w.precision.upper()} tensor throughput in the catalog"
    per_node = offer.accelerators_per_node
    usable = f.usable_memory_bytes(acc.memory_gb, a["memoryReserveFraction"])
    a_mem = f.accelerators_for_memory(facts["stateBytes"], usable, facts["activationBytes"])
    if a_mem is None:
        return (
            f"activations at sequenceLength {w.sequence_length} ({facts['activationBytes'] / 1e9:,.1f} GB) "
            f"exceed the {usable / 1e9:,.1f} GB usable of one {offer.accelerator}"
        )
    hours = f.accelerator_hours(facts["flops"], peak, w.mfu)
    if w.deadline_hours is None:
        assert w.max_accelerators is not None
        nodes = w.max_accelerators // per_node
        if nodes == 0:
            return f"one node has {per_node} accelerators; maxAccelerators is {w.max_accelerators}"
        accelerators = nodes * per_node
        if accelerators < a_mem:
            return f"the model state needs {a_mem} accelerators' memory; maxAccelerators allows {accelerators}"
    else:
        need = max(a_mem, f.accelerators_for_deadline(hours, w.deadline_hours))
        nodes = f.whole_nodes(need, per_node)
        accelerators = nodes * per_node
        if w.max_accelerators is not None and accelerators > w.max_accelerators:
            return (
                f"{accelerators} accelerators ({nodes} nodes) to finish in {w.deadline_hours:g} h; "
                f"maxAccelerators is {w.max_accelerators}"
            )
    gbps = cat.fabric_gbps(offer)
    fabric_gbps = gbps.gbps if gbps else 0.0
    if nodes > 1 and fabric_gbps <= 0:
        return f"needs {nodes} nodes, and {offer.machine_type} has no accelerator fabric for multi-node training"
    wall = hours / accelerators
    read = w.dataset_read_mbps or f.dataset_read_mbps(w.dataset_gib, w.epochs, wall)
    keep_gib = w.checkpoint_keep * facts["checkpointBytes"] / GIB
    storage = plan_storage(
        offer.cloud,
        capacity_gib=w.dataset_gib + keep_gib,
        read_mbps=read,
        write_mbps=facts["checkpointWriteMBps"],
        accel_class=acc.accel_class,
        accelerators=accelerators,
    )
    price = _price(offer, w.capacity)
    assert price is not None
    per_acc = (facts["stateBytes"] / accelerators + facts["activationBytes"]) / 1e9
    return Candidate(
        offer=offer,
        accelerators=accelerators,
        nodes=nodes,
        accelerator_hours=hours,
        wall_hours=wall,
        node_hourly_usd=price,
        storage=storage,
        fabric_required=nodes > 1,
        fabric_gbps=fabric_gbps,
        memory_per_accelerator_gb=per_acc,
        detail={"peakTflops": peak, "acceleratorsForMemory": a_mem, "usableMemoryGB": usable / 1e9},
    )


def _inference(w: Workload, offer: Offer, facts: Mapping[str, Any]) -> Candidate | str:
    cat = get_catalog()
    a = assumptions()
    acc = cat.accelerators[offer.accelerator]
    perf = cat.perf(offer.accelerator)
    peak = perf.tflops(w.precision) if perf else None
    if perf is None or peak is None:
        return f"{offer.accelerator} has no {w.precision.upper()} tensor throughput in the catalog"
    assert w.tokens_per_second is not None
    per_node = offer.accelerators_per_node
    usable = f.usable_memory_bytes(acc.memory_gb, a["memoryReserveFraction"])

    def throughput(k: int) -> f.Replica | None:
        return f.replica_throughput(
            accelerators=k,
            usable_bytes=usable,
            weights_bytes=facts["weightsBytes"],
            kv_per_sequence=facts["kvBytesPerSequence"],
            flops_token=facts["flopsPerToken"],
            peak_tflops=peak,
            memory_tbps=perf.memory_tbps,
            mfu=w.mfu,
            mbu=w.mbu,
            max_batch=int(a["defaults"]["maxBatch"]),
        )

    # within a node (tensor parallel over NVLink / the node's links): the most tokens/s per
    # accelerator; a model too big for one node spans the fewest nodes that hold it
    best: f.Replica | None = None
    for k in f.replica_sizes(per_node):
        r = throughput(k)
        if r is not None and (best is None or r.tokens_per_second / k > best.tokens_per_second / best.accelerators):
            best = r
    if best is None:
        best = next((r for k in f.multi_node_sizes(per_node) if (r := throughput(k)) is not None), None)
    if best is None:
        return (
            f"the weights ({facts['weightsBytes'] / 1e9:,.0f} GB) and one {w.context_length}-token KV cache do not "
            f"fit in {f.multi_node_sizes(per_node)[-1] // per_node} x {offer.machine_type}"
        )
    replicas = max(1, -(-w.tokens_per_second // best.tokens_per_second))
    replicas = int(replicas)
    if best.accelerators <= per_node:
        per = per_node // best.accelerators
        nodes = -(-replicas // per)
    else:
        nodes = replicas * best.accelerators // per_node
    accelerators = nodes * per_node
    if w.max_accelerators is not None and accelerators > w.max_accelerators:
        return (
            f"{accelerators} accelerators ({nodes} nodes) to serve {w.tokens_per_second:,.0f} tokens/s; "
            f"maxAccelerators is {w.max_accelerators}"
        )
    gbps = cat.fabric_gbps(offer)
    fabric_gbps = gbps.gbps if gbps else 0.0
    spans = best.accelerators > per_node
    if spans and fabric_gbps <= 0:
        return f"a replica needs {best.accelerators // per_node} nodes, and {offer.machine_type} has no fabric"
    load_mbps = replicas * facts["weightsBytes"] / (a["defaults"]["weightsLoadMinutes"] * 60.0) / 1e6
    storage = plan_storage(
        offer.cloud,
        capacity_gib=facts["weightsBytes"] / GIB + w.dataset_gib,
        read_mbps=max(load_mbps, w.dataset_read_mbps or 0.0),
        write_mbps=0.0,
        accel_class=acc.accel_class,
        accelerators=accelerators,
    )
    price = _price(offer, w.capacity)
    assert price is not None
    per_acc = (facts["weightsBytes"] + best.batch * facts["kvBytesPerSequence"]) / best.accelerators / 1e9
    return Candidate(
        offer=offer,
        accelerators=accelerators,
        nodes=nodes,
        accelerator_hours=accelerators * w.serving_hours,
        wall_hours=w.serving_hours,
        node_hourly_usd=price,
        storage=storage,
        fabric_required=spans,
        fabric_gbps=fabric_gbps,
        memory_per_accelerator_gb=per_acc,
        detail={
            "peakTflops": peak,
            "replicaAccelerators": best.accelerators,
            "replicas": replicas,
            "batch": best.batch,
            "replicaTokensPerSecond": best.tokens_per_second,
            "bound": best.bound,
            "usableMemoryGB": usable / 1e9,
        },
    )


def policy_notes(c: Candidate, environment: str) -> list[str]:
    """The guardrail limits a spec for this candidate would exceed in ``environment``, at the
    pack's default thresholds (``--emit-spec`` plans it for the definitive verdict)."""
    from components.policy.settings import settings_for

    out: list[str] = []
    nodes_limit = settings_for("pool-max-nodes").for_env("maxNodesPerPool", environment)
    if isinstance(nodes_limit, int | float) and c.nodes > nodes_limit:
        out.append(f"pool-max-nodes: {c.nodes} nodes in one pool; {environment} allows {nodes_limit:g}")
    ceilings = settings_for("stack-ceilings")
    acc_limit = ceilings.for_env("maxAccelerators", environment)
    if isinstance(acc_limit, int | float) and c.accelerators > acc_limit:
        out.append(f"stack-ceilings: {c.accelerators} accelerators; {environment} allows {acc_limit:g}")
    usd_limit = ceilings.for_env("maxHourlyUsd", environment)
    if isinstance(usd_limit, int | float) and c.nodes * c.node_hourly_usd > usd_limit:
        out.append(f"stack-ceilings: ${c.nodes * c.node_hourly_usd:,.0f}/h; {environment} allows ${usd_limit:,.0f}/h")
    classes = settings_for("allowed-accelerator-classes").for_env("allowedClasses", environment)
    accel_class = get_catalog().accelerators[c.accelerator].accel_class
    if isinstance(classes, list) and accel_class not in classes:
        out.append(
            f"allowed-accelerator-classes: {c.accelerator} is {accel_class}; {environment} allows {', '.join(classes)}"
        )
    if c.storage.note:
        out.append(f"shared storage: {c.storage.note}")
    return out


def assumption_lines(w: Workload) -> list[str]:
    """Every assumption, in words, with the value used (defaults marked)."""
    a = assumptions()
    b = a["bytesPerParameter"][w.precision]
    mark = set(w.defaults)

    def d(key: str) -> str:
        return " (default)" if key in mark else ""

    lines = [
        f"precision {w.precision}{d('precision')}: peak dense {w.precision.upper()} TFLOP/s from the catalog "
        "(performance.yaml); no sparsity",
        f"MFU {w.mfu:.2f}{d('mfu')}: achieved / peak dense FLOP/s",
        f"capacity {w.capacity}{d('capacity')}: node prices are the catalog's {w.capacity} list prices in each "
        "offer's price region",
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
            "replica: tensor-parallel over 1, 2, 4 or 8 accelerators of one node, the size with the most tokens/s per "
            "accelerator (the fewest whole nodes when the model does not fit one); batch = as many sequences as "
            f"memory holds, at most {a['defaults']['maxBatch']}",
            f"serving: {w.serving_hours:g} h{d('servingHours')}; replicas load the weights from shared storage within "
            f"{a['defaults']['weightsLoadMinutes']} min",
        ]
    lines.append(
        "shared storage: at least the guardrail pack's floor (shared-storage-bottleneck minRatio x read MB/s per "
        "accelerator of the class), preferring options within shared-storage-overprovisioned; priced per GiB-month "
        "/ 730 h"
    )
    return lines


def size_workload(w: Workload) -> Sizing:
    """Evaluate every candidate offer; rank the feasible ones by total cost."""
    facts = _common_facts(w)
    offers, skipped = _offers(w)
    out: list[Candidate] = []
    for offer in offers:
        if w.capacity not in offer.capacity_modes:
            skipped.append(
                Skipped(offer.cloud, offer.machine_type, offer.accelerator, f"not offered as {w.capacity} capacity")
            )
            continue
        if _price(offer, w.capacity) is None:
            skipped.append(
                Skipped(offer.cloud, offer.machine_type, offer.accelerator, f"no {w.capacity} price in the catalog")
            )
            continue
        result = _training(w, offer, facts) if w.kind == "training" else _inference(w, offer, facts)
        if isinstance(result, str):
            skipped.append(Skipped(offer.cloud, offer.machine_type, offer.accelerator, result))
        else:
            out.append(result)
    out.sort(key=lambda c: (c.total_usd, c.wall_hours, c.label))
    return Sizing(workload=w, candidates=out, skipped=skipped, assumptions=assumption_lines(w), facts=facts)
