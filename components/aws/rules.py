"""AWS-specific spec checks, run by ``aiinfra validate`` after the cloud-neutral ones.

Pure functions over the resolved cluster (no provider SDK import): return a ``SpecIssue``
per problem, with the spec path and a fix.
"""

from __future__ import annotations

from components.spec.errors import SpecIssue
from components.spec.resolved import ResolvedCluster


def check_cluster(cluster: ResolvedCluster) -> list[SpecIssue]:
    """Problems specific to AWS in a resolved cluster (none yet)."""
    return []
