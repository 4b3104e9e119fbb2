"""The sizing formulas, one pure function each, in SI units (FLOPs, bytes, seconds).

Every formula is stated in docs/size.md with a worked example, and each worked figure is
checked by tests/components/sizing/test_formulas.py. The constants come from
``data/assumptions.yaml`` (passed in, never hard-coded here).

Training
    FLOPs                 F = 6 N D                                  (Kaplan et al. 2020)
    accelerator-seconds   F / (peak x MFU)
    model state / param   weights + gradients + optimizer bytes      (ZeRO: 2 + 2 + 12 for BF16)
    shape from N          N = 12 L h^2 with h = r L                  (r: aspect ratio)
    activations / accel   s h L x kept + s h x working               (full recomputation, micro-batch 1)
    accelerators (memory) ceil(N x bytes/param / (usable - activations)), states sharded (FSDP / ZeRO-3)
    checkpoint bytes      N x (weights + optimizer bytes)

Inference (per model replica of k accelerators)
    weights               W = N x weight bytes
    KV cache / token      2 L h x bytes x kvCacheFraction
    FLOPs / token         2 N + 2 L c h                              (forward pass, context c)
    batch                 B = min(max batch, floor((k x usable - W) / (KV/token x c)))
    step time             max((W + B x KV/token x c) / (k x bandwidth x MBU), B x FLOPs/token / (k x peak x MFU))
    tokens/s per replica  B / step time

TPU slices (identical slices of one topology; chips per slice from the shapes allowed)
    slices                n = ceil(chips needed / largest slice)
    slice                 the smallest shape of at least ceil(chips needed / n) chips
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass


# ----- training ---------------------------------------------------------------------------------
def training_flops(parameters: float, tokens: float) -> float:
    """Total training FLOPs: 6 N D (forward 2 N D + backward 4 N D)."""
    return 6.0 * parameters * tokens


def accelerator_hours(flops: float, peak_tflops: float, mfu: float) -> float:
    """Hours of one accelerator running at ``mfu`` of its peak to do ``flops``."""
    return flops / (peak_tflops * 1e12 * mfu) / 3600.0


def state_bytes_per_parameter(weights: float, gradients: float, optimizer: float) -> float:
    """Training memory per parameter: weights + gradients + optimizer state."""
    return weights + gradients + optimizer


@dataclass(frozen=True)
class Shape:
    """A dense transformer's depth ``layers`` (L) and width ``hidden`` (h), estimated from N."""

    layers: float
    hidden: float


def model_shape(parameters: float, aspect_ratio: float) -> Shape:
    """L and h from N = 12 L h^2 with h = r L: L = (N / (12 r^2))^(1/3)."""
    layers = (parameters / (12.0 * aspect_ratio**2)) ** (1.0 / 3.0)
    return Shape(layers=layers, hidden=aspect_ratio * layers)


def activation_bytes(shape: Shape, sequence: int, kept_per_layer: float, working_layer: float) -> float:
    """Activations per accelerator with full recomputation at micro-batch 1:
    the input of every layer kept (``kept_per_layer`` s h bytes each) plus the working set of
    the one layer being recomputed (``working_layer`` s h bytes)."""
    sh = sequence * shape.hidden
    return sh * shape.layers * kept_per_layer + sh * working_layer


def usable_memory_bytes(memory_gb: float, reserve_fraction: float) -> float:
    """Accelerator memory left for the model after the runtime's reserve."""
    return memory_gb * 1e9 * (1.0 - reserve_fraction)


def accelerators_for_memory(state_bytes: float, usable_bytes: float, activations: float) -> int | None:
    """Accelerators whose memory holds the sharded model state next to each one's activations
    (None when the activations alone do not fit)."""
    room = usable_bytes - activations
    if room <= 0:
        return None
    return max(1, math.ceil(state_bytes / room))


def accelerators_for_deadline(hours: float, deadline_hours: float) -> int:
    """Accelerators that do ``hours`` of accelerator work within ``deadline_hours``."""
    return max(1, math.ceil(hours / deadline_hours - 1e-9))


def whole_nodes(accelerators: int, per_node: int) -> int:
    """Nodes needed for ``accelerators`` (whole nodes only)."""
    return max(1, math.ceil(accelerators / per_node))


def checkpoint_bytes(parameters: float, weights: float, optimizer: float) -> float:
    """A full checkpoint: the weights and the optimizer state (gradients are not saved)."""
    return parameters * (weights + optimizer)


def write_mbps(size_bytes: float, window_minutes: float) -> float:
    """MB/s to write ``size_bytes`` within ``window_minutes``."""
    return size_bytes / (window_minutes * 60.0) / 1e6


def dataset_read_mbps(size_gib: float, epochs: float, wall_hours: float) -> float:
    """MB/s to read the data set ``epochs`` times within the run."""
    if wall_hours <= 0:
        return 0.0
    return size_gib * 2**30 * epochs / (wall_hours * 3600.0) / 1e6


# ----- inference -----------------------------------------------------------------------------------
def kv_bytes_per_token(shape: Shape, value_bytes: float, kv_fraction: float) -> float:
    """KV cache per token of context: K and V for every layer, ``kv_fraction`` of the width."""
    return 2.0 * shape.layers * shape.hidden * value_bytes * kv_fraction


def flops_per_token(parameters: float, shape: Shape, context: int) -> float:
    """Forward FLOPs per generated token: 2 N + 2 L c h (attention over the context)."""
    return 2.0 * parameters + 2.0 * shape.layers * context * shape.hidden


@dataclass(frozen=True)
class Replica:
    """One inference replica of ``accelerators`` accelerators."""

    accelerators: int
    batch: int
    step_seconds: float
    tokens_per_second: float
    bound: str  # memory-bandwidth | compute


def replica_throughput(
    *,
    accelerators: int,
    usable_bytes: float,
    weights_bytes: float,
    kv_per_sequence: float,
    flops_token: float,
    peak_tflops: float,
    memory_tbps: float,
    mfu: float,
    mbu: float,
    max_batch: int,
) -> Replica | None:
    """Decode throughput of a replica at the largest batch its memory holds, at most
    ``max_batch`` sequences (None: no room for one). Each step reads the weights once and
    every sequence's KV cache."""
    room = accelerators * usable_bytes - weights_bytes
    batch = min(max_batch, math.floor(room / kv_per_sequence)) if kv_per_sequence > 0 else 0
    if batch < 1:
        return None
    memory_s = (weights_bytes + batch * kv_per_sequence) / (accelerators * memory_tbps * 1e12 * mbu)
    compute_s = batch * flops_token / (accelerators * peak_tflops * 1e12 * mfu)
    step = max(memory_s, compute_s)
    return Replica(
        accelerators=accelerators,
        batch=batch,
        step_seconds=step,
        tokens_per_second=batch / step,
        bound="memory-bandwidth" if memory_s >= compute_s else "compute",
    )


def replica_sizes(per_node: int) -> list[int]:
    """Tensor-parallel degrees within one node: the powers of two that divide it."""
    return [k for k in (1, 2, 4, 8, 16) if k <= per_node and per_node % k == 0]


def multi_node_sizes(per_node: int, max_nodes: int = 64) -> list[int]:
    """Replica sizes across nodes (pipeline stages over the fabric), in whole nodes."""
    return [n * per_node for n in range(2, max_nodes + 1)]


# ----- TPU slices ------------------------------------------------------------------------------------
def slices_for(chips: int, sizes: Sequence[int]) -> tuple[int, int] | None:
    """(chips per slice, slices) of identical slices holding at least ``chips``: as few slices
    as the largest size allows (collectives stay on the slices' interconnect), each the smallest
    size that, that many times over, holds them. None when ``sizes`` is empty."""
    if not sizes:
        return None
    count = max(1, math.ceil(chips / max(sizes)))
    per = math.ceil(chips / count)
    return min(s for s in sizes if s >= per), count


def slices_within(limit: int, sizes: Sequence[int]) -> tuple[int, int] | None:
    """(chips per slice, slices) using as many of ``limit`` chips as identical slices of the
    largest size that fits allow. None when no size fits."""
    fitting = [s for s in sizes if s <= limit]
    if not fitting:
        return None
    per = max(fitting)
    return per, limit // per
