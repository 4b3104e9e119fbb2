"""``ClusterAddons``: the add-ons of one cluster, installed through a Kubernetes provider made
from the cluster's kubeconfig output.

Arguments come from ``components.addons.objects`` (pure); this component only creates
resources: a ``kubernetes.Provider``, Helm releases, vendor manifest groups, EKS add-ons,
typed Kubernetes objects (``apps.v1.DaemonSet``, ``core.v1.PersistentVolume``, ...) or
``apiextensions.CustomResource`` for custom kinds, and the cloud side of monitoring (an
Amazon Managed Service for Prometheus workspace and collector; an Azure Monitor workspace
with its data collection rule). Objects whose kind an add-on's chart defines wait for that
release.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pulumi
import pulumi_kubernetes as k8s
import pulumi_kubernetes.apiextensions as apiextensions
import pulumi_kubernetes.apps.v1 as apps_v1
import pulumi_kubernetes.core.v1 as core_v1
import pulumi_kubernetes.helm.v3 as helm_v3
import pulumi_kubernetes.rbac.v1 as rbac_v1
import pulumi_kubernetes.yaml.v2 as yaml_v2

from components.addons import objects as o
from components.addons.plan import addon_plan, summary
from components.spec.resolved import ResolvedCluster

# Built-in kinds ai-infra renders -> (SDK class, top-level fields besides metadata).
_TYPED: Mapping[tuple[str, str], tuple[Any, tuple[str, ...]]] = {
    ("v1", "Namespace"): (core_v1.Namespace, ("spec",)),
    ("v1", "PersistentVolume"): (core_v1.PersistentVolume, ("spec",)),
    ("v1", "PersistentVolumeClaim"): (core_v1.PersistentVolumeClaim, ("spec",)),
    ("apps/v1", "DaemonSet"): (apps_v1.DaemonSet, ("spec",)),
    ("rbac.authorization.k8s.io/v1", "ClusterRole"): (rbac_v1.ClusterRole, ("rules",)),
    ("rbac.authorization.k8s.io/v1", "ClusterRoleBinding"): (rbac_v1.ClusterRoleBinding, ("roleRef", "subjects")),
}
_SNAKE = {"roleRef": "role_ref"}
GMP_QUERY = "https://monitoring.googleapis.com/v1/projects/{project}/location/global/prometheus"


def storage_refs(cluster: ResolvedCluster, exports: Mapping[str, Any], project: Any) -> o.Refs:
    """The deploy-time storage facts the PersistentVolumes need, from the cluster's exports."""
    stores = exports.get("storage") or {}
    refs: dict[str, o.StorageRef] = {}
    for st in cluster.storage:
        e = stores.get(st.name) or {}
        if cluster.cloud == "gcp":
            refs[st.name] = o.StorageRef(id=e.get("name"), address=e.get("mount"))
        elif cluster.cloud == "aws":
            refs[st.name] = o.StorageRef(id=e.get("id"), address=e.get("dnsName"), mount_name=e.get("mountName"))
        else:
            refs[st.name] = o.StorageRef(
                id=e.get("id"), address=e.get("mgsAddress"), account=e.get("accountName"), share=e.get("shareName")
            )
    return o.Refs(project=project, resource_group=exports.get("resourceGroupName"), storage=refs)


class ClusterAddons(pulumi.ComponentResource):
    """The add-ons of one cluster (``clusters[].addons``).

    Args:
        name: logical name; children are ``f"{name}-<item>"`` and the provider ``f"{name}-k8s"``.
        cluster: the resolved cluster.
        exports: the cluster component's exports (kubeconfig, storage, network and names).
        opts: resource options; the cloud provider of the cluster flows to the cloud resources.

    Outputs (``exports``):
        addons: per add-on, whether it is on, why, and its pinned version; releases: Helm
        release name -> chart@version; volumes: storage name -> claim and the namespaces that
        have it; queues: pool -> LocalQueue and its namespaces; prometheusQueryEndpoint: where
        to query the GPU metrics (None when monitoring is off).
    """

    exports: Mapping[str, Any]

    def __init__(
        self,
        name: str,
        cluster: ResolvedCluster,
        exports: Mapping[str, Any],
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        super().__init__("aiinfra:index:ClusterAddons", name, None, opts)
        self._name = name
        self._cluster = cluster
        plan = addon_plan(cluster)
        project = self._project() if cluster.cloud == "gcp" else None
        items = o.render(cluster, storage_refs(cluster, exports, project))
        self.exports = {"addons": summary(cluster), "prometheusQueryEndpoint": None}
        if not items:
            self.register_outputs(dict(self.exports))
            return

        self.provider = k8s.Provider(
            f"{name}-k8s",
            kubeconfig=exports["kubeconfig"],
            # Releases and objects go in after the cluster's nodes exist; server-side apply
            # lets a later `up` take over fields the vendors' controllers also set.
            enable_server_side_apply=True,
            opts=pulumi.ResourceOptions(parent=self),
        )
        k8s_opts = pulumi.ResourceOptions(parent=self, provider=self.provider)
        installed: dict[str, list[pulumi.Resource]] = {}
        namespaces: dict[str, pulumi.Resource] = {}  # Namespace objects ai-infra creates, by name
        releases: dict[str, str] = {}
        for item in items:
            deps: list[pulumi.Resource] = []
            retain = False
            if isinstance(item, o.ObjectItem):
                deps = [r for a in item.after for r in installed.get(a, [])]
                # An object goes in after the namespace it lives in, when ai-infra creates that.
                if item.namespace in namespaces:
                    deps.append(namespaces[item.namespace])
                retain = item.retain
            opts_i = pulumi.ResourceOptions.merge(
                k8s_opts, pulumi.ResourceOptions(depends_on=deps, retain_on_delete=retain or None)
            )
            res: pulumi.Resource
            if isinstance(item, o.HelmItem):
                res = self._release(item, opts_i)
                releases[item.name] = f"{item.chart}@{item.version}"
            elif isinstance(item, o.ManifestItem):
                res = yaml_v2.ConfigGroup(f"{name}-{item.name}", files=list(item.urls), opts=opts_i)
            elif isinstance(item, o.EksAddonItem):
                res = self._eks_addon(item, exports)
            else:
                res = self._object(item, opts_i)
                if item.kind == "Namespace":
                    namespaces[str(item.obj["metadata"]["name"])] = res
            if not isinstance(item, o.ObjectItem):
                installed.setdefault(item.addon, []).append(res)

        if plan["gpuMonitoring"].on:
            self.exports["prometheusQueryEndpoint"] = self._managed_prometheus(exports, project)
        inside = o.workload_objects(cluster)
        spaces = list(o.workload_namespaces(cluster))
        self.exports.update(
            releases=releases,
            volumes={name: {"claim": name, "namespaces": spaces} for name in inside.get("claims", [])},
            queues={pool: {"localQueue": pool, "namespaces": spaces} for pool in inside.get("queues", [])},
        )
        self.register_outputs(dict(self.exports))

    # --- items -----------------------------------------------------------------------------------

    def _release(self, item: o.HelmItem, opts: pulumi.ResourceOptions) -> helm_v3.Release:
        oci = item.repository.startswith("oci://")
        return helm_v3.Release(
            f"{self._name}-{item.name}",
            name=item.name,
            chart=f"{item.repository}/{item.chart}" if oci else item.chart,
            repository_opts=None if oci else helm_v3.RepositoryOptsArgs(repo=item.repository),
            version=item.version,
            namespace=item.namespace,
            create_namespace=True,
            values=dict(item.values),
            # Wait until the chart's pods are ready: CRs that need its CRDs and webhooks follow.
            atomic=True,
            opts=opts,
        )

    def _object(self, item: o.ObjectItem, opts: pulumi.ResourceOptions) -> pulumi.CustomResource:
        obj = item.obj
        typed = _TYPED.get((item.api_version, item.kind))
        if typed is None:
            return apiextensions.CustomResource(
                f"{self._name}-{item.name}",
                api_version=item.api_version,
                kind=item.kind,
                metadata=obj["metadata"],
                spec=obj.get("spec"),
                opts=opts,
            )
        cls, fields = typed
        kwargs = {_SNAKE.get(f, f): obj[f] for f in fields if f in obj}
        resource: pulumi.CustomResource = cls(
            f"{self._name}-{item.name}", metadata=obj["metadata"], **kwargs, opts=opts
        )
        return resource

    def _eks_addon(self, item: o.EksAddonItem, exports: Mapping[str, Any]) -> pulumi.Resource:
        import pulumi_aws as aws

        return aws.eks.Addon(
            f"{self._name}-{item.name}",
            cluster_name=exports["clusterName"],
            addon_name=item.addon_name,
            addon_version=item.version,
            resolve_conflicts_on_create="OVERWRITE",
            resolve_conflicts_on_update="PRESERVE",
            region=self._cluster.spec.region,
            tags=dict(self._cluster.labels),
            opts=pulumi.ResourceOptions(parent=self),
        )

    # --- managed Prometheus ------------------------------------------------------------------------

    def _project(self) -> Any:
        configured = pulumi.Config("gcp").get("project")
        if configured:
            return configured
        import pulumi_gcp as gcp

        return gcp.organizations.get_client_config_output(opts=pulumi.InvokeOutputOptions(parent=self)).project

    def _managed_prometheus(self, exports: Mapping[str, Any], project: Any) -> Any:
        cloud = self._cluster.cloud
        if cloud == "gcp":
            # GKE Managed Service for Prometheus (managed collection is on by default from GKE 1.27):
            # a Prometheus-compatible query API per project.
            return pulumi.Output.from_input(project).apply(lambda p: GMP_QUERY.format(project=p or "<project>"))
        if cloud == "aws":
            return self._amp(exports)
        return self._azure_monitor(exports)

    def _amp(self, exports: Mapping[str, Any]) -> Any:
        """An Amazon Managed Service for Prometheus workspace and a managed collector scraping the exporters.

        https://docs.aws.amazon.com/prometheus/latest/userguide/AMP-collector-how-to.html
        """
        import pulumi_aws as aws

        cluster, region = self._cluster, self._cluster.spec.region
        child = pulumi.ResourceOptions(parent=self)
        workspace = aws.amp.Workspace(
            f"{self._name}-amp", alias=f"{cluster.name}-gpu", region=region, tags=dict(cluster.labels), opts=child
        )
        eks = aws.eks.get_cluster_output(
            name=exports["clusterName"], region=region, opts=pulumi.InvokeOutputOptions(parent=self)
        )
        aws.amp.Scraper(
            f"{self._name}-amp-scraper",
            alias=f"{cluster.name}-dcgm",
            source={
                "eks": {
                    "cluster_arn": eks.arn,
                    "subnet_ids": eks.vpc_config.apply(lambda v: list(v.subnet_ids) if v else []),
                    "security_group_ids": [exports["nodeSecurityGroupId"]],
                }
            },
            destination={"amp": {"workspace_arn": workspace.arn}},
            scrape_configuration=o.amp_scrape_configuration(cluster),
            region=region,
            tags=dict(cluster.labels),
            opts=child,
        )
        return workspace.prometheus_endpoint

    def _azure_monitor(self, exports: Mapping[str, Any]) -> Any:
        """An Azure Monitor workspace, a data collection endpoint and rule for Prometheus metrics,
        associated with the AKS cluster (whose azureMonitorProfile turns on the metrics add-on).

        https://learn.microsoft.com/azure/azure-monitor/containers/kubernetes-monitoring-enable
        """
        import pulumi_azure_native.monitor as monitor

        cluster = self._cluster
        rg, location = exports["resourceGroupName"], cluster.spec.region
        child = pulumi.ResourceOptions(parent=self)
        tags = dict(cluster.labels)
        workspace = monitor.AzureMonitorWorkspace(
            f"{self._name}-amw",
            azure_monitor_workspace_name=f"{cluster.name}-gpu",
            resource_group_name=rg,
            location=location,
            tags=tags,
            opts=child,
        )
        endpoint = monitor.DataCollectionEndpoint(
            f"{self._name}-dce",
            data_collection_endpoint_name=f"{cluster.name}-prometheus",
            resource_group_name=rg,
            location=location,
            kind="Linux",
            tags=tags,
            opts=child,
        )
        rule = monitor.DataCollectionRule(
            f"{self._name}-dcr",
            data_collection_rule_name=f"{cluster.name}-prometheus",
            resource_group_name=rg,
            location=location,
            kind="Linux",
            data_collection_endpoint_id=endpoint.id,
            data_sources={
                "prometheus_forwarder": [{"name": "PrometheusDataSource", "streams": ["Microsoft-PrometheusMetrics"]}]
            },
            destinations={"monitoring_accounts": [{"account_resource_id": workspace.id, "name": "MonitoringAccount1"}]},
            data_flows=[{"streams": ["Microsoft-PrometheusMetrics"], "destinations": ["MonitoringAccount1"]}],
            tags=tags,
            opts=child,
        )
        monitor.DataCollectionRuleAssociation(
            f"{self._name}-dcra",
            association_name=f"{cluster.name}-prometheus",
            resource_uri=exports["clusterId"],
            data_collection_rule_id=rule.id,
            opts=child,
        )
        return workspace.metrics.apply(lambda m: m.prometheus_query_endpoint if m else None)
