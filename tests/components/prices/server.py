"""A recorded-response HTTP server on 127.0.0.1 for the price API tests.

Real sockets, a real HTTP server (``http.server.ThreadingHTTPServer`` on an ephemeral port),
answering from a handler the test supplies; every request is logged (method, path, query,
headers, body) so tests can assert what the client asked for. The responses it serves are
recorded-format fixtures (``fixtures.py``): written in the shape the real APIs document,
not live captures.
"""

from __future__ import annotations

import threading
import urllib.parse
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass
class Request:
    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]
    body: bytes

    @property
    def form(self) -> dict[str, str]:
        """A form-encoded body (the EC2 query protocol) as a dict."""
        return dict(urllib.parse.parse_qsl(self.body.decode("utf-8")))


@dataclass
class Response:
    status: int = 200
    body: bytes = b""
    content_type: str = "application/json"


Handler = Callable[[Request, "Recorded"], Response]


@dataclass
class Recorded:
    """The running server: its base URL and every request it answered."""

    url: str = ""
    requests: list[Request] = field(default_factory=list)
    # scripted throttling: answer this many requests with ``throttle`` before serving normally
    throttle_first: int = 0
    throttle: Response | None = None


@contextmanager
def serve(handler: Handler) -> Iterator[Recorded]:
    """Run ``handler`` behind a local HTTP server for the duration of the ``with`` block."""
    state = Recorded()

    class _Handler(BaseHTTPRequestHandler):
        def _answer(self) -> None:
            parts = urllib.parse.urlsplit(self.path)
            length = int(self.headers.get("Content-Length") or 0)
            req = Request(
                self.command,
                parts.path,
                dict(urllib.parse.parse_qsl(parts.query, keep_blank_values=True)),
                {k.lower(): v for k, v in self.headers.items()},
                self.rfile.read(length) if length else b"",
            )
            state.requests.append(req)
            if state.throttle_first > 0 and state.throttle is not None:
                state.throttle_first -= 1
                resp = state.throttle
            else:
                resp = handler(req, state)
            self.send_response(resp.status)
            self.send_header("Content-Type", resp.content_type)
            self.send_header("Content-Length", str(len(resp.body)))
            self.end_headers()
            self.wfile.write(resp.body)

        do_GET = _answer
        do_POST = _answer

        def log_message(self, format: str, *args: object) -> None:  # keep test output clean
            return

    server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    host, port = server.server_address[:2]
    state.url = f"http://{host}:{port}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
