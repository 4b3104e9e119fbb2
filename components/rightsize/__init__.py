"""Right-sizing from observed use: GPU metrics per pool from a Prometheus HTTP API, turned into
spec changes with evidence and monthly savings (``aiinfra rightsize``).

``prometheus`` + ``auth`` (the API and each cloud's authentication) -> ``analysis`` (per-pool
use and proposals, thresholds in ``data/heuristics.yaml``) -> ``report`` and ``edit``
(``--write``: round-trip YAML, comments kept).
"""
