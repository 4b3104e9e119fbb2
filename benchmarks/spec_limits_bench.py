"""Benchmark ``aiinfra validate`` on hostile and on the largest accepted specs (run by hand, not a test).

    .venv/bin/python benchmarks/spec_limits_bench.py

For each case: wall time of ``validate_file`` (best of 3) and the Python heap peak of one
traced run (``tracemalloc``). The cases: an alias bomb (2 x 9^9 values from 330 bytes), 120,000
pools (over the file-size limit), 5,000 pools (under it, over the value limit), 100,000 labels,
a 2 MB string, and the largest spec the limits accept in practice (10 GCP clusters x 100 pools).
"""

from __future__ import annotations

import json
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from components.spec.command import validate_file
from tests.support.fuzz import alias_bomb, long_string, many_labels, many_pools


def largest(clusters: int = 10, pools: int = 100) -> str:
    lines = ["environment: dev", "clusters:"]
    for c in range(clusters):
        lines += [
            f"  - name: c{c}",
            "    cloud: gcp",
            "    region: us-central1",
            "    zone: us-central1-a",
            '    kubernetes: {version: "1.35"}',
            f"    network: {{cidr: 10.{c}.0.0/16, fabric: none}}",
            "    gpuPools:",
        ]
        lines += [
            f"      - {{name: p{p}, accelerator: L4, acceleratorsPerNode: 1, maxNodes: 1, capacity: spot}}"
            for p in range(pools)
        ]
    return "\n".join(lines) + "\n"


CASES = {
    "alias bomb 9^9": lambda: alias_bomb(9, 9, "clusters"),
    "120,000 pools": lambda: many_pools(120_000),
    "5,000 pools": lambda: many_pools(5_000),
    "100,000 labels": lambda: many_labels(100_000),
    "2 MB string": lambda: long_string(2_000_000, "region"),
    "10 clusters x 100 pools (valid)": largest,
}


def main() -> int:
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for name, make in CASES.items():
            path = Path(tmp) / "spec.yaml"
            text = make()
            path.write_text(text, encoding="utf-8")
            times = []
            for _ in range(3):
                start = time.perf_counter()
                fleet, issues = validate_file(str(path))
                times.append(time.perf_counter() - start)
            tracemalloc.start()
            validate_file(str(path))
            peak = tracemalloc.get_traced_memory()[1]
            tracemalloc.stop()
            rows.append(
                {
                    "case": name,
                    "bytes": len(text),
                    "valid": fleet is not None,
                    "firstIssue": issues[0].format()[:100] if issues and fleet is None else "",
                    "seconds": round(min(times), 3),
                    "heapPeakMiB": round(peak / 2**20, 1),
                }
            )
    for r in rows:
        print(json.dumps(r))
    return 0


if __name__ == "__main__":
    sys.exit(main())
