"""Pure TPU slice arithmetic: topology validity, chip counts, GKE node shapes, TPU VM types.

The facts (which topologies, which machine types, the cube rule and size limits) are data in
``data/tpu.yaml``; this module only applies them.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from components.catalog.model import TpuVersion


@dataclass(frozen=True)
class TpuShape:
    """How one slice of a topology is laid out."""

    chips: int
    machine_type: str  # GKE TPU machine type
    chips_per_vm: int
    nodes: int  # VMs (GKE nodes) per slice
    multi_host: bool
    vm_accelerator_type: str  # TPU VM accelerator_type, e.g. v5p-32


def parse_topology(topology: str) -> tuple[int, ...]:
    """``"2x2x4"`` -> ``(2, 2, 4)``. Raises ValueError for anything else."""
    parts = topology.split("x")
    dims = tuple(int(p) for p in parts)
    if not dims or any(d < 1 for d in dims):
        raise ValueError(f"invalid topology {topology!r}")
    return dims


def topology_error(version: TpuVersion, topology: str) -> str | None:
    """Why ``topology`` is not valid for ``version``, or None when it is."""
    try:
        dims = parse_topology(topology)
    except ValueError:
        return f"'{topology}' is not a topology; write it as AxB (v5e, v6e) or AxBxC (v4, v5p)"
    if len(dims) != version.dims:
        example = version.listed_topologies[min(1, len(version.listed_topologies) - 1)]
        return (
            f"TPU {version.version} slices have {version.dims}-D topologies (e.g. {example}); "
            f"'{topology}' has {len(dims)} dimensions"
        )
    chips = math.prod(dims)
    if chips > version.max_chips:
        return f"'{topology}' is {chips} chips; TPU {version.version} slices are at most {version.max_chips} chips"
    if topology in version.listed_topologies:
        return None
    if version.cube_rule and all(d % 4 == 0 for d in dims) and list(dims) == sorted(dims):
        return None
    allowed = ", ".join(version.listed_topologies)
    rule = " or AxBxC with every dimension a multiple of 4 in non-decreasing order" if version.cube_rule else ""
    return f"'{topology}' is not a TPU {version.version} topology; use one of {allowed}{rule}"


def shape(version: TpuVersion, topology: str) -> TpuShape:
    """Lay out a valid topology: machine type, chips per VM, node count, VM accelerator type.

    Raises ValueError when the topology is invalid or does not divide into whole VMs.
    """
    err = topology_error(version, topology)
    if err:
        raise ValueError(err)
    chips = math.prod(parse_topology(topology))
    single = version.gke_single_host.get(topology)
    machine_type = single or version.gke_multi_host
    per_vm = version.gke_machine_types[machine_type]
    if chips % per_vm:
        raise ValueError(
            f"'{topology}' is {chips} chips, which does not divide into {machine_type} VMs of {per_vm} chips"
        )
    nodes = chips // per_vm
    count = chips * 2 if version.vm_count_unit == "tensorcores" else chips
    return TpuShape(
        chips=chips,
        machine_type=machine_type,
        chips_per_vm=per_vm,
        nodes=nodes,
        multi_host=nodes > 1,
        vm_accelerator_type=f"{version.vm_prefix}-{count}",
    )
