"""Sizing: from a workload (model size, tokens, deadline, throughput) to the accelerators,
nodes, fabric, shared storage and cost it needs on each candidate offer (``aiinfra size``).

Layers, one way: ``workload`` (the file contract) -> ``formulas`` (pure functions) ->
``storage`` and ``candidates`` (per offer, from the catalog) -> ``report`` and ``emit`` (a
fleet spec for one candidate, planned through the real plan engine).
"""
