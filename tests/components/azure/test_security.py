"""Azure secure defaults on the mock engine: API server access, Entra ID RBAC, KMS, audit logs,
network policy, Trusted Launch, encryption at host, customer-managed keys, the reservation grant.

Every run checks the captured inputs against the azure-native SDK's ``...Args`` classes.
"""

from __future__ import annotations

import copy
from typing import Any

import pytest

from components.fleet import Fleet
from components.mockengine import Capture, CapturedResource, run_program
from components.spec import SpecError, load_fleet_object
from tests.components.azure.conftest import fleet_doc
from tests.support.sdk_inputs import assert_inputs_match_sdk

AKS = "azure-native:containerservice:ManagedCluster"
POOL = "azure-native:containerservice:AgentPool"
ROLE = "azure-native:authorization:RoleAssignment"
VAULT_ID = "/subscriptions/0000/resourceGroups/keys/providers/Microsoft.KeyVault/vaults/corp-keys"
KEY_ID = "https://corp-keys.vault.azure.net/keys/aks/0123456789abcdef0123456789abcdef"
H100 = {"name": "ndh100", "accelerator": "H100-80GB", "maxNodes": 2}
A100_ND = {"name": "nda100", "accelerator": "A100-40GB", "acceleratorsPerNode": 8, "maxNodes": 2}


def build(environment: str = "prod", **cluster: Any) -> Capture:
    doc = fleet_doc(**cluster)
    doc["environment"] = environment
    fleet, _ = load_fleet_object(doc, "<test>")
    cap = run_program(lambda: Fleet("fleet", fleet), stack="test")
    assert_inputs_match_sdk(cap.resources)
    return cap


def aks(cap: Capture) -> dict[str, Any]:
    (found,) = cap.of_type(AKS)
    return found.inputs


def roles(cap: Capture) -> dict[str, CapturedResource]:
    return {r.name: r for r in cap.of_type(ROLE)}


# ----- the API server ------------------------------------------------------------------------


def test_prod_api_server_is_private_by_default() -> None:
    assert aks(build())["apiServerAccessProfile"] == {"enablePrivateCluster": True}


def test_authorized_cidrs_limit_a_public_api_server() -> None:
    cap = build(access={"authorizedCidrs": ["203.0.113.0/24"]})
    assert aks(cap)["apiServerAccessProfile"] == {"authorizedIPRanges": ["203.0.113.0/24"]}


def test_dev_api_server_is_public_unless_told() -> None:
    assert "apiServerAccessProfile" not in aks(build("dev"))
    assert aks(build("staging", access={"endpoint": "private"}))["apiServerAccessProfile"] == {
        "enablePrivateCluster": True
    }


def test_endpoint_private_with_cidrs_is_a_spec_error() -> None:
    doc = fleet_doc(access={"endpoint": "private", "authorizedCidrs": ["203.0.113.0/24"]})
    with pytest.raises(SpecError, match=r"clusters\[0\]\.access\.authorizedCidrs: .*endpoint is private"):
        load_fleet_object(doc, "<t>")


# ----- identity, network policy, audit --------------------------------------------------------------


def test_local_accounts_are_off_and_entra_id_with_azure_rbac_authorizes() -> None:
    cap = build()
    i = aks(cap)
    assert i["disableLocalAccounts"] is True
    assert i["aadProfile"] == {"managed": True, "enableAzureRBAC": True}
    admin = roles(cap)["fleet-train-az-deployer-admin"].inputs
    assert admin["roleDefinitionId"].endswith("/roleDefinitions/b1ff04bb-8a4e-4dc4-8eb5-8693973ce19b")
    assert admin["scope"] == "fleet-train-az-aks-id"


def test_network_policy_is_enforced_by_cilium() -> None:
    net = aks(build())["networkProfile"]
    assert (net["networkPolicy"], net["networkDataplane"]) == ("cilium", "cilium")


def test_kube_audit_logs_go_to_a_workspace_with_the_spec_retention() -> None:
    cap = build(auditLogs={"retentionDays": 180})
    (ws,) = cap.of_type("azure-native:operationalinsights:Workspace")
    (diag,) = cap.of_type("azure-native:monitor:DiagnosticSetting")
    assert ws.inputs["retentionInDays"] == 180 and ws.inputs["sku"] == {"name": "PerGB2018"}
    assert diag.inputs["resourceUri"] == "fleet-train-az-aks-id"
    assert diag.inputs["workspaceId"] == "fleet-train-az-logs-id"
    assert diag.inputs["logs"] == [{"category": "kube-audit-admin", "enabled": True}]


# ----- secrets encryption and customer keys ----------------------------------------------------------


def test_secrets_are_kms_encrypted_with_a_key_vault_key_the_cluster_owns() -> None:
    cap = build()
    (vault,) = cap.of_type("azure-native:keyvault:Vault")
    (key,) = cap.of_type("azure-native:keyvault:Key")
    props = vault.inputs["properties"]
    assert props["enableRbacAuthorization"] is True and props["enablePurgeProtection"] is True  # prod
    assert len(vault.inputs["vaultName"]) <= 24
    assert key.inputs["properties"]["kty"] == "RSA"
    kms = aks(cap)["securityProfile"]["azureKeyVaultKms"]
    assert kms["enabled"] is True and kms["keyVaultNetworkAccess"] == "Public"
    user = roles(cap)["fleet-train-az-secrets-key-user"].inputs
    assert user["roleDefinitionId"].endswith("/12338af0-0e69-4776-bea7-57ae8d297424")  # Crypto User
    assert user["scope"] == "fleet-train-az-kv-id" and user["principalType"] == "ServicePrincipal"
    officer = roles(cap)["fleet-train-az-kv-deployer"].inputs
    assert officer["roleDefinitionId"].endswith("/14b46e9e-c2b7-41b4-b07b-48a6ebf60603")  # Crypto Officer
    dev_vault = build("dev").of_type("azure-native:keyvault:Vault")[0]
    assert "enablePurgeProtection" not in dev_vault.inputs["properties"]  # reusable name after destroy


def test_a_customer_key_encrypts_secrets_os_disks_block_volumes_and_lustre() -> None:
    storage = [
        {"name": "datasets", "kind": "lustre", "capacityGiB": 4096, "throughputMBpsPerTiB": 500},
        {"name": "vol", "kind": "block", "capacityGiB": 100},
    ]
    cap = build(encryption={"kmsKey": KEY_ID, "keyVault": VAULT_ID}, storage=storage, gpuPools=[H100])
    assert not cap.of_type("azure-native:keyvault:Vault")
    i = aks(cap)
    assert i["securityProfile"]["azureKeyVaultKms"]["keyId"] == KEY_ID
    (des,) = cap.of_type("azure-native:compute:DiskEncryptionSet")
    assert des.inputs["activeKey"] == {"keyUrl": KEY_ID, "sourceVault": {"id": VAULT_ID}}
    assert des.inputs["encryptionType"] == "EncryptionAtRestWithCustomerKey"
    assert i["diskEncryptionSetID"] == "fleet-train-az-des-id"
    (disk,) = cap.of_type("azure-native:compute:Disk")
    assert disk.inputs["encryption"] == {
        "diskEncryptionSetId": "fleet-train-az-des-id",
        "type": "EncryptionAtRestWithCustomerKey",
    }
    (fs,) = cap.of_type("azure-native:storagecache:AmlFilesystem")
    assert fs.inputs["encryptionSettings"] == {"keyEncryptionKey": {"keyUrl": KEY_ID, "sourceVault": {"id": VAULT_ID}}}
    assert fs.inputs["identity"]["type"] == "UserAssigned"
    granted = {r.name: r.inputs for r in cap.of_type(ROLE)}
    for name in ("fleet-train-az-secrets-key-user", "fleet-train-az-des-key", "fleet-train-az-storage-key"):
        assert granted[name]["scope"] == VAULT_ID, name


def test_a_customer_key_encrypts_the_nfs_share_account() -> None:
    storage = [{"name": "home", "kind": "nfs", "capacityGiB": 1024}]
    cap = build(encryption={"kmsKey": KEY_ID, "keyVault": VAULT_ID}, storage=storage, gpuPools=[H100])
    (account,) = cap.of_type("azure-native:storage:StorageAccount")
    (identity,) = [i for i in cap.of_type("azure-native:managedidentity:UserAssignedIdentity") if "storage" in i.name]
    # read as the storage identity (granted on the vault); the share's data under the Key Vault key
    assert account.inputs["identity"] == {"type": "UserAssigned", "userAssignedIdentities": [f"{identity.name}-id"]}
    assert account.inputs["encryption"] == {
        "keySource": "Microsoft.Keyvault",
        "keyVaultProperties": {
            "keyVaultUri": "https://corp-keys.vault.azure.net",
            "keyName": "aks",
            "keyVersion": "0123456789abcdef0123456789abcdef",
        },
        "encryptionIdentity": {"encryptionUserAssignedIdentity": f"{identity.name}-id"},
        "services": {"file": {"enabled": True, "keyType": "Account"}},
    }
    grant = next(r for r in cap.of_type(ROLE) if r.name == "fleet-train-az-storage-key")
    assert grant.inputs["scope"] == VAULT_ID
    assert grant.inputs["roleDefinitionId"].endswith(
        "/e147488a-f6f5-4113-8e2d-b22465e65bf6"
    )  # Crypto Service Encryption User
    # one identity for every file system of the cluster
    both = build(
        encryption={"kmsKey": KEY_ID, "keyVault": VAULT_ID},
        storage=[*storage, {"name": "datasets", "kind": "lustre", "capacityGiB": 4096, "throughputMBpsPerTiB": 500}],
        gpuPools=[H100],
    )
    ids = [i for i in both.of_type("azure-native:managedidentity:UserAssignedIdentity") if "storage" in i.name]
    assert len(ids) == 1


def test_without_a_customer_key_the_nfs_account_uses_microsoft_managed_keys() -> None:
    (account,) = build(storage=[{"name": "home", "kind": "nfs", "capacityGiB": 1024}]).of_type(
        "azure-native:storage:StorageAccount"
    )
    assert "encryption" not in account.inputs and "identity" not in account.inputs


def test_a_key_without_its_vault_is_a_spec_error() -> None:
    with pytest.raises(SpecError, match=r"clusters\[0\]\.encryption\.keyVault: .*needs both kmsKey"):
        load_fleet_object(fleet_doc(encryption={"kmsKey": KEY_ID}), "<t>")
    with pytest.raises(SpecError, match=r"clusters\[0\]\.encryption\.kmsKey: .*versioned Key Vault key ID"):
        load_fleet_object(fleet_doc(encryption={"kmsKey": "my-key", "keyVault": VAULT_ID}), "<t>")


# ----- nodes ------------------------------------------------------------------------------------


def test_trusted_launch_where_the_size_allows_it() -> None:
    cap = build(gpuPools=[H100, A100_ND])
    pools = {p.inputs["vmSize"]: p.inputs for p in cap.of_type(POOL)}
    # vTPM on the ND H100 v5 pool; secure boot off: AKS's GPU driver and the GPU/Network
    # Operators' drivers are not signed for it.
    assert pools["Standard_ND96isr_H100_v5"]["securityProfile"] == {"enableVTPM": True, "enableSecureBoot": False}
    # ND A100 v4 (NDasrA100_v4) does not support Trusted Launch (catalog trustedLaunch: false).
    assert "securityProfile" not in pools["Standard_ND96asr_v4"]
    (system,) = aks(cap)["agentPoolProfiles"]
    assert system["securityProfile"] == {"enableVTPM": True, "enableSecureBoot": True}
    for p in [*pools.values(), system]:
        assert p["enableNodePublicIP"] is False


def test_encryption_at_host_is_an_option_on_every_pool() -> None:
    cap = build(gpuPools=[H100], encryption={"atHost": True})
    (pool,) = cap.of_type(POOL)
    assert pool.inputs["enableEncryptionAtHost"] is True
    assert aks(cap)["agentPoolProfiles"][0]["enableEncryptionAtHost"] is True
    assert "enableEncryptionAtHost" not in build(gpuPools=[H100]).of_type(POOL)[0].inputs


def test_reservation_grant_is_scoped_to_the_reservation_group() -> None:
    crg = "/subscriptions/0000/resourceGroups/capacity/providers/Microsoft.Compute/capacityReservationGroups/h100"
    pools = [copy.deepcopy(H100) | {"capacity": "reserved", "reservation": crg}]
    role = roles(build(gpuPools=pools))["fleet-train-az-ndh100-crg-role"].inputs
    assert role["scope"] == crg and role["scope"] != "/subscriptions/0000/resourceGroups/capacity"
    assert role["roleDefinitionId"] == (
        "/subscriptions/0000/providers/Microsoft.Authorization/roleDefinitions/b24988ac-6180-42a0-ab88-20f7382dd24c"
    )
