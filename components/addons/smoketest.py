"""``aiinfra smoke-test FILE --cluster C --pool P [--nodes N] [--namespace NS]``: a ready-to-apply
JobSet that runs nccl-tests ``all_reduce_perf`` across N nodes of a pool over its fabric, and the
bus bandwidth to expect from the catalog.

The JobSet has one indexed Job of N pods (one per node: every GPU of the node, the fabric's
devices, annotations and helper containers from ``nccl.yaml``), submitted to the pool's Kueue
LocalQueue in the namespace (``--namespace``; default: the cluster's first workload namespace).
Every pod starts an SSH server; the first waits for all of them by their JobSet DNS names and
launches the test, the others stay up until it is done. Images without SSH keys of their own
get a throwaway key pair, printed as a Secret before the JobSet.

Output: the YAML on stdout (``aiinfra smoke-test ... | kubectl apply -f -``), the expectation on
stderr (and as YAML comments at the top). Exit 0, or 2 on a bad file, cluster, pool, node count or
namespace.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from typing import Any

import yaml

from components.addons.objects import workload_namespaces
from components.addons.plan import PoolTarget, addon_plan, pool_targets
from components.catalog import get_catalog
from components.catalog.addons import BusBandwidth, NcclRecipe
from components.spec.resolved import ResolvedCluster
from components.terminal import counted

NAME = "nccl-smoke"
KEY_SECRET = f"{NAME}-ssh"
KUEUE_QUEUE_LABEL = "kueue.x-k8s.io/queue-name"
DNS_LABEL = re.compile(r"[a-z0-9]([-a-z0-9]*[a-z0-9])?")


class SmokeTestError(Exception):
    """The request cannot produce a test (message names the flag or spec field to change)."""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("file", metavar="FILE", help="stack config (stacks/Pulumi.<stack>.yaml) or bare spec file")
    parser.add_argument("--cluster", required=True, help="cluster name (clusters[].name)")
    parser.add_argument("--pool", required=True, help="GPU pool name (clusters[].gpuPools[].name)")
    parser.add_argument("--nodes", type=int, default=2, help="nodes to run across (default: 2, at most maxNodes)")
    parser.add_argument(
        "--namespace",
        help="namespace to run in, one of clusters[].addons.workloadNamespaces (default: the first of them)",
    )


def _ssh_keys() -> tuple[str, str]:
    """A throwaway ed25519 key pair (private OpenSSH PEM, public authorized_keys line)."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    key = Ed25519PrivateKey.generate()
    private = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.OpenSSH, serialization.NoEncryption()
    ).decode()
    public = key.public_key().public_bytes(serialization.Encoding.OpenSSH, serialization.PublicFormat.OpenSSH).decode()
    return private, f"{public} {NAME}"


def _script(recipe: NcclRecipe, target: PoolTarget, nodes: int) -> str:
    """The pod's shell: serve SSH, wait for every peer, run the test on the first pod."""
    port = recipe.ssh_port
    gpus = target.accelerators_per_node
    lines = [
        "set -eu",
        f"({recipe.serve}) || true" if recipe.own_ssh_keys else recipe.serve,
        'HOSTS=""',
        f"for i in $(seq 0 $(({nodes} - 1))); do",
        '  HOSTS="$HOSTS ${JOB_NAME}-${i}.${SUBDOMAIN}"',
        "done",
        "for h in $HOSTS; do",
        f"  until ssh -p {port} -o StrictHostKeyChecking=no -o ConnectTimeout=5 $h true; do sleep 5; done",
        "done",
        'if [ "$JOB_COMPLETION_INDEX" = "0" ]; then',
    ]
    if recipe.run:
        lines.append("  " + recipe.run.replace("{hosts}", "$HOSTS").replace("{nodes}", str(nodes)))
    else:
        lines += [
            f'  for h in $HOSTS; do echo "$h slots={gpus}"; done > /smoke/hostfile',
            f"  mpirun --allow-run-as-root -np {gpus * nodes} --hostfile /smoke/hostfile --bind-to none \\",
            f'    --mca plm_rsh_agent "ssh -p {port} -o StrictHostKeyChecking=no" \\',
            *[f"    {a} \\" for a in recipe.mpirun_args],
            f"    {recipe.binary} -b 8 -e 8G -f 2 -g 1 -c 1 -n 20",
        ]
    lines += [
        "  for h in $HOSTS; do ssh -p " + str(port) + " -o StrictHostKeyChecking=no $h touch /smoke/done || true; done",
        "else",
        "  until [ -f /smoke/done ]; do sleep 10; done",
        "fi",
    ]
    return "\n".join(lines) + "\n"


def _volumes(paths: dict[str, str], prefix: str) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    volumes, mounts = [], []
    for i, (host, mount) in enumerate(paths.items()):
        volumes.append({"name": f"{prefix}{i}", "hostPath": {"path": host}})
        mounts.append({"name": f"{prefix}{i}", "mountPath": mount})
    return volumes, mounts


def _gke_interfaces(cluster: ResolvedCluster, target: PoolTarget) -> str:
    """The ``networking.gke.io/interfaces`` annotation: eth0 plus every fabric network of the pool."""
    from components.gcp import translate as gcp

    plan = gcp.network_plan(cluster)
    nics = plan.pool_interfaces.get(target.name, ())
    names = [
        gcp.k8s_network_name(plan.network(n), next(x for x in plan.network(n).subnets if x.role == s)) for n, s in nics
    ]
    ifaces = [{"interfaceName": "eth0", "network": "default"}]
    ifaces += [{"interfaceName": f"eth{i + 1}", "network": n} for i, n in enumerate(names)]
    return json.dumps(ifaces)


def namespace_for(cluster: ResolvedCluster, namespace: str | None, index: int = 0) -> str:
    """The namespace the test runs in: ``namespace``, or the cluster's first workload namespace.

    With Kueue on, only a workload namespace has the pool's LocalQueue, so another one is refused
    (the message names ``clusters[index].addons.workloadNamespaces``, ``index`` the cluster's place).
    """
    spaces = workload_namespaces(cluster)
    if namespace is None:
        return spaces[0]
    if not DNS_LABEL.fullmatch(namespace) or len(namespace) > 63:
        raise SmokeTestError(
            f"--namespace {namespace}: not a Kubernetes namespace name (lowercase letters, digits and '-', "
            "starting and ending with a letter or digit, at most 63 characters)"
        )
    if addon_plan(cluster)["kueue"].on and namespace not in spaces:
        raise SmokeTestError(
            f"--namespace {namespace}: cluster {cluster.name} has no LocalQueue there "
            f"(clusters[{index}].addons.workloadNamespaces: {', '.join(spaces)}); use one of them, or add it to "
            "the list"
        )
    return namespace


def render(
    cluster: ResolvedCluster, pool_name: str, nodes: int, namespace: str | None = None, index: int = 0
) -> tuple[list[dict[str, Any]], BusBandwidth | None, NcclRecipe]:
    """The objects to apply (Secret when needed, JobSet) and the expectation for the pool;
    ``index`` is the cluster's place in the spec, for the spec paths errors name."""
    cat = get_catalog()
    target = next((t for t in pool_targets(cluster) if t.name == pool_name and t.kind == "gpu"), None)
    if target is None:
        names = [t.name for t in pool_targets(cluster) if t.kind == "gpu" and t.vendor == "nvidia"]
        if any(s.name == pool_name for s in cluster.slices):
            raise SmokeTestError(
                f"--pool {pool_name}: {pool_name} is a TPU slice of cluster {cluster.name}; nccl-tests runs on "
                f"NVIDIA GPU pools ({', '.join(names) or 'the cluster has none'})"
            )
        raise SmokeTestError(
            f"--pool {pool_name}: no NVIDIA GPU pool of that name in cluster {cluster.name} "
            f"(nccl-tests runs on NVIDIA GPUs; pools: {', '.join(names) or 'none'})"
        )
    if target.vendor != "nvidia":
        raise SmokeTestError(f"--pool {pool_name}: {target.machine_type} is not an NVIDIA GPU; nccl-tests needs one")
    if not 2 <= nodes <= target.max_nodes:
        raise SmokeTestError(
            f"--nodes {nodes}: pool {pool_name} holds at most {counted(target.max_nodes, 'node')} (maxNodes); "
            "a fabric test needs at least 2"
        )
    if not addon_plan(cluster)["jobset"].on:
        raise SmokeTestError(f"clusters[{index}].addons.jobset is disabled; the test is a JobSet")
    namespace = namespace_for(cluster, namespace, index)
    fabric = target.fabric or "none"
    recipe = cat.addons.recipes[fabric]
    expect = expected_bus_bandwidth(cluster, pool_name) if target.fabric is not None else None

    resources: dict[str, Any] = {target.resource: target.accelerators_per_node}
    if target.fabric_resource is not None:
        name, per_node = target.fabric_resource
        # The RDMA shared device plugin shares the HCAs: one unit gives a pod every IB device.
        resources[name] = 1 if name.startswith("rdma/") else per_node
    volumes, mounts = _volumes(dict(recipe.host_paths), "host")
    volumes.append({"name": "shm", "emptyDir": {"medium": "Memory", "sizeLimit": "64Gi"}})
    # The launcher's host list and the "done" marker live in the pod, never on a host path.
    volumes.append({"name": "smoke", "emptyDir": {}})
    mounts.append({"name": "smoke", "mountPath": "/smoke"})
    mounts.append({"name": "shm", "mountPath": "/dev/shm"})  # noqa: S108 - a pod mount path, not a temp file
    docs: list[dict[str, Any]] = []
    if not recipe.own_ssh_keys:
        private, public = _ssh_keys()
        docs.append(
            {
                "apiVersion": "v1",
                "kind": "Secret",
                "metadata": {"name": KEY_SECRET, "namespace": namespace},
                "type": "Opaque",
                "stringData": {"id_ed25519": private, "authorized_keys": public + "\n"},
            }
        )
        volumes.append({"name": "ssh", "secret": {"secretName": KEY_SECRET, "defaultMode": 0o600}})
        mounts.append({"name": "ssh", "mountPath": "/root/.ssh/id_ed25519", "subPath": "id_ed25519"})
        mounts.append({"name": "ssh", "mountPath": "/root/.ssh/authorized_keys", "subPath": "authorized_keys"})
    env: list[dict[str, Any]] = [{"name": k, "value": v} for k, v in recipe.env.items()]
    env += [
        {"name": "JOB_NAME", "valueFrom": {"fieldRef": {"fieldPath": "metadata.labels['job-name']"}}},
        {"name": "SUBDOMAIN", "value": NAME},
    ]
    container: dict[str, Any] = {
        "name": "nccl-test",
        "image": recipe.image,
        "command": ["/bin/bash", "-c", _script(recipe, target, nodes)],
        "env": env,
        "resources": {"limits": {k: str(v) for k, v in resources.items()}},
        "volumeMounts": mounts,
    }
    if recipe.capabilities:
        container["securityContext"] = {"capabilities": {"add": list(recipe.capabilities)}}
    containers = [container]
    annotations = dict(recipe.annotations)
    if cluster.cloud == "gcp" and target.fabric is not None:
        annotations["networking.gke.io/default-interface"] = "eth0"
        annotations["networking.gke.io/interfaces"] = _gke_interfaces(cluster, target)
    if recipe.sidecar is not None:
        sc = recipe.sidecar
        sc_volumes, sc_mounts = _volumes(dict(sc.host_paths), "sidecar")
        volumes += sc_volumes
        sidecar: dict[str, Any] = {
            "name": sc.name,
            "image": sc.image,
            "command": list(sc.command),
            "env": [{"name": k, "value": v} for k, v in sc.env.items()],
            "volumeMounts": sc_mounts,
        }
        if sc.capabilities:
            sidecar["securityContext"] = {"capabilities": {"add": list(sc.capabilities)}}
        containers.append(sidecar)
    pod_spec: dict[str, Any] = {
        "restartPolicy": "Never",
        "subdomain": NAME,
        "nodeSelector": target.node_selector,
        "tolerations": target.tolerations,
        "containers": containers,
        "volumes": volumes,
    }
    jobset = {
        "apiVersion": "jobset.x-k8s.io/v1alpha2",
        "kind": "JobSet",
        "metadata": {
            "name": NAME,
            "namespace": namespace,
            "labels": {KUEUE_QUEUE_LABEL: target.name} if addon_plan(cluster)["kueue"].on else {},
        },
        "spec": {
            "network": {"enableDNSHostnames": True, "subdomain": NAME},
            "ttlSecondsAfterFinished": 3600,
            "replicatedJobs": [
                {
                    "name": "node",
                    "replicas": 1,
                    "template": {
                        "spec": {
                            "parallelism": nodes,
                            "completions": nodes,
                            "completionMode": "Indexed",
                            "backoffLimit": 0,
                            "template": {"metadata": {"annotations": annotations}, "spec": pod_spec},
                        }
                    },
                }
            ],
        },
    }
    docs.append(jobset)
    return docs, expect, recipe


def expected_bus_bandwidth(cluster: ResolvedCluster, pool_name: str) -> BusBandwidth | None:
    """The bus bandwidth to expect from a pool's machine (measured, or from its fabric line rate)."""
    cat = get_catalog()
    offer = next(p.offer for p in cluster.pools if p.name == pool_name)
    fabric = cat.fabric_gbps(offer)
    return cat.addons.expectation(
        cluster.cloud, offer.machine_type, fabric.gbps if fabric else None, fabric.source if fabric else None
    )


def expectation_text(
    cluster: ResolvedCluster, pool_name: str, nodes: int, expect: BusBandwidth | None, recipe: NcclRecipe
) -> list[str]:
    """What to look for in the test's output, with the catalog source."""
    pool = next(p for p in cluster.pools if p.name == pool_name)
    fabric = pool.fabric.kind if pool.fabric else "none"
    lines = [f"nccl-tests all_reduce_perf on {nodes} x {pool.offer.machine_type} (pool {pool_name}, fabric {fabric})"]
    if expect is None:
        lines.append("expected bus bandwidth: no catalog figure for this machine type (no fabric: expect TCP speeds)")
    else:
        mark = "" if expect.verified else " (unverified estimate)"
        over = f" over {expect.fabric_gbps:g} Gb/s of fabric" if expect.fabric_gbps else ""
        lines.append(
            f"expected bus bandwidth: at least {expect.bus_bw_gbps:g} GB/s busbw at 8 GiB messages{over}{mark}"
        )
        lines.append(f"source: {expect.source} (as of {expect.as_of}, {expect.method})")
    lines.append(f"test recipe: {recipe.source}" + ("" if recipe.verified else " (adapted; unverified)"))
    lines.append(
        "read the last busbw column of the largest message size; below the figure, the fabric is not delivering"
    )
    return lines


def run(args: argparse.Namespace) -> int:
    from components.spec.command import print_invalid, validate_file
    from components.terminal import say

    fleet, issues = validate_file(args.file)
    if fleet is None:
        print_invalid(args.file, issues)
        return 2
    index = next((i for i, c in enumerate(fleet.clusters) if c.name == args.cluster), None)
    if index is None:
        names = ", ".join(c.name for c in fleet.clusters)
        say(
            f"aiinfra smoke-test: --cluster {args.cluster}: no such cluster in {args.file} (clusters: {names})",
            sys.stderr,
        )
        return 2
    cluster = fleet.clusters[index]
    try:
        docs, expect, recipe = render(cluster, args.pool, args.nodes, args.namespace, index)
    except SmokeTestError as err:
        say(f"aiinfra smoke-test: {err}", sys.stderr)
        return 2
    text = expectation_text(cluster, args.pool, args.nodes, expect, recipe)
    # The expectation: YAML comments above the manifest and lines on stderr, both wrapped to the
    # terminal (a URL alone on its line); the manifest itself is left as YAML writes it.
    for line in text:
        say(f"# {line}", sys.stdout, indent="#     ")
    sys.stdout.write(yaml.safe_dump_all(docs, sort_keys=False, width=1000))
    for line in text:
        say(line, sys.stderr)
    return 0
