"""Backoff for throttled cloud API calls, and the overall deadline of a preflight run.

boto3 retries throttling itself (we configure ``retries={"mode": "adaptive"}``), the Google
and Azure SDKs have their own retry policies; this layer is the second line: when the SDK
gives up on a throttled call, wait longer (exponential, full jitter, capped) and try again a
few times before reporting the check as not verifiable. ``sleep`` and ``rand`` are injected
so tests run without waiting.

``Deadline`` bounds the whole run: every call (and every backoff sleep) must finish before it,
whatever the SDK's own timeouts and retries would allow. An endpoint that accepts connections
and never answers once held a run for 452 s (3 calls x 5 attempts x 30 s); a call still running
at the deadline is abandoned (its thread is a daemon) and its check reported as not checked.
"""

from __future__ import annotations

import random
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from components.terminal import counted

T = TypeVar("T")


class Throttled(Exception):
    """The API kept throttling after every retry."""

    def __init__(self, attempts: int, last: Exception) -> None:
        self.attempts = attempts
        self.last = last
        super().__init__(f"still throttled after {counted(attempts, 'attempt')}: {last}")


class DeadlineExceeded(Exception):
    """The run's overall deadline passed before a call could finish."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        super().__init__(f"the preflight deadline of {seconds:g} s passed (--deadline to allow more)")


class Deadline:
    """A point in time every call of a run must finish by (``time.monotonic`` based)."""

    def __init__(self, seconds: float, clock: Callable[[], float] = time.monotonic) -> None:
        self.seconds = seconds
        self._clock = clock
        self._ends = clock() + seconds

    def remaining(self) -> float:
        return max(0.0, self._ends - self._clock())

    def run(self, fn: Callable[[], T]) -> T:
        """``fn()`` in a daemon thread, waited on until the deadline; DeadlineExceeded if it is late."""
        if self.remaining() <= 0:
            raise DeadlineExceeded(self.seconds)
        box: dict[str, Any] = {}
        done = threading.Event()

        def target() -> None:
            try:
                box["value"] = fn()
            except BaseException as exc:  # handed to the caller's thread, re-raised there
                box["error"] = exc
            finally:
                done.set()

        threading.Thread(target=target, name="aiinfra-preflight-call", daemon=True).start()
        if not done.wait(self.remaining()):
            raise DeadlineExceeded(self.seconds)
        if "error" in box:
            raise box["error"]
        value: T = box["value"]
        return value


@dataclass
class Backoff:
    """Exponential backoff with full jitter (AWS Architecture Blog, "Exponential Backoff
    And Jitter"): delay = rand(0, min(cap, base * 2**n))."""

    attempts: int = 3
    base_seconds: float = 2.0
    cap_seconds: float = 30.0
    sleep: Callable[[float], None] = field(default=time.sleep)
    rand: Callable[[], float] = field(default=random.random)
    # Every delay slept, for tests and for the report's details.
    slept: list[float] = field(default_factory=list)
    # The run's overall deadline (None: none): calls and sleeps end by it.
    deadline: Deadline | None = None

    def call(self, fn: Callable[[], T], is_throttle: Callable[[Exception], bool]) -> T:
        """Run ``fn``; on a throttling error, back off and retry up to ``attempts`` times."""
        last: Exception | None = None
        for n in range(max(1, self.attempts)):
            if n:
                delay = self.rand() * min(self.cap_seconds, self.base_seconds * 2 ** (n - 1))
                if self.deadline is not None and delay >= self.deadline.remaining():
                    raise DeadlineExceeded(self.deadline.seconds)
                self.slept.append(delay)
                self.sleep(delay)
            try:
                return self.deadline.run(fn) if self.deadline is not None else fn()
            except Exception as exc:
                if not is_throttle(exc):
                    raise
                last = exc
        assert last is not None
        raise Throttled(max(1, self.attempts), last)
