"""Private API endpoints and the add-ons: `validate` says when `pulumi up` cannot reach the cluster.

The add-ons go in through a Kubernetes provider made from the cluster's kubeconfig, so the
machine running `pulumi up` must reach the API endpoint. Prod clusters get a private one by
default: GKE adds its IAM-authorised DNS endpoint (no warning); on EKS and AKS `validate` warns
at ``clusters[].access``, naming the add-ons and what to do, unless ``authorizedCidrs`` opens a
public endpoint to the deployer or ``deployFrom: network`` says `pulumi up` runs inside.
"""

from __future__ import annotations

import copy
import re
from typing import Any

import pytest

from components.addons.plan import addon_plan
from components.spec import check_document
from components.spec.model import ADDON_FIELDS
from tests.components.addons.helpers import SPECS


def warnings(spec: str, environment: str = "prod", **cluster: Any) -> list[tuple[str, str, str]]:
    doc = copy.deepcopy(SPECS[spec])
    doc["environment"] = environment
    doc["clusters"][0].update(cluster)
    errors_and_warnings = check_document(doc)[1]
    return [(i.path, i.message, i.hint or "") for i in errors_and_warnings if i.path.endswith(".access")]


@pytest.mark.parametrize("spec", ["aws-efa", "azure-ib"])
def test_a_private_prod_cluster_with_addons_warns_at_its_access(spec: str) -> None:
    ((path, message, fix),) = warnings(spec)
    assert path == "clusters[0].access"
    assert "gets a private API endpoint (prod without access.authorizedCidrs)" in message
    assert re.search(r"and addons (\w+, )*gpuMonitoring, (\w+, )*kueue, ", message)
    assert "`pulumi up` fails where that endpoint cannot be reached, such as a GitHub-hosted runner" in message
    network = "VPC" if spec == "aws-efa" else "VNet"
    assert f"a self-hosted runner in the cluster's {network}" in fix and "set access.deployFrom: network" in fix
    assert "list in access.authorizedCidrs the public egress CIDR" in fix
    assert "set those addons to disabled" in fix
    if spec == "azure-ib":
        assert "`az aks command invoke` cannot carry Pulumi's Kubernetes provider" in message


@pytest.mark.parametrize(
    ("spec", "environment", "cluster"),
    [
        ("gcp-tcpx", "prod", {}),  # GKE: the DNS endpoint takes callers outside the VPC
        ("aws-efa", "prod", {"access": {"authorizedCidrs": ["203.0.113.0/24"]}}),
        ("aws-efa", "prod", {"access": {"deployFrom": "network"}}),
        ("azure-ib", "prod", {"access": {"deployFrom": "network"}}),
        ("aws-efa", "dev", {}),  # public outside prod
        ("aws-efa", "prod", {"kubernetes": {"existingCluster": "train"}}),  # its endpoint is not ours to set
    ],
)
def test_no_warning_where_the_endpoint_is_reachable_or_not_ours(
    spec: str, environment: str, cluster: dict[str, Any]
) -> None:
    assert warnings(spec, environment, **cluster) == []


def test_an_explicitly_private_cluster_is_told_to_open_it_to_the_deployer() -> None:
    ((_, message, fix),) = warnings("aws-efa", "dev", access={"endpoint": "private"})
    assert "(access.endpoint: private)" in message
    assert "set access.endpoint: public and list in access.authorizedCidrs" in fix


def test_without_addons_through_the_api_there_is_nothing_to_reach() -> None:
    off = {name: "disabled" for name in ADDON_FIELDS}
    doc = copy.deepcopy(SPECS["aws-efa"])
    doc["clusters"][0]["addons"] = off
    fleet, _ = check_document(doc)
    assert fleet is not None and not any(d.on for d in addon_plan(fleet.clusters[0]).values())
    assert warnings("aws-efa", addons=off) == []
