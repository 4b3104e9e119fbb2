"""An endpoint that accepts connections and never answers: preflight ends by its deadline.

Once, 3 calls x 5 attempts x 30 s read timeouts held a run for 452 s. Here a server on
127.0.0.1 accepts every connection and sends nothing; the real AWS checker (boto3 through
AWS_ENDPOINT_URL) must give up at the run's deadline, report the checks as not checked (not
as capacity failures) and exit 4.
"""

from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from components.cli import build_parser
from components.preflight import command
from components.preflight.retry import Backoff, Deadline, DeadlineExceeded

REPO_STACK = str(Path(__file__).resolve().parents[3] / "stacks" / "Pulumi.aws-train.yaml")


@pytest.fixture
def silent_server() -> Iterator[str]:
    """A TCP server on 127.0.0.1 (ephemeral port) that accepts and never answers."""
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.bind(("127.0.0.1", 0))
    listener.listen(64)
    listener.settimeout(0.2)
    held: list[socket.socket] = []
    stop = threading.Event()

    def accept() -> None:
        while not stop.is_set():
            try:
                conn, _ = listener.accept()
            except (TimeoutError, OSError):
                continue
            held.append(conn)  # keep it open, read nothing, answer nothing

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{listener.getsockname()[1]}"
    stop.set()
    thread.join(timeout=5)
    for conn in held:
        conn.close()
    listener.close()


def test_a_silent_endpoint_ends_at_the_deadline_and_exits_4(
    aws_env: None, silent_server: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("AWS_ENDPOINT_URL", silent_server)
    args = build_parser().parse_args(
        ["preflight", REPO_STACK, "--format", "json", "--deadline", "3", "--call-timeout", "1"]
    )
    started = time.monotonic()
    code = command.run(args)
    took = time.monotonic() - started
    out = json.loads(capsys.readouterr().out)
    assert took < 15, took  # the deadline (3 s) plus the checker's setup, not minutes
    assert code == command.EXIT_UNCHECKED == 4
    statuses = {c["status"] for c in out["checks"]}
    assert statuses == {"unchecked"}, out["checks"]
    assert out["summary"]["fail"] == 0 and out["ok"] is False
    reasons = " ".join(c["reason"] for c in out["checks"])
    assert "deadline of 3 s passed" in reasons or "could not check" in reasons


def test_deadline_bounds_backoff_and_calls() -> None:
    deadline = Deadline(0.3)
    with pytest.raises(DeadlineExceeded):
        deadline.run(lambda: time.sleep(5))
    assert deadline.remaining() == 0
    # a backoff that would sleep past the deadline stops instead of sleeping
    slept: list[float] = []

    class Busy(Exception):
        pass

    def always_busy() -> None:
        raise Busy

    backoff = Backoff(attempts=5, base_seconds=10, sleep=slept.append, rand=lambda: 1.0, deadline=Deadline(1))
    with pytest.raises(DeadlineExceeded):
        backoff.call(always_busy, lambda e: isinstance(e, Busy))
    assert slept == []
    assert Deadline(5).run(lambda: 42) == 42
    with pytest.raises(ValueError):
        Deadline(5).run(lambda: int("x"))


def test_deadline_and_call_timeout_options() -> None:
    args = build_parser().parse_args(["preflight", REPO_STACK])
    assert args.deadline == 60.0 and args.call_timeout == 10.0
    with pytest.raises(SystemExit):
        build_parser().parse_args(["preflight", REPO_STACK, "--deadline", "0"])
