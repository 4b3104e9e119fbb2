"""Authentication headers: bearer and SigV4 checked by a local server, Google and Azure tokens
from injected credentials (no network, no real credentials)."""

from __future__ import annotations

import datetime
import http.server
import json
import threading
from collections.abc import Iterator
from typing import Any, ClassVar

import pytest
from botocore.auth import SigV4Auth as BotoSigner
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

from components.rightsize.auth import (
    AZURE_SCOPE,
    AuthError,
    AzureAuth,
    BearerAuth,
    GoogleAuth,
    SigV4Auth,
    make_auth,
)
from components.rightsize.prometheus import Prometheus

EMPTY = json.dumps({"status": "success", "data": {"resultType": "matrix", "result": []}}).encode()


class _Recorder(http.server.BaseHTTPRequestHandler):
    seen: ClassVar[list[dict[str, Any]]] = []

    def do_GET(self) -> None:
        type(self).seen.append({"path": self.path, "headers": dict(self.headers.items())})
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(EMPTY)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def server() -> Iterator[str]:
    _Recorder.seen = []
    httpd = http.server.HTTPServer(("127.0.0.1", 0), _Recorder)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}"
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join()


def test_bearer_header_reaches_the_server(server: str) -> None:
    auth = make_auth("bearer", environ={"AIINFRA_PROMETHEUS_TOKEN": "s3cret"})
    Prometheus(server, auth).query_range("up", 0, 60, 60)
    assert _Recorder.seen[0]["headers"]["Authorization"] == "Bearer s3cret"
    assert _Recorder.seen[0]["path"].startswith("/api/v1/query_range?query=up&")


def test_bearer_without_token_is_an_error() -> None:
    with pytest.raises(AuthError, match="AIINFRA_PROMETHEUS_TOKEN"):
        make_auth("bearer", environ={})


def test_sigv4_signature_verifies(server: str) -> None:
    creds = Credentials("AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY")
    Prometheus(server + "/workspaces/ws-1", SigV4Auth("us-west-2", creds)).query_range("up", 0, 60, 60)
    got = _Recorder.seen[0]
    headers = got["headers"]
    auth = headers["Authorization"]
    assert auth.startswith("AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/")
    assert "/us-west-2/aps/aws4_request" in auth
    # re-sign the request the server received, at the time it carries: the signatures match
    url = server + got["path"]
    stamp = datetime.datetime.strptime(headers["X-Amz-Date"], "%Y%m%dT%H%M%SZ")
    request = AWSRequest(method="GET", url=url)
    signer = BotoSigner(creds, "aps", "us-west-2")
    request.context["timestamp"] = stamp.strftime("%Y%m%dT%H%M%SZ")
    signer._modify_request_before_signing(request)
    canonical = signer.canonical_request(request)
    expected = signer.signature(signer.string_to_sign(request, canonical), request)
    assert auth.endswith(f"Signature={expected}")


def test_sigv4_without_region_is_an_error(monkeypatch: pytest.MonkeyPatch) -> None:
    for var in ("AWS_REGION", "AWS_DEFAULT_REGION"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("AWS_CONFIG_FILE", "/nonexistent")
    with pytest.raises(AuthError, match="region"):
        SigV4Auth(None, Credentials("a", "b"))


class _GoogleCreds:
    def __init__(self) -> None:
        self.valid, self.token, self.refreshed = False, None, 0

    def refresh(self, request: object) -> None:
        self.valid, self.token, self.refreshed = True, "ya29.token", self.refreshed + 1


def test_google_token_is_refreshed_once() -> None:
    creds = _GoogleCreds()
    auth = GoogleAuth(credentials=creds, request=object())
    assert auth.headers("GET", "https://monitoring.googleapis.com/x") == {"Authorization": "Bearer ya29.token"}
    auth.headers("GET", "https://monitoring.googleapis.com/x")
    assert creds.refreshed == 1


def test_google_refresh_failure_is_an_auth_error() -> None:
    class Broken(_GoogleCreds):
        def refresh(self, request: object) -> None:
            raise RuntimeError("invalid_grant")

    with pytest.raises(AuthError, match="invalid_grant"):
        GoogleAuth(credentials=Broken(), request=object()).headers("GET", "https://x")


def test_azure_token_for_the_prometheus_scope() -> None:
    scopes: list[str] = []

    class Cred:
        def get_token(self, scope: str) -> Any:
            scopes.append(scope)
            return type("T", (), {"token": "eyJ0"})()

    assert AzureAuth(Cred()).headers("GET", "https://x") == {"Authorization": "Bearer eyJ0"}
    assert scopes == [AZURE_SCOPE] == ["https://prometheus.monitor.azure.com/.default"]


def test_bearer_auth_rejects_empty_token() -> None:
    with pytest.raises(AuthError):
        BearerAuth("")
