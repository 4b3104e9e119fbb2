"""Kubernetes add-ons of an ai-infra cluster: device plugins, fabric enablement, storage CSI
and volumes, Kueue and JobSet, GPU monitoring, and the NCCL smoke test.

Layout: ``plan`` (pure: which add-ons a cluster gets and where their pods go), ``rules``
(validate-time checks of ``clusters[].addons``), ``objects`` (pure: Helm releases, vendor
manifests and the Kubernetes objects ai-infra renders), ``component`` (``ClusterAddons``: the
Pulumi resources, through a Kubernetes provider made from the cluster's kubeconfig),
``smoketest`` (``aiinfra smoke-test``). Only ``component`` imports a provider SDK.
"""
