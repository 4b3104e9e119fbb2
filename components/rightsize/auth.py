"""Authentication for the Prometheus HTTP API of each cloud's managed service.

| ``--auth``  | for                                          | credentials from the environment            |
|-------------|----------------------------------------------|---------------------------------------------|
| ``none``    | a Prometheus you reach directly              | -                                           |
| ``bearer``  | any server behind a bearer-token proxy       | ``AIINFRA_PROMETHEUS_TOKEN``                |
| ``google``  | Google Cloud Managed Service for Prometheus  | Application Default Credentials             |
| ``azure``   | Azure Monitor managed service for Prometheus | ``DefaultAzureCredential`` (azure-identity) |
| ``sigv4``   | Amazon Managed Service for Prometheus        | the default AWS credential chain, region    |

Each is an object with ``headers(method, url) -> dict``, called once per request (tokens are
cached by the SDKs and refreshed when they expire; SigV4 signs every request). Credentials
can be injected for tests; nothing here reads a file the user did not point at.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any, Protocol

# Scopes / audiences each managed service accepts.
GOOGLE_SCOPE = "https://www.googleapis.com/auth/monitoring.read"
AZURE_SCOPE = "https://prometheus.monitor.azure.com/.default"
SIGV4_SERVICE = "aps"
TOKEN_ENV = "AIINFRA_PROMETHEUS_TOKEN"  # noqa: S105 - the variable name, not a secret
AUTH_KINDS = ("none", "bearer", "google", "azure", "sigv4")


class AuthError(Exception):
    """Credentials are missing or cannot be obtained (exit 2, never a traceback)."""


class Auth(Protocol):
    def headers(self, method: str, url: str) -> Mapping[str, str]: ...


class NoAuth:
    """No Authorization header."""

    def headers(self, method: str, url: str) -> Mapping[str, str]:
        return {}


class BearerAuth:
    """``Authorization: Bearer <token>``."""

    def __init__(self, token: str) -> None:
        if not token:
            raise AuthError(f"--auth bearer needs a token: set {TOKEN_ENV}")
        self.token = token

    def headers(self, method: str, url: str) -> Mapping[str, str]:
        return {"Authorization": f"Bearer {self.token}"}


class GoogleAuth:
    """An OAuth access token from Application Default Credentials (monitoring.read scope)."""

    def __init__(self, credentials: Any = None, request: Any = None) -> None:
        if credentials is None:
            try:
                import google.auth
                from google.auth.exceptions import DefaultCredentialsError
            except ImportError as exc:  # pragma: no cover - google-auth ships with google-cloud-compute
                raise AuthError(f"--auth google needs google-auth: {exc}") from None
            try:
                credentials, _project = google.auth.default(scopes=[GOOGLE_SCOPE])
            except DefaultCredentialsError as exc:
                raise AuthError(
                    f"--auth google: no Application Default Credentials ({exc}); run "
                    "`gcloud auth application-default login` or set GOOGLE_APPLICATION_CREDENTIALS"
                ) from None
        self.credentials = credentials
        self._request = request

    def headers(self, method: str, url: str) -> Mapping[str, str]:
        if not getattr(self.credentials, "valid", False):
            request = self._request
            if request is None:
                from google.auth.transport.requests import Request

                request = Request()
            try:
                self.credentials.refresh(request)
            except Exception as exc:  # the SDK raises several types; all mean "no token"
                raise AuthError(f"--auth google: cannot get an access token: {exc}") from None
        return {"Authorization": f"Bearer {self.credentials.token}"}


class AzureAuth:
    """A Microsoft Entra token for the Azure Monitor Prometheus query endpoint."""

    def __init__(self, credential: Any = None) -> None:
        if credential is None:
            from azure.identity import DefaultAzureCredential

            credential = DefaultAzureCredential()
        self.credential = credential

    def headers(self, method: str, url: str) -> Mapping[str, str]:
        try:
            token = self.credential.get_token(AZURE_SCOPE)
        except Exception as exc:  # azure-identity raises ClientAuthenticationError and friends
            raise AuthError(
                f"--auth azure: cannot get a token for {AZURE_SCOPE}: {exc}; run `az login` or set "
                "AZURE_CLIENT_ID / AZURE_TENANT_ID / AZURE_CLIENT_SECRET"
            ) from None
        return {"Authorization": f"Bearer {token.token}"}


class SigV4Auth:
    """AWS Signature Version 4 for Amazon Managed Service for Prometheus (service ``aps``)."""

    def __init__(self, region: str | None = None, credentials: Any = None) -> None:
        import botocore.session

        session = botocore.session.get_session()
        self.region = region or session.get_config_variable("region") or os.environ.get("AWS_REGION")
        if not self.region:
            raise AuthError("--auth sigv4 needs a region: pass --aws-region or set AWS_REGION")
        creds = credentials or session.get_credentials()
        if creds is None:
            raise AuthError(
                "--auth sigv4: no AWS credentials (set AWS_PROFILE, or AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY)"
            )
        self.credentials = creds

    def headers(self, method: str, url: str) -> Mapping[str, str]:
        from botocore.auth import SigV4Auth as _Signer
        from botocore.awsrequest import AWSRequest

        request = AWSRequest(method=method, url=url)
        _Signer(self.credentials, SIGV4_SERVICE, self.region).add_auth(request)
        return dict(request.headers.items())


def make_auth(kind: str, *, aws_region: str | None = None, environ: Mapping[str, str] | None = None) -> Auth:
    """The authenticator for ``--auth KIND``, from the environment."""
    env = os.environ if environ is None else environ
    if kind == "none":
        return NoAuth()
    if kind == "bearer":
        return BearerAuth(env.get(TOKEN_ENV, ""))
    if kind == "google":
        return GoogleAuth()
    if kind == "azure":
        return AzureAuth()
    if kind == "sigv4":
        return SigV4Auth(aws_region)
    raise AuthError(f"--auth {kind}: not one of {', '.join(AUTH_KINDS)}")
