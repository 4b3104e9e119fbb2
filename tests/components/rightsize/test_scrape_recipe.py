"""The node exporter scrape recipe of docs/rightsize.md, run by a real Prometheus.

The recipe (the ``<!-- checked: node-exporter scrape -->`` block, read from the doc so the two
cannot drift) copies the pool from the node's ``aiinfra-pool`` label onto node exporter's PSI
counters, which ``aiinfra rightsize`` reads for its storage proposal. Here Debian's Prometheus
scrapes small node-exporter stand-ins on 127.0.0.1 with the recipe's ``relabel_configs``
verbatim, and the test checks what Prometheus stores and what rightsize's own queries return.

The boundary, stated: Debian's ``prometheus`` 2.42 (``+ds``) is built without Kubernetes service
discovery (it rejects ``kubernetes_sd_configs`` as an unknown field), and no API server runs
here. So the recipe's ``kubernetes_sd_configs`` is checked for its shape, and the targets are
given as ``static_configs`` carrying the ``__meta_kubernetes_*`` labels that Kubernetes SD with
``role: pod`` and ``attach_metadata: {node: true}`` produces (Prometheus v2.42.0,
discovery/kubernetes/pod.go ``podLabels`` and endpoints.go ``addNodeLabels``: pod labels as
``__meta_kubernetes_pod_label_<name>``, the node's labels as ``__meta_kubernetes_node_label_<name>``,
names with every character outside ``[a-zA-Z0-9_]`` made ``_``). Relabeling, scraping, storage
and the queries are the real thing.
"""

from __future__ import annotations

import contextlib
import json
import re
import threading
import time
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
import yaml

from components.rightsize.analysis import CLUSTER_LABEL, NODE_LABEL, POOL_LABEL, heuristics, queries
from components.rightsize.auth import NoAuth
from components.rightsize.prometheus import Prometheus, Series
from tests.support.prometheus_server import binaries, serving_prometheus

DOC = Path(__file__).resolve().parents[3] / "docs" / "rightsize.md"
BOOT = 1234.5  # PSI counts from boot: the counters do not start at zero
DEADLINE_S = 60.0


def recipe() -> dict[str, Any]:
    """The scrape job of the doc's checked YAML block."""
    text = DOC.read_text("utf-8")
    block = re.search(r"<!-- checked: node-exporter scrape -->\n```yaml\n(.*?)```", text, flags=re.S)
    assert block is not None, "docs/rightsize.md lost its node-exporter scrape block"
    jobs = yaml.safe_load(block.group(1))
    assert isinstance(jobs, list) and len(jobs) == 1, jobs
    job: dict[str, Any] = jobs[0]
    return job


@dataclass(frozen=True)
class ExporterPod:
    """A pod Kubernetes SD would find: its labels, its node and that node's labels, and the
    I/O pressure its node exporter reports (seconds waited per second)."""

    name: str
    app: str
    node: str
    node_labels: dict[str, str] = field(default_factory=dict)
    waiting: float = 0.0
    stalled: float = 0.0


def _meta_name(prefix: str, key: str) -> str:
    return prefix + re.sub(r"[^a-zA-Z0-9_]", "_", key)


def sd_labels(pod: ExporterPod) -> dict[str, str]:
    """The meta labels Kubernetes SD (role pod, attach_metadata node) gives the pod's target
    (the ones the recipe can read; SD adds more, such as the pod IP and phase)."""
    labels = {
        "__meta_kubernetes_namespace": "monitoring",
        "__meta_kubernetes_pod_name": pod.name,
        "__meta_kubernetes_pod_node_name": pod.node,
        "__meta_kubernetes_node_name": pod.node,
    }
    pod_labels = {"app.kubernetes.io/name": pod.app}
    for key, value in pod_labels.items():
        labels[_meta_name("__meta_kubernetes_pod_label_", key)] = value
        labels[_meta_name("__meta_kubernetes_pod_labelpresent_", key)] = "true"
    for key, value in pod.node_labels.items():
        labels[_meta_name("__meta_kubernetes_node_label_", key)] = value
        labels[_meta_name("__meta_kubernetes_node_labelpresent_", key)] = "true"
    return labels


def _psi_text(pod: ExporterPod, started: float) -> str:
    """Node exporter's ``pressure`` collector output for the I/O line, as it writes it."""
    seconds = BOOT + time.time() - started  # one clock reading: both counters from the same instant
    return (
        "# HELP node_pressure_io_stalled_seconds_total Total time in seconds no process could make progress"
        " due to IO congestion\n"
        "# TYPE node_pressure_io_stalled_seconds_total counter\n"
        f"node_pressure_io_stalled_seconds_total {pod.stalled * seconds!r}\n"
        "# HELP node_pressure_io_waiting_seconds_total Total time in seconds that processes have waited due"
        " to IO congestion\n"
        "# TYPE node_pressure_io_waiting_seconds_total counter\n"
        f"node_pressure_io_waiting_seconds_total {pod.waiting * seconds!r}\n"
    )


@contextlib.contextmanager
def node_exporter(pod: ExporterPod) -> Iterator[str]:
    """A /metrics server on an ephemeral port of 127.0.0.1 for one pod; yields host:port."""
    started = time.time()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            body = _psi_text(pod, started).encode() if self.path.split("?")[0] == "/metrics" else b""
            self.send_response(200 if body else 404)
            self.send_header("Content-Type", "text/plain; version=0.0.4; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


def scrape_config(job: dict[str, Any], targets: list[tuple[str, dict[str, str]]]) -> str:
    """A Prometheus configuration with the recipe's job, its targets given statically with the
    meta labels SD would have set, scraped every second."""
    local = {k: v for k, v in job.items() if k != "kubernetes_sd_configs"}
    local["scrape_interval"] = "1s"
    local["scrape_timeout"] = "1s"
    local["static_configs"] = [{"targets": [address], "labels": labels} for address, labels in targets]
    return yaml.safe_dump({"global": {"scrape_interval": "1s"}, "scrape_configs": [local]}, sort_keys=False)


def _api(url: str, path: str, **params: str) -> Any:
    with urllib.request.urlopen(f"{url}{path}?{urllib.parse.urlencode(params)}", timeout=10) as resp:
        doc = json.loads(resp.read())
    assert doc["status"] == "success", doc
    return doc["data"]


def _until(what: str, probe: Callable[[], Any]) -> Any:
    """Poll ``probe`` until it returns something truthy, failing after DEADLINE_S."""
    deadline = time.monotonic() + DEADLINE_S
    while True:
        result = probe()
        if result:
            return result
        if time.monotonic() > deadline:
            pytest.fail(f"timed out waiting for {what}")
        time.sleep(0.25)


PODS = [
    # the Helm chart's pods (app.kubernetes.io/name: prometheus-node-exporter) on a starved pool's nodes
    ExporterPod("ne-a", "prometheus-node-exporter", "gke-starved-a", {"aiinfra-pool": "starved"}, 0.45, 0.30),
    ExporterPod("ne-b", "prometheus-node-exporter", "gke-starved-b", {"aiinfra-pool": "starved"}, 0.45, 0.30),
    # kube-prometheus's (app.kubernetes.io/name: node-exporter) on an idle pool's node
    ExporterPod("ne-c", "node-exporter", "gke-idle-a", {"aiinfra-pool": "idle"}, 0.02, 0.01),
    # a system node of no GPU pool: scraped, but with no pool label
    ExporterPod("ne-d", "node-exporter", "gke-system-a", {"kubernetes.io/os": "linux"}, 0.05, 0.02),
]
# another exporter on a GPU node: the recipe's keep rule must drop it
OTHER = ExporterPod("dcgm-x", "dcgm-exporter", "gke-idle-a", {"aiinfra-pool": "idle"}, 0.9, 0.9)


def test_recipe_discovers_pods_with_their_nodes_labels() -> None:
    """What Debian's build cannot run, checked for its shape: pod targets with node metadata,
    and only documented relabel actions and meta labels of that role."""
    job = recipe()
    assert job["kubernetes_sd_configs"] == [{"role": "pod", "attach_metadata": {"node": True}}]
    sources = {s for rule in job["relabel_configs"] for s in rule.get("source_labels", [])}
    assert sources == {
        "__meta_kubernetes_pod_label_app_kubernetes_io_name",
        "__meta_kubernetes_node_label_aiinfra_pool",
        "__meta_kubernetes_pod_node_name",
    }
    assert {rule.get("target_label") for rule in job["relabel_configs"]} >= {CLUSTER_LABEL, POOL_LABEL, NODE_LABEL}


@pytest.mark.slow
def test_recipe_puts_the_pool_labels_on_node_exporter_psi(tmp_path: Path) -> None:
    binaries()
    job = recipe()
    cluster = next(r["replacement"] for r in job["relabel_configs"] if r.get("target_label") == CLUSTER_LABEL)
    with contextlib.ExitStack() as stack:
        addresses = {pod.name: stack.enter_context(node_exporter(pod)) for pod in PODS}
        # the other exporter's target points at a live server: were it kept, its series would show
        targets = [(addresses[pod.name], sd_labels(pod)) for pod in PODS]
        targets.append((addresses["ne-c"], sd_labels(OTHER)))
        url = stack.enter_context(serving_prometheus(tmp_path, scrape_config(job, targets)))

        # Prometheus keeps the node exporters (the chart's and kube-prometheus's) and drops the other pod
        def scraped() -> list[dict[str, Any]] | None:
            active = _api(url, "/api/v1/targets", state="active")["activeTargets"]
            return active if active and all(t["health"] == "up" for t in active) else None

        active = _until("the targets to be scraped", scraped)
        assert sorted(t["discoveredLabels"]["__meta_kubernetes_pod_name"] for t in active) == [p.name for p in PODS]
        dropped = _api(url, "/api/v1/targets", state="dropped")["droppedTargets"]
        assert [t["discoveredLabels"]["__meta_kubernetes_pod_name"] for t in dropped] == [OTHER.name]

        # the series it stores carry the labels rightsize groups by, and the values served
        def psi_series() -> list[dict[str, Any]] | None:
            result: list[dict[str, Any]] = _api(url, "/api/v1/query", query='{__name__=~"node_pressure_io_.*"}')[
                "result"
            ]
            return result if len(result) == 2 * len(PODS) else None

        stored = _until("both PSI counters of every node exporter", psi_series)
        by_node: dict[str, dict[str, float]] = {}
        for item in stored:
            metric = dict(item["metric"])
            name = metric.pop("__name__")
            node = metric[NODE_LABEL]
            pod = next(p for p in PODS if p.node == node)
            expected = {
                "job": "node-exporter",
                "instance": addresses[pod.name],
                CLUSTER_LABEL: cluster,
                NODE_LABEL: node,
            }
            if "aiinfra-pool" in pod.node_labels:
                expected[POOL_LABEL] = pod.node_labels["aiinfra-pool"]
            assert metric == expected, (name, metric)
            by_node.setdefault(node, {})[name] = float(item["value"][1])
        for pod in PODS:
            values = by_node[pod.node]
            # both counters come from one clock reading of one scrape: their ratio is the served one
            assert values["node_pressure_io_waiting_seconds_total"] / values[
                "node_pressure_io_stalled_seconds_total"
            ] == pytest.approx(pod.waiting / pod.stalled, rel=1e-9)
            assert values["node_pressure_io_waiting_seconds_total"] >= BOOT * pod.waiting

        # rightsize's own PSI queries, through its client, group them by cluster and pool
        prom = Prometheus(url, NoAuth(), timeout=10)
        q = queries(float(heuristics()["idleUtilPercent"]), 60)

        def psi() -> dict[str, dict[tuple[str, str], Series]] | None:
            end = float(int(time.time()))
            out = {
                name: {
                    (s.labels.get(CLUSTER_LABEL, ""), s.labels.get(POOL_LABEL, "")): s
                    for s in prom.query_range(q[name], end, end, 1)
                }
                for name in ("io", "ioStall")
            }
            return out if all(len(v) == 3 for v in out.values()) else None  # rate() needs two scrapes

        results = _until("rightsize's PSI queries to answer for every pool", psi)
    for name in ("io", "ioStall"):
        assert set(results[name]) == {(cluster, "starved"), (cluster, "idle"), (cluster, "")}
        for key, series in results[name].items():
            assert dict(series.labels) == (
                {CLUSTER_LABEL: cluster, POOL_LABEL: key[1]} if key[1] else {CLUSTER_LABEL: cluster}
            )
            assert len(series.samples) == 1
    for pool, pod in (("starved", PODS[0]), ("idle", PODS[2])):
        io = results["io"][(cluster, pool)].samples[0][1]
        stall = results["ioStall"][(cluster, pool)].samples[0][1]
        # a few seconds of scrapes in a 5-minute rate window: a share of the served rate, the same
        # share for both counters (same scrape times), so their ratio is exactly the served one
        assert 0 < io < pod.waiting
        assert io / stall == pytest.approx(pod.waiting / pod.stalled, rel=1e-6)
