"""A small client for the Prometheus HTTP API (``/api/v1/query_range``).

GKE Managed Prometheus, Azure Monitor managed Prometheus and Amazon Managed Prometheus serve
the same API under their own base URL; pass that base (the part before ``/api/v1``) as
``--prometheus``. Only the standard library is used for HTTP, so the command adds no client
dependency; authentication headers come from ``components.rightsize.auth``.
"""

from __future__ import annotations

import contextlib
import json
import re
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from components.rightsize.auth import Auth

_DURATION = re.compile(r"^([0-9]+)([smhdw])$")
_UNIT = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}


class PrometheusError(Exception):
    """The server could not be reached or answered with an error (exit 2)."""


def parse_duration(text: str) -> int:
    """``14d`` -> seconds. Accepts one number and one unit of s, m, h, d, w."""
    m = _DURATION.match(text.strip())
    if not m or int(m.group(1)) <= 0:
        raise ValueError(f"'{text}' is not a duration like 14d, 36h or 2w")
    return int(m.group(1)) * _UNIT[m.group(2)]


def step_for(window_s: int, points: int = 2000) -> int:
    """A query step that keeps a series under ``points`` samples, at least 60 s, whole minutes."""
    step = max(60, window_s // points)
    return -(-step // 60) * 60


@dataclass(frozen=True)
class Series:
    """One series of a range query: its labels and (unix time, value) samples."""

    labels: Mapping[str, str]
    samples: tuple[tuple[float, float], ...]


class Prometheus:
    """``query_range`` against one Prometheus-compatible base URL."""

    def __init__(self, base_url: str, auth: Auth, timeout: float = 30.0) -> None:
        parsed = urllib.parse.urlparse(base_url)
        if parsed.scheme not in ("http", "https") or not parsed.netloc:
            raise PrometheusError(f"--prometheus {base_url}: not an http(s) URL")
        self.base = base_url.rstrip("/")
        self.auth = auth
        self.timeout = timeout

    def query_range(self, query: str, start: float, end: float, step: int) -> list[Series]:
        """Run a PromQL range query; raises PrometheusError with the server's message."""
        params = urllib.parse.urlencode({"query": query, "start": f"{start:.3f}", "end": f"{end:.3f}", "step": step})
        url = f"{self.base}/api/v1/query_range?{params}"
        headers = {"Accept": "application/json", **self.auth.headers("GET", url)}
        request = urllib.request.Request(url, headers=headers, method="GET")  # noqa: S310 - http(s) checked above
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as resp:  # noqa: S310
                body = resp.read()
        except urllib.error.HTTPError as exc:
            detail = exc.read().decode("utf-8", "replace")[:300]
            with contextlib.suppress(ValueError, AttributeError):
                detail = json.loads(detail).get("error", detail)
            raise PrometheusError(f"{self.base}: HTTP {exc.code} for {query!r}: {detail}") from None
        except (urllib.error.URLError, OSError) as exc:
            reason = getattr(exc, "reason", exc)
            raise PrometheusError(f"{self.base}: cannot reach the Prometheus API: {reason}") from None
        try:
            doc: Any = json.loads(body)
        except ValueError:
            raise PrometheusError(
                f"{self.base}: the answer is not JSON (is this the Prometheus API base URL?)"
            ) from None
        if not isinstance(doc, dict) or doc.get("status") != "success":
            raise PrometheusError(f"{self.base}: query failed: {doc.get('error') if isinstance(doc, dict) else doc}")
        data = doc.get("data") or {}
        out = []
        for item in data.get("result") or []:
            samples = tuple((float(t), float(v)) for t, v in item.get("values") or [])
            out.append(Series(labels=dict(item.get("metric") or {}), samples=samples))
        return out
