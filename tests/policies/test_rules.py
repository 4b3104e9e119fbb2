"""Every rule on raw resources of all three clouds, violating and compliant (pure, no gRPC)."""

from __future__ import annotations

import re
from typing import Any

import pytest

from components.policy.normalize import RawResource, normalize_stack
from components.policy.rules import RULES, Finding
from components.policy.settings import FleetHints, settings_for
from tests.policies import raw

CLOUDS = ("gcp", "azure", "aws")
FABRIC = {"gcp": "a3-highgpu-8g", "azure": "Standard_ND96isr_H100_v5", "aws": "p5.48xlarge"}
SMALL = {"gcp": "g2-standard-12", "azure": "Standard_NC4as_T4_v3", "aws": "g6.xlarge"}  # 1 inference GPU


def pool(
    cloud: str,
    machine: str,
    min_nodes: Any,
    max_nodes: Any,
    env: str | None = "prod",
    *,
    spot: bool = False,
    fabric: bool = True,
    placement: bool = True,
    name: str = "gpu",
    **kw: Any,
) -> list[RawResource]:
    if cloud == "gcp":
        return raw.gke_pool(
            name, machine, min_nodes, max_nodes, env, spot=spot, networks=4 if fabric else 0, compact=placement, **kw
        )
    if cloud == "azure":
        return raw.aks_pool(name, machine, min_nodes, max_nodes, env, spot=spot, ppg=placement)
    return raw.eks_group(
        name,
        machine,
        min_nodes,
        max_nodes,
        env,
        spot=spot,
        efa=None if fabric else 0,
        placement="cpg" if placement else None,
        **kw,
    )


def run(
    rule: str, resources: list[RawResource], config: dict[str, Any] | None = None, fleet: FleetHints | None = None
) -> list[Finding]:
    """Run one rule on a stack. Without a fleet, the stack's fleet spec names the environment its
    resources are labelled with (as ai-infra's own stacks do), so a label alone lifts nothing."""
    if fleet is None:
        envs = {raw.env_of(r) for r in resources} - {None}
        fleet = FleetHints(environment=envs.pop()) if len(envs) == 1 else None
    return RULES[rule](normalize_stack(resources), settings_for(rule, config, {}, fleet))


def both(f: Finding) -> str:
    """Message and fix together (patterns below may match either)."""
    return f"{f.message}\n{getattr(f, 'fix', '')}"


def one(findings: list[Finding], *patterns: str) -> Finding:
    assert len(findings) >= 1, "expected a violation"
    for p in patterns:
        assert any(re.search(p, both(f)) for f in findings), f"{p!r} not in {[both(f) for f in findings]}"
    return findings[0]


def regional_gke_pool(autoscaling: dict[str, Any], env: str = "dev") -> list[RawResource]:
    props = {
        "location": "us-central1",  # regional: three zones
        "autoscaling": autoscaling,
        "nodeConfig": {"machineType": "g2-standard-12", "spot": True, "resourceLabels": {raw.ENV: env}},
    }
    return [RawResource("gcp:container/nodePool:NodePool", "l4", "urn:pulumi:s::p::gke::l4", props)]


# ----- stack-ceilings ------------------------------------------------------------------------------
@pytest.mark.parametrize("cloud", CLOUDS)
def test_stack_ceilings_accelerators(cloud: str) -> None:
    findings = run("stack-ceilings", pool(cloud, FABRIC[cloud], 0.0, 64.0, "dev"))
    f = one(
        findings,
        rf"gpu' can reach 64 x {FABRIC[cloud]} = 512 H100-80GB at \$[\d,]+/h",
        "the dev ceiling is 16 accelerators",
        r"lower \S+ to at most [12], or (use|set)",
    )
    assert f.urn.endswith("::gpu")


@pytest.mark.parametrize("cloud", CLOUDS)
def test_stack_ceilings_cost_and_sum_across_pools(cloud: str) -> None:
    resources = pool(cloud, FABRIC[cloud], 0.0, 2.0, name="a") + pool(cloud, FABRIC[cloud], 0.0, 2.0, name="b")
    findings = run("stack-ceilings", resources, {"maxHourlyUsd": {"prod": 150}})
    one(findings, r"the prod part of the stack totals \$[\d,]+/h", r"the prod ceiling is \$150/h")
    assert {f.urn.rsplit("::", 1)[1] for f in findings} == {"a", "b"}


def test_stack_ceilings_names_the_same_largest_pool_whatever_the_registration_order() -> None:
    # three equal pools over the dev ceiling; the program registers them in no fixed order
    pools = [pool("gcp", FABRIC["gcp"], 0.0, 2.0, "dev", name=n) for n in ("c", "a", "b")]
    fixes = set()
    for order in ((0, 1, 2), (2, 1, 0), (1, 2, 0)):
        findings = run("stack-ceilings", [r for i in order for r in pools[i]])
        fixes.add(frozenset(getattr(f, "fix", "") for f in findings))
    (only,) = fixes
    assert any("'a' is the largest" in fix for fix in only), only


def test_stack_ceilings_states_each_total_once() -> None:
    # two dev pools over the dev ceiling and the spec's budget: the dev part is the whole stack,
    # so "totals 24 accelerators" once, then both ceilings (it was said twice, once per ceiling)
    resources = pool("gcp", FABRIC["gcp"], 0.0, 2.0, "dev", name="a") + pool(
        "gcp", FABRIC["gcp"], 0.0, 1.0, "dev", name="b"
    )
    findings = run("stack-ceilings", resources, fleet=FleetHints(environment="dev", max_accelerators=8))
    assert len(findings) == 2
    for f in findings:
        assert f.message.count("totals") == 1, f.message
        said = "; the stack (all dev) totals 24 accelerators and $263/h at max scale; "
        assert said + "the dev ceiling is 16 accelerators and $150/h; " in f.message, f.message
        assert f.message.endswith("the fleet spec's budget is 8 accelerators"), f.message


@pytest.mark.parametrize("cloud", CLOUDS)
def test_stack_ceilings_compliant(cloud: str) -> None:
    assert run("stack-ceilings", pool(cloud, SMALL[cloud], 0.0, 4.0, "dev", spot=True)) == []


@pytest.mark.parametrize("cloud", CLOUDS)
def test_stack_ceilings_fleet_budget(cloud: str) -> None:
    fleet = FleetHints(environment="prod", max_accelerators=8)
    one(
        run("stack-ceilings", pool(cloud, FABRIC[cloud], 0.0, 2.0), fleet=fleet),
        "the fleet spec's budget is 8 accelerators",
    )
    assert run("stack-ceilings", pool(cloud, FABRIC[cloud], 0.0, 2.0), {"honourFleetBudget": False}, fleet) == []


@pytest.mark.parametrize("cloud", ["gcp", "azure"])  # the catalog has spot prices for these
def test_stack_ceilings_budget_counts_on_demand_and_never_advises_spot_to_a_spot_pool(cloud: str) -> None:
    # bug: the fleet spec's budget.maxHourlyUsd is on-demand (spec reference), but a spot pool was
    # priced at spot, then told to "use spot"
    machine = {"gcp": "g2-standard-12", "azure": "Standard_NV36ads_A10_v5"}[cloud]
    spot_pool = pool(cloud, machine, 0.0, 4.0, "prod", spot=True)
    view = normalize_stack(spot_pool)
    (p,) = view.pools
    assert p.shape.spot_usd is not None and p.shape.on_demand_usd is not None
    budget = (p.shape.spot_usd * 4 + p.shape.on_demand_usd * 4) / 2  # above spot, below on-demand
    (f,) = run("stack-ceilings", spot_pool, fleet=FleetHints(environment="prod", max_hourly_usd=budget))
    assert "on-demand" in f.message and "the fleet spec's budget" in f.message
    assert "spot" not in both(f).split("\n", 1)[1]
    ceiling = {"maxHourlyUsd": {"prod": p.shape.spot_usd}}  # the environment ceiling prices spot at spot
    (f,) = run("stack-ceilings", spot_pool, ceiling)
    assert "spot" not in both(f).split("\n", 1)[1], f


# ----- pool-max-nodes -----------------------------------------------------------------------------------
@pytest.mark.parametrize("cloud", CLOUDS)
def test_pool_max_nodes(cloud: str) -> None:
    one(
        run("pool-max-nodes", pool(cloud, SMALL[cloud], 0.0, 8.0, "dev", spot=True)),
        r"can scale to 8 \w+s",
        "the dev limit is 4",
        r"lower \S+",
    )
    assert run("pool-max-nodes", pool(cloud, SMALL[cloud], 0.0, 4.0, "dev", spot=True)) == []
    assert run("pool-max-nodes", pool(cloud, SMALL[cloud], 0.0, 8.0, "dev"), {"maxNodesPerPool": 10}) == []


def test_pool_max_nodes_regional_totals_are_not_divided_into_fractions() -> None:
    # bug: "64 nodes ... 21 per zone in 3 zones" for a pool whose bound is a total
    (f,) = run("pool-max-nodes", regional_gke_pool({"totalMinNodeCount": 0.0, "totalMaxNodeCount": 64.0}))
    assert "can scale to 64 nodes" in f.message and "per zone" not in f.message
    assert "in total over 3 zones" in f.message
    assert "autoscaling.totalMaxNodeCount to at most 4" in both(f)


def test_pool_max_nodes_regional_per_zone_fix_adds_up() -> None:
    # bug: "to 4 in total (1 per zone)": 1 per zone in 3 zones is 3 nodes, not 4
    (f,) = run("pool-max-nodes", regional_gke_pool({"minNodeCount": 0.0, "maxNodeCount": 4.0}))
    assert "can scale to 12 nodes" in f.message and "4 per zone in 3 zones" in f.message
    text = both(f)
    assert "4 in total (1 per zone" not in text
    assert "autoscaling.maxNodeCount to 1 per zone (3 in total over 3 zones)" in text
    assert "totalMaxNodeCount to at most 4" in text
    # a limit below one node per zone: only the total can express it
    (f,) = run("pool-max-nodes", regional_gke_pool({"maxNodeCount": 4.0}), {"maxNodesPerPool": 2})
    assert "set autoscaling.totalMaxNodeCount to at most 2" in both(f)


# ----- tpu-slice-size (TPUs exist on GCP only) ------------------------------------------------------
def test_tpu_slice_size_tpu_vm() -> None:
    one(
        run("tpu-slice-size", raw.tpu_vm(acc_type="v5p-256", env="dev")),
        r"TPU VM 'v5p' is a TPU v5p slice of 128 chips \(v5p-256\)",
        "the dev limit is 16 chips per slice",
    )
    assert run("tpu-slice-size", raw.tpu_vm(acc_type="v5p-32", env="dev")) == []  # 32 TensorCores = 16 chips


def test_tpu_slice_size_gke_pool_and_queued_resource() -> None:
    gke = raw.gke_pool("tpu", "ct5p-hightpu-4t", 0.0, 16.0, "dev", topology="4x4x4", networks=0)
    one(run("tpu-slice-size", gke), "slice of 64 chips")
    queued = RawResource(
        "gcp:tpu/v2QueuedResource:V2QueuedResource",
        "q",
        "urn:q",
        {"tpu": {"nodeSpecs": [{"parent": "p", "node": {"acceleratorType": "v6e-64"}}]}},
    )
    assert run("tpu-slice-size", [queued], {"environment": "staging"}) == []  # 64 <= 256
    one(run("tpu-slice-size", [queued], {"environment": "dev"}), "TPU v6e slice of 64 chips", "dev limit is 16")


# ----- scale-to-zero ---------------------------------------------------------------------------------
@pytest.mark.parametrize("cloud", CLOUDS)
def test_scale_to_zero(cloud: str) -> None:
    one(
        run("scale-to-zero", pool(cloud, SMALL[cloud], 1.0, 4.0, "dev", spot=True)),
        r"keeps 1 x \S+ = 1 \S+ at \$[\d.]+/h (\(spot\) )?running when idle",
        "dev pools must scale to zero",
        "to 0",
    )
    assert run("scale-to-zero", pool(cloud, SMALL[cloud], 0.0, 4.0, "dev", spot=True)) == []
    assert run("scale-to-zero", pool(cloud, FABRIC[cloud], 2.0, 4.0, "prod")) == []


# ----- allowed-accelerator-classes -----------------------------------------------------------------------
@pytest.mark.parametrize("cloud", CLOUDS)
def test_allowed_classes(cloud: str) -> None:
    one(
        run("allowed-accelerator-classes", pool(cloud, FABRIC[cloud], 0.0, 1.0, "dev")),
        r"uses H100-80GB \(frontier class\)",
        "dev allows inference, training",
    )
    assert run("allowed-accelerator-classes", pool(cloud, SMALL[cloud], 0.0, 1.0, "dev")) == []
    assert run("allowed-accelerator-classes", pool(cloud, FABRIC[cloud], 0.0, 1.0, "prod")) == []
    custom = {"allowedClasses": {"prod": ["inference"]}}
    one(
        run("allowed-accelerator-classes", pool(cloud, FABRIC[cloud], 0.0, 1.0, "prod"), custom),
        "prod allows inference\n",
    )


def test_allowed_classes_tpu() -> None:
    one(run("allowed-accelerator-classes", raw.tpu_vm(env="dev")), r"uses TPU-v5p \(frontier class\)")
    assert run("allowed-accelerator-classes", raw.tpu_vm(acc_type="v5litepod-8", env="dev")) == []


# ----- spot-outside-prod -------------------------------------------------------------------------------------
@pytest.mark.parametrize("cloud", CLOUDS)
def test_spot_outside_prod(cloud: str) -> None:
    one(
        run("spot-outside-prod", pool(cloud, SMALL[cloud], 0.0, 2.0, "staging")),
        "on on-demand capacity",
        "staging pools should use spot capacity",
    )
    assert run("spot-outside-prod", pool(cloud, SMALL[cloud], 0.0, 2.0, "staging", spot=True)) == []
    assert run("spot-outside-prod", pool(cloud, SMALL[cloud], 0.0, 2.0, "prod")) == []


# ----- under-networked ------------------------------------------------------------------------------------------
MISSING = {"gcp": "no additional GPU networks", "azure": "no proximity placement group", "aws": "no EFA interfaces"}


@pytest.mark.parametrize("cloud", CLOUDS)
def test_under_networked(cloud: str) -> None:
    bad = pool(cloud, FABRIC[cloud], 0.0, 4.0, fabric=False, placement=False)
    f = one(
        run("under-networked", bad),
        rf"can reach 4 x {FABRIC[cloud]}",
        "essential for multi-node training",
        MISSING[cloud],
        "configure the missing fabric parts",
    )
    assert f.urn.endswith("::gpu")
    assert run("under-networked", pool(cloud, FABRIC[cloud], 0.0, 4.0)) == []
    assert run("under-networked", pool(cloud, FABRIC[cloud], 0.0, 1.0, fabric=False, placement=False)) == []
    assert run("under-networked", pool(cloud, SMALL[cloud], 0.0, 8.0, fabric=False, placement=False)) == []


@pytest.mark.parametrize("cloud", ["gcp", "aws"])
def test_under_networked_placement_can_be_waived(cloud: str) -> None:
    no_placement = pool(cloud, FABRIC[cloud], 0.0, 4.0, placement=False)
    one(run("under-networked", no_placement), "placement")
    assert run("under-networked", no_placement, {"requirePlacement": False}) == []


def test_under_networked_aws_partial_efa_and_standalone_instances() -> None:
    one(run("under-networked", raw.eks_group(efa=4)), "only 4 of the 32 EFA interfaces")
    inst = [
        RawResource("aws:ec2/instance:Instance", f"n{i}", f"urn:n{i}", {"instanceType": "p4d.24xlarge"})
        for i in range(2)
    ]
    one(run("under-networked", inst), "is one of 2 p4d.24xlarge instances", "no EFA network interfaces")


# ----- fabric-unused -----------------------------------------------------------------------------------------------
@pytest.mark.parametrize("cloud", CLOUDS)
def test_fabric_unused(cloud: str) -> None:
    one(
        run("fabric-unused", pool(cloud, FABRIC[cloud], 0.0, 1.0)),
        "can never exceed one node",
        rf"fabric of {FABRIC[cloud]} is paid for but never used",
    )
    assert run("fabric-unused", pool(cloud, FABRIC[cloud], 0.0, 2.0)) == []
    assert run("fabric-unused", pool(cloud, SMALL[cloud], 0.0, 1.0)) == []


def test_fabric_unused_suggests_a_machine_without_fabric() -> None:
    one(
        run("fabric-unused", pool("gcp", "a3-highgpu-8g", 0.0, 1.0)),
        r"a3-highgpu-4g \(4 H100-80GB, \$44.13/h, no fabric\)",
    )
    one(run("fabric-unused", pool("aws", "p5.48xlarge", 0.0, 1.0)), "p5.4xlarge", "EFA interfaces")


# ----- shared storage ----------------------------------------------------------------------------------------------
STORAGE_BIG = {
    "gcp": raw.gcp_lustre(gib="36000", tier="250"),
    "azure": raw.amlfs(tib=128.0, tier=500),
    "aws": raw.fsx(gib=240000.0, tier=1000.0),
}
STORAGE_FIT = {
    "gcp": raw.gcp_lustre(gib="36000", tier="250"),
    "azure": raw.amlfs(tib=8.0, tier=250),
    "aws": raw.fsx(gib=24000.0, tier=250.0),
}


@pytest.mark.parametrize("cloud", CLOUDS)
def test_shared_storage_overprovisioned(cloud: str) -> None:
    tiny = pool(cloud, SMALL[cloud], 0.0, 2.0)
    one(
        run("shared-storage-overprovisioned", tiny + STORAGE_BIG[cloud]),
        r"delivers [\d,]+ MB/s",
        r"x the 100 MB/s the stack's 2 \S+ at max scale \(50 MB/s per inference accelerator\)",
        "the limit is 4x",
    )
    big = pool(cloud, FABRIC[cloud], 0.0, 4.0)  # 32 H100 x 250 = 8,000 MB/s
    assert run("shared-storage-overprovisioned", big + STORAGE_FIT[cloud]) == []
    assert run("shared-storage-overprovisioned", STORAGE_BIG[cloud]) == []  # no accelerators here: not judged


def test_shared_storage_smallest_instance_gets_a_different_fix() -> None:
    tiny = pool("gcp", SMALL["gcp"], 0.0, 1.0)
    one(
        run("shared-storage-overprovisioned", tiny + raw.gcp_lustre(gib="9000", tier="1000")),
        "the smallest Managed Lustre already delivers",
    )


@pytest.mark.parametrize("cloud", CLOUDS)
def test_shared_storage_bottleneck(cloud: str) -> None:
    huge = pool(cloud, FABRIC[cloud], 0.0, 64.0)  # 512 H100 x 250 = 128,000 MB/s
    one(run("shared-storage-bottleneck", huge + STORAGE_FIT[cloud]), r"x the 128,000 MB/s", "below 0.25x")
    assert run("shared-storage-bottleneck", pool(cloud, FABRIC[cloud], 0.0, 4.0) + STORAGE_FIT[cloud]) == []


# ----- volume-performance -----------------------------------------------------------------------------------------
def test_volume_performance_gcp() -> None:
    one(
        run("volume-performance", raw.gke_pool(boot_iops=500000.0)),
        "provisions 500,000 IOPS",
        "one a3-highgpu-8g can drive at most 160,000 IOPS",
    )
    assert run("volume-performance", raw.gke_pool(boot_iops=100000.0)) == []
    disk = RawResource(
        "gcp:compute/disk:Disk", "scratch", "urn:d", {"provisionedIops": 400000.0, "type": "hyperdisk-extreme"}
    )
    one(run("volume-performance", [*raw.gke_pool(), disk]), "the largest instance in this stack")


def test_volume_performance_azure() -> None:
    disk = RawResource(
        "azure-native:compute:Disk", "data", "urn:d", {"diskIOPSReadWrite": 80000.0, "diskMBpsReadWrite": 1200.0}
    )
    one(run("volume-performance", [*raw.aks_pool(), disk]), "disk 'data' provisions 80,000 IOPS", "1,200 MB/s")
    ok = RawResource(
        "azure-native:compute:Disk", "data", "urn:d", {"diskIOPSReadWrite": 20000.0, "diskMBpsReadWrite": 500.0}
    )
    assert run("volume-performance", [*raw.aks_pool(), ok]) == []


def test_volume_performance_aws() -> None:
    one(
        run("volume-performance", raw.eks_group(iops=300000.0)),
        "volume /dev/xvda of launch template 'h100-lt' provisions 300,000 IOPS",
        "p5.48xlarge can drive at most 260,000",
    )
    assert run("volume-performance", raw.eks_group(iops=64000.0)) == []
    vol = RawResource("aws:ebs/volume:Volume", "v", "urn:v", {"iops": 16000.0, "throughput": 1000.0, "type": "gp3"})
    one(run("volume-performance", [*raw.eks_group("g6", "g6.xlarge", efa=0), vol]), "provisions 1,000 MB/s")


# ----- accelerator-visibility --------------------------------------------------------------------------------------
@pytest.mark.parametrize("cloud", CLOUDS)
def test_visibility_unknown_values_and_machines(cloud: str) -> None:
    unknown_max = pool(cloud, SMALL[cloud], 0.0, raw.UNK)
    one(run("accelerator-visibility", unknown_max), "unknown at preview")
    odd = {"gcp": "a9-futuregpu-8g", "azure": "Standard_ND200_Z9", "aws": "p9.96xlarge"}[cloud]
    f = one(run("accelerator-visibility", pool(cloud, odd, 0.0, 2.0)), f"'{odd}' looks like an accelerator machine")
    assert "not in the catalog" in f.message
    assert run("accelerator-visibility", pool(cloud, SMALL[cloud], 0.0, 2.0)) == []


def test_visibility_reports_the_environment_fallback() -> None:
    one(
        run("accelerator-visibility", pool("aws", SMALL["aws"], 0.0, 2.0, env=None)),
        "the strictest, 'dev', thresholds apply",
    )
    assert run("accelerator-visibility", pool("aws", SMALL["aws"], 0.0, 2.0, env=None), {"environment": "dev"}) == []


def test_environment_precedence() -> None:
    s = settings_for("pool-max-nodes", {"environment": "staging"}, {"aiinfra-environment": "dev"}, FleetHints("prod"))
    assert s.environment({}) == "staging"
    assert s.environment({"aiinfra-environment": "dev"}) == "dev"
    assert (
        settings_for("pool-max-nodes", {}, {"aiinfra-environment": "dev"}, FleetHints("prod")).environment({}) == "dev"
    )
    assert settings_for("pool-max-nodes", {}, {}, FleetHints("staging")).environment({}) == "staging"
    assert settings_for("pool-max-nodes").for_env("maxNodesPerPool", "staging") == 32
    assert settings_for("pool-max-nodes", {"maxNodesPerPool": 7}).for_env("maxNodesPerPool", "dev") == 7
    assert settings_for("pool-max-nodes", {"maxNodesPerPool": {"dev": 2}}).for_env("maxNodesPerPool", "prod") == 256


# ----- the environment label cannot lift the stack's limits -----------------------------------------
@pytest.mark.parametrize("cloud", CLOUDS)
def test_label_prod_does_not_bypass_the_configured_environment(cloud: str) -> None:
    # 64 frontier nodes labelled prod, in a stack whose policy config says dev: dev's limits apply
    labelled_prod = pool(cloud, FABRIC[cloud], 0.0, 64.0, "prod")
    for config, fleet in (({"environment": "dev"}, None), ({}, FleetHints(environment="dev"))):
        one(run("stack-ceilings", labelled_prod, config, fleet or FleetHints()), "the dev ceiling is 16 accelerators")
        one(run("pool-max-nodes", labelled_prod, config, fleet or FleetHints()), "the dev limit is 4")
        one(run("allowed-accelerator-classes", labelled_prod, config, fleet or FleetHints()), "dev allows inference")
    note = one(
        run("accelerator-visibility", labelled_prod, {"environment": "dev"}),
        "labelled aiinfra-environment: prod, but the stack's environment is 'dev' \\(policy config\\)",
    )
    assert note.urn.endswith("::gpu")


@pytest.mark.parametrize("cloud", CLOUDS)
def test_unconfigured_stack_falls_back_to_the_strictest_environment(cloud: str) -> None:
    # nothing configured: the label prod does not count, and the unlabelled pool gets dev too
    for env in ("prod", None):
        resources = pool(cloud, FABRIC[cloud], 0.0, 64.0, env)
        one(run("stack-ceilings", resources, {}, FleetHints()), "the dev ceiling is 16 accelerators")
        one(run("accelerator-visibility", resources, {}, FleetHints()), "the strictest, 'dev', thresholds apply")


def test_label_can_make_limits_stricter() -> None:
    # a pool labelled dev in a prod stack gets dev's limits (a label may only tighten)
    resources = pool("gcp", FABRIC["gcp"], 0.0, 8.0, "dev")
    one(run("pool-max-nodes", resources, {"environment": "prod"}), "the dev limit is 4")
    assert run("pool-max-nodes", pool("gcp", FABRIC["gcp"], 0.0, 8.0, "prod"), {"environment": "prod"}) == []
    s = settings_for("pool-max-nodes", {"environment": "staging"})
    assert [s.environment({"aiinfra-environment": e}) for e in ("dev", "staging", "prod", "bogus")] == [
        "dev",
        "staging",
        "staging",
        "staging",
    ]
