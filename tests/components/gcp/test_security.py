"""GCP secure defaults on the mock engine: endpoint, secrets encryption, audit logs, node identity, keys.

Every run checks the captured inputs against pulumi-gcp's ``...Args`` classes.
"""

from __future__ import annotations

from typing import Any

import pytest

from components.mockengine import Capture, CapturedResource, run_program
from components.spec import SpecError, load_fleet_object
from tests.components.gcp.helpers import FAMILIES, cluster_doc, config_for, fleet_doc
from tests.components.gcp.test_components import MAIN
from tests.support.sdk_inputs import assert_inputs_match_sdk

CLUSTER = "gcp:container/cluster:Cluster"
KEY = "projects/p/locations/us-central1/keyRings/r/cryptoKeys/k"
LUSTRE = {"name": "data", "kind": "lustre", "capacityGiB": 18000, "throughputMBpsPerTiB": 500}


def run(cluster: dict[str, Any], environment: str = "dev") -> Capture:
    cap = run_program(MAIN, config=config_for(cluster, environment=environment), stack="test")
    assert_inputs_match_sdk(cap.resources)
    return cap


def of(cap: Capture, type_token: str) -> list[CapturedResource]:
    return cap.of_type(type_token)


def gke(cap: Capture) -> dict[str, Any]:
    (cluster,) = of(cap, CLUSTER)
    return cluster.inputs


# ----- the API endpoint ----------------------------------------------------------------------


def test_prod_cluster_has_no_public_endpoint_by_default() -> None:
    i = gke(run(cluster_doc(), environment="prod"))
    assert i["privateClusterConfig"] == {"enablePrivateNodes": True, "enablePrivateEndpoint": True}
    assert i["masterAuthorizedNetworksConfig"] == {
        "cidrBlocks": [{"cidrBlock": "10.20.0.0/16", "displayName": "cluster network"}],
        "gcpPublicCidrsAccessEnabled": False,
    }


def test_prod_cluster_with_authorized_cidrs_is_public_but_limited_to_them() -> None:
    access = {"authorizedCidrs": ["203.0.113.0/24", "198.51.100.7/32"]}
    i = gke(run(cluster_doc(access=access), environment="prod"))
    assert i["privateClusterConfig"]["enablePrivateEndpoint"] is False
    assert i["masterAuthorizedNetworksConfig"]["cidrBlocks"] == [
        {"cidrBlock": "203.0.113.0/24", "displayName": "authorized-0"},
        {"cidrBlock": "198.51.100.7/32", "displayName": "authorized-1"},
    ]


def test_dev_cluster_keeps_a_public_endpoint_unless_told() -> None:
    i = gke(run(cluster_doc()))
    assert i["privateClusterConfig"]["enablePrivateEndpoint"] is False
    assert "masterAuthorizedNetworksConfig" not in i
    private = gke(run(cluster_doc(access={"endpoint": "private"})))
    assert private["privateClusterConfig"]["enablePrivateEndpoint"] is True


def test_a_private_cluster_gets_the_iam_authorised_dns_endpoint() -> None:
    # The IP endpoint stays private; the DNS name takes callers outside the VPC (CI running
    # `pulumi up` of the add-ons) through IAM. Public clusters keep their IP endpoint only.
    dns = {"dnsEndpointConfig": {"allowExternalTraffic": True}}
    assert gke(run(cluster_doc(), environment="prod"))["controlPlaneEndpointsConfig"] == dns
    assert gke(run(cluster_doc(access={"endpoint": "private"})))["controlPlaneEndpointsConfig"] == dns
    public = gke(run(cluster_doc(access={"authorizedCidrs": ["203.0.113.0/24"]}), environment="prod"))
    assert "controlPlaneEndpointsConfig" not in public
    assert "controlPlaneEndpointsConfig" not in gke(run(cluster_doc()))
    # `pulumi up` runs inside the network: the private IP endpoint serves, no DNS endpoint
    inside = gke(run(cluster_doc(access={"deployFrom": "network"}), environment="prod"))
    assert inside["privateClusterConfig"]["enablePrivateEndpoint"] is True
    assert "controlPlaneEndpointsConfig" not in inside


DNS_NAME = "gke-0123456789abcdef0123456789abcdef-123456789012.us-central1.gke.goog"


@pytest.fixture
def gke_outputs(monkeypatch: pytest.MonkeyPatch) -> None:
    """The mock engine answers a GKE cluster as GKE does: its IP endpoint, CA and DNS endpoint."""
    from components import mockengine

    echo = mockengine._Mocks.new_resource

    def new_resource(self: Any, args: Any) -> tuple[Any, dict[str, Any]]:
        rid, state = echo(self, args)
        if args.typ == CLUSTER:
            state["endpoint"] = "10.20.0.2"
            state["masterAuth"] = {"clusterCaCertificate": "Q0EtREFUQQ=="}
            if "controlPlaneEndpointsConfig" in state:
                state["controlPlaneEndpointsConfig"]["dnsEndpointConfig"]["endpoint"] = DNS_NAME
        return rid, state

    monkeypatch.setattr(mockengine._Mocks, "new_resource", new_resource)


def secret_value(output: object) -> str:
    """A captured input's value, which must be marked secret (the kubeconfig names the endpoint and CA)."""
    assert isinstance(output, dict) and set(output) == {"secret"}, f"kubeconfig is not a secret: {output!r}"
    value = output["secret"]
    assert isinstance(value, str)
    return value


@pytest.mark.usefixtures("gke_outputs")
def test_the_addons_reach_a_private_cluster_through_its_dns_endpoint() -> None:
    doc = cluster_doc(gpuPools=[FAMILIES["g2-l4"]])  # a GPU pool: the add-ons that serve it go on
    cap = run_program(MAIN, config=config_for(doc, environment="prod"), stack="test", preview=False)
    out = cap.outputs["c1"]
    assert out["dnsEndpoint"] == DNS_NAME
    kubeconfig = out["kubeconfig"]
    assert f"server: https://{DNS_NAME}" in kubeconfig
    assert "certificate-authority-data" not in kubeconfig  # a publicly trusted certificate
    (provider,) = cap.of_type("pulumi:providers:kubernetes")
    assert secret_value(provider.inputs["kubeconfig"]) == kubeconfig  # what `pulumi up` installs the add-ons through


@pytest.mark.usefixtures("gke_outputs")
def test_a_public_cluster_kubeconfig_keeps_its_ip_endpoint() -> None:
    doc = cluster_doc(access={"authorizedCidrs": ["203.0.113.0/24"]})
    out = run_program(MAIN, config=config_for(doc, environment="prod"), stack="test", preview=False).outputs["c1"]
    assert out["dnsEndpoint"] is None
    kubeconfig = out["kubeconfig"]
    assert "server: https://10.20.0.2" in kubeconfig
    assert "certificate-authority-data: Q0EtREFUQQ==" in kubeconfig


# ----- secrets encryption ------------------------------------------------------------------------


def test_secrets_are_encrypted_with_a_key_the_cluster_owns() -> None:
    cap = run(cluster_doc())
    (ring,) = of(cap, "gcp:kms/keyRing:KeyRing")
    (key,) = of(cap, "gcp:kms/cryptoKey:CryptoKey")
    (grant,) = of(cap, "gcp:kms/cryptoKeyIAMMember:CryptoKeyIAMMember")
    # no fixed name: key rings outlive `pulumi destroy`, so Pulumi's random suffix lets a stack come back
    assert ring.inputs == {"location": "us-central1", "project": "test-project"}
    assert key.inputs["purpose"] == "ENCRYPT_DECRYPT" and key.inputs["rotationPeriod"] == "7776000s"
    assert key.inputs["keyRing"] == "fleet-c1-keys-id"
    assert grant.inputs["role"] == "roles/cloudkms.cryptoKeyEncrypterDecrypter"
    assert grant.inputs["cryptoKeyId"] == "fleet-c1-secrets-key-id"
    assert grant.inputs["member"].startswith("serviceAccount:service-")
    assert grant.inputs["member"].endswith("@container-engine-robot.iam.gserviceaccount.com")
    assert gke(cap)["databaseEncryption"] == {"state": "ENCRYPTED", "keyName": "fleet-c1-secrets-key-id"}


def test_a_customer_key_encrypts_secrets_boot_disks_and_storage() -> None:
    storage = [
        LUSTRE,
        {"name": "share", "kind": "nfs", "capacityGiB": 1024},
        {"name": "vol", "kind": "block", "capacityGiB": 100},
    ]
    pools = [FAMILIES["g2-l4"]]
    cap = run(cluster_doc(encryption={"kmsKey": KEY}, storage=storage, gpuPools=pools))
    assert not of(cap, "gcp:kms/keyRing:KeyRing") and not of(cap, "gcp:kms/cryptoKey:CryptoKey")
    assert gke(cap)["databaseEncryption"] == {"state": "ENCRYPTED", "keyName": KEY}
    for pool in of(cap, "gcp:container/nodePool:NodePool"):
        assert pool.inputs["nodeConfig"]["bootDiskKmsKey"] == KEY, pool.name
    assert of(cap, "gcp:lustre/instance:Instance")[0].inputs["kmsKey"] == KEY
    assert of(cap, "gcp:filestore/instance:Instance")[0].inputs["kmsKeyName"] == KEY
    assert of(cap, "gcp:compute/disk:Disk")[0].inputs["diskEncryptionKey"] == {"kmsKeySelfLink": KEY}


def test_without_a_customer_key_storage_uses_googles_keys() -> None:
    cap = run(cluster_doc(storage=[LUSTRE]))
    assert "kmsKey" not in of(cap, "gcp:lustre/instance:Instance")[0].inputs


def test_a_bad_key_name_is_a_spec_error_at_its_path() -> None:
    with pytest.raises(SpecError) as err:
        load_fleet_object(fleet_doc(cluster_doc(encryption={"kmsKey": "my-key", "atHost": True})), "<t>")
    text = str(err.value)
    assert "clusters[0].encryption.kmsKey" in text and "Cloud KMS key" in text
    assert "clusters[0].encryption.atHost" in text and "Azure setting" in text


# ----- audit logs -------------------------------------------------------------------------------


def test_audit_logs_are_routed_to_a_bucket_with_the_spec_retention() -> None:
    cap = run(cluster_doc(auditLogs={"retentionDays": 400}))
    (bucket,) = of(cap, "gcp:logging/projectBucketConfig:ProjectBucketConfig")
    (sink,) = of(cap, "gcp:logging/projectSink:ProjectSink")
    assert bucket.inputs["retentionDays"] == 400 and bucket.inputs["bucketId"] == "c1-k8s-audit"
    assert bucket.inputs["location"] == "global" and bucket.inputs["project"] == "test-project"
    assert sink.inputs["destination"] == (
        "logging.googleapis.com/projects/test-project/locations/global/buckets/c1-k8s-audit"
    )
    assert 'resource.type="k8s_cluster"' in sink.inputs["filter"]
    assert 'resource.labels.cluster_name="c1"' in sink.inputs["filter"]
    assert 'logName:"cloudaudit.googleapis.com"' in sink.inputs["filter"]


def test_audit_retention_defaults_to_a_year() -> None:
    cap = run(cluster_doc())
    assert of(cap, "gcp:logging/projectBucketConfig:ProjectBucketConfig")[0].inputs["retentionDays"] == 365


# ----- nodes ------------------------------------------------------------------------------------


def test_every_node_pool_is_shielded_with_secure_boot() -> None:
    pools = [FAMILIES["a3-high"], {**FAMILIES["g2-l4"], "gpuDriver": "none"}]
    cap = run(cluster_doc(gpuPools=pools, tpuSlices=[{"name": "tpu", "version": "v5e", "topology": "2x4"}]))
    assert gke(cap)["enableShieldedNodes"] is True
    shielded = {
        p.name: p.inputs["nodeConfig"]["shieldedInstanceConfig"] for p in of(cap, "gcp:container/nodePool:NodePool")
    }
    on = {"enableSecureBoot": True, "enableIntegrityMonitoring": True}
    assert shielded["fleet-c1-system"] == on
    assert shielded["fleet-c1-a3high-pool"] == on
    assert shielded["fleet-c1-tpu-pool"] == on
    # A driver the GPU Operator builds on the node is unsigned: secure boot would block it.
    assert shielded["fleet-c1-l4-pool"] == {"enableSecureBoot": False, "enableIntegrityMonitoring": True}


def test_tpu_vms_run_as_the_nodes_account_with_secure_boot() -> None:
    cap = run(cluster_doc(tpuSlices=[{"name": "tpu", "version": "v5e", "topology": "2x4", "mode": "vm"}]))
    (vm,) = of(cap, "gcp:tpu/v2Vm:V2Vm")
    (sa,) = of(cap, "gcp:serviceaccount/account:Account")
    assert vm.inputs["serviceAccount"]["scopes"] == ["https://www.googleapis.com/auth/cloud-platform"]
    assert "email" in vm.inputs["serviceAccount"]  # the nodes' account (unknown until created)
    assert sa.inputs["accountId"] == "c1-nodes"
    assert vm.inputs["shieldedInstanceConfig"] == {"enableSecureBoot": True}
    assert vm.inputs["networkConfig"]["enableExternalIps"] is False


def test_queued_tpus_warn_that_they_run_as_the_default_account() -> None:
    doc = fleet_doc(cluster_doc(tpuSlices=[{"name": "tpu", "version": "v5e", "topology": "2x4", "mode": "queued"}]))
    _, issues = load_fleet_object(doc, "<t>")
    found = [i for i in issues if i.path == "clusters[0].tpuSlices[0].mode"]
    assert found and found[0].severity == "warning" and "default service account" in found[0].message


# ----- Managed Lustre port ------------------------------------------------------------------------


def _lustre_settings(version: str, **storage: Any) -> tuple[dict[str, Any], dict[str, Any], dict[str, Any], list[str]]:
    cap = run(cluster_doc(kubernetes={"version": version}, storage=[{**LUSTRE, **storage}]))
    (fs,) = of(cap, "gcp:lustre/instance:Instance")
    fw = cap.named("fleet-c1-network-lustre")
    return fs.inputs, gke(cap)["addonsConfig"]["lustreCsiDriverConfig"], fw.inputs, fs.ignore_changes


@pytest.fixture
def march_2026(monkeypatch: pytest.MonkeyPatch) -> None:
    """A day GKE 1.32 (before Lustre's own port) was still supported, so a bump can be validated."""
    monkeypatch.setenv("AIINFRA_TODAY", "2026-03-01")


@pytest.mark.parametrize("port", [988, 6988])
def test_lustre_port_is_fixed_by_the_spec_across_a_version_bump(port: int, march_2026: None) -> None:
    before = _lustre_settings("1.32", lustrePort=port)
    after = _lustre_settings("1.35", lustrePort=port)
    assert before == after
    fs, csi, fw, ignored = after
    assert fs.get("gkeSupportEnabled", False) is (port == 6988)
    assert csi.get("enableLegacyLustrePort", False) is (port == 6988)
    assert fw["allows"] == [{"protocol": "tcp", "ports": [str(port)]}]
    assert "gkeSupportEnabled" in ignored


def test_an_unrecorded_lustre_port_never_replaces_the_file_system(march_2026: None) -> None:
    # Without lustrePort the port still follows the version, but the instance ignores the
    # flag after creation, so `pulumi up` cannot replace the protected file system.
    fs_old, *_ = _lustre_settings("1.32")
    fs_new, _, _, ignored = _lustre_settings("1.35")
    assert fs_old["gkeSupportEnabled"] is True and "gkeSupportEnabled" not in fs_new
    assert "gkeSupportEnabled" in ignored
    _, issues = load_fleet_object(fleet_doc(cluster_doc(kubernetes={"version": "1.32"}, storage=[LUSTRE])), "<t>")
    warn = [i for i in issues if i.path == "clusters[0].storage[0].lustrePort"]
    assert warn and warn[0].severity == "warning" and "lustrePort: 6988" in (warn[0].hint or "")


def test_lustre_port_needs_gcp_lustre_and_one_port_per_cluster() -> None:
    two = [{**LUSTRE, "lustrePort": 988}, {**LUSTRE, "name": "more", "lustrePort": 6988}]
    with pytest.raises(SpecError, match=r"clusters\[0\]\.storage\[1\]\.lustrePort"):
        load_fleet_object(fleet_doc(cluster_doc(storage=two)), "<t>")
    nfs = [{"name": "share", "kind": "nfs", "capacityGiB": 1024, "lustrePort": 988}]
    with pytest.raises(SpecError, match=r"clusters\[0\]\.storage\[0\]\.lustrePort"):
        load_fleet_object(fleet_doc(cluster_doc(storage=nfs)), "<t>")


# ----- A3 Ultra / A4 reservations -----------------------------------------------------------------


@pytest.mark.parametrize("family", ["a3-ultra", "a4"])
def test_a_specific_reservation_of_a3_ultra_or_a4_gets_no_compact_policy(family: str) -> None:
    reserved = {**FAMILIES[family], "capacity": "reserved", "reservation": "my-res"}
    cap = run(cluster_doc(gpuPools=[reserved]))
    (pool,) = [p for p in of(cap, "gcp:container/nodePool:NodePool") if p.name.endswith("-pool")]
    assert "placementPolicy" not in pool.inputs
    assert pool.inputs["nodeConfig"]["reservationAffinity"] == {
        "consumeReservationType": "SPECIFIC_RESERVATION",
        "key": "compute.googleapis.com/reservation-name",
        "values": ["my-res"],
    }
    # Without a reservation the fabric still gets its compact placement.
    on_demand = run(cluster_doc(gpuPools=[FAMILIES[family]]))
    (pool,) = [p for p in of(on_demand, "gcp:container/nodePool:NodePool") if p.name.endswith("-pool")]
    assert pool.inputs["placementPolicy"] == {"type": "COMPACT"}


def test_asking_for_compact_placement_with_an_a4_reservation_is_an_error() -> None:
    pool = {**FAMILIES["a4"], "capacity": "reserved", "reservation": "my-res", "placement": "compact"}
    with pytest.raises(SpecError, match=r"clusters\[0\]\.gpuPools\[0\]\.placement: .*placed by the reservation"):
        load_fleet_object(fleet_doc(cluster_doc(gpuPools=[pool])), "<t>")
    # A3 Mega (TCPXO) reservations keep compact placement as before.
    mega = {**FAMILIES["a3-mega"], "capacity": "reserved", "reservation": "my-res"}
    fleet, _ = load_fleet_object(fleet_doc(cluster_doc(gpuPools=[mega])), "<t>")
    assert fleet.clusters[0].pools[0].compact
