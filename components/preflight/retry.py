"""Backoff for throttled cloud API calls, on top of what each SDK already does.

boto3 retries throttling itself (we configure ``retries={"mode": "adaptive"}``), the Google
and Azure SDKs have their own retry policies; this layer is the second line: when the SDK
gives up on a throttled call, wait longer (exponential, full jitter, capped) and try again a
few times before reporting the check as not verifiable. ``sleep`` and ``rand`` are injected
so tests run without waiting.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TypeVar

T = TypeVar("T")


class Throttled(Exception):
    """The API kept throttling after every retry."""

    def __init__(self, attempts: int, last: Exception) -> None:
        self.attempts = attempts
        self.last = last
        super().__init__(f"still throttled after {attempts} attempt(s): {last}")


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

    def call(self, fn: Callable[[], T], is_throttle: Callable[[Exception], bool]) -> T:
        """Run ``fn``; on a throttling error, back off and retry up to ``attempts`` times."""
        last: Exception | None = None
        for n in range(max(1, self.attempts)):
            if n:
                delay = self.rand() * min(self.cap_seconds, self.base_seconds * 2 ** (n - 1))
                self.slept.append(delay)
                self.sleep(delay)
            try:
                return fn()
            except Exception as exc:
                if not is_throttle(exc):
                    raise
                last = exc
        assert last is not None
        raise Throttled(max(1, self.attempts), last)
