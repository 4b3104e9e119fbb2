"""EKS node images: which EKS-optimized AMI release a managed node group runs.

Node groups follow the latest *recommended* release AWS publishes for the control plane's
Kubernetes version (a public SSM parameter per AMI type, ``facts.AMI_SSM_PATHS``), so every
`pulumi up` after an AMI release (kernel and driver security fixes) rolls the nodes onto it.
The upgrade path is in docs/aws.md ("Node images").
"""

from __future__ import annotations

from typing import Any

import pulumi
import pulumi_aws as aws

from components.aws import facts, translate


def latest_ami_release(
    ami: str, kubernetes_version: pulumi.Input[str] | None, region: str, parent: pulumi.Resource
) -> pulumi.Output[Any] | None:
    """The latest recommended EKS-optimized AMI release for ``ami`` at the control plane's version.

    Read from the public SSM parameter at every preview and `pulumi up`: when AWS publishes a
    newer AMI (security fixes, drivers), the next `up` rolls the node group onto it, one node
    at a time (``update_config``). None when the version is not known.
    """
    if kubernetes_version is None or ami not in facts.AMI_SSM_PATHS:
        return None
    name = pulumi.Output.from_input(kubernetes_version).apply(
        lambda v: translate.ami_release_parameter(ami, ".".join(str(v).split(".")[:2])) if v else None
    )
    return aws.ssm.get_parameter_output(name=name, region=region, opts=pulumi.InvokeOutputOptions(parent=parent)).value
