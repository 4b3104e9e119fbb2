"""A Mermaid diagram of a planned fleet: cluster -> pools/slices -> fabric, and storage.

GitHub renders ```` ```mermaid ```` blocks in pull-request comments, so reviewers see the
shape of the fleet at a glance: one subgraph per stack, each cluster linked to its GPU pools
and TPU slices, each pool to the fabric it gets (GPUDirect, InfiniBand, EFA), and the
cluster to its storage.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from components.plan.engine import StackPlan

_CLOUD_K8S = {"gcp": "GKE", "azure": "AKS", "aws": "EKS"}


def _label(text: str) -> str:
    """Mermaid label text: quotes and pipes would end the label, so escape them."""
    return text.replace('"', "#quot;").replace("|", "#124;")


def _id(*parts: str) -> str:
    return re.sub(r"[^A-Za-z0-9_]", "_", "_".join(parts))


def mermaid(stacks: Sequence[StackPlan]) -> str:
    """The ``flowchart`` source (without the code fence)."""
    out = ["flowchart LR"]
    for s in stacks:
        if s.fleet is None:
            continue
        sid = _id("s", s.stack)
        out.append(f'  subgraph {sid}["stack {_label(s.stack)}"]')
        for c in s.fleet.clusters:
            cid = _id(sid, "c", c.name)
            k8s = _CLOUD_K8S.get(c.cloud, c.cloud)
            out.append(f'    {cid}["{_label(c.name)}<br/>{k8s} {_label(c.spec.region)}"]')
            fabrics: dict[str, str] = {}
            for p in c.pools:
                pid = _id(cid, "p", p.name)
                acc = p.offer.accelerator
                text = (
                    f"{p.name}: {p.spec.min_nodes}-{p.spec.max_nodes} x {p.offer.machine_type}"
                    f"<br/>{p.accelerators_at_max} x {acc} at max, {p.spec.capacity}"
                )
                out.append(f'    {cid} --> {pid}["{_label(text)}"]')
                if p.fabric is not None:
                    fid = fabrics.setdefault(p.fabric.kind, _id(cid, "f", p.fabric.kind))
                    out.append(f'    {pid} --> {fid}{{{{"{_label(p.fabric.kind)}"}}}}')
            for t in c.slices:
                tid = _id(cid, "t", t.name)
                count = f" x {t.spec.count}" if t.spec.count > 1 else ""
                text = (
                    f"{t.name}: TPU {t.version.version} {t.spec.topology}{count}"
                    f"<br/>{t.chips_total} chips, {t.spec.capacity}"
                )
                out.append(f'    {cid} --> {tid}["{_label(text)}"]')
                fid = fabrics.setdefault("ici", _id(cid, "f", "ici"))
                out.append(f'    {tid} --> {fid}{{{{"ICI"}}}}')
            for st in c.storage:
                stid = _id(cid, "st", st.name)
                text = f"{st.name}: {st.spec.kind} {st.spec.capacity_gib} GiB<br/>{st.offer.service}"
                out.append(f'    {cid} -.-> {stid}[("{_label(text)}")]')
        out.append("  end")
    return "\n".join(out)
