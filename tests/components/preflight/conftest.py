"""Fixtures for preflight tests: a clean AWS environment, moto in-process and as a server."""

from __future__ import annotations

import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.components.preflight.moto_support import FakeCloud

_AWS_VARS = (
    "AWS_PROFILE",
    "AWS_DEFAULT_PROFILE",
    "AWS_ACCESS_KEY_ID",
    "AWS_SECRET_ACCESS_KEY",
    "AWS_SESSION_TOKEN",
    "AWS_SECURITY_TOKEN",
    "AWS_ENDPOINT_URL",
    "AWS_ENDPOINT_URL_EC2",
    "AWS_ENDPOINT_URL_SERVICE_QUOTAS",
    "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
    "AWS_CONTAINER_CREDENTIALS_FULL_URI",
    "AWS_WEB_IDENTITY_TOKEN_FILE",
    "AWS_ROLE_ARN",
    "AWS_RETRY_MODE",
    "AWS_MAX_ATTEMPTS",
)


@pytest.fixture
def no_aws_credentials(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """No credentials anywhere boto3 looks, and no instance-metadata lookups (no network)."""
    for var in _AWS_VARS:
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "no-config"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "no-credentials"))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")


@pytest.fixture
def aws_env(no_aws_credentials: None, monkeypatch: pytest.MonkeyPatch) -> None:
    # moto builds ~1,000 default AMIs (with snapshots) per EC2 backend; preflight needs none.
    monkeypatch.setenv("MOTO_EC2_LOAD_DEFAULT_AMIS", "false")
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")


@pytest.fixture(scope="session")
def moto_server() -> Iterator[str]:
    """moto as an HTTP server on 127.0.0.1 (a free port), in a thread of this process."""
    from moto.server import ThreadedMotoServer

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}"
    server.stop()


def _moto(mode: str, request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeCloud]:
    cloud = FakeCloud()
    cloud.install(monkeypatch)
    if mode == "in-process":
        from moto import mock_aws

        with mock_aws():
            yield cloud
    else:
        import requests

        url = request.getfixturevalue("moto_server")
        requests.post(f"{url}/moto-api/reset", timeout=10)
        monkeypatch.setenv("AWS_ENDPOINT_URL", url)
        yield cloud


@pytest.fixture(params=["in-process", "server"])
def aws(request: pytest.FixtureRequest, aws_env: None, monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeCloud]:
    """A moto-backed AWS account, once with ``mock_aws`` and once through moto's server
    (``AWS_ENDPOINT_URL`` pointing at it, so boto3 finds it on its own)."""
    yield from _moto(request.param, request, monkeypatch)


@pytest.fixture
def aws_local(request: pytest.FixtureRequest, aws_env: None, monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeCloud]:
    """The same account, in-process only: for the finer cases, to keep the suite fast."""
    yield from _moto("in-process", request, monkeypatch)


def write_spec(tmp_path: Path, body: str, name: str = "fleet.yaml") -> str:
    path = tmp_path / name
    path.write_text(textwrap.dedent(body), encoding="utf-8")
    return str(path)


POOL_SPEC = """
environment: prod
clusters:
  - name: {cluster}
    cloud: {cloud}
    region: {region}
{zone}
    kubernetes: {{version: "1.35"}}
    network: {{fabric: {fabric}}}
    gpuPools:
      - name: gpu
        accelerator: {accelerator}
        acceleratorsPerNode: {per_node}
        maxNodes: {max_nodes}
        capacity: {capacity}
{extra}
"""


def pool_spec(
    tmp_path: Path,
    *,
    cloud: str,
    cluster: str,
    region: str,
    zone: str | None,
    accelerator: str = "H100-80GB",
    per_node: int = 8,
    max_nodes: int = 2,
    capacity: str = "on-demand",
    extra: str = "",
    fabric: str = "auto",
) -> str:
    """A one-pool fleet spec file for the GCP and Azure checkers' tests."""
    body = POOL_SPEC.format(
        cluster=cluster,
        cloud=cloud,
        region=region,
        zone=f'    zone: "{zone}"' if zone else "",
        accelerator=accelerator,
        per_node=per_node,
        max_nodes=max_nodes,
        capacity=capacity,
        extra=extra,
        fabric=fabric,
    )
    return write_spec(tmp_path, body)
