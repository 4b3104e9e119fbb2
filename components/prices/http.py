"""A small JSON-over-HTTPS client for the public price APIs (Azure Retail Prices, Cloud Billing).

Standard library only (``urllib``): these APIs are plain GETs returning JSON, and the refresh
must run where only the base install is. Throttling (HTTP 429, and 503 which both services
send under load) is retried with :class:`components.preflight.retry.Backoff` (exponential,
full jitter, bounded); anything else that is not a JSON object becomes a
:class:`PriceApiError` with the URL and what was wrong, never a traceback.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Mapping
from typing import Any

from components.preflight.retry import Backoff, Throttled

THROTTLE_STATUS = frozenset({429, 503})
TIMEOUT_SECONDS = 60


class PriceApiError(Exception):
    """A price API could not be read: unreachable, refused, throttled past every retry, or an
    answer that is not what the API documents (exit 2)."""


class _ThrottledHttp(Exception):
    def __init__(self, status: int, url: str) -> None:
        super().__init__(f"HTTP {status} from {shown(url)}")


def redact(url: str) -> str:
    """The URL without secrets (the Cloud Billing API key travels as ``key=``)."""
    parts = urllib.parse.urlsplit(url)
    if not parts.query:
        return url
    query = urllib.parse.parse_qsl(parts.query, keep_blank_values=True)
    safe = [(k, "REDACTED" if k.lower() in ("key", "api_key", "apikey") else v) for k, v in query]
    return urllib.parse.urlunsplit(parts._replace(query=urllib.parse.urlencode(safe, safe="$',() ")))


def shown(url: str, limit: int = 160) -> str:
    """The URL for a message: secrets redacted, a long query cut short."""
    text = redact(url)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def with_query(url: str, params: Mapping[str, str]) -> str:
    """``url`` with ``params`` added to its query string (percent-encoded)."""
    parts = urllib.parse.urlsplit(url)
    query = urllib.parse.parse_qsl(parts.query, keep_blank_values=True) + list(params.items())
    return urllib.parse.urlunsplit(parts._replace(query=urllib.parse.urlencode(query, quote_via=urllib.parse.quote)))


def rebase(url: str, endpoint: str | None) -> str:
    """A next-page link moved onto ``endpoint`` (scheme and host), for mirrors and tests."""
    if not endpoint:
        return url
    base = urllib.parse.urlsplit(endpoint)
    parts = urllib.parse.urlsplit(url)
    return urllib.parse.urlunsplit(parts._replace(scheme=base.scheme, netloc=base.netloc))


class JsonClient:
    """GET JSON objects, retrying throttling with a bounded backoff."""

    def __init__(self, api: str, backoff: Backoff | None = None, timeout: float = TIMEOUT_SECONDS) -> None:
        self.api = api  # "Azure Retail Prices API", for messages
        self.backoff = backoff or Backoff(attempts=5, base_seconds=1.0, cap_seconds=20.0)
        self.timeout = timeout
        self.requests = 0

    def _once(self, url: str) -> Any:
        self.requests += 1
        req = urllib.request.Request(url, headers={"Accept": "application/json", "User-Agent": "ai-infra-prices"})  # noqa: S310 - http(s) URLs we build
        try:
            with urllib.request.urlopen(req, timeout=self.timeout) as resp:  # noqa: S310
                body = resp.read()
        except urllib.error.HTTPError as exc:
            if exc.code in THROTTLE_STATUS:
                raise _ThrottledHttp(exc.code, url) from None
            detail = _error_text(exc.read())
            raise PriceApiError(f"{self.api}: HTTP {exc.code} from {shown(url)}{detail}") from None
        except (urllib.error.URLError, OSError) as exc:
            reason = getattr(exc, "reason", exc)
            raise PriceApiError(f"{self.api}: cannot reach {shown(url)}: {reason}") from None
        try:
            doc = json.loads(body)
        except (json.JSONDecodeError, UnicodeDecodeError):
            snippet = body[:80].decode("utf-8", "replace").replace("\n", " ")
            raise PriceApiError(
                f"{self.api}: the answer from {shown(url)} is not JSON (starts with {snippet!r})"
            ) from None
        if not isinstance(doc, dict):
            raise PriceApiError(f"{self.api}: the answer from {shown(url)} is not a JSON object")
        return doc

    def get(self, url: str) -> dict[str, Any]:
        """The JSON object at ``url``; raises PriceApiError."""
        try:
            doc: dict[str, Any] = self.backoff.call(lambda: self._once(url), lambda e: isinstance(e, _ThrottledHttp))
        except Throttled as exc:
            raise PriceApiError(
                f"{self.api}: still throttled after {exc.attempts} attempts ({exc.last}); try again later"
            ) from None
        return doc


def _error_text(body: bytes) -> str:
    """The API's own error message, when the body carries one (``{"error": {"message": ...}}``)."""
    try:
        doc = json.loads(body)
    except (json.JSONDecodeError, UnicodeDecodeError):
        return ""
    err = doc.get("error") if isinstance(doc, dict) else None
    if isinstance(err, dict) and isinstance(err.get("message"), str):
        return f": {err['message']}"
    if isinstance(doc, dict) and isinstance(doc.get("Message"), str):
        return f": {doc['Message']}"
    return ""
