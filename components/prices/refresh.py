"""Refresh prices from a cloud's own price API into a dated overlay.

``refresh("aws", regions, endpoint)`` builds the targets from the catalog (every offer of the
cloud, TPU versions on GCP, the storage kinds the fetcher knows), runs the cloud's fetcher
and returns an :class:`Overlay` with the prices found and the targets missing.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import UTC, datetime

from components.catalog import CLOUDS, get_catalog
from components.preflight.retry import Backoff
from components.prices.http import JsonClient
from components.prices.overlay import Overlay
from components.prices.targets import FetchResult, build_targets

#: Storage kinds each fetcher prices (the others have no mapping to API meters yet).
STORAGE_KINDS: Mapping[str, tuple[str, ...]] = {"aws": ("block",), "gcp": ("block",), "azure": ()}


class RefreshInputError(ValueError):
    """Bad command-line input (exit 2)."""


def check_inputs(cloud: str, regions: list[str] | None, endpoint: str | None) -> None:
    """Regions in the cloud's own form, an http(s) endpoint; raises RefreshInputError."""
    if cloud not in CLOUDS:
        raise RefreshInputError(f"--cloud: '{cloud}' is not one of {', '.join(CLOUDS)}")
    pattern = get_catalog().cloud(cloud).region_pattern
    for r in regions or []:
        if not re.match(pattern, r):
            example = {"gcp": "us-central1", "azure": "eastus", "aws": "us-east-1"}[cloud]
            raise RefreshInputError(f"--region: '{r}' is not a region name for --cloud {cloud} (e.g. {example})")
    if endpoint is not None and not re.match(r"^https?://[^/\s]+", endpoint):
        raise RefreshInputError(f"--endpoint: '{endpoint}' is not an http(s) URL (e.g. http://127.0.0.1:8080)")


def refresh(
    cloud: str,
    regions: list[str] | None = None,
    endpoint: str | None = None,
    *,
    backoff: Backoff | None = None,
    aws_clients: object | None = None,
    environ: Mapping[str, str] | None = None,
    now: datetime | None = None,
) -> tuple[Overlay, FetchResult]:
    """Fetch every catalog offer's prices for ``cloud``; raises PriceApiError / RefreshInputError.

    ``backoff`` (throttling) and ``aws_clients`` are for tests; ``environ`` for the GCP API key.
    """
    check_inputs(cloud, regions, endpoint)
    when = (now or datetime.now(UTC)).strftime("%Y-%m-%dT%H:%M:%SZ")
    targets = build_targets(get_catalog(), cloud, regions, STORAGE_KINDS[cloud])
    if cloud == "azure":
        from components.prices import azure

        result = azure.fetch(targets, endpoint, JsonClient(azure.API, backoff), when)
    elif cloud == "aws":
        from components.prices import aws

        clients = aws_clients or aws.default_clients(endpoint)
        result = aws.fetch(targets, clients, backoff or Backoff(attempts=5, base_seconds=1.0), when)  # type: ignore[arg-type]
    else:
        from components.prices import gcp

        key = gcp.api_key(environ)
        result = gcp.fetch(targets, endpoint, JsonClient(gcp.API, backoff), when, key)
    region_text = ", ".join(regions) if regions else "each offer's catalog region"
    overlay = Overlay(
        origin=f"aiinfra prices refresh --cloud {cloud}",
        prices=result.rows,
        missing=result.missing,
        created_at=when,
        created_by=f"aiinfra prices refresh --cloud {cloud}" + "".join(f" --region {r}" for r in regions or []),
        note=f"{cloud} prices for {len({t.offer for t in targets})} catalog items in {region_text}",
    )
    return overlay, result
