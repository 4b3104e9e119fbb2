"""TPU slices for a sized workload: the shapes sizing considers, the ones the policies allow,
and the layout (one topology, ``count`` identical slices) that gives the workload its chips.

Shapes come from the catalog (``tpu.yaml``): for 2-D versions (v5e, v6e) every listed
topology; for 3-D versions (v4, v5p) the listed ones plus the compact shapes of the cube rule
(every side a multiple of 4, A <= B <= C <= 2A, at most ``maxChips``: the twisted-torus shapes
of the v4 page and the common shapes of the v5p page, never a long thin slab). Each is laid
out by ``components.catalog.tpu.shape`` (GKE machine type, VMs per slice), so a size never
names a slice the spec would refuse. The policies' limits on one slice (``tpu-slice-size``
chips, ``pool-max-nodes`` VMs, at the environment's thresholds) drop the shapes they would
block; a workload that needs more chips gets more slices (multislice over the data-center
network).
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from components.catalog.model import TpuVersion
from components.catalog.tpu import TpuShape, parse_topology, shape
from components.policy.settings import settings_for


@dataclass(frozen=True)
class SliceShape:
    """A topology and how it is laid out."""

    topology: str
    shape: TpuShape

    @property
    def chips(self) -> int:
        return self.shape.chips


@dataclass(frozen=True)
class SliceLayout:
    """``count`` identical slices of one topology of a TPU version: one job over all of them
    (training: multislice, collectives between slices over the data-center network), or
    independent replicas (inference)."""

    version: TpuVersion
    slice: SliceShape
    count: int
    one_job: bool = True

    @property
    def multislice(self) -> bool:
        """True when one job spans several slices (its traffic crosses the data-center network)."""
        return self.one_job and self.count > 1

    @property
    def chips(self) -> int:
        return self.slice.chips * self.count

    @property
    def vms(self) -> int:
        """TPU VMs (GKE nodes) of all the slices."""
        return self.slice.shape.nodes * self.count

    @property
    def label(self) -> str:
        """``tpu v6e 16x16 x4``: the candidate's "machine" in the tables."""
        times = f" x{self.count}" if self.count > 1 else ""
        return f"tpu {self.version.version} {self.slice.topology}{times}"


def _compact_cubes(version: TpuVersion) -> list[str]:
    """Cube-rule topologies AxBxC (multiples of 4, A <= B <= C <= 2A) up to the version's size."""
    # A^3 <= A B C <= maxChips and C <= 2A bound every side by twice the cube root
    sides = range(4, 2 * round(version.max_chips ** (1 / 3)) + 5, 4)
    out = []
    for a, b, c in itertools.combinations_with_replacement(sides, 3):
        if c <= 2 * a and a * b * c <= version.max_chips:
            out.append(f"{a}x{b}x{c}")
    return out


def slice_shapes(version: TpuVersion) -> list[SliceShape]:
    """Every shape sizing considers for ``version``, by chips (then the most compact)."""
    topologies = list(version.listed_topologies)
    if version.cube_rule and version.dims == 3:
        topologies += [t for t in _compact_cubes(version) if t not in topologies]
    out = []
    for t in topologies:
        try:
            out.append(SliceShape(t, shape(version, t)))
        except ValueError:  # a listed topology that does not divide into this version's VMs
            continue
    return sorted(out, key=lambda s: (s.chips, max(parse_topology(s.topology)), s.topology))


@dataclass(frozen=True)
class SliceLimits:
    """What the guardrail pack accepts for one slice in an environment."""

    environment: str
    max_chips: float | None  # tpu-slice-size maxChipsPerSlice
    max_vms: float | None  # pool-max-nodes maxNodesPerPool (a GKE TPU slice is one node pool)

    def allows(self, s: SliceShape) -> bool:
        if self.max_chips is not None and s.chips > self.max_chips:
            return False
        return self.max_vms is None or s.shape.nodes <= self.max_vms

    def describe(self) -> str:
        parts = []
        if self.max_chips is not None:
            parts.append(f"tpu-slice-size: {self.max_chips:g} chips")
        if self.max_vms is not None:
            parts.append(f"pool-max-nodes: {self.max_vms:g} VMs")
        if not parts:
            return f"{self.environment} allows (no per-slice limit)"
        return f"{self.environment} allows (" + ", ".join(parts) + " per slice)"


def _number(value: Any) -> float | None:
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else None


def policy_config_for(policy_config: Mapping[str, Any] | None, name: str) -> Mapping[str, Any]:
    """One policy's entry of a ``--policy-config`` document (a level string carries no thresholds)."""
    entry = (policy_config or {}).get(name)
    return entry if isinstance(entry, Mapping) else {}


def slice_limits(environment: str, policy_config: Mapping[str, Any] | None = None) -> SliceLimits:
    """The per-slice limits of ``environment`` at the pack's thresholds (``policy_config`` overrides)."""
    chips = settings_for("tpu-slice-size", policy_config_for(policy_config, "tpu-slice-size"))
    vms = settings_for("pool-max-nodes", policy_config_for(policy_config, "pool-max-nodes"))
    return SliceLimits(
        environment,
        _number(chips.for_env("maxChipsPerSlice", environment)),
        _number(vms.for_env("maxNodesPerPool", environment)),
    )


def allowed_shapes(version: TpuVersion, limits: SliceLimits) -> list[SliceShape]:
    """The shapes of ``version`` within ``limits``, by chips."""
    return [s for s in slice_shapes(version) if limits.allows(s)]


def pick(shapes: list[SliceShape], chips: int) -> SliceShape:
    """The first (most compact) shape of exactly ``chips`` chips."""
    return next(s for s in shapes if s.chips == chips)
