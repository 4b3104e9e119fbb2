"""``AksCluster``: one resolved Azure cluster of the fleet spec, built on AKS.

Creates (children named ``{name}-<role>``):

- ``{name}-rg``: the resource group (unless ``kubernetes.resourceGroup`` names an existing one
  or the cluster already exists);
- ``{name}-identity``: the cluster's user-assigned managed identity, with Network Contributor
  on the VNet (``{name}-network-role``) as AKS needs for a bring-your-own VNet;
- ``{name}-network``: VNet, node subnet, Lustre subnets, NAT gateway (``AzureNetwork``);
- ``{name}-aks``: the ManagedCluster (OIDC issuer + workload identity, Azure CNI overlay,
  system pool) - or nothing, when ``kubernetes.existingCluster`` names an AKS cluster ID;
- ``{name}-<pool>``: one ``AksGpuPool`` per GPU pool;
- ``{name}-<storage>``: one ``AzureStorage`` per storage item.

``exports`` holds the stack outputs: the cluster name, the kubeconfig (secret), the pool
names, storage endpoints, the InfiniBand notes and the next steps.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pulumi
import pulumi_azure_native.authorization as authorization
import pulumi_azure_native.compute as compute
import pulumi_azure_native.containerservice as containerservice
import pulumi_azure_native.keyvault as keyvault
import pulumi_azure_native.managedidentity as managedidentity
import pulumi_azure_native.monitor as monitor
import pulumi_azure_native.operationalinsights as operationalinsights
import pulumi_azure_native.resources as resources

from components.azure import translate as tr
from components.azure.network import AzureNetwork
from components.azure.pool import AksGpuPool
from components.azure.storage import AzureStorage
from components.spec.resolved import ResolvedCluster


class AksCluster(pulumi.ComponentResource):
    """An AKS cluster (or an existing one) with GPU agent pools and storage.

    Args:
        name: logical name (``fleet-<cluster>``); every child is ``{name}-<role>``.
        cluster: the resolved cluster (``components.spec.load_fleet``).
        opts: resource options; pass ``provider`` for a specific subscription.

    Outputs (``exports``):
        clusterName, resourceGroupName, location, kubeconfig (secret), pools (names),
        gpuPools (per pool: vmSize, acceleratorsPerNode, minNodes, maxNodes, capacity, fabric),
        storage (per item), oidcIssuerUrl and identityClientId (created clusters), vnetId,
        infiniband (when a pool has InfiniBand), localNvmeRaid0Manifest (when a pool asks
        for raid0), nextSteps.
    """

    exports: Mapping[str, Any]

    def __init__(self, name: str, cluster: ResolvedCluster, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("aiinfra:azure:Cluster", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        spec = cluster.spec
        existing = spec.kubernetes.existing_cluster
        existing_id = tr.parse_aks_id(existing) if existing else None
        if existing and existing_id is None:
            raise tr.TranslateError(
                f"{spec.path}.kubernetes.existingCluster",
                "not an AKS resource ID (/subscriptions/.../managedClusters/<name>)",
            )
        layout = tr.network_layout(cluster)
        salt = f"{pulumi.get_project()}/{pulumi.get_stack()}"
        # Who runs `pulumi up` (tenant, object ID): the vault's tenant and the deployer's grants.
        self._client = authorization.get_client_config_output(opts=pulumi.InvokeOutputOptions(parent=self))

        # Resource group: ours, the spec's, or the existing cluster's.
        rg_name = tr.resource_group_name(cluster)
        self.resource_group: resources.ResourceGroup | None = None
        rg: pulumi.Input[str] = rg_name
        if tr.creates_resource_group(cluster):
            self.resource_group = resources.ResourceGroup(
                f"{name}-rg",
                resource_group_name=rg_name,
                location=spec.region,
                tags=tr.tags(cluster),
                opts=child,
            )
            rg = self.resource_group.name

        # Network: always for a new cluster; for an existing one only when storage needs a
        # subnet (Lustre) or a VNet rule (NFS) - that VNet must then be peered with the cluster's.
        kinds = {s.spec.kind for s in cluster.storage}
        self.network: AzureNetwork | None = None
        if existing_id is None or kinds & {"lustre", "nfs"}:
            self.network = AzureNetwork(
                f"{name}-network",
                cluster,
                layout,
                rg,
                node_service_endpoints=("Microsoft.Storage",) if "nfs" in kinds else (),
                opts=child,
            )

        # A customer-managed key reaches managed disks (node OS disks, block volumes) through a
        # disk encryption set.
        self.disk_encryption_set_id: pulumi.Output[str] | None = None
        if spec.encryption.kms_key and spec.encryption.key_vault:
            des = compute.DiskEncryptionSet(f"{name}-des", **tr.disk_encryption_set_args(cluster, rg), opts=child)
            self._vault_grant(
                f"{name}-des-key",
                des.identity.apply(_principal_id),
                spec.encryption.key_vault,
                tr.ROLE_KEY_VAULT_CRYPTO_SERVICE_ENCRYPTION_USER,
            )
            self.disk_encryption_set_id = des.id

        outputs: dict[str, Any] = {"location": spec.region, "resourceGroupName": rg}
        self.identity: managedidentity.UserAssignedIdentity | None = None
        self.cluster: containerservice.ManagedCluster | None = None
        cluster_rg: pulumi.Input[str]
        cluster_name: pulumi.Input[str]
        if existing_id is None:
            assert self.network is not None
            self.identity = managedidentity.UserAssignedIdentity(
                f"{name}-identity",
                resource_name_=f"{spec.name}-aks",
                resource_group_name=rg,
                location=spec.region,
                tags=tr.tags(cluster),
                opts=child,
            )
            # AKS with a bring-your-own VNet needs its control-plane identity to manage the
            # subnets (join, load balancers): Network Contributor on the VNet.
            # https://learn.microsoft.com/azure/aks/configure-azure-cni#prerequisites
            network_role = authorization.RoleAssignment(
                f"{name}-network-role",
                principal_id=self.identity.principal_id,
                principal_type="ServicePrincipal",
                role_definition_id=self.network.vnet_id.apply(
                    lambda vid: tr.role_definition_id(vid, tr.ROLE_NETWORK_CONTRIBUTOR)
                ),
                scope=self.network.vnet_id,
                opts=child,
            )
            secrets_key, key_grants = self._secrets_key(name, cluster, rg, salt)
            self.cluster = containerservice.ManagedCluster(
                f"{name}-aks",
                **tr.managed_cluster_args(
                    cluster,
                    layout,
                    rg,
                    self.identity.id,
                    self.network.node_subnet_id,
                    secrets_key=secrets_key,
                    disk_encryption_set_id=self.disk_encryption_set_id,
                ),
                opts=pulumi.ResourceOptions(parent=self, depends_on=[network_role, self.network, *key_grants]),
            )
            cluster_rg, cluster_name = rg, self.cluster.name
            # Local accounts are off: the deployer gets cluster admin through Azure RBAC, as the
            # creator of an EKS cluster does. Grant others the AKS RBAC roles the same way.
            authorization.RoleAssignment(
                f"{name}-deployer-admin",
                principal_id=self._client.object_id,
                role_definition_id=self.cluster.id.apply(
                    lambda cid: tr.role_definition_id(cid, tr.ROLE_AKS_RBAC_CLUSTER_ADMIN)
                ),
                scope=self.cluster.id,
                opts=child,
            )
            workspace = operationalinsights.Workspace(f"{name}-logs", **tr.log_workspace_args(cluster, rg), opts=child)
            monitor.DiagnosticSetting(
                f"{name}-audit",
                **tr.audit_diagnostics_args(cluster, self.cluster.id, workspace.id),
                opts=child,
            )
            outputs.update(
                clusterId=self.cluster.id,
                oidcIssuerUrl=self.cluster.oidc_issuer_profile.apply(lambda p: p.issuer_url if p else None),
                identityClientId=self.identity.client_id,
                identityId=self.identity.id,
            )
        else:
            cluster_rg, cluster_name = existing_id.resource_group, existing_id.name
            outputs["clusterId"] = existing

        # GPU pools, each its own scale set. A reserved pool needs the cluster identity to be a
        # Contributor on its capacity reservation group: granted on that group only, not on its
        # resource group as the AKS guide does (least privilege; the grant covers the group's
        # reservations). https://learn.microsoft.com/azure/aks/use-capacity-reservation-groups
        self.pools: dict[str, AksGpuPool] = {}
        crg_roles: dict[str, authorization.RoleAssignment] = {}
        for pool in cluster.pools:
            scope = _crg_scope(pool)
            if scope and self.identity is not None and scope.lower() not in crg_roles:
                crg_roles[scope.lower()] = authorization.RoleAssignment(
                    f"{name}-{pool.name}-crg-role",
                    principal_id=self.identity.principal_id,
                    principal_type="ServicePrincipal",
                    role_definition_id=tr.role_definition_id(scope, tr.ROLE_CONTRIBUTOR),
                    scope=scope,
                    opts=child,
                )
        for pool in cluster.pools:
            depends: list[pulumi.Resource] = [self.cluster] if self.cluster else []
            scope = _crg_scope(pool)
            if scope and scope.lower() in crg_roles:
                depends.append(crg_roles[scope.lower()])
            pool_opts = pulumi.ResourceOptions(parent=self, depends_on=depends)
            self.pools[pool.name] = AksGpuPool(
                f"{name}-{pool.name}",
                cluster,
                pool,
                resource_group_name=cluster_rg,
                cluster_name=cluster_name,
                ppg_resource_group_name=rg,
                subnet_id=self.network.node_subnet_id if (self.network and existing_id is None) else None,
                opts=pool_opts,
            )

        # Storage.
        self.storage: dict[str, AzureStorage] = {}
        for st in cluster.storage:
            net = self.network
            self.storage[st.name] = AzureStorage(
                f"{name}-{st.name}",
                cluster,
                st,
                rg,
                lustre_subnet_id=net.lustre_subnet_ids.get(st.name) if net else None,
                nfs_subnet_ids=[net.node_subnet_id] if net else [],
                account_salt=salt,
                disk_encryption_set_id=self.disk_encryption_set_id,
                storage_identity_id=(
                    self._storage_identity(name, cluster, rg) if st.spec.kind in ("lustre", "nfs") else None
                ),
                opts=child,
            )
        self._grant_disk_access(name, cluster)

        # The kubeconfig comes from an invoke that waits for the cluster (its name is an output
        # of the ManagedCluster); it is never stored in a resource.
        creds = containerservice.list_managed_cluster_user_credentials_output(
            resource_group_name=cluster_rg,
            resource_name=cluster_name,
            opts=pulumi.InvokeOutputOptions(parent=self),
        )
        # Clusters ai-infra creates have local accounts off: their kubeconfig signs in through
        # kubelogin and the Azure CLI (no device-code prompt, so CI and the add-ons work).
        created = existing_id is None
        kubeconfig: pulumi.Output[str] = pulumi.Output.secret(
            creds.apply(lambda r: tr.entra_kubeconfig(tr.decode_kubeconfig(r)) if created else tr.decode_kubeconfig(r))
        )

        outputs.update(
            clusterName=cluster_name,
            kubeconfig=kubeconfig,
            pools=[p.name for p in cluster.pools],
            gpuPools={
                p.name: {
                    "vmSize": p.offer.machine_type,
                    "accelerator": p.offer.accelerator,
                    "acceleratorsPerNode": p.offer.accelerators_per_node,
                    "minNodes": p.spec.min_nodes,
                    "maxNodes": p.spec.max_nodes,
                    "capacity": p.spec.capacity,
                    "fabric": p.fabric.kind if p.fabric else None,
                    "gpuDriver": tr.gpu_driver(p),
                    "proximityPlacementGroupId": self.pools[p.name].proximity_placement_group_id,
                }
                for p in cluster.pools
            },
            storage={n: s.outputs for n, s in self.storage.items()},
            nextSteps=tr.next_steps(cluster),
        )
        if self.network is not None:
            outputs["vnetId"] = self.network.vnet_id
            if existing_id is not None:
                outputs["storageVnetId"] = self.network.vnet_id
        notes = tr.fabric_notes(cluster)
        if notes is not None:
            outputs["infiniband"] = notes.as_output()
        if any(p.spec.local_ssd == "raid0" for p in cluster.pools):
            outputs["localNvmeRaid0Manifest"] = tr.raid0_manifest(cluster)
        self.exports = outputs
        self.register_outputs(outputs)

    def _vault_grant(self, name: str, principal_id: pulumi.Input[str], vault_id: pulumi.Input[str], role: str) -> Any:
        """A Key Vault data-plane role for a managed identity, on that vault only."""
        return authorization.RoleAssignment(
            name,
            principal_id=principal_id,
            principal_type="ServicePrincipal",
            role_definition_id=pulumi.Output.from_input(vault_id).apply(lambda v: tr.role_definition_id(v, role)),
            scope=vault_id,
            opts=pulumi.ResourceOptions(parent=self),
        )

    def _secrets_key(
        self, name: str, cluster: ResolvedCluster, rg: pulumi.Input[str], salt: str
    ) -> tuple[tr.SecretsKey, list[pulumi.Resource]]:
        """The Key Vault key for AKS KMS: ``encryption.kmsKey``, or a vault and key made here.

        The cluster identity may encrypt and decrypt with it (Key Vault Crypto User on the
        vault); a vault made here also lets the deployer create the key (Crypto Officer).
        """
        assert self.identity is not None
        child = pulumi.ResourceOptions(parent=self)
        enc = cluster.spec.encryption
        if enc.kms_key and enc.key_vault:
            use = self._vault_grant(
                f"{name}-secrets-key-user", self.identity.principal_id, enc.key_vault, tr.ROLE_KEY_VAULT_CRYPTO_USER
            )
            return tr.SecretsKey(enc.kms_key, enc.key_vault), [use]
        vault = keyvault.Vault(
            f"{name}-kv",
            **tr.key_vault_args(cluster, rg, tr.key_vault_name(cluster, salt), self._client.tenant_id),
            opts=child,
        )
        officer = authorization.RoleAssignment(
            f"{name}-kv-deployer",
            principal_id=self._client.object_id,
            role_definition_id=vault.id.apply(lambda v: tr.role_definition_id(v, tr.ROLE_KEY_VAULT_CRYPTO_OFFICER)),
            scope=vault.id,
            opts=child,
        )
        key = keyvault.Key(
            f"{name}-secrets-key",
            **tr.secrets_key_args(cluster, rg, vault.name),
            opts=pulumi.ResourceOptions(parent=self, depends_on=[officer]),
        )
        use = self._vault_grant(
            f"{name}-secrets-key-user", self.identity.principal_id, vault.id, tr.ROLE_KEY_VAULT_CRYPTO_USER
        )
        return tr.SecretsKey(key.key_uri_with_version, vault.id), [use, key]

    def _storage_identity(self, name: str, cluster: ResolvedCluster, rg: pulumi.Input[str]) -> Any:
        """The identity Azure Managed Lustre and the NFS storage accounts read the customer-managed
        key as (None without one): one per cluster, granted on ``keyVault`` before they use it."""
        enc = cluster.spec.encryption
        if not (enc.kms_key and enc.key_vault):
            return None
        if getattr(self, "_storage_identity_id", None) is None:
            ident = managedidentity.UserAssignedIdentity(
                f"{name}-storage-identity",
                resource_name_=f"{cluster.spec.name}-storage",
                resource_group_name=rg,
                location=cluster.spec.region,
                tags=tr.tags(cluster),
                opts=pulumi.ResourceOptions(parent=self),
            )
            grant = self._vault_grant(
                f"{name}-storage-key",
                ident.principal_id,
                enc.key_vault,
                tr.ROLE_KEY_VAULT_CRYPTO_SERVICE_ENCRYPTION_USER,
            )
            self._storage_identity_id = pulumi.Output.all(ident.id, grant.id).apply(lambda a: a[0])
        return self._storage_identity_id

    def _grant_disk_access(self, name: str, cluster: ResolvedCluster) -> None:
        """Let the cluster identity attach its block volumes (they live outside the node RG).

        https://learn.microsoft.com/azure/aks/azure-csi-disk-storage-provision#statically-provision-a-volume
        """
        if self.identity is None:
            return
        for st_name, st in self.storage.items():
            if st.outputs["kind"] != "block":
                continue
            disk_id = st.resource.id
            authorization.RoleAssignment(
                f"{name}-{st_name}-disk-role",
                principal_id=self.identity.principal_id,
                principal_type="ServicePrincipal",
                role_definition_id=disk_id.apply(lambda d: tr.role_definition_id(d, tr.ROLE_CONTRIBUTOR)),
                scope=disk_id,
                opts=pulumi.ResourceOptions(parent=self),
            )


def _crg_scope(pool: Any) -> str | None:
    """The capacity reservation group a reserved pool consumes: the scope of its grant."""
    if pool.spec.capacity != "reserved" or not pool.spec.reservation:
        return None
    return tr.resource_group_scope(pool.spec.reservation) and pool.spec.reservation.strip()


def _principal_id(identity: Any) -> Any:
    """The principal ID of a resource's system-assigned identity (None before creation)."""
    return getattr(identity, "principal_id", None)
