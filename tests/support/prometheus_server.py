"""A real Prometheus for tests: generated metrics -> promtool blocks -> a server on 127.0.0.1.

``openmetrics(series, start, end, interval)`` writes OpenMetrics text for the series a test
describes; ``running_prometheus(tmp, text)`` turns it into TSDB blocks with ``promtool tsdb
create-blocks-from openmetrics`` and starts ``prometheus`` on an ephemeral port with that
storage directory, yielding its base URL, and stops it afterwards; ``serving_prometheus(tmp,
config)`` starts one with a scrape configuration of the test's own. The binaries come from
Debian's ``prometheus`` package (``.ci/run`` installs it); without them the test is skipped
with the reason, except under ``CI=true`` where it fails.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import time
import urllib.request
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import pytest

# value(t) -> the sample at unix time t, or None for "no sample" (the series is absent then)
ValueFn = Callable[[float], float | None]


@dataclass(frozen=True)
class SeriesSpec:
    """One series: its metric name (a counter's with ``_total``), labels, value over time, type,
    and the scrape interval its samples come at (None: the file's)."""

    metric: str
    labels: Mapping[str, str]
    value: ValueFn
    kind: str = "gauge"
    interval: int | None = None


def binaries() -> tuple[str, str]:
    """Paths of prometheus and promtool; skip (or fail under CI=true) when absent."""
    prom, tool = shutil.which("prometheus"), shutil.which("promtool")
    if prom and tool:
        return prom, tool
    reason = "prometheus/promtool not installed (apt-get install prometheus; .ci/run does)"
    if os.environ.get("CI") == "true":
        pytest.fail(reason + " - required under CI=true")
    pytest.skip(reason)


def _labels(labels: Mapping[str, str]) -> str:
    return ",".join(f'{k}="{v}"' for k, v in sorted(labels.items()))


def openmetrics(series: Sequence[SeriesSpec], start: float, end: float, interval: int) -> str:
    """OpenMetrics text: one TYPE line per metric family (a counter's family name without
    ``_total``, as the format wants), samples in time order, ``# EOF``."""
    by_metric: dict[str, list[SeriesSpec]] = {}
    for s in series:
        by_metric.setdefault(s.metric, []).append(s)
    lines: list[str] = []
    for metric, group in by_metric.items():
        family = metric.removesuffix("_total") if group[0].kind == "counter" else metric
        lines.append(f"# TYPE {family} {group[0].kind}")
        for s in group:
            lab = _labels(s.labels)
            every = s.interval or interval
            for i in range(int((end - start) // every) + 1):
                t = start + i * every
                v = s.value(t)
                if v is not None:
                    lines.append(f"{metric}{{{lab}}} {v:.12g} {t:.0f}")
    lines.append("# EOF")
    return "\n".join(lines) + "\n"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _ready(url: str, proc: subprocess.Popen[bytes], timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"prometheus exited with {proc.returncode}")
        try:
            with urllib.request.urlopen(f"{url}/-/ready", timeout=2) as resp:
                if resp.status == 200:
                    return
        except OSError:
            pass
        time.sleep(0.2)
    raise RuntimeError("prometheus did not become ready in time")


@contextlib.contextmanager
def running_prometheus(tmp: Path, text: str) -> Iterator[str]:
    """Blocks from ``text``, then a Prometheus serving them; yields ``http://127.0.0.1:PORT``."""
    _prom, tool = binaries()
    data = tmp / "data"
    data.mkdir(parents=True, exist_ok=True)
    source = tmp / "metrics.om"
    source.write_text(text, encoding="utf-8")
    subprocess.run(
        [tool, "tsdb", "create-blocks-from", "openmetrics", str(source), str(data)],
        check=True,
        capture_output=True,
        timeout=300,
    )
    with serving_prometheus(tmp, "global:\n  scrape_interval: 1m\nscrape_configs: []\n") as url:
        yield url


@contextlib.contextmanager
def serving_prometheus(tmp: Path, config: str) -> Iterator[str]:
    """A Prometheus with configuration ``config`` (YAML text) and storage ``tmp/data`` on an
    ephemeral port of 127.0.0.1; yields ``http://127.0.0.1:PORT`` and stops it afterwards."""
    prom, _tool = binaries()
    data = tmp / "data"
    data.mkdir(parents=True, exist_ok=True)
    config_file = tmp / "prometheus.yml"
    config_file.write_text(config, encoding="utf-8")
    log = (tmp / "prometheus.log").open("wb")
    last_error: Exception | None = None
    for _attempt in range(3):  # another process may take the port between bind and listen
        port = _free_port()
        url = f"http://127.0.0.1:{port}"
        proc = subprocess.Popen(
            [
                prom,
                f"--config.file={config_file}",
                f"--storage.tsdb.path={data}",
                "--storage.tsdb.retention.time=30d",
                f"--web.listen-address=127.0.0.1:{port}",
            ],
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        try:
            _ready(url, proc)
        except RuntimeError as exc:
            last_error = exc
            proc.terminate()
            proc.wait(timeout=30)
            continue
        try:
            yield url
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
            log.close()
        return
    log.close()
    raise RuntimeError(f"prometheus did not start: {last_error}; log: {(tmp / 'prometheus.log').read_text()[-2000:]}")
